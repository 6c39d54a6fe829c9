//! The decision threshold of a binary classifier (options.threshold): a row is the positive
//! class (the second of the two) when its probability is at least the threshold, instead of
//! the argmax's 0.5. Tuned on rows the model was not fitted on (validation or out-of-fold
//! predictions), never on the test rows.

use crate::common::error::{Error, Result};
use crate::evaluation::scores::binary_clf_curve;
use crate::prepare::threshold::Rule;

/// The threshold `rule` picks on rows whose class is `positive` and whose positive-class
/// probability is `score`: one of the scores (a row is positive at p ≥ threshold). Ties go to
/// the higher threshold. An error when no threshold meets a recall or precision target, or
/// the rows hold one class only.
pub fn tune(rule: Rule, positive: &[bool], score: &[f64]) -> Result<f64> {
    if let Rule::Fixed(t) = rule {
        return Ok(t);
    }
    let (fps, tps, thresholds) = binary_clf_curve(positive, score);
    let (p, n) = (
        tps.last().copied().unwrap_or(0.0),
        fps.last().copied().unwrap_or(0.0),
    );
    if p == 0.0 || n == 0.0 {
        return Err(Error::data(
            "option \"threshold\": the rows it is tuned on hold one class only",
        ));
    }
    let value = |i: usize| -> Option<f64> {
        let (tp, fp) = (tps[i], fps[i]);
        let (fn_, tn) = (p - tp, n - fp);
        let precision = if tp + fp > 0.0 { tp / (tp + fp) } else { 0.0 };
        let recall = tp / p;
        match rule {
            Rule::Optimize("f1") => Some(2.0 * tp / (2.0 * tp + fp + fn_)),
            Rule::Optimize("balanced_accuracy") => Some((recall + tn / n) / 2.0),
            Rule::Optimize(_) => {
                let d = ((tp + fp) * (tp + fn_) * (tn + fp) * (tn + fn_)).sqrt();
                Some(if d > 0.0 {
                    (tp * tn - fp * fn_) / d
                } else {
                    0.0
                })
            }
            Rule::Recall(r) => (recall >= r).then_some(precision),
            Rule::Precision(q) => (precision >= q).then_some(recall),
            Rule::Cost { fp: cfp, fn_: cfn } => Some(-(cfp * fp + cfn * fn_)),
            Rule::Fixed(_) => None,
        }
    };
    // The curve runs from the highest threshold down: the first best is the highest.
    let best = (0..thresholds.len())
        .filter_map(|i| value(i).map(|v| (i, v)))
        .fold(None::<(usize, f64)>, |b, (i, v)| match b {
            Some((_, bv)) if bv >= v => b,
            _ => Some((i, v)),
        });
    match best {
        Some((i, _)) => Ok(thresholds[i]),
        None => Err(Error::data(format!(
            "option \"threshold\": no threshold reaches {} on the rows it is tuned on",
            match rule {
                Rule::Recall(r) => format!("recall {r}"),
                Rule::Precision(q) => format!("precision {q}"),
                _ => "the target".into(),
            }
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Scores of 8 rows, 3 positive: 0.9 (+), 0.8 (-), 0.7 (+), 0.6 (-), 0.4 (+), 0.3 (-), 0.2, 0.1 (-).
    const POS: [bool; 8] = [true, false, true, false, true, false, false, false];
    const SCORE: [f64; 8] = [0.9, 0.8, 0.7, 0.6, 0.4, 0.3, 0.2, 0.1];

    #[test]
    fn each_rule_picks_its_threshold() {
        // f1 at 0.7: tp 2, fp 1, fn 1 → 0.667; at 0.4: tp 3, fp 2 → 0.75 (the best).
        assert_eq!(tune(Rule::Optimize("f1"), &POS, &SCORE).unwrap(), 0.4);
        // Recall 1 first reached at 0.4 (precision 0.6).
        assert_eq!(tune(Rule::Recall(1.0), &POS, &SCORE).unwrap(), 0.4);
        // Precision ≥ 2/3 with the most recall: 0.7 (tp 2, fp 1).
        assert_eq!(tune(Rule::Precision(0.66), &POS, &SCORE).unwrap(), 0.7);
        // A missed positive costs 10, a false alarm 1: take every positive (0.4: cost 2).
        assert_eq!(
            tune(Rule::Cost { fp: 1.0, fn_: 10.0 }, &POS, &SCORE).unwrap(),
            0.4
        );
        // False alarms cost 10: only the surest positive (0.9: two missed, cost 2).
        assert_eq!(
            tune(Rule::Cost { fp: 10.0, fn_: 1.0 }, &POS, &SCORE).unwrap(),
            0.9
        );
        assert_eq!(tune(Rule::Fixed(0.35), &POS, &SCORE).unwrap(), 0.35);
    }

    #[test]
    fn unreachable_targets_are_errors() {
        let e = tune(Rule::Precision(1.0), &[false, true], &[0.9, 0.1]).unwrap_err();
        assert!(
            e.message.contains("no threshold reaches precision 1"),
            "{}",
            e.message
        );
        assert!(tune(Rule::Optimize("f1"), &[true, true], &[0.2, 0.3]).is_err());
    }
}
