//! Unit tests of gradient boosting (the comparison with scikit-learn's HistGradientBoosting is
//! in learners/trees/tests.rs).

use super::loss::pinball;
use super::*;
use crate::common::numeric::quantile;

fn data(n: usize) -> (Vec<f64>, Vec<f64>, Vec<usize>) {
    let mut rng = Rng::new(11);
    let mut x = Vec::with_capacity(n * 3);
    let mut v = Vec::with_capacity(n);
    let mut c = Vec::with_capacity(n);
    for _ in 0..n {
        let (a, b, z) = (rng.unit() * 4.0 - 2.0, rng.unit() * 4.0 - 2.0, rng.unit());
        x.extend([a, b, z]);
        v.push(a * a + 2.0 * b + 0.1 * (z - 0.5));
        c.push(if a * b > 0.0 { 1 } else { 0 } + if a > 1.0 { 1 } else { 0 });
    }
    (x, v, c)
}

#[test]
fn regression_learns_a_nonlinear_function() {
    let (x, v, _) = data(3000);
    let train: Vec<usize> = (0..2500).collect();
    let test: Vec<usize> = (2500..3000).collect();
    let m = fit(
        &x,
        3,
        Labels::Values(&v),
        &train,
        &[],
        &BoostParams::default(),
        1,
        &Progress::default(),
    )
    .unwrap();
    assert_eq!(m.rounds, 100);
    assert_eq!(m.trees.len(), 100);
    let mean = test.iter().map(|&r| v[r]).sum::<f64>() / 500.0;
    let (mut sse, mut sst) = (0.0, 0.0);
    for &r in &test {
        let pred = m.predict_value(&x[r * 3..r * 3 + 3]);
        sse += (pred - v[r]).powi(2);
        sst += (v[r] - mean).powi(2);
    }
    assert!(1.0 - sse / sst > 0.97, "r2 {}", 1.0 - sse / sst);
    // The noise column is barely used; a and b carry the gain.
    assert!(m.gain[2] < 0.05 * (m.gain[0] + m.gain[1]), "{:?}", m.gain);
}

#[test]
fn binary_and_multiclass_classification() {
    let (x, _, c) = data(3000);
    let train: Vec<usize> = (0..2500).collect();
    let test: Vec<usize> = (2500..3000).collect();
    let binary: Vec<usize> = c.iter().map(|&k| k.min(1)).collect();
    let m = fit(
        &x,
        3,
        Labels::Classes {
            y: &binary,
            n_classes: 2,
        },
        &train,
        &[],
        &BoostParams::default(),
        1,
        &Progress::default(),
    )
    .unwrap();
    assert_eq!(m.loss, Loss::LogLoss);
    let acc = |m: &Boosted, y: &[usize], k: usize| {
        let mut out = vec![0.0; k];
        test.iter()
            .filter(|&&r| {
                m.predict_proba(&x[r * 3..r * 3 + 3], &mut out);
                assert!((out.iter().sum::<f64>() - 1.0).abs() < 1e-9);
                crate::common::numeric::argmax(&out) == y[r]
            })
            .count() as f64
            / test.len() as f64
    };
    assert!(acc(&m, &binary, 2) > 0.95, "{}", acc(&m, &binary, 2));
    let m = fit(
        &x,
        3,
        Labels::Classes {
            y: &c,
            n_classes: 3,
        },
        &train,
        &[],
        &BoostParams::default(),
        1,
        &Progress::default(),
    )
    .unwrap();
    assert_eq!(
        (m.loss, m.outputs(), m.trees.len()),
        (Loss::Softmax, 3, 300)
    );
    assert!(acc(&m, &c, 3) > 0.93, "{}", acc(&m, &c, 3));
}

