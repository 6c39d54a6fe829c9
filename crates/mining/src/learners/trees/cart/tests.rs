//! Unit tests of the binned CART grower (the comparisons with scikit-learn's forests are in
//! learners/trees/tests.rs).

use super::*;
use crate::common::progress::Progress;
use crate::learners::trees::binning;
use crate::learners::trees::forest::tests::fit;
use crate::learners::trees::forest::Forest;
use crate::learners::trees::tree::Criterion;
use std::sync::atomic::Ordering;

fn params(max_features: Option<usize>) -> TreeParams {
    TreeParams {
        max_depth: None,
        min_samples_split: 2,
        min_samples_leaf: 1,
        max_features,
        criterion: Criterion::Gini,
    }
}

/// 2,000 rows: class = (a > 0) xor (b > 0), with a noise column; and a smooth value.
fn data() -> (Vec<f64>, Vec<usize>, Vec<f64>) {
    let mut rng = Rng::new(9);
    let (mut x, mut y, mut v) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..2000 {
        let (a, b, z) = (rng.unit() * 2.0 - 1.0, rng.unit() * 2.0 - 1.0, rng.unit());
        x.extend([a, b, z]);
        y.push(((a > 0.0) ^ (b > 0.0)) as usize);
        v.push(3.0 * a + b * b);
    }
    (x, y, v)
}

fn accuracy(f: &Forest, x: &[f64], y: &[usize], rows: &[usize]) -> f64 {
    let mut out = vec![0.0; 2];
    rows.iter()
        .filter(|&&r| {
            f.predict(&x[r * 3..r * 3 + 3], &mut out);
            (out[1] > out[0]) as usize == y[r]
        })
        .count() as f64
        / rows.len() as f64
}

#[test]
fn forests_and_extra_trees_learn_xor() {
    let (x, y, _) = data();
    let train: Vec<usize> = (0..1500).collect();
    let test: Vec<usize> = (1500..2000).collect();
    let labels = Labels::Classes {
        y: &y,
        n_classes: 2,
    };
    for (extra, bootstrap) in [(false, true), (true, false)] {
        let f = fit(
            &x,
            3,
            labels,
            &train,
            &params(Some(2)),
            30,
            bootstrap,
            extra,
            1,
            &Progress::default(),
        )
        .unwrap();
        assert_eq!(f.trees.len(), 30);
        let acc = accuracy(&f, &x, &y, &test);
        assert!(acc > 0.95, "extra {extra}: accuracy {acc}");
        // The noise column earns little of the impurity decrease.
        let gain: Vec<f64> = (0..3)
            .map(|j| f.trees.iter().map(|t| t.gain[j]).sum())
            .collect();
        assert!(gain[2] < 0.2 * (gain[0] + gain[1]), "{gain:?}");
    }
}

#[test]
fn a_single_unrestricted_tree_fits_its_training_rows() {
    let (x, y, v) = data();
    let rows: Vec<usize> = (0..2000).collect();
    let b = binning::bin(&x, 3, &rows, 255, 0);
    let t = grow_tree(
        &b,
        (
            Labels::Classes {
                y: &y,
                n_classes: 2,
            },
            None,
        ),
        rows.iter().map(|&r| r as u32).collect(),
        &params(None),
        false,
        &mut Rng::new(1),
    );
    // Rows that share every bin cannot be told apart; the rest are fitted exactly.
    let right = rows
        .iter()
        .filter(|&&r| (t.leaf_vec(&x[r * 3..r * 3 + 3])[1] > 0.5) as usize == y[r])
        .count();
    assert!(right >= 1990, "{right}");
    let t = grow_tree(
        &b,
        (Labels::Values(&v), None),
        rows.iter().map(|&r| r as u32).collect(),
        &TreeParams {
            max_depth: Some(4),
            criterion: Criterion::SquaredError,
            ..params(None)
        },
        false,
        &mut Rng::new(1),
    );
    let depth = |t: &Tree| {
        fn d(t: &Tree, i: usize) -> usize {
            let n = t.nodes[i];
            if n.feature == LEAF {
                0
            } else {
                1 + d(t, n.left as usize).max(d(t, n.right() as usize))
            }
        }
        d(t, 0)
    };
    assert_eq!(depth(&t), 4);
    let mean = v.iter().sum::<f64>() / 2000.0;
    let (sse, sst) = rows.iter().fold((0.0, 0.0), |(a, b), &r| {
        let e = t.leaf_vec(&x[r * 3..r * 3 + 3])[0] - v[r];
        (a + e * e, b + (v[r] - mean).powi(2))
    });
    assert!(1.0 - sse / sst > 0.9, "r2 {}", 1.0 - sse / sst);
}

