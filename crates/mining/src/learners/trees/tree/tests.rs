use crate::common::rng::Rng;
use crate::common::task::Labels;
use crate::learners::trees::cart::fit;

use super::*;

fn params(criterion: Criterion) -> TreeParams {
    TreeParams {
        max_depth: None,
        min_samples_split: 2,
        min_samples_leaf: 1,
        max_features: None,
        criterion,
    }
}

#[test]
fn learns_xor_exactly() {
    let x = [0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 1.0, 1.0];
    let y = [0, 1, 1, 0];
    let labels = Labels::Classes {
        y: &y,
        n_classes: 2,
    };
    let t = fit(
        &x,
        2,
        labels,
        &[0, 1, 2, 3],
        &params(Criterion::Gini),
        &mut Rng::new(1),
    );
    for (i, &c) in y.iter().enumerate() {
        assert_eq!(t.leaf_vec(&x[i * 2..i * 2 + 2])[c], 1.0);
    }
}

#[test]
fn regression_tree_fits_steps_and_respects_depth() {
    let x: Vec<f64> = (0..20).map(|i| i as f64).collect();
    let y: Vec<f64> = x
        .iter()
        .map(|&v| if v < 10.0 { 1.0 } else { 5.0 })
        .collect();
    let rows: Vec<usize> = (0..20).collect();
    let mut p = params(Criterion::SquaredError);
    p.max_depth = Some(1);
    let t = fit(&x, 1, Labels::Values(&y), &rows, &p, &mut Rng::new(1));
    assert_eq!(t.nodes.len(), 3);
    assert_eq!(t.nodes[0].threshold, 9.5);
    assert_eq!(t.leaf_vec(&[3.0]), &[1.0]);
    assert_eq!(t.leaf_vec(&[12.0]), &[5.0]);
    assert!(t.gain[0] > 0.0);
}

#[test]
fn min_samples_leaf_limits_splits() {
    let x: Vec<f64> = (0..10).map(|i| i as f64).collect();
    let y: Vec<usize> = (0..10).map(|i| usize::from(i == 9)).collect();
    let mut p = params(Criterion::Entropy);
    p.min_samples_leaf = 3;
    let t = fit(
        &x,
        1,
        Labels::Classes {
            y: &y,
            n_classes: 2,
        },
        &(0..10).collect::<Vec<_>>(),
        &p,
        &mut Rng::new(1),
    );
    // Every leaf holds at least 3 rows, so no leaf is pure class 1.
    assert!(t.leaf_vec(&[9.0])[1] < 1.0);
}

/// Only leaves keep outputs; an inner node's output, recovered from its leaves' row counts,
/// is the class share (or mean) of the training rows that pass through it — repeated rows
/// (a bootstrap sample) counted as often as they appear.
#[test]
fn inner_node_outputs_are_the_shares_of_the_rows_through_them() {
    let mut rng = Rng::new(7);
    let n = 400;
    let x: Vec<f64> = (0..n * 2).map(|_| rng.unit()).collect();
    let y: Vec<usize> = (0..n)
        .map(|r| ((x[r * 2] + 0.3 * rng.unit() > 0.6) as usize) + (x[r * 2 + 1] > 0.8) as usize)
        .collect();
    let v: Vec<f64> = (0..n).map(|r| x[r * 2] * 3.0 + rng.unit()).collect();
    // Rows 0..50 twice.
    let rows: Vec<usize> = (0..n).chain(0..50).collect();
    let p = TreeParams {
        max_depth: Some(5),
        ..params(Criterion::Gini)
    };
    for labels in [
        Labels::Classes {
            y: &y,
            n_classes: 3,
        },
        Labels::Values(&v),
    ] {
        let t = fit(&x, 2, labels, &rows, &p, &mut Rng::new(3));
        let w = t.width;
        assert!(t.nodes.len() > 9 && t.values.len() < t.nodes.len() * w);
        let mut sums = vec![0.0; t.nodes.len() * w];
        let mut counts = vec![0.0; t.nodes.len()];
        for &r in &rows {
            let mut i = 0;
            loop {
                counts[i] += 1.0;
                match labels {
                    Labels::Classes { y, .. } => sums[i * w + y[r]] += 1.0,
                    Labels::Values(v) => sums[i * w] += v[r],
                }
                let node = t.nodes[i];
                if node.feature == LEAF {
                    break;
                }
                i = if goes_left(
                    node.feature,
                    node.threshold,
                    x[r * 2 + split_feature(node.feature)],
                ) {
                    node.left
                } else {
                    node.right()
                } as usize;
            }
        }
        let values = t.node_values().unwrap();
        for i in 0..t.nodes.len() {
            for k in 0..w {
                let want = sums[i * w + k] / counts[i];
                assert!(
                    (values[i * w + k] - want).abs() < 1e-12,
                    "node {i}: {} vs {want}",
                    values[i * w + k]
                );
            }
        }
    }
}
