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
        class_weight: ClassWeight::None,
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
        (
            Labels::Classes {
                y: &y,
                n_classes: 2,
            },
            None,
        ),
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
    let m = fit(
        &x,
        2,
        (Labels::Values(&v), None),
        &train,
        &[],
        &p,
        1,
        &|| false,
    )
    .unwrap();
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
    let a = fit(&x, 1, (labels, None), &train, &valid, &p, 3, &|| false).unwrap();
    let b = fit(&x, 1, (labels, None), &train, &valid, &p, 3, &|| false).unwrap();
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
    assert!(fit(&x, 1, (labels, None), &train, &[], &p, 3, &|| true).is_err());
    assert!(fit(&x, 1, (labels, None), &[], &[], &p, 3, &|| false).is_err());
}

/// mlp against MLPClassifier/MLPRegressor (one hidden layer of 100, relu, Adam, defaults) on
/// standard-scaled inputs, mean of 3 seeds each, on the bundled data sets (regression: up to
/// 2000 epochs on both sides).
#[test]
fn mlp_within_one_point_of_sklearn() {
    use crate::common::numeric::argmax;
    use crate::common::task::Labels;
    use crate::learners::class_weight::ClassWeight;
    use crate::learners::mlp::network::{self, Activation, MlpParams};
    use crate::test_support::{accuracy, bundled_sets, r2};
    let params = MlpParams {
        hidden: vec![100],
        activation: Activation::Relu,
        alpha: 1e-4,
        learning_rate: 1e-3,
        batch_size: None,
        max_iter: 200,
        tol: 1e-4,
        n_iter_no_change: 10,
        class_weight: ClassWeight::None,
    };
    for mut set in bundled_sets() {
        // StandardScaler fitted on the training rows.
        let (p, n) = (set.p, set.x.len() / set.p);
        for j in 0..p {
            let col = |r: usize| set.x[r * p + j];
            let m = set.train.iter().map(|&r| col(r)).sum::<f64>() / set.train.len() as f64;
            let var = set.train.iter().map(|&r| (col(r) - m).powi(2)).sum::<f64>()
                / set.train.len() as f64;
            let sd = if var > 0.0 { var.sqrt() } else { 1.0 };
            for r in 0..n {
                set.x[r * p + j] = (set.x[r * p + j] - m) / sd;
            }
        }
        let theirs = set.json[if set.classify {
            "mlp"
        } else {
            "mlp_scaled_target"
        }]
        .as_f64()
        .unwrap();
        let mut ours = 0.0;
        for seed in 0..3 {
            ours += if set.classify {
                let (y, k) = set.classes();
                let m = network::fit(
                    &set.x,
                    p,
                    (
                        Labels::Classes {
                            y: &y,
                            n_classes: k,
                        },
                        None,
                    ),
                    &set.train,
                    &[],
                    &params,
                    seed,
                    &|| false,
                )
                .unwrap();
                let mut out = vec![0.0; k];
                accuracy(&set.test, &y, |r| {
                    m.predict_proba(set.row(r), &mut out);
                    argmax(&out)
                })
            } else {
                // The target is standardized, as scikit-learn's TransformedTargetRegressor
                // with a StandardScaler does: compared at the default 200 epochs.
                let y = set.values();
                let m = network::fit(
                    &set.x,
                    p,
                    (Labels::Values(&y), None),
                    &set.train,
                    &[],
                    &params,
                    seed,
                    &|| false,
                )
                .unwrap();
                r2(&set.test, &y, |r| m.predict_value(set.row(r)))
            } / 3.0;
        }
        eprintln!("{} mlp: ours {ours:.4}, scikit-learn {theirs:.4}", set.name);
        assert!(
            ours >= theirs - 0.01,
            "{}: ours {ours} vs scikit-learn {theirs}",
            set.name
        );
    }
}

/// A row of weight 3 trains as three copies of it: with one batch of all rows the gradient,
/// the penalty and the loss are the same sums, so the two networks agree to rounding.
#[test]
fn a_weighted_row_trains_as_its_copies() {
    let mut rng = Rng::new(9);
    let n = 120;
    let x: Vec<f64> = (0..n * 2).map(|_| rng.unit() * 2.0 - 1.0).collect();
    let y: Vec<usize> = (0..n)
        .map(|r| usize::from(x[r * 2] * x[r * 2 + 1] > 0.2))
        .collect();
    let weights: Vec<f64> = y.iter().map(|&c| if c == 1 { 3.0 } else { 1.0 }).collect();
    let rows: Vec<usize> = (0..n).collect();
    let copies: Vec<usize> = rows
        .iter()
        .flat_map(|&r| std::iter::repeat_n(r, if y[r] == 1 { 3 } else { 1 }))
        .collect();
    let mut p = params(vec![8]);
    p.tol = 0.0;
    p.max_iter = 40;
    p.n_iter_no_change = 1000;
    let labels = Labels::Classes {
        y: &y,
        n_classes: 2,
    };
    p.batch_size = Some(n);
    let weighted = fit(&x, 2, (labels, Some(&weights)), &rows, &[], &p, 5, &|| {
        false
    })
    .unwrap();
    p.batch_size = Some(copies.len());
    let copied = fit(&x, 2, (labels, None), &copies, &[], &p, 5, &|| false).unwrap();
    let plain = fit(&x, 2, (labels, None), &rows, &[], &p, 5, &|| false).unwrap();
    let (mut a, mut b, mut c) = ([0.0; 2], [0.0; 2], [0.0; 2]);
    let mut apart = 0.0f64;
    for r in 0..n {
        weighted.predict_proba(&x[r * 2..r * 2 + 2], &mut a);
        copied.predict_proba(&x[r * 2..r * 2 + 2], &mut b);
        plain.predict_proba(&x[r * 2..r * 2 + 2], &mut c);
        assert!((a[1] - b[1]).abs() < 1e-9, "row {r}: {} vs {}", a[1], b[1]);
        apart = apart.max((a[1] - c[1]).abs());
    }
    // And the weights do change the network.
    assert!(apart > 1e-3, "{apart}");
}
