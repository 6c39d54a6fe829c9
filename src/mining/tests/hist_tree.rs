//! Unit tests of `mining::hist_tree`.

use super::*;
use crate::mining::binning;

fn params(num_leaves: usize) -> GrowParams {
    GrowParams {
        num_leaves,
        max_depth: None,
        min_samples_leaf: 1,
        min_hessian: 1e-3,
        l2: 0.0,
        shrinkage: 1.0,
    }
}

fn importance(p: usize) -> Importance {
    Importance {
        gain: vec![0.0; p],
        splits: vec![0; p],
    }
}

#[test]
fn one_step_is_found_and_leaves_are_newton_steps() {
    // y = 5 when x0 > 0.5, else 1; x1 is noise. Squared error at raw 0: g = -y, h = 1.
    let n = 200;
    let x: Vec<f64> = (0..n)
        .flat_map(|i| [(i % 2) as f64, (i * 7 % 13) as f64])
        .collect();
    let y: Vec<f64> = (0..n).map(|i| if i % 2 == 1 { 5.0 } else { 1.0 }).collect();
    let rows: Vec<usize> = (0..n).collect();
    let b = binning::bin(&x, 2, &rows, 255, 0);
    let g: Vec<f64> = y.iter().map(|v| -v).collect();
    let h = vec![1.0; n];
    let mut r: Vec<u32> = (0..n as u32).collect();
    let mut imp = importance(2);
    let (t, leaves) = grow(&b, &mut r, &g, &h, &params(2), &mut imp);
    assert_eq!(leaves.len(), 2);
    for l in &leaves {
        for &row in &r[l.start..l.end] {
            assert_eq!(t.predict_binned(&b, row as usize), l.value);
        }
    }
    assert_eq!(leaves.iter().map(|l| l.end - l.start).sum::<usize>(), n);
    assert_eq!(t.nodes.len(), 3);
    assert_eq!(t.nodes[0].feature, 0);
    assert_eq!(t.predict(&[0.0, 3.0]), 1.0);
    assert_eq!(t.predict(&[1.0, 3.0]), 5.0);
    assert_eq!(imp.splits, vec![1, 0]);
    assert!(imp.gain[0] > 0.0);
    for i in 0..n {
        assert_eq!(t.predict_binned(&b, i), t.predict(&x[i * 2..i * 2 + 2]));
    }
}

#[test]
fn leaf_count_depth_and_min_samples_leaf_are_respected() {
    let n = 1000;
    let x: Vec<f64> = (0..n).map(|i| i as f64).collect();
    let g: Vec<f64> = (0..n).map(|i| ((i as f64) * 0.37).sin()).collect();
    let h = vec![1.0; n];
    let rows: Vec<usize> = (0..n).collect();
    let b = binning::bin(&x, 1, &rows, 255, 0);
    let leaves = |t: &HistTree| t.nodes.iter().filter(|n| n.left == LEAF).count();
    let mut r: Vec<u32> = (0..n as u32).collect();
    let (t, _) = grow(&b, &mut r, &g, &h, &params(7), &mut importance(1));
    assert_eq!(leaves(&t), 7);
    let mut p = params(64);
    p.max_depth = Some(2);
    let (t, _) = grow(&b, &mut r, &g, &h, &p, &mut importance(1));
    assert!(leaves(&t) <= 4);
    let mut p = params(64);
    p.min_samples_leaf = 300;
    let (t, _) = grow(&b, &mut r, &g, &h, &p, &mut importance(1));
    // Every leaf keeps at least 300 rows: at most 3 leaves.
    assert!(leaves(&t) <= 3);
    let mut counts = vec![0usize; t.nodes.len()];
    for i in 0..n {
        let mut k = 0usize;
        while t.nodes[k].left != LEAF {
            k = if b.bins[i] <= t.nodes[k].bin {
                t.nodes[k].left
            } else {
                t.nodes[k].right
            } as usize;
        }
        counts[k] += 1;
    }
    assert!(
        counts
            .iter()
            .enumerate()
            .all(|(k, c)| t.nodes[k].left != LEAF || *c >= 300),
        "{counts:?}"
    );
}
