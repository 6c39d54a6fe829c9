//! Unit tests of `mining::logistic`.

use super::*;

#[test]
fn separates_two_classes() {
    let x: Vec<f64> = (0..40).map(|i| i as f64 / 10.0 - 2.0).collect();
    let y: Vec<usize> = x.iter().map(|&v| usize::from(v > 0.0)).collect();
    let m = fit(&x, 40, 1, &y, 2, 1.0, None).unwrap();
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
    let m = fit(&x, 60, 1, &y, 3, 1.0, None).unwrap();
    let mut p = [0.0; 3];
    m.predict_proba(&[6.0], &mut p);
    assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    assert!(p[2] > p[0] && p[2] > p[1]);
}

/// Against LogisticRegression(lbfgs) fitted to a tight tolerance (tests/fixtures/
/// sklearn_logistic.py): C = 1 and 0.1, with and without class_weight "balanced", on the
/// standard-scaled classification sets — coefficients within 2e-3 (relative to their size),
/// the same test predictions on at least 99% of rows.
#[test]
fn matches_sklearn_with_and_without_balanced_weights() {
    use crate::mining::model::argmax;
    use crate::mining::test_support::{bundled_sets, floats, scaled};
    let refs: serde_json::Value = serde_json::from_str(include_str!(
        "../../../tests/fixtures/sklearn_logistic.json"
    ))
    .unwrap();
    for set in bundled_sets().into_iter().filter(|s| s.classify) {
        let x = scaled(&set);
        let (y, k) = set.classes();
        let mut xt = Vec::new();
        for &r in &set.train {
            xt.extend_from_slice(&x[r * set.p..(r + 1) * set.p]);
        }
        let yt: Vec<usize> = set.train.iter().map(|&r| y[r]).collect();
        for (key, settings) in refs["settings"].as_object().unwrap() {
            let theirs = &refs["sets"][&set.name][key];
            let c = settings["C"].as_f64().unwrap();
            let weights = settings
                .get("class_weight")
                .map(|_| balanced_weights(&yt, k));
            let m = fit(&xt, yt.len(), set.p, &yt, k, c, weights.as_deref()).unwrap();
            let ours: Vec<f64> = m.coef.iter().flatten().copied().collect();
            let want = floats(&theirs["coef"]);
            let scale = want.iter().fold(1.0f64, |a, v| a.max(v.abs()));
            let worst = ours
                .iter()
                .zip(&want)
                .map(|(a, b)| (a - b).abs())
                .fold(0.0, f64::max);
            eprintln!(
                "{} {key}: largest coefficient difference {worst:.2e} (largest {scale:.2})",
                set.name
            );
            assert!(worst < 2e-3 * scale, "{} {key}: {worst}", set.name);
            let want_pred = floats(&theirs["predictions"]);
            let mut out = vec![0.0; k];
            let same = set
                .test
                .iter()
                .zip(&want_pred)
                .filter(|(&r, &w)| {
                    m.predict_proba(&x[r * set.p..(r + 1) * set.p], &mut out);
                    argmax(&out) as f64 == w
                })
                .count();
            assert!(
                same as f64 >= 0.99 * set.test.len() as f64,
                "{} {key}: {same}",
                set.name
            );
        }
    }
}

#[test]
fn balanced_weights_are_inverse_class_frequency() {
    let w = balanced_weights(&[0, 0, 0, 1], 2);
    assert_eq!(w, vec![4.0 / 6.0, 4.0 / 6.0, 4.0 / 6.0, 2.0]);
}
