//! Unit tests of `mining::naive_bayes` (GaussianNB on the bundled data sets is in
//! sklearn_reference.rs).

use super::*;

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
    let m = fit(&x, 4, &y, 2, &rows, &[(1, 3)], 1e-9, 1.0).unwrap();
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
    assert!(fit(&x, 4, &y, 2, &[], &[(1, 3)], 1e-9, 1.0).is_err());
}
