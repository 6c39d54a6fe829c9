//! Unit tests of `mining::knn` (the scikit-learn comparison is in sklearn_reference.rs).

use super::*;

#[test]
fn votes_averages_and_distance_weights() {
    // Points on a line: 0, 1, 2 are class 0 (values 0, 1, 2); 10, 11 are class 1 (values 10, 11).
    let x = vec![0.0, 1.0, 2.0, 10.0, 11.0];
    let y = vec![0usize, 0, 0, 1, 1];
    let v = vec![0.0, 1.0, 2.0, 10.0, 11.0];
    let rows: Vec<usize> = (0..5).collect();
    let m = fit(
        &x,
        1,
        Labels::Classes {
            y: &y,
            n_classes: 2,
        },
        &rows,
        3,
        Weights::Uniform,
    )
    .unwrap();
    let mut out = [0.0; 2];
    m.predict_proba(&[1.2], &mut out);
    assert_eq!(out, [1.0, 0.0]);
    m.predict_proba(&[9.0], &mut out);
    assert!((out[1] - 2.0 / 3.0).abs() < 1e-12);
    let m = fit(&x, 1, Labels::Values(&v), &rows, 2, Weights::Uniform).unwrap();
    assert_eq!(m.predict_value(&[10.4]), 10.5);
    let m = fit(&x, 1, Labels::Values(&v), &rows, 2, Weights::Distance).unwrap();
    // Neighbours 10 (d 0.5) and 11 (d 1.5): weights 2 and 2/3.
    assert!((m.predict_value(&[10.5 - 0.0]) - 10.5).abs() < 1e-12);
    assert!(
        (m.predict_value(&[10.25]) - (10.0 * 4.0 + 11.0 * (4.0 / 3.0)) / (4.0 + 4.0 / 3.0)).abs()
            < 1e-12
    );
    // An exact match takes all the weight.
    assert_eq!(m.predict_value(&[11.0]), 11.0);
}

#[test]
fn k_larger_than_the_rows_is_an_error_and_models_round_trip() {
    let x = vec![0.0, 1.0];
    let y = vec![0.0, 1.0];
    let e = fit(&x, 1, Labels::Values(&y), &[0, 1], 3, Weights::Uniform).unwrap_err();
    assert!(e.message.contains("\"n_neighbors\""), "{}", e.message);
    let m = fit(&x, 1, Labels::Values(&y), &[0, 1], 2, Weights::Uniform).unwrap();
    let bytes = bincode::serde::encode_to_vec(&m, bincode::config::standard()).unwrap();
    let (back, _): (KnnModel, usize) =
        bincode::serde::decode_from_slice(&bytes, bincode::config::standard()).unwrap();
    assert_eq!(back, m);
    // Only the training rows are kept.
    let m = fit(
        &[5.0, 6.0, 7.0],
        1,
        Labels::Values(&[1.0, 2.0, 3.0]),
        &[2],
        1,
        Weights::Uniform,
    )
    .unwrap();
    assert_eq!(m.x, vec![7.0]);
}