#[test]
fn early_stopping_keeps_the_best_round() {
    let (x, mut v, _) = data(2000);
    // Noisy targets: past some round the trees fit noise and the validation loss rises.
    let mut rng = Rng::new(3);
    v.iter_mut().for_each(|t| *t += 4.0 * (rng.unit() - 0.5));
    let train: Vec<usize> = (0..1000).collect();
    let valid: Vec<usize> = (1000..2000).collect();
    let p = BoostParams {
        n_estimators: 2000,
        learning_rate: 0.3,
        ..BoostParams::default()
    };
    let m = fit(
        &x,
        3,
        Labels::Values(&v),
        &train,
        &valid,
        &p,
        1,
        &Progress::default(),
    )
    .unwrap();
    assert!(m.rounds_run < 2000, "ran all {} rounds", m.rounds_run);
    assert_eq!(m.rounds_run - m.rounds, 10);
    assert_eq!(m.trees.len(), m.rounds);
}

fn fit_values(
    x: &[f64],
    v: &[f64],
    train: &[usize],
    p: &BoostParams,
    seed: u64,
) -> Result<Boosted> {
    fit(
        x,
        3,
        Labels::Values(v),
        train,
        &[],
        p,
        seed,
        &Progress::default(),
    )
}

#[test]
fn seeded_subsampling_is_reproducible_and_serializes() {
    let (x, v, _) = data(1000);
    let train: Vec<usize> = (0..1000).collect();
    let p = BoostParams {
        n_estimators: 20,
        subsample: 0.5,
        ..BoostParams::default()
    };
    let a = fit_values(&x, &v, &train, &p, 5).unwrap();
    let b = fit_values(&x, &v, &train, &p, 5).unwrap();
    let c = fit_values(&x, &v, &train, &p, 6).unwrap();
    assert_eq!(a, b);
    assert_ne!(a, c);
    let bytes = bincode::serde::encode_to_vec(&a, bincode::config::standard()).unwrap();
    let (back, _): (Boosted, usize) =
        bincode::serde::decode_from_slice(&bytes, bincode::config::standard()).unwrap();
    assert_eq!(back, a);
}

#[test]
fn bad_inputs_and_cancel() {
    let (x, v, _) = data(50);
    let train: Vec<usize> = (0..50).collect();
    let p = BoostParams {
        min_samples_leaf: 51,
        ..BoostParams::default()
    };
    let e = fit_values(&x, &v, &train, &p, 1).unwrap_err();
    assert!(e.message.contains("\"min_samples_leaf\""), "{}", e.message);
    assert!(fit(
        &x,
        3,
        Labels::Values(&v),
        &[],
        &[],
        &BoostParams::default(),
        1,
        &Progress::default()
    )
    .is_err());
    let progress = Progress::default();
    progress.cancel.store(true, Ordering::Relaxed);
    assert!(fit(
        &x,
        3,
        Labels::Values(&v),
        &train,
        &[],
        &BoostParams::default(),
        1,
        &progress
    )
    .is_err());
}

#[test]
fn small_multiclass_grid() {
    let mut x = Vec::new();
    let mut y = Vec::new();
    for a in 0..10 {
        for b in 0..10 {
            x.extend([a as f64, b as f64]);
            y.push(if a + b < 7 {
                1
            } else if a + b < 12 {
                2
            } else {
                0
            });
        }
    }
    let train: Vec<usize> = (0..100).filter(|r| r % 5 != 0).collect();
    let p = BoostParams {
        max_depth: Some(3),
        l2_regularization: 1.0,
        subsample: 0.8,
        min_samples_leaf: 5,
        ..BoostParams::default()
    };
    let m = fit(
        &x,
        2,
        Labels::Classes {
            y: &y,
            n_classes: 3,
        },
        &train,
        &[],
        &p,
        1,
        &Progress::default(),
    )
    .unwrap();
    let mut out = [0.0; 3];
    let right = (0..100)
        .filter(|&r| {
            m.predict_proba(&x[r * 2..r * 2 + 2], &mut out);
            crate::common::numeric::argmax(&out) == y[r]
        })
        .count();
    assert!(right >= 85, "{right} of 100 right; rounds {}", m.rounds);
}

