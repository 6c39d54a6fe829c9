//! Unit tests of `mining::scores` (more against scikit-learn in sklearn_reference.rs).

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