#[test]
fn min_samples_leaf_and_seeds() {
    let (x, y, _) = data();
    let rows: Vec<usize> = (0..2000).collect();
    let labels = Labels::Classes {
        y: &y,
        n_classes: 2,
    };
    let p = TreeParams {
        min_samples_leaf: 100,
        ..params(None)
    };
    let f = fit(
        &x,
        3,
        labels,
        &rows,
        &p,
        3,
        false,
        false,
        1,
        &Progress::default(),
    )
    .unwrap();
    let b = binning::bin(&x, 3, &rows, 255, 1);
    for t in &f.trees {
        let mut counts = vec![0usize; t.nodes.len()];
        for r in 0..2000 {
            let mut i = 0usize;
            while t.nodes[i].feature != LEAF {
                let n = t.nodes[i];
                i = if x[r * 3 + crate::learners::trees::tree::split_feature(n.feature)]
                    <= n.threshold
                {
                    n.left
                } else {
                    n.right()
                } as usize;
            }
            counts[i] += 1;
        }
        assert!(
            counts
                .iter()
                .enumerate()
                .all(|(i, c)| t.nodes[i].feature != LEAF || *c >= 100),
            "{counts:?}"
        );
    }
    let _ = b;
    let a = fit(
        &x,
        3,
        labels,
        &rows,
        &params(Some(1)),
        5,
        true,
        false,
        7,
        &Progress::default(),
    )
    .unwrap();
    let c = fit(
        &x,
        3,
        labels,
        &rows,
        &params(Some(1)),
        5,
        true,
        false,
        7,
        &Progress::default(),
    )
    .unwrap();
    assert_eq!(a, c);
    let progress = Progress::default();
    progress.cancel.store(true, Ordering::Relaxed);
    assert!(fit(
        &x,
        3,
        labels,
        &rows,
        &params(None),
        5,
        true,
        false,
        7,
        &progress
    )
    .is_err());
}

/// The engine alone, in process, on bench/boosting.sh's data (BOOST_CSV): 100 trees,
/// sqrt(p) features per split, bootstrap. Ignored by the normal test run.
#[test]
#[ignore]
fn forest_engine_speed() {
    let Ok(path) = std::env::var("BOOST_CSV") else {
        return;
    };
    let (x, y, p, train, test) = crate::test_support::bench_csv(&path);
    let params = TreeParams {
        max_features: Some((p as f64).sqrt() as usize),
        ..params(None)
    };
    let labels = Labels::Classes {
        y: &y,
        n_classes: 2,
    };
    use crate::test_support::{heap_held, heap_peak, heap_peak_reset};
    let base = heap_peak_reset();
    let t = std::time::Instant::now();
    let f = fit(
        &x,
        p,
        labels,
        &train,
        &params,
        100,
        true,
        false,
        0,
        &Progress::default(),
    )
    .unwrap();
    let ms = t.elapsed().as_secs_f64() * 1000.0;
    // Working memory of the fit (the input matrix excluded) and what the forest keeps, against
    // the training rows as a float matrix.
    let mib = |b: usize| b as f64 / 1048576.0;
    println!(
        "forest_fit_heap_mib peak {:.1} kept {:.1} raw_training_matrix {:.1}",
        mib(heap_peak() - base),
        mib(heap_held() - base),
        mib(train.len() * p * 8)
    );
    let mut out = [0.0; 2];
    let right = test
        .iter()
        .filter(|&&r| {
            f.predict(&x[r * p..(r + 1) * p], &mut out);
            (out[1] > out[0]) as usize == y[r]
        })
        .count();
    println!(
        "forest_fit_ms {ms:.0} accuracy {:.4}",
        right as f64 / test.len() as f64
    );
    // Scoring every row once, row by row as a SELECT does (each row a new path), in the
    // scoring layout and on the stored trees, alternately three times (best of each).
    f.prepare_scoring();
    let (mut packed, mut plain) = (0.0f64, 0.0f64);
    let mut sums = [0.0; 2];
    for _ in 0..3 {
        for (k, best) in [&mut packed, &mut plain].into_iter().enumerate() {
            let t = std::time::Instant::now();
            let mut total = 0.0;
            for r in 0..y.len() {
                let row = &x[r * p..(r + 1) * p];
                match k {
                    0 => f.predict(row, &mut out),
                    _ => f.predict_plain(row, &mut out),
                }
                total += out[1];
            }
            *best = best.max(y.len() as f64 / t.elapsed().as_secs_f64());
            sums[k] = total;
        }
    }
    println!(
        "forest_score_rows_per_s {packed:.0} (stored trees: {plain:.0}; checksums {:.3} {:.3})",
        sums[0], sums[1]
    );
}
