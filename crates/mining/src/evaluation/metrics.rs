//! Metrics with the names and definitions of sklearn.metrics (zero_division = 0).

use std::collections::BTreeMap;

pub type Metrics = BTreeMap<String, f64>;

/// A confusion matrix over labels 0..k (rows: actual, columns: predicted).
#[derive(Debug, Clone, PartialEq)]
pub struct Confusion {
    pub k: usize,
    pub counts: Vec<f64>,
}

impl Confusion {
    /// Labels ≥ k are counted as label k - 1 (the caller's "unknown" slot).
    pub fn new(actual: &[usize], predicted: &[usize], k: usize) -> Confusion {
        let mut counts = vec![0.0; k * k];
        for (&a, &p) in actual.iter().zip(predicted) {
            counts[a.min(k - 1) * k + p.min(k - 1)] += 1.0;
        }
        Confusion { k, counts }
    }

    pub fn get(&self, actual: usize, predicted: usize) -> f64 {
        self.counts[actual * self.k + predicted]
    }

    fn support(&self, c: usize) -> f64 {
        (0..self.k).map(|p| self.get(c, p)).sum()
    }

    fn predicted(&self, c: usize) -> f64 {
        (0..self.k).map(|a| self.get(a, c)).sum()
    }

    /// Precision, recall, f1 and support per label (zero_division = 0).
    pub fn per_class(&self) -> Vec<[f64; 4]> {
        let div = |a: f64, b: f64| if b > 0.0 { a / b } else { 0.0 };
        (0..self.k)
            .map(|c| {
                let (tp, sup, pred) = (self.get(c, c), self.support(c), self.predicted(c));
                [div(tp, pred), div(tp, sup), div(2.0 * tp, pred + sup), sup]
            })
            .collect()
    }

    /// The sklearn.metrics label metrics. `positive`: the label whose precision, recall and f1
    /// are also reported as `precision`, `recall`, `f1` (a binary problem's pos_label).
    pub fn metrics(&self, positive: Option<usize>) -> Metrics {
        let mut m = Metrics::new();
        let k = self.k;
        let n: f64 = self.counts.iter().sum();
        if n == 0.0 {
            return m;
        }
        let per = self.per_class();
        let support: Vec<f64> = (0..k).map(|c| self.support(c)).collect();
        let pred: Vec<f64> = (0..k).map(|c| self.predicted(c)).collect();
        let correct: f64 = (0..k).map(|c| self.get(c, c)).sum();
        m.insert("accuracy".into(), correct / n);
        // Labels present in actual or predicted, as sklearn's unique_labels.
        let labels: Vec<usize> = (0..k)
            .filter(|&c| support[c] > 0.0 || pred[c] > 0.0)
            .collect();
        let macro_avg =
            |j: usize| labels.iter().map(|&c| per[c][j]).sum::<f64>() / labels.len() as f64;
        let weighted = |j: usize| labels.iter().map(|&c| per[c][j] * support[c]).sum::<f64>() / n;
        for (j, name) in ["precision", "recall", "f1"].iter().enumerate() {
            m.insert(format!("{name}_macro"), macro_avg(j));
            m.insert(format!("{name}_weighted"), weighted(j));
        }
        // balanced_accuracy: mean recall over the labels present in `actual`.
        let present: Vec<usize> = (0..k).filter(|&c| support[c] > 0.0).collect();
        m.insert(
            "balanced_accuracy".into(),
            present.iter().map(|&c| per[c][1]).sum::<f64>() / present.len().max(1) as f64,
        );
        // Matthews correlation coefficient, multiclass form (sklearn's matthews_corrcoef).
        let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>();
        let cov_tp = correct * n - dot(&support, &pred);
        let cov_pp = n * n - dot(&pred, &pred);
        let cov_tt = n * n - dot(&support, &support);
        m.insert(
            "mcc".into(),
            if cov_pp * cov_tt == 0.0 {
                0.0
            } else {
                cov_tp / (cov_tt * cov_pp).sqrt()
            },
        );
        // What always predicting the most frequent actual label would score.
        m.insert(
            "baseline_accuracy".into(),
            support.iter().cloned().fold(0.0, f64::max) / n,
        );
        if let Some(p) = positive.filter(|&p| p < k) {
            m.insert("precision".into(), per[p][0]);
            m.insert("recall".into(), per[p][1]);
            m.insert("f1".into(), per[p][2]);
        }
        m
    }
}

/// Classification metrics for labels given as class indices `0..n_classes`; an index ≥
/// n_classes is a label the model does not know (counted as one more label). For two classes,
/// precision, recall and f1 are also given for class 1 (scikit-learn's pos_label).
pub fn classification(actual: &[usize], predicted: &[usize], n_classes: usize) -> Metrics {
    if actual.is_empty() || n_classes == 0 {
        return Metrics::new();
    }
    let positive = (n_classes == 2).then_some(1);
    Confusion::new(actual, predicted, n_classes + 1).metrics(positive)
}

/// Streaming regression metrics (Welford for the variance of the actual values), so an
/// aggregate needs no memory per row.
#[derive(Debug, Clone, Default)]
pub struct RegressionAcc {
    n: f64,
    mean: f64,
    m2: f64,
    ss_res: f64,
    abs: f64,
    ape: f64,
    max_err: f64,
}

impl RegressionAcc {
    pub fn push(&mut self, actual: f64, predicted: f64) {
        self.n += 1.0;
        let d = actual - self.mean;
        self.mean += d / self.n;
        self.m2 += d * (actual - self.mean);
        let e = actual - predicted;
        self.ss_res += e * e;
        self.abs += e.abs();
        // sklearn's mean_absolute_percentage_error divides by max(|y|, machine epsilon).
        self.ape += e.abs() / actual.abs().max(f64::EPSILON);
        self.max_err = self.max_err.max(e.abs());
    }

