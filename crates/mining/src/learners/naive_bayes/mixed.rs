//! Naive Bayes for mixed data: Gaussian likelihoods for numeric columns (scikit-learn's
//! GaussianNB, with its var_smoothing) and categorical likelihoods with additive smoothing for
//! the one-hot groups of text columns (scikit-learn's CategoricalNB on the category), in one
//! model. Class priors are the training frequencies. A row whose one-hot group has no level set
//! (a category unseen in training) leaves that feature out.

use serde::{Deserialize, Serialize};

use crate::common::error::{Error, Result};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NaiveBayes {
    pub n_classes: usize,
    pub log_prior: Vec<f64>,
    /// Numeric columns (encoded column index) and, per class, their means and variances
    /// (class-major: [class * numeric + i]).
    pub numeric: Vec<usize>,
    pub mean: Vec<f64>,
    pub var: Vec<f64>,
    /// One-hot groups (first column, width) and, per class, the log probability of each level
    /// (class-major, then group, then level).
    pub groups: Vec<(usize, usize)>,
    pub log_level: Vec<f64>,
}

/// Fits on the given rows of a row-major matrix with p columns; `groups` are the one-hot
/// column groups, every other column is numeric.
#[allow(clippy::too_many_arguments)]
pub fn fit(
    x: &[f64],
    p: usize,
    y: &[usize],
    n_classes: usize,
    rows: &[usize],
    groups: &[(usize, usize)],
    var_smoothing: f64,
    alpha: f64,
    row_weights: Option<&[f64]>,
) -> Result<NaiveBayes> {
    if rows.is_empty() || n_classes == 0 {
        return Err(Error::data("there are no training rows"));
    }
    let in_group = |j: usize| groups.iter().any(|&(s, w)| j >= s && j < s + w);
    let numeric: Vec<usize> = (0..p).filter(|&j| !in_group(j)).collect();
    let m = numeric.len();
    // Each row's weight (class_weight × sample weight; 1 without), as GaussianNB's
    // sample_weight: weighted class counts, means and variances.
    let weight = |r: usize| row_weights.and_then(|w| w.get(r).copied()).unwrap_or(1.0);
    let mut count = vec![0.0f64; n_classes];
    let mut sum = vec![0.0; n_classes * m];
    for &r in rows {
        let (c, w) = (y[r], weight(r));
        count[c] += w;
        for (i, &j) in numeric.iter().enumerate() {
            sum[c * m + i] += w * x[r * p + j];
        }
    }
    let of_class = |k: usize| {
        let n = count[k / m.max(1)];
        if n > 0.0 {
            n
        } else {
            1.0
        }
    };
    let mean: Vec<f64> = (0..n_classes * m).map(|k| sum[k] / of_class(k)).collect();
    let mut var = vec![0.0; n_classes * m];
    for &r in rows {
        let (c, w) = (y[r], weight(r));
        for (i, &j) in numeric.iter().enumerate() {
            let d = x[r * p + j] - mean[c * m + i];
            var[c * m + i] += w * d * d;
        }
    }
    for (k, v) in var.iter_mut().enumerate() {
        *v /= of_class(k);
    }
    // var_smoothing × the largest variance of a numeric column over all training rows
    // (unweighted, as scikit-learn's).
    let n = rows.len() as f64;
    let largest = numeric
        .iter()
        .map(|&j| {
            let mu = rows.iter().map(|&r| x[r * p + j]).sum::<f64>() / n;
            rows.iter()
                .map(|&r| (x[r * p + j] - mu).powi(2))
                .sum::<f64>()
                / n
        })
        .fold(0.0f64, f64::max);
    let eps = var_smoothing * largest;
    var.iter_mut().for_each(|v| *v += eps);
    let levels: usize = groups.iter().map(|g| g.1).sum();
    let mut level_count = vec![0.0; n_classes * levels];
    for &r in rows {
        let c = y[r];
        let mut off = 0;
        for &(s, w) in groups {
            for l in 0..w {
                if x[r * p + s + l] > 0.5 {
                    level_count[c * levels + off + l] += weight(r);
                }
            }
            off += w;
        }
    }
    let mut log_level = vec![0.0; n_classes * levels];
    for c in 0..n_classes {
        let mut off = 0;
        for &(_, w) in groups {
            let total: f64 = level_count[c * levels + off..c * levels + off + w]
                .iter()
                .sum();
            for l in 0..w {
                log_level[c * levels + off + l] =
                    ((level_count[c * levels + off + l] + alpha) / (total + alpha * w as f64)).ln();
            }
            off += w;
        }
    }
    let total: f64 = count.iter().sum();
    let log_prior = count
        .iter()
        .map(|&k| (k / total).max(f64::MIN_POSITIVE).ln())
        .collect();
    Ok(NaiveBayes {
        n_classes,
        log_prior,
        numeric,
        mean,
        var,
        groups: groups.to_vec(),
        log_level,
    })
}

impl NaiveBayes {
    /// Class probabilities into `out` (len = classes).
    pub fn predict_proba(&self, x: &[f64], out: &mut [f64]) {
        let m = self.numeric.len();
        let levels: usize = self.groups.iter().map(|g| g.1).sum();
        let get = |j: usize| x.get(j).copied().unwrap_or(0.0);
        for (c, o) in out.iter_mut().enumerate().take(self.n_classes) {
            let mut s = self.log_prior[c];
            for (i, &j) in self.numeric.iter().enumerate() {
                let v = self.var[c * m + i];
                let d = get(j) - self.mean[c * m + i];
                s += -0.5 * (2.0 * std::f64::consts::PI * v).ln() - d * d / (2.0 * v);
            }
            let mut off = 0;
            for &(start, w) in &self.groups {
                if let Some(l) = (0..w).find(|&l| get(start + l) > 0.5) {
                    s += self.log_level[c * levels + off + l];
                }
                off += w;
            }
            *o = s;
        }
        let k = self.n_classes.min(out.len());
        let max = out[..k].iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let mut total = 0.0;
        out[..k].iter_mut().for_each(|o| {
            *o = (*o - max).exp();
            total += *o;
        });
        if total > 0.0 {
            out[..k].iter_mut().for_each(|o| *o /= total);
        }
    }
}

