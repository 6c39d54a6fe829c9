//! Unit tests of `mining::forest`.

use super::*;
use crate::mining::tree::Criterion;

#[test]
fn forest_is_reproducible_and_averages() {
    let x: Vec<f64> = (0..200).map(|i| ((i * 37) % 100) as f64).collect();
    let y: Vec<usize> = x.iter().map(|&v| usize::from(v > 50.0)).collect();
    let rows: Vec<usize> = (0..200).collect();
    let params = TreeParams {
        max_depth: None,
        min_samples_split: 2,
        min_samples_leaf: 1,
        max_features: None,
        criterion: Criterion::Gini,
    };
    let labels = Labels::Classes {
        y: &y,
        n_classes: 2,
    };
    let prog = Progress::default();
    let a = fit(&x, 1, labels, &rows, &params, 10, true, false, 7, &prog).unwrap();
    let b = fit(&x, 1, labels, &rows, &params, 10, true, false, 7, &prog).unwrap();
    assert_eq!(a, b);
    assert_eq!(prog.done.load(Ordering::Relaxed), 20);
    let mut out = [0.0; 2];
    a.predict(&[90.0], &mut out);
    assert!(out[1] > 0.9 && (out[0] + out[1] - 1.0).abs() < 1e-12);
}

#[test]
fn cancel_stops_training() {
    let prog = Progress::default();
    prog.cancel.store(true, Ordering::Relaxed);
    let y = [0.0, 1.0];
    let params = TreeParams {
        max_depth: None,
        min_samples_split: 2,
        min_samples_leaf: 1,
        max_features: None,
        criterion: Criterion::SquaredError,
    };
    assert!(fit(
        &[0.0, 1.0],
        1,
        Labels::Values(&y),
        &[0, 1],
        &params,
        5,
        true,
        false,
        1,
        &prog
    )
    .is_err());
}
