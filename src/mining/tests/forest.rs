//! Unit tests of `mining::forest`.

use super::*;
use crate::mining::rng::Rng;
use crate::mining::tree::Criterion;

/// `fit` on a row-major matrix (binned here as dm_train's dense path does).
#[allow(clippy::too_many_arguments)]
pub(crate) fn fit(
    x: &[f64],
    p: usize,
    labels: Labels,
    rows: &[usize],
    params: &TreeParams,
    n_trees: usize,
    bootstrap: bool,
    extra: bool,
    seed: u64,
    progress: &Progress,
) -> Result<Forest> {
    let binned = binning::bin(x, p, rows, binning::MAX_BINS, seed);
    super::fit(
        &binned, labels, rows, params, n_trees, bootstrap, extra, seed, progress,
    )
}

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

/// Explanations add up: base + each output's contributions = the forest's probabilities (and a
/// regression forest's value), for random rows; the base is the same for every row. A tree
/// that keeps leaf outputs only (older models) cannot be explained.
#[test]
fn explanations_add_up_to_the_prediction() {
    let mut rng = Rng::new(3);
    let (n, p) = (400, 4);
    let x: Vec<f64> = (0..n * p).map(|_| rng.unit()).collect();
    let y: Vec<usize> = (0..n)
        .map(|r| usize::from(x[r * p] + x[r * p + 1] > 1.0) + usize::from(x[r * p + 2] > 0.7))
        .collect();
    let v: Vec<f64> = (0..n).map(|r| 3.0 * x[r * p] - x[r * p + 3]).collect();
    let rows: Vec<usize> = (0..n).collect();
    let params = TreeParams {
        max_depth: Some(6),
        min_samples_split: 2,
        min_samples_leaf: 1,
        max_features: Some(2),
        criterion: Criterion::Gini,
    };
    let prog = Progress::default();
    let classes = Labels::Classes {
        y: &y,
        n_classes: 3,
    };
    let f = fit(&x, p, classes, &rows, &params, 12, true, false, 1, &prog).unwrap();
    let regression = TreeParams {
        criterion: Criterion::SquaredError,
        ..params.clone()
    };
    let g = fit(
        &x,
        p,
        Labels::Values(&v),
        &rows,
        &regression,
        12,
        true,
        true,
        1,
        &prog,
    )
    .unwrap();
    let mut bases = Vec::new();
    for r in 0..20 {
        let row = &x[r * p..(r + 1) * p];
        for m in [&f, &g] {
            let w = m.width;
            let (base, contrib) = m.explain(row, p).unwrap();
            let mut out = vec![0.0; w];
            m.predict(row, &mut out);
            for k in 0..w {
                let sum: f64 = (0..p).map(|j| contrib[j * w + k]).sum();
                assert!(
                    (base[k] + sum - out[k]).abs() < 1e-9,
                    "{} vs {}",
                    base[k] + sum,
                    out[k]
                );
            }
            bases.push(base);
        }
    }
    assert!(bases
        .chunks(2)
        .all(|b| b[0] == bases[0] && b[1] == bases[1]));
    // Only leaf outputs: as trees were stored before node outputs were kept.
    let mut old = f.clone();
    for t in &mut old.trees {
        t.values = (0..t.counts.len())
            .map(|k| t.leaf_output(k - k % t.width, k % t.width))
            .collect();
        t.counts.clear();
    }
    // Their leaves still predict the same.
    let (mut a, mut b) = (vec![0.0; f.width], vec![0.0; f.width]);
    f.predict_plain(&x[..p], &mut a);
    old.predict_plain(&x[..p], &mut b);
    assert_eq!(a, b);
    assert!(old.explain(&x[..p], p).is_none());
}

/// The scoring layout gives the stored trees' predictions bit for bit: classes and values,
/// random forests and extra trees, rows with missing values (learned both ways and unseen),
/// values on and between the thresholds, infinities, short rows.
#[test]
fn scoring_layout_equals_the_stored_trees() {
    let mut rng = Rng::new(11);
    let (n, p) = (600, 5);
    let mut x: Vec<f64> = (0..n * p)
        .map(|_| (rng.unit() * 40.0).round() / 4.0)
        .collect();
    for r in 0..n {
        if r % 7 == 0 {
            x[r * p + 1] = f64::NAN;
        }
    }
    let y: Vec<usize> = (0..n)
        .map(|r| usize::from(x[r * p] + x[r * p + 2] > 10.0) + usize::from(x[r * p + 1].is_nan()))
        .collect();
    let v: Vec<f64> = (0..n).map(|r| x[r * p] * 2.0 - x[r * p + 3]).collect();
    let rows: Vec<usize> = (0..n).collect();
    let params = TreeParams {
        max_depth: None,
        min_samples_split: 2,
        min_samples_leaf: 1,
        max_features: Some(2),
        criterion: Criterion::Gini,
    };
    let regression = TreeParams {
        criterion: Criterion::SquaredError,
        ..params.clone()
    };
    let prog = Progress::default();
    let classes = Labels::Classes {
        y: &y,
        n_classes: 3,
    };
    let forests = [
        fit(&x, p, classes, &rows, &params, 37, true, false, 5, &prog).unwrap(),
        fit(&x, p, classes, &rows, &params, 20, false, true, 5, &prog).unwrap(),
        fit(
            &x,
            p,
            Labels::Values(&v),
            &rows,
            &regression,
            25,
            true,
            false,
            5,
            &prog,
        )
        .unwrap(),
    ];
    let missing_left = |f: &Forest| {
        f.trees.iter().flat_map(|t| &t.nodes).any(|n| {
            n.feature != crate::mining::tree::LEAF
                && n.feature & crate::mining::tree::MISSING_LEFT != 0
        })
    };
    assert!(missing_left(&forests[0]) && missing_left(&forests[2]));
    let mut probes: Vec<Vec<f64>> = (0..300).map(|r| x[r * p..(r + 1) * p].to_vec()).collect();
    for r in 0..200 {
        let mut row: Vec<f64> = (0..p).map(|_| rng.unit() * 12.0 - 1.0).collect();
        row[r % p] = [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 2.5][r % 4];
        probes.push(row);
    }
    probes.push(vec![f64::NAN; p]);
    probes.push(vec![3.0]);
    for f in &forests {
        assert!(f.packed.get(|| Packed::new(&f.trees, f.width)).is_some());
        // Without SIMD too (the walk of CPUs without AVX2).
        let mut scalar = Packed::new(&f.trees, f.width).unwrap();
        scalar.simd = false;
        let (mut a, mut b, mut c) = (vec![0.0; f.width], vec![0.0; f.width], vec![0.0; f.width]);
        let bits = |v: &[f64]| v.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        for row in &probes {
            f.predict(row, &mut a);
            f.predict_plain(row, &mut b);
            scalar.predict(row, &mut c);
            assert_eq!(bits(&a), bits(&b), "row {row:?}");
            assert_eq!(bits(&c), bits(&b), "row {row:?}");
        }
    }
    // A forest with more features than the layout holds is scored the plain way.
    let mut wide = forests[0].clone();
    for t in &mut wide.trees {
        if let Some(root) = t.nodes.first_mut() {
            root.feature = 20_000 | (root.feature & crate::mining::tree::MISSING_LEFT);
        }
    }
    assert!(Packed::new(&wide.trees, wide.width).is_none());
}
