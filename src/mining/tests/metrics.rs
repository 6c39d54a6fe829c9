//! Unit tests of `mining::metrics`.

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
