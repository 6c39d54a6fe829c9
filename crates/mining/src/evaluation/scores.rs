//! Metrics from scores and probabilities, as sklearn.metrics defines them: roc_curve (with
//! drop_intermediate), precision_recall_curve, roc_auc and average precision (binary and
//! one-vs-rest macro), log_loss, Brier score; and all of them for a model's probabilities.

use crate::evaluation::metrics::Metrics;

/// sklearn's _binary_clf_curve: at each distinct score, from the highest down, the false and
/// true positives of "score >= threshold". Returns (fps, tps, thresholds).
pub fn binary_clf_curve(positive: &[bool], score: &[f64]) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let mut order: Vec<usize> = (0..score.len().min(positive.len())).collect();
    order.sort_by(|&a, &b| score[b].total_cmp(&score[a]));
    let (mut fps, mut tps, mut thresholds) = (Vec::new(), Vec::new(), Vec::new());
    let mut tp = 0.0;
    for (i, &r) in order.iter().enumerate() {
        if positive[r] {
            tp += 1.0;
        }
        let last_of_value = order.get(i + 1).is_none_or(|&next| score[next] != score[r]);
        if last_of_value {
            tps.push(tp);
            fps.push((i + 1) as f64 - tp);
            thresholds.push(score[r]);
        }
    }
    (fps, tps, thresholds)
}

/// sklearn's roc_curve(drop_intermediate=True): rows (threshold, fpr, tpr), the first threshold
/// +Infinity. None when `positive` holds only one class (the rates are undefined).
pub fn roc_curve(positive: &[bool], score: &[f64]) -> Option<Vec<(f64, f64, f64)>> {
    let (mut fps, mut tps, mut thr) = binary_clf_curve(positive, score);
    if fps.len() > 2 {
        // Keep the corners: points where the curve's direction changes.
        let keep: Vec<usize> = (0..fps.len())
            .filter(|&i| {
                i == 0 || i == fps.len() - 1 || {
                    let d2 = |v: &[f64]| v[i + 1] - 2.0 * v[i] + v[i - 1];
                    d2(&fps) != 0.0 || d2(&tps) != 0.0
                }
            })
            .collect();
        fps = keep.iter().map(|&i| fps[i]).collect();
        tps = keep.iter().map(|&i| tps[i]).collect();
        thr = keep.iter().map(|&i| thr[i]).collect();
    }
    let (fp_total, tp_total) = (*fps.last()?, *tps.last()?);
    if fp_total == 0.0 || tp_total == 0.0 {
        return None;
    }
    let mut out = vec![(f64::INFINITY, 0.0, 0.0)];
    out.extend((0..fps.len()).map(|i| (thr[i], fps[i] / fp_total, tps[i] / tp_total)));
    Some(out)
}

/// Area under the ROC curve (trapezoids), as sklearn's roc_auc_score for a binary target.
pub fn roc_auc(positive: &[bool], score: &[f64]) -> Option<f64> {
    let curve = roc_curve(positive, score)?;
    Some(
        curve
            .windows(2)
            .map(|w| (w[1].1 - w[0].1) * (w[1].2 + w[0].2) / 2.0)
            .sum(),
    )
}

/// One-vs-rest macro roc_auc over the columns of `proba` (rows × k, row-major); None when a
/// class has no positive or no negative row.
pub fn roc_auc_ovr(actual: &[usize], proba: &[f64], k: usize) -> Option<f64> {
    let mut total = 0.0;
    for c in 0..k {
        let positive: Vec<bool> = actual.iter().map(|&a| a == c).collect();
        let score: Vec<f64> = proba.chunks_exact(k).map(|row| row[c]).collect();
        total += roc_auc(&positive, &score)?;
    }
    Some(total / k as f64)
}

/// sklearn's precision_recall_curve: rows (threshold, precision, recall) from the highest
/// recall down, then the final point (None, 1, 0).
pub fn pr_curve(positive: &[bool], score: &[f64]) -> Vec<(Option<f64>, f64, f64)> {
    let (fps, tps, thr) = binary_clf_curve(positive, score);
    let tp_total = tps.last().copied().unwrap_or(0.0);
    let mut out: Vec<(Option<f64>, f64, f64)> = (0..tps.len())
        .map(|i| {
            let ps = tps[i] + fps[i];
            let precision = if ps != 0.0 { tps[i] / ps } else { 0.0 };
            let recall = if tp_total == 0.0 {
                1.0
            } else {
                tps[i] / tp_total
            };
            (Some(thr[i]), precision, recall)
        })
        .collect();
    out.reverse();
    out.push((None, 1.0, 0.0));
    out
}

/// Mean negative log-likelihood of the actual class, probabilities clipped to
/// [eps, 1 - eps] (sklearn's log_loss). A label ≥ k (unknown to the model) has probability 0.
pub fn log_loss(actual: &[usize], proba: &[f64], k: usize) -> f64 {
    let eps = f64::EPSILON;
    let n = actual.len().max(1) as f64;
    actual
        .iter()
        .zip(proba.chunks_exact(k))
        .map(|(&a, row)| -(row.get(a).copied().unwrap_or(0.0).clamp(eps, 1.0 - eps)).ln())
        .sum::<f64>()
        / n
}

