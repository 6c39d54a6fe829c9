//! Unit tests of `mining::logistic`.

use super::*;

#[test]
fn separates_two_classes() {
    let x: Vec<f64> = (0..40).map(|i| i as f64 / 10.0 - 2.0).collect();
    let y: Vec<usize> = x.iter().map(|&v| usize::from(v > 0.0)).collect();
    let m = fit(&x, 40, 1, &y, 2, 1.0).unwrap();
    let mut p = [0.0; 2];
    m.predict_proba(&[1.5], &mut p);
    assert!(p[1] > 0.9 && (p[0] + p[1] - 1.0).abs() < 1e-12);
    m.predict_proba(&[-1.5], &mut p);
    assert!(p[0] > 0.9);
}

#[test]
fn multinomial_probabilities_sum_to_one() {
    let mut x = Vec::new();
    let mut y = Vec::new();
    for i in 0..60 {
        let c = i % 3;
        x.push(c as f64 * 3.0 + (i as f64 * 0.37).sin());
        y.push(c);
    }
    let m = fit(&x, 60, 1, &y, 3, 1.0).unwrap();
    let mut p = [0.0; 3];
    m.predict_proba(&[6.0], &mut p);
    assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    assert!(p[2] > p[0] && p[2] > p[1]);
}
