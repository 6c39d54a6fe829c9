//! Unit tests of `mining::tree`.

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
        assert_eq!(t.leaf(&x[i * 2..i * 2 + 2])[c], 1.0);
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
    assert_eq!(t.leaf(&[3.0]), &[1.0]);
    assert_eq!(t.leaf(&[12.0]), &[5.0]);
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
    assert!(t.leaf(&[9.0])[1] < 1.0);
}