/// sklearn's average_precision_score for a binary target: the sum over the precision-recall
/// curve of (R_n - R_(n-1)) P_n. None without a positive row.
pub fn average_precision(positive: &[bool], score: &[f64]) -> Option<f64> {
    if !positive.iter().any(|&p| p) {
        return None;
    }
    let curve = pr_curve(positive, score);
    Some(
        -curve
            .windows(2)
            .map(|w| (w[1].2 - w[0].2) * w[0].1)
            .sum::<f64>(),
    )
}

/// One-vs-rest macro average precision over the columns of `proba` (rows × k), as
/// sklearn's average_precision_score of the one-hot target; None when a class has no row.
pub fn average_precision_ovr(actual: &[usize], proba: &[f64], k: usize) -> Option<f64> {
    let mut total = 0.0;
    for c in 0..k {
        let positive: Vec<bool> = actual.iter().map(|&a| a == c).collect();
        let score: Vec<f64> = proba.chunks_exact(k).map(|row| row[c]).collect();
        total += average_precision(&positive, &score)?;
    }
    Some(total / k as f64)
}

/// sklearn's brier_score_loss of a binary target: the mean of (p - y)^2, p the positive
/// class's probability.
pub fn brier(positive: &[bool], p: &[f64]) -> f64 {
    let n = positive.len().max(1) as f64;
    positive
        .iter()
        .zip(p)
        .map(|(&y, &p)| (p - f64::from(u8::from(y))).powi(2))
        .sum::<f64>()
        / n
}

/// The probability metrics of a classifier: log_loss, and where defined roc_auc and pr_auc
/// (average precision; one-vs-rest macro for more than two classes), and for two classes the
/// positive (second) class's brier. `proba`: rows × k; rows whose actual label the model does
/// not know (index ≥ k) are left out, as they have no column.
pub fn probability_metrics(actual: &[usize], proba: &[f64], k: usize) -> Metrics {
    let mut m = Metrics::new();
    if k < 2 {
        return m;
    }
    let (known, rows): (Vec<usize>, Vec<f64>) = actual
        .iter()
        .zip(proba.chunks_exact(k))
        .filter(|(&a, _)| a < k)
        .fold((Vec::new(), Vec::new()), |(mut a, mut p), (&y, row)| {
            a.push(y);
            p.extend_from_slice(row);
            (a, p)
        });
    if known.is_empty() {
        return m;
    }
    m.insert("log_loss".into(), log_loss(&known, &rows, k));
    let (auc, ap) = if k == 2 {
        let pos: Vec<bool> = known.iter().map(|&a| a == 1).collect();
        let score: Vec<f64> = rows.chunks_exact(2).map(|r| r[1]).collect();
        m.insert("brier".into(), brier(&pos, &score));
        (roc_auc(&pos, &score), average_precision(&pos, &score))
    } else {
        (
            roc_auc_ovr(&known, &rows, k),
            average_precision_ovr(&known, &rows, k),
        )
    };
    if let Some(a) = auc {
        m.insert("roc_auc".into(), a);
    }
    if let Some(a) = ap {
        m.insert("pr_auc".into(), a);
    }
    m
}

#[cfg(test)]
mod tests {

    use super::*;

    #[test]
    fn roc_of_the_sklearn_docs_example() {
        // roc_curve([1, 1, 2, 2], [0.1, 0.4, 0.35, 0.8], pos_label=2)
        let y = [false, false, true, true];
        let s = [0.1, 0.4, 0.35, 0.8];
        let c = roc_curve(&y, &s).unwrap();
        let fpr: Vec<f64> = c.iter().map(|r| r.1).collect();
        let tpr: Vec<f64> = c.iter().map(|r| r.2).collect();
        assert_eq!(fpr, vec![0.0, 0.0, 0.5, 0.5, 1.0]);
        assert_eq!(tpr, vec![0.0, 0.5, 0.5, 1.0, 1.0]);
        assert!(c[0].0.is_infinite());
        assert_eq!(roc_auc(&y, &s), Some(0.75));
    }

    #[test]
    fn one_class_has_no_roc() {
        assert_eq!(roc_auc(&[true, true], &[0.1, 0.2]), None);
    }

    #[test]
    fn pr_curve_ends_at_precision_one_recall_zero() {
        let c = pr_curve(&[false, false, true, true], &[0.1, 0.4, 0.35, 0.8]);
        let last = c.last().unwrap();
        assert_eq!((last.0, last.1, last.2), (None, 1.0, 0.0));
        assert_eq!(c[0].0, Some(0.1));
        assert_eq!((c[0].1, c[0].2), (0.5, 1.0));
    }

