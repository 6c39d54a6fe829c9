//! Metrics with the names and definitions of sklearn.metrics (zero_division = 0).

use std::collections::BTreeMap;

pub type Metrics = BTreeMap<String, f64>;

/// Classification metrics for labels given as class indices `0..n_classes`; an index ≥
/// n_classes is a label the model does not know (counted as one more label). For two classes,
/// precision, recall and f1 are also given for class 1 (scikit-learn's pos_label).
pub fn classification(actual: &[usize], predicted: &[usize], n_classes: usize) -> Metrics {
    let mut m = Metrics::new();
    let n = actual.len().min(predicted.len());
    if n == 0 || n_classes == 0 {
        return m;
    }
    let binary = n_classes == 2;
    let n_classes = n_classes + 1;
    let mut tp = vec![0f64; n_classes];
    let mut support = vec![0f64; n_classes];
    let mut pred_count = vec![0f64; n_classes];
    for (&a, &p) in actual.iter().zip(predicted).take(n) {
        let (a, p) = (a.min(n_classes - 1), p.min(n_classes - 1));
        support[a] += 1.0;
        pred_count[p] += 1.0;
        if a == p {
            tp[a] += 1.0;
        }
    }
    let correct: f64 = tp.iter().sum();
    m.insert("accuracy".into(), correct / n as f64);

    let div = |a: f64, b: f64| if b > 0.0 { a / b } else { 0.0 };
    // Labels present in actual or predicted, as sklearn's unique_labels.
    let labels: Vec<usize> = (0..n_classes)
        .filter(|&c| support[c] > 0.0 || pred_count[c] > 0.0)
        .collect();
    let precision: Vec<f64> = (0..n_classes).map(|c| div(tp[c], pred_count[c])).collect();
    let recall: Vec<f64> = (0..n_classes).map(|c| div(tp[c], support[c])).collect();
    let f1: Vec<f64> = (0..n_classes)
        .map(|c| div(2.0 * tp[c], pred_count[c] + support[c]))
        .collect();
    let macro_avg = |v: &[f64]| labels.iter().map(|&c| v[c]).sum::<f64>() / labels.len() as f64;
    let total_support: f64 = support.iter().sum();
    let weighted = |v: &[f64]| {
        div(
            labels.iter().map(|&c| v[c] * support[c]).sum::<f64>(),
            total_support,
        )
    };
    m.insert("precision_macro".into(), macro_avg(&precision));
    m.insert("recall_macro".into(), macro_avg(&recall));
    m.insert("f1_macro".into(), macro_avg(&f1));
    m.insert("precision_weighted".into(), weighted(&precision));
    m.insert("recall_weighted".into(), weighted(&recall));
    m.insert("f1_weighted".into(), weighted(&f1));
    // balanced_accuracy: mean recall over the classes present in `actual`.
    let present: Vec<usize> = (0..n_classes).filter(|&c| support[c] > 0.0).collect();
    m.insert(
        "balanced_accuracy".into(),
        present.iter().map(|&c| recall[c]).sum::<f64>() / present.len().max(1) as f64,
    );
    if binary {
        m.insert("precision".into(), precision[1]);
        m.insert("recall".into(), recall[1]);
        m.insert("f1".into(), f1[1]);
    }
    m
}

/// Regression metrics: r2, rmse, mae (and mse).
pub fn regression(actual: &[f64], predicted: &[f64]) -> Metrics {
    let mut m = Metrics::new();
    let n = actual.len().min(predicted.len());
    if n == 0 {
        return m;
    }
    let mean = actual.iter().take(n).sum::<f64>() / n as f64;
    let (mut ss_res, mut ss_tot, mut abs) = (0.0, 0.0, 0.0);
    for (&a, &p) in actual.iter().zip(predicted).take(n) {
        ss_res += (a - p) * (a - p);
        ss_tot += (a - mean) * (a - mean);
        abs += (a - p).abs();
    }
    // sklearn's r2_score with force_finite=True.
    let r2 = if ss_tot > 0.0 {
        1.0 - ss_res / ss_tot
    } else if ss_res == 0.0 {
        1.0
    } else {
        0.0
    };
    m.insert("r2".into(), r2);
    m.insert("mse".into(), ss_res / n as f64);
    m.insert("rmse".into(), (ss_res / n as f64).sqrt());
    m.insert("mae".into(), abs / n as f64);
    m
}

#[cfg(test)]
#[path = "tests/metrics.rs"]
mod tests;
