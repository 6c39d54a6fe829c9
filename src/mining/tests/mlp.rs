//! Unit tests of `mining::mlp` (the scikit-learn comparison is in sklearn_reference.rs).

use super::*;

fn params(hidden: Vec<usize>) -> MlpParams {
    MlpParams {
        hidden,
        activation: Activation::Relu,
        alpha: 1e-4,
        learning_rate: 0.01,
        batch_size: None,
        max_iter: 300,
        tol: 1e-5,
        n_iter_no_change: 10,
    }
}

#[test]
fn learns_xor_and_a_curve() {
    let mut rng = Rng::new(4);
    let (mut x, mut y, mut v) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..800 {
        let (a, b) = (rng.unit() * 2.0 - 1.0, rng.unit() * 2.0 - 1.0);
        x.extend([a, b]);
        y.push(((a > 0.0) ^ (b > 0.0)) as usize);
        v.push((3.0 * a).sin() + b);
    }
    let train: Vec<usize> = (0..600).collect();
    let test: Vec<usize> = (600..800).collect();
    let m = fit(
        &x,
        2,
        Labels::Classes {
            y: &y,
            n_classes: 2,
        },
        &train,
        &[],
        &params(vec![32, 16]),
        1,
        &|| false,
    )
    .unwrap();
    let mut out = [0.0; 2];
    let right = test
        .iter()
        .filter(|&&r| {
            m.predict_proba(&x[r * 2..r * 2 + 2], &mut out);
            (out[1] > out[0]) as usize == y[r]
        })
        .count();
    assert!(right >= 180, "{right} of 200");
    let mut p = params(vec![32]);
    p.activation = Activation::Tanh;
    let m = fit(&x, 2, Labels::Values(&v), &train, &[], &p, 1, &|| false).unwrap();
    let mean = test.iter().map(|&r| v[r]).sum::<f64>() / 200.0;
    let (sse, sst) = test.iter().fold((0.0, 0.0), |(a, b), &r| {
        let e = m.predict_value(&x[r * 2..r * 2 + 2]) - v[r];
        (a + e * e, b + (v[r] - mean).powi(2))
    });
    assert!(1.0 - sse / sst > 0.95, "r2 {}", 1.0 - sse / sst);
}

#[test]
fn seeded_early_stopping_and_round_trip() {
    let x: Vec<f64> = (0..400)
        .map(|i| ((i * 37) % 100) as f64 / 50.0 - 1.0)
        .collect();
    let y: Vec<usize> = x.iter().map(|&v| (v > 0.0) as usize).collect();
    let train: Vec<usize> = (0..300).collect();
    let valid: Vec<usize> = (300..400).collect();
    let labels = Labels::Classes {
        y: &y,
        n_classes: 2,
    };
    let mut p = params(vec![8]);
    p.max_iter = 500;
    let a = fit(&x, 1, labels, &train, &valid, &p, 3, &|| false).unwrap();
    let b = fit(&x, 1, labels, &train, &valid, &p, 3, &|| false).unwrap();
    assert_eq!(a, b);
    assert!(
        a.epochs < 500,
        "validation score stops improving: {} epochs",
        a.epochs
    );
    let bytes = bincode::serde::encode_to_vec(&a, bincode::config::standard()).unwrap();
    let (back, _): (Mlp, usize) =
        bincode::serde::decode_from_slice(&bytes, bincode::config::standard()).unwrap();
    assert_eq!(back, a);
    assert!(fit(&x, 1, labels, &train, &[], &p, 3, &|| true).is_err());
    assert!(fit(&x, 1, labels, &[], &[], &p, 3, &|| false).is_err());
}