    #[test]
    fn log_loss_clips() {
        let v = log_loss(&[0, 1], &[1.0, 0.0, 1.0, 0.0], 2);
        assert!((v - (-(f64::EPSILON).ln() / 2.0)).abs() < 1e-9);
    }

    #[test]
    fn binary_scores_match_sklearn() {
        use crate::evaluation::scores;
        use crate::test_support::{floats, usizes};
        let f = crate::test_support::fixture("sklearn_reference.json");
        let c = &f["binary_scores"];
        let y: Vec<bool> = usizes(&c["actual"]).iter().map(|&v| v == 1).collect();
        let s = floats(&c["score"]);
        let auc = scores::roc_auc(&y, &s).unwrap();
        assert!(
            (auc - c["roc_auc"].as_f64().unwrap()).abs() < 1e-9,
            "auc {auc}"
        );
        let proba: Vec<f64> = s.iter().flat_map(|&p| [1.0 - p, p]).collect();
        let actual: Vec<usize> = y.iter().map(|&b| usize::from(b)).collect();
        let ll = scores::log_loss(&actual, &proba, 2);
        assert!(
            (ll - c["log_loss"].as_f64().unwrap()).abs() < 1e-9,
            "log_loss {ll}"
        );
        let roc = scores::roc_curve(&y, &s).unwrap();
        let (fpr, tpr) = (
            floats(&c["roc_curve"]["fpr"]),
            floats(&c["roc_curve"]["tpr"]),
        );
        let thr = c["roc_curve"]["thresholds"].as_array().unwrap();
        assert_eq!(roc.len(), fpr.len());
        for (i, (t, f, tp)) in roc.iter().enumerate() {
            assert!(
                (f - fpr[i]).abs() < 1e-12 && (tp - tpr[i]).abs() < 1e-12,
                "roc point {i}"
            );
            match thr[i].as_f64() {
                Some(v) => assert!((t - v).abs() < 1e-12),
                None => assert!(t.is_infinite()),
            }
        }
        let ap = scores::average_precision(&y, &s).unwrap();
        assert!(
            (ap - c["average_precision"].as_f64().unwrap()).abs() < 1e-12,
            "ap {ap}"
        );
        let brier = scores::brier(&y, &s);
        assert!(
            (brier - c["brier"].as_f64().unwrap()).abs() < 1e-12,
            "brier {brier}"
        );
        let all = scores::probability_metrics(&actual, &proba, 2);
        assert_eq!(
            (all["roc_auc"], all["pr_auc"], all["brier"]),
            (auc, ap, brier)
        );
        assert!((all["log_loss"] - ll).abs() < 1e-15);
        let pr = scores::pr_curve(&y, &s);
        let (prec, rec, pthr) = (
            floats(&c["pr_curve"]["precision"]),
            floats(&c["pr_curve"]["recall"]),
            floats(&c["pr_curve"]["thresholds"]),
        );
        assert_eq!(pr.len(), prec.len());
        for (i, (t, p, r)) in pr.iter().enumerate() {
            assert!(
                (p - prec[i]).abs() < 1e-12 && (r - rec[i]).abs() < 1e-12,
                "pr point {i}"
            );
            assert_eq!(*t, pthr.get(i).copied());
        }
    }

    #[test]
    fn multiclass_scores_match_sklearn() {
        use crate::evaluation::scores;
        use crate::test_support::{floats, usizes};
        let f = crate::test_support::fixture("sklearn_reference.json");
        let c = &f["multiclass_scores"];
        let (y, p) = (usizes(&c["actual"]), floats(&c["proba"]));
        let auc = scores::roc_auc_ovr(&y, &p, 3).unwrap();
        assert!(
            (auc - c["roc_auc_ovr"].as_f64().unwrap()).abs() < 1e-9,
            "auc {auc}"
        );
        let ll = scores::log_loss(&y, &p, 3);
        assert!(
            (ll - c["log_loss"].as_f64().unwrap()).abs() < 1e-9,
            "log_loss {ll}"
        );
        let ap = scores::average_precision_ovr(&y, &p, 3).unwrap();
        assert!(
            (ap - c["average_precision_ovr"].as_f64().unwrap()).abs() < 1e-12,
            "ap {ap}"
        );
        let all = scores::probability_metrics(&y, &p, 3);
        assert_eq!((all["roc_auc"], all["pr_auc"]), (auc, ap));
        assert!(!all.contains_key("brier"));
    }

    #[test]
    fn labels_the_model_does_not_know_are_left_out() {
        // The third row's label 2 is not one of the model's two classes.
        let m = probability_metrics(&[0, 1, 2], &[0.8, 0.2, 0.3, 0.7, 0.5, 0.5], 2);
        assert!((m["brier"] - (0.04 + 0.09) / 2.0).abs() < 1e-12);
        assert_eq!(m["roc_auc"], 1.0);
        assert!(probability_metrics(&[2, 2], &[0.5, 0.5, 0.5, 0.5], 2).is_empty());
    }
}