/// The engine alone, in process, on the bench's data (bench/boosting.sh runs it with
/// BOOST_CSV set): no SQL, no preprocessing. Ignored by the normal test run.
#[test]
#[ignore]
fn engine_speed() {
    let Ok(path) = std::env::var("BOOST_CSV") else {
        return;
    };
    let (x, y, p, train, test) = crate::test_support::bench_csv(&path);
    let params = BoostParams {
        n_iter_no_change: 0,
        ..BoostParams::default()
    };
    let mut times = Vec::new();
    let mut m = None;
    for _ in 0..3 {
        let t = std::time::Instant::now();
        m = Some(
            fit(
                &x,
                p,
                Labels::Classes {
                    y: &y,
                    n_classes: 2,
                },
                &train,
                &[],
                &params,
                0,
                &Progress::default(),
            )
            .unwrap(),
        );
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    let m = m.unwrap();
    let mut out = [0.0; 2];
    let right = test
        .iter()
        .filter(|&&r| {
            m.predict_proba(&x[r * p..(r + 1) * p], &mut out);
            (out[1] > out[0]) as usize == y[r]
        })
        .count();
    println!(
        "engine_fit_ms {:.0} accuracy {:.4}",
        times[1],
        right as f64 / test.len() as f64
    );
}

#[test]
fn explanations_add_up_to_the_raw_score() {
    let (x, v, c) = data(1500);
    let train: Vec<usize> = (0..1500).collect();
    let p = BoostParams {
        n_estimators: 30,
        ..BoostParams::default()
    };
    let m = fit_values(&x, &v, &train, &p, 1).unwrap();
    for r in [0usize, 7, 99] {
        let row = &x[r * 3..r * 3 + 3];
        let e = m.contributions(row, 3);
        assert_eq!(e.len(), 1);
        let total = e[0].0 + e[0].1.iter().sum::<f64>();
        assert!(
            (total - m.predict_value(row)).abs() < 1e-9,
            "{total} vs {}",
            m.predict_value(row)
        );
        // v = a² + 2b + noise: the noise column gets the least credit.
        assert!(e[0].1[2].abs() <= e[0].1[0].abs().max(e[0].1[1].abs()));
    }
    let multi = fit(
        &x,
        3,
        Labels::Classes {
            y: &c,
            n_classes: 3,
        },
        &train,
        &[],
        &p,
        1,
        &Progress::default(),
    )
    .unwrap();
    let row = &x[..3];
    let e = multi.contributions(row, 3);
    let mut raw = vec![0.0; 3];
    multi.raw(row, &mut raw);
    for (k, (base, contrib)) in e.iter().enumerate() {
        assert!((base + contrib.iter().sum::<f64>() - raw[k]).abs() < 1e-9);
    }
}

/// y = x + noise whose spread grows with x: the quantiles fan out.
fn heteroscedastic(n: usize, seed: u64) -> (Vec<f64>, Vec<f64>) {
    let mut rng = Rng::new(seed);
    let (mut x, mut y) = (Vec::with_capacity(n), Vec::with_capacity(n));
    for _ in 0..n {
        let a = rng.unit() * 10.0;
        x.push(a);
        y.push(a + (rng.unit() - 0.5) * 2.0 * (1.0 + a));
    }
    (x, y)
}

#[test]
fn quantile_loss_predicts_its_quantile_on_new_rows() {
    let (x, y) = heteroscedastic(6000, 5);
    let (nx, ny) = heteroscedastic(20_000, 6);
    let train: Vec<usize> = (0..6000).collect();
    let fitted = |params: &BoostParams| {
        fit(
            &x,
            1,
            Labels::Values(&y),
            &train,
            &[],
            params,
            1,
            &Progress::default(),
        )
        .unwrap()
    };
    let below = |params: &BoostParams| {
        let m = fitted(params);
        let under = nx
            .iter()
            .zip(&ny)
            .filter(|(a, b)| **b <= m.predict_value(&[**a]))
            .count();
        under as f64 / ny.len() as f64
    };
    for q in [0.1, 0.5, 0.9] {
        let params = BoostParams {
            loss: RegressionLoss::Quantile,
            quantile: Some(q),
            ..BoostParams::default()
        };
        let share = below(&params);
        assert!(
            (share - q).abs() < 0.03,
            "quantile {q}: {share} of new rows below"
        );
    }
    let median = BoostParams {
        loss: RegressionLoss::AbsoluteError,
        ..BoostParams::default()
    };
    assert!((below(&median) - 0.5).abs() < 0.03);
    // The pinball loss of the 0.9 model beats the squared-error model's at 0.9.
    let pin = |params: &BoostParams| {
        let m = fitted(params);
        nx.iter()
            .zip(&ny)
            .map(|(a, b)| pinball(0.9, b - m.predict_value(&[*a])))
            .sum::<f64>()
            / ny.len() as f64
    };
    let q90 = BoostParams {
        loss: RegressionLoss::Quantile,
        quantile: Some(0.9),
        ..BoostParams::default()
    };
    assert!(pin(&q90) < 0.8 * pin(&BoostParams::default()));
    // Without a quantile, an error.
    let none = BoostParams {
        loss: RegressionLoss::Quantile,
        quantile: None,
        ..BoostParams::default()
    };
    assert!(fit(
        &x,
        1,
        Labels::Values(&y),
        &train,
        &[],
        &none,
        1,
        &Progress::default()
    )
    .is_err());
}

#[test]
fn quantile_is_numpys_linear_percentile() {
    let mut v = vec![4.0, 1.0, 3.0, 2.0];
    assert_eq!(quantile(&mut v, 0.5), 2.5);
    assert_eq!(quantile(&mut v, 0.9), 3.7);
    assert_eq!(quantile(&mut [7.0], 0.3), 7.0);
    assert_eq!(quantile(&mut [], 0.3), 0.0);
}

#[test]
fn balanced_class_weights_raise_the_minority_recall() {
    // 5% positives where a > 1.4 and b > 0 (with some noise): unweighted boosting misses many.
    let mut rng = Rng::new(9);
    let n = 6000;
    let mut x = Vec::with_capacity(n * 2);
    let mut y = Vec::with_capacity(n);
    for _ in 0..n {
        let (a, b) = (rng.unit() * 4.0 - 2.0, rng.unit() * 4.0 - 2.0);
        x.extend([a, b]);
        let noisy = rng.unit() < 0.3;
        y.push(usize::from((a > 1.4 && b > 0.0) != (noisy && a > 1.2)));
    }
    let train: Vec<usize> = (0..4000).collect();
    let test: Vec<usize> = (4000..n).collect();
    let recall = |balanced: bool| {
        let params = BoostParams {
            n_estimators: 30,
            ..BoostParams::default()
        };
        let per_class = crate::learners::balanced_class_weights(&y, &train, 2);
        let weights: Vec<f64> = y.iter().map(|&c| per_class[c]).collect();
        let m = fit_within(
            &x,
            2,
            Labels::Classes {
                y: &y,
                n_classes: 2,
            },
            (&train, &[]),
            &params,
            balanced.then_some(&weights[..]),
            1,
            &Progress::default(),
            &crate::common::budget::Budget::unlimited(),
        )
        .unwrap();
        let (mut hit, mut pos) = (0, 0);
        let mut out = [0.0; 2];
        for &r in &test {
            if y[r] == 1 {
                pos += 1;
                m.predict_proba(&x[r * 2..r * 2 + 2], &mut out);
                hit += usize::from(out[1] >= 0.5);
            }
        }
        hit as f64 / pos as f64
    };
    let (plain, balanced) = (recall(false), recall(true));
    assert!(balanced > plain + 0.1, "recall {plain} -> {balanced}");
}