    pub fn rows(&self) -> usize {
        self.n as usize
    }

    /// r2 (sklearn's force_finite), mse, rmse, mae, mape, max_error.
    pub fn metrics(&self) -> Metrics {
        let mut m = Metrics::new();
        if self.n == 0.0 {
            return m;
        }
        let r2 = if self.m2 > 0.0 {
            1.0 - self.ss_res / self.m2
        } else if self.ss_res == 0.0 {
            1.0
        } else {
            0.0
        };
        m.insert("r2".into(), r2);
        m.insert("mse".into(), self.ss_res / self.n);
        m.insert("rmse".into(), (self.ss_res / self.n).sqrt());
        m.insert("mae".into(), self.abs / self.n);
        m.insert("mape".into(), self.ape / self.n);
        m.insert("max_error".into(), self.max_err);
        m
    }
}

/// Regression metrics of paired values.
pub fn regression(actual: &[f64], predicted: &[f64]) -> Metrics {
    let mut acc = RegressionAcc::default();
    actual
        .iter()
        .zip(predicted)
        .for_each(|(&a, &p)| acc.push(a, p));
    acc.metrics()
}

#[cfg(test)]
mod tests {

    use super::*;

    // Expected values computed by hand from the sklearn.metrics definitions.
    #[test]
    fn multiclass_matches_sklearn() {
        let y = [0, 1, 2, 0, 1, 2, 0, 0];
        let p = [0, 2, 1, 0, 0, 2, 0, 1];
        let m = classification(&y, &p, 3);
        let close = |k: &str, v: f64| assert!((m[k] - v).abs() < 1e-12, "{k}: {} vs {v}", m[k]);
        close("accuracy", 0.5);
        close("precision_macro", 0.75 / 3.0 + 0.0 + 0.5 / 3.0);
        close("recall_macro", (0.75 + 0.0 + 0.5) / 3.0);
        // per class (precision, recall, f1): (3/4, 3/4, 3/4), (0, 0, 0), (1/2, 1/2, 1/2)
        close("f1_macro", (0.75 + 0.0 + 0.5) / 3.0);
        close("f1_weighted", (0.75 * 4.0 + 0.5 * 2.0) / 8.0);
        close("balanced_accuracy", (0.75 + 0.0 + 0.5) / 3.0);
        assert!(!m.contains_key("f1"));
    }

    #[test]
    fn binary_reports_positive_class_and_zero_division() {
        let m = classification(&[0, 0, 1, 1], &[0, 0, 0, 0], 2);
        assert_eq!(m["precision"], 0.0);
        assert_eq!(m["recall"], 0.0);
        assert_eq!(m["f1"], 0.0);
        assert_eq!(m["accuracy"], 0.5);
        // Class 1 appears in actual only: macro averages over both labels.
        assert_eq!(m["recall_macro"], 0.5);
    }

    #[test]
    fn unknown_labels_count_as_errors() {
        // Index 2 is a label the binary model never saw.
        let m = classification(&[0, 1, 2], &[0, 1, 1], 2);
        assert!((m["accuracy"] - 2.0 / 3.0).abs() < 1e-12);
        assert!(m.contains_key("f1"));
    }

    #[test]
    fn regression_matches_definitions() {
        let m = regression(&[3.0, -0.5, 2.0, 7.0], &[2.5, 0.0, 2.0, 8.0]);
        // r2_score([3, -0.5, 2, 7], [2.5, 0.0, 2, 8]) from the scikit-learn documentation.
        assert!((m["r2"] - 0.948_608_137_044_967_9).abs() < 1e-12);
        assert!((m["mae"] - 0.5).abs() < 1e-12);
        assert!((m["rmse"] - 0.375f64.sqrt()).abs() < 1e-12);
        assert_eq!(regression(&[1.0, 1.0], &[1.0, 1.0])["r2"], 1.0);
        assert_eq!(regression(&[1.0, 1.0], &[2.0, 1.0])["r2"], 0.0);
    }

    #[test]
    fn classification_metrics_match_sklearn() {
        use crate::evaluation::metrics;
        use crate::test_support::usizes;
        let f = crate::test_support::fixture("sklearn_reference.json");
        for case in f["classification"].as_array().unwrap() {
            let n = case["n_classes"].as_u64().unwrap() as usize;
            let m =
                metrics::classification(&usizes(&case["actual"]), &usizes(&case["predicted"]), n);
            for (k, v) in case["expected"].as_object().unwrap() {
                let ours = m
                    .get(k)
                    .unwrap_or_else(|| panic!("{}: no {k}", case["name"]));
                assert!(
                    (ours - v.as_f64().unwrap()).abs() < 1e-9,
                    "{} {k}: ours {ours}, sklearn {v}",
                    case["name"]
                );
            }
        }
    }

    #[test]
    fn regression_metrics_match_sklearn() {
        use crate::evaluation::metrics;
        use crate::test_support::floats;
        let f = crate::test_support::fixture("sklearn_reference.json");
        for case in f["regression"].as_array().unwrap() {
            let m = metrics::regression(&floats(&case["actual"]), &floats(&case["predicted"]));
            for (k, v) in case["expected"].as_object().unwrap() {
                assert!(
                    (m[k] - v.as_f64().unwrap()).abs() < 1e-9,
                    "{k}: ours {}, sklearn {v}",
                    m[k]
                );
            }
        }
    }
}