#[cfg(test)]
mod tests {
    //! With GaussianNB on scikit-learn's bundled data sets.

    use super::*;

    #[test]
    fn balanced_class_weights_make_the_priors_equal_and_weight_the_counts() {
        // 30 rows of class 0, 10 of class 1; one number and a group of 2 levels.
        let mut x = Vec::new();
        let mut y = Vec::new();
        for i in 0..40 {
            let c = usize::from(i >= 30);
            x.extend([
                c as f64 + (i % 3) as f64 * 0.1,
                f64::from(u8::from(i % 2 == 0)),
                f64::from(u8::from(i % 2 == 1)),
            ]);
            y.push(c);
        }
        let rows: Vec<usize> = (0..40).collect();
        let w = crate::learners::balanced_class_weights(&y, &rows, 2);
        assert_eq!(w, vec![40.0 / 60.0, 40.0 / 20.0]);
        let plain = fit(&x, 3, &y, 2, &rows, &[(1, 2)], 1e-9, 1.0, None).unwrap();
        let per_row: Vec<f64> = y.iter().map(|&c| w[c]).collect();
        let weighted = fit(&x, 3, &y, 2, &rows, &[(1, 2)], 1e-9, 1.0, Some(&per_row)).unwrap();
        assert!((plain.log_prior[0] - 0.75f64.ln()).abs() < 1e-12);
        assert!(
            (weighted.log_prior[0] - 0.5f64.ln()).abs() < 1e-12
                && (weighted.log_prior[1] - 0.5f64.ln()).abs() < 1e-12
        );
        // Class 1's 5 rows of level 0 weigh 2 each: (10 + 1) / (20 + 2).
        assert!((weighted.log_level[2] - (11.0f64 / 22.0).ln()).abs() < 1e-12);
        // A class's rows all weigh the same: its means do not move.
        for (a, b) in plain.mean.iter().zip(&weighted.mean) {
            assert!((a - b).abs() < 1e-12, "{a} vs {b}");
        }
    }

    #[test]
    fn categorical_groups_and_numbers_in_one_model() {
        // Columns: a number, then a one-hot group of 3 levels. Class 1 has large numbers and level 2.
        let mut x = Vec::new();
        let mut y = Vec::new();
        for i in 0..60 {
            let c = i % 2;
            let level = if c == 1 { 2 } else { i % 2 + (i / 2) % 2 };
            x.push(if c == 1 { 10.0 } else { 0.0 } + (i % 5) as f64 * 0.1);
            for l in 0..3 {
                x.push(if l == level { 1.0 } else { 0.0 });
            }
            y.push(c);
        }
        let rows: Vec<usize> = (0..60).collect();
        let m = fit(&x, 4, &y, 2, &rows, &[(1, 3)], 1e-9, 1.0, None).unwrap();
        assert_eq!(m.numeric, vec![0]);
        let mut out = [0.0; 2];
        m.predict_proba(&[10.2, 0.0, 0.0, 1.0], &mut out);
        assert!(out[1] > 0.99, "{out:?}");
        // The number says class 0 but the level says class 1: the level's likelihood is smoothed
        // (alpha 1): class 0 never had level 2, so P = 1/(30 + 3).
        let levels = 3;
        assert!((m.log_level[levels + 2] - (31.0f64 / 33.0).ln()).abs() < 1e-12);
        assert!((m.log_level[2] - (1.0f64 / 33.0).ln()).abs() < 1e-12);
        // An unseen category (no level set) leaves the group out.
        m.predict_proba(&[0.1, 0.0, 0.0, 0.0], &mut out);
        assert!(out[0] > 0.99);
        assert!((out.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert!(fit(&x, 4, &y, 2, &[], &[(1, 3)], 1e-9, 1.0, None).is_err());
    }

    /// naive_bayes on numeric data is GaussianNB: the same prediction for every test row of the
    /// bundled classification sets, and the same probabilities for the first rows.
    #[test]
    fn gaussian_nb_matches_sklearn() {
        use crate::common::numeric::argmax;
        use crate::learners::naive_bayes::mixed;
        use crate::test_support::{bundled_sets, floats, usizes};
        for set in bundled_sets().into_iter().filter(|s| s.classify) {
            let (y, k) = set.classes();
            let m = mixed::fit(&set.x, set.p, &y, k, &set.train, &[], 1e-9, 1.0, None).unwrap();
            let mut out = vec![0.0; k];
            let ours: Vec<usize> = set
                .test
                .iter()
                .map(|&r| {
                    m.predict_proba(set.row(r), &mut out);
                    argmax(&out)
                })
                .collect();
            assert_eq!(
                ours,
                usizes(&set.json["gaussian_nb_predictions"]),
                "{}",
                set.name
            );
            let theirs = floats(&set.json["gaussian_nb_proba_first"]);
            for (i, &r) in set.test.iter().take(5).enumerate() {
                m.predict_proba(set.row(r), &mut out);
                for c in 0..k {
                    assert!(
                        (out[c] - theirs[i * k + c]).abs() < 1e-7,
                        "{} row {r} class {c}",
                        set.name
                    );
                }
            }
        }
    }
}
