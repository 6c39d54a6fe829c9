use crate::common::rng::Rng;
use crate::common::task::Labels;
use crate::learners::trees::cart::fit;
use crate::learners::trees::tree::{goes_left, split_feature, Criterion, Tree, TreeParams, LEAF};

use super::*;

/// The output of `tree` for row `x` when only the features in `known` (a bit set) are known:
/// at a split on an unknown feature, both children weighted by their covers — the
/// conditional expectation path-dependent TreeSHAP takes as a coalition's value.
fn expected(tree: &Tree, x: &[f64], known: u32, node: usize, k: usize) -> f64 {
    let n = tree.nodes[node];
    let values = tree.node_values().unwrap();
    let covers = tree.node_covers().unwrap();
    if n.feature == LEAF {
        return values[node * tree.width + k];
    }
    let f = split_feature(n.feature);
    let (l, r) = (n.left as usize, n.right() as usize);
    if known & (1 << f) != 0 {
        let next = if goes_left(n.feature, n.threshold, x[f]) {
            l
        } else {
            r
        };
        expected(tree, x, known, next, k)
    } else {
        (covers[l] * expected(tree, x, known, l, k) + covers[r] * expected(tree, x, known, r, k))
            / covers[node]
    }
}

/// Shapley values by their definition: every coalition of the other features, weighted by
/// |S|! (p - |S| - 1)! / p!.
fn by_enumeration(tree: &Tree, x: &[f64], p: usize, k: usize) -> Vec<f64> {
    let fact = |n: usize| (1..=n).map(|v| v as f64).product::<f64>();
    (0..p)
        .map(|i| {
            (0u32..1 << p)
                .filter(|s| s & (1 << i) == 0)
                .map(|s| {
                    let size = s.count_ones() as usize;
                    let weight = fact(size) * fact(p - size - 1) / fact(p);
                    weight * (expected(tree, x, s | (1 << i), 0, k) - expected(tree, x, s, 0, k))
                })
                .sum()
        })
        .collect()
}

/// Whether a path below `node` splits on a feature of `seen` (a bit set) again.
fn splits_twice(tree: &Tree, node: usize, seen: u32) -> bool {
    let n = tree.nodes[node];
    if n.feature == LEAF {
        return false;
    }
    let f = 1 << split_feature(n.feature);
    seen & f != 0
        || splits_twice(tree, n.left as usize, seen | f)
        || splits_twice(tree, n.right() as usize, seen | f)
}

fn data(n: usize, p: usize, seed: u64) -> Vec<f64> {
    let mut rng = Rng::new(seed);
    (0..n * p)
        .map(|_| {
            let v = rng.unit();
            // Some missing values, and few distinct values so splits repeat features.
            if v < 0.05 {
                f64::NAN
            } else {
                (v * 8.0).floor()
            }
        })
        .collect()
}

fn params(criterion: Criterion, depth: Option<usize>) -> TreeParams {
    TreeParams {
        max_depth: depth,
        min_samples_split: 2,
        min_samples_leaf: 1,
        max_features: None,
        criterion,
    }
}

fn shap_of(tree: &Tree, x: &[f64], p: usize) -> (Vec<f64>, Vec<f64>) {
    let mut base = vec![0.0; tree.width];
    let mut contrib = vec![0.0; p * tree.width];
    assert!(tree.add_shap_values(x, &mut base, &mut contrib, &mut Scratch::default()));
    (base, contrib)
}

/// TreeSHAP gives the Shapley values of the cover-weighted conditional expectation exactly:
/// classification (3 classes) and regression trees, rows with missing values, features split
/// on more than once along a path.
#[test]
fn equals_the_shapley_values_by_enumeration() {
    let (n, p) = (600, 5);
    let x = data(n, p, 11);
    let y: Vec<usize> = (0..n)
        .map(|r| {
            let a = x[r * p].is_nan() || x[r * p] > 3.0;
            usize::from(a) + usize::from(x[r * p + 1] + x[r * p + 2] > 8.0)
        })
        .collect();
    let v: Vec<f64> = (0..n)
        .map(|r| {
            x[r * p].max(0.0) * 2.0 - x[r * p + 3].min(5.0) + (r % 7) as f64 * 0.1
                - if x[r * p + 4].is_nan() { 3.0 } else { 0.0 }
        })
        .collect();
    let rows: Vec<usize> = (0..n).collect();
    let classes = fit(
        &x,
        p,
        Labels::Classes {
            y: &y,
            n_classes: 3,
        },
        &rows,
        &params(Criterion::Gini, Some(7)),
        &mut Rng::new(2),
    );
    let values = fit(
        &x,
        p,
        Labels::Values(&v),
        &rows,
        &params(Criterion::SquaredError, Some(9)),
        &mut Rng::new(3),
    );
    let mut repeats = false;
    for tree in [&classes, &values] {
        for r in 0..40 {
            let row = &x[r * p..(r + 1) * p];
            let (base, contrib) = shap_of(tree, row, p);
            let leaf = tree.leaf_vec(row);
            for k in 0..tree.width {
                let want = by_enumeration(tree, row, p, k);
                for (f, w) in want.iter().enumerate() {
                    let got = contrib[f * tree.width + k];
                    assert!(
                        (got - w).abs() < 1e-12,
                        "row {r} output {k} feature {f}: {got} vs {w}"
                    );
                }
                assert!((base[k] - expected(tree, row, 0, 0, k)).abs() < 1e-12);
                let total = base[k] + want.iter().sum::<f64>();
                assert!((total - leaf[k]).abs() < 1e-9, "{total} vs {}", leaf[k]);
            }
        }
        // Some path splits twice on one feature (the unwinding is exercised).
        repeats |= splits_twice(tree, 0, 0);
    }
    assert!(repeats);
}

/// A deep tree (no depth limit, 3,000 rows) is walked without recursion, and its SHAP values
/// add up to the prediction.
#[test]
fn deep_trees_add_up() {
    let (n, p) = (3000, 3);
    let mut rng = Rng::new(5);
    let x: Vec<f64> = (0..n * p).map(|_| rng.unit()).collect();
    let v: Vec<f64> = (0..n).map(|_| rng.unit()).collect();
    let rows: Vec<usize> = (0..n).collect();
    let tree = fit(
        &x,
        p,
        Labels::Values(&v),
        &rows,
        &params(Criterion::SquaredError, None),
        &mut Rng::new(1),
    );
    assert!(tree.nodes.len() > 1000);
    for r in 0..50 {
        let row = &x[r * p..(r + 1) * p];
        let (base, contrib) = shap_of(&tree, row, p);
        let total = base[0] + contrib.iter().sum::<f64>();
        assert!((total - tree.leaf_vec(row)[0]).abs() < 1e-9);
    }
}

/// A tree that keeps leaf outputs only (models of format 2) has no covers: no SHAP values,
/// and nothing added.
#[test]
fn trees_without_covers_are_refused() {
    let x = [0.0, 1.0, 2.0, 3.0];
    let v = [1.0, 1.0, 5.0, 5.0];
    let mut tree = fit(
        &x,
        1,
        Labels::Values(&v),
        &[0, 1, 2, 3],
        &params(Criterion::SquaredError, None),
        &mut Rng::new(1),
    );
    tree.counts.clear();
    let (mut base, mut contrib) = (vec![0.0], vec![0.0]);
    assert!(!tree.add_shap_values(&[0.0], &mut base, &mut contrib, &mut Scratch::default()));
    assert_eq!((base, contrib), (vec![0.0], vec![0.0]));
}

/// The trees of tests/fixtures/shap_trees.json: a decision tree (3 classes) and a regression
/// tree grown on rows with missing values, and a random forest of 5 bootstrap trees and
/// extra trees (2 classes) — with 12 probe rows (some missing values).
fn fixture_models() -> Vec<(&'static str, Vec<Tree>, usize)> {
    use crate::common::progress::Progress;
    use crate::learners::trees::{binning, forest};
    let (n, p) = (500, 4);
    let x = data(n, p, 23);
    let y: Vec<usize> = (0..n)
        .map(|r| usize::from(x[r * p].is_nan() || x[r * p] > 4.0) + usize::from(x[r * p + 1] > 5.0))
        .collect();
    let y2: Vec<usize> = y.iter().map(|&c| usize::from(c > 0)).collect();
    let v: Vec<f64> = (0..n)
        .map(|r| x[r * p].max(0.0) - 2.0 * x[r * p + 2].min(3.0) + (r % 5) as f64 * 0.3)
        .collect();
    let rows: Vec<usize> = (0..n).collect();
    let classes = Labels::Classes {
        y: &y,
        n_classes: 3,
    };
    let tree = fit(
        &x,
        p,
        classes,
        &rows,
        &params(Criterion::Entropy, Some(6)),
        &mut Rng::new(4),
    );
    let reg = fit(
        &x,
        p,
        Labels::Values(&v),
        &rows,
        &params(Criterion::SquaredError, Some(7)),
        &mut Rng::new(5),
    );
    let binned = binning::bin(&x, p, &rows, binning::MAX_BINS, 6);
    let two = Labels::Classes {
        y: &y2,
        n_classes: 2,
    };
    let grow = |extra: bool| {
        forest::fit(
            &binned,
            two,
            &rows,
            &TreeParams {
                max_features: Some(2),
                ..params(Criterion::Gini, Some(5))
            },
            5,
            !extra,
            extra,
            7,
            &Progress::default(),
        )
        .unwrap()
        .trees
    };
    vec![
        ("decision_tree", vec![tree], p),
        ("regression_tree", vec![reg], p),
        ("random_forest", grow(false), p),
        ("extra_trees", grow(true), p),
    ]
}

fn fixture_rows(p: usize) -> Vec<Vec<f64>> {
    let x = data(12, p, 99);
    x.chunks(p).map(<[f64]>::to_vec).collect()
}

/// Writes tests/fixtures/shap_trees.json (with PG_MINING_BLESS set): each model's trees as
/// stored (serde) and in shap's custom tree dictionary (children, the side missing values take,
/// features, thresholds, every node's output, covers as node_sample_weight), and the probe
/// rows. tests/fixtures/shap_reference.py then records shap.TreeExplainer's values.
#[test]
fn export_trees_for_shap() {
    if std::env::var_os("PG_MINING_BLESS").is_none() {
        return;
    }
    use serde_json::json;
    let models: Vec<_> = fixture_models()
        .into_iter()
        .map(|(name, mut trees, p)| {
            // JSON has no infinity: a split of the missing values from all others (threshold
            // +inf) keeps its meaning at f64::MAX for these rows.
            for t in &mut trees {
                for node in &mut t.nodes {
                    if node.threshold == f64::INFINITY {
                        node.threshold = f64::MAX;
                    }
                }
            }
            let dicts: Vec<_> = trees
                .iter()
                .map(|t| {
                    let w = t.width;
                    let values = t.node_values().unwrap();
                    let covers = t.node_covers().unwrap();
                    let leaf = |i: usize| t.nodes[i].feature == LEAF;
                    let n = t.nodes.len();
                    let child = |i: usize, right: bool| -> i64 {
                        if leaf(i) {
                            -1
                        } else if right {
                            i64::from(t.nodes[i].right())
                        } else {
                            i64::from(t.nodes[i].left)
                        }
                    };
                    let default = |i: usize| -> i64 {
                        let field = t.nodes[i].feature;
                        child(i, !goes_left(field, 0.0, f64::NAN))
                    };
                    json!({
                        "children_left": (0..n).map(|i| child(i, false)).collect::<Vec<_>>(),
                        "children_right": (0..n).map(|i| child(i, true)).collect::<Vec<_>>(),
                        "children_default": (0..n).map(default).collect::<Vec<_>>(),
                        "features": (0..n).map(|i| if leaf(i) { -2 } else { split_feature(t.nodes[i].feature) as i64 }).collect::<Vec<_>>(),
                        "thresholds": (0..n).map(|i| if leaf(i) { 0.0 } else { t.nodes[i].threshold }).collect::<Vec<_>>(),
                        "values": values.chunks(w).collect::<Vec<_>>(),
                        "node_sample_weight": covers,
                    })
                })
                .collect();
            let rows: Vec<Vec<Option<f64>>> = fixture_rows(p)
                .iter()
                .map(|r| r.iter().map(|v| (!v.is_nan()).then_some(*v)).collect())
                .collect();
            json!({"name": name, "p": p, "trees": trees, "shap_trees": dicts, "rows": rows})
        })
        .collect();
    let path = format!(
        "{}/../../tests/fixtures/shap_trees.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = serde_json::to_string_pretty(&json!({"models": models})).unwrap();
    std::fs::write(&path, text + "\n").unwrap();
}

/// Our TreeSHAP against shap.TreeExplainer (tree_path_dependent) on the trees and rows of
/// tests/fixtures/shap_trees.json, as tests/fixtures/shap_reference.json recorded them (shap
/// 0.51.0): every value and the expected value to 1e-9, for each output of each model.
#[test]
fn matches_the_shap_package() {
    let trees_doc = crate::test_support::fixture("shap_trees.json");
    let reference = crate::test_support::fixture("shap_reference.json");
    let (mut checked, mut worst) = (0, 0.0f64);
    for (model, want) in trees_doc["models"]
        .as_array()
        .unwrap()
        .iter()
        .zip(reference["models"].as_array().unwrap())
    {
        assert_eq!(model["name"], want["name"]);
        let trees: Vec<Tree> = serde_json::from_value(model["trees"].clone()).unwrap();
        let p = model["p"].as_u64().unwrap() as usize;
        let w = trees[0].width;
        let n = trees.len() as f64;
        for (r, row) in model["rows"].as_array().unwrap().iter().enumerate() {
            let x: Vec<f64> = row
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_f64().unwrap_or(f64::NAN))
                .collect();
            let (mut base, mut contrib) = (vec![0.0; w], vec![0.0; p * w]);
            let mut scratch = Scratch::default();
            for t in &trees {
                assert!(t.add_shap_values(&x, &mut base, &mut contrib, &mut scratch));
            }
            base.iter_mut()
                .chain(contrib.iter_mut())
                .for_each(|v| *v /= n);
            for k in 0..w {
                let expected = want["expected_value"][k].as_f64().unwrap();
                assert!(
                    (base[k] - expected).abs() < 1e-9,
                    "{}: base {k}",
                    want["name"]
                );
                for f in 0..p {
                    let theirs = want["shap_values"][r][f][k].as_f64().unwrap();
                    let ours = contrib[f * w + k];
                    worst = worst.max((ours - theirs).abs());
                    assert!(
                        (ours - theirs).abs() < 1e-9,
                        "{} row {r} feature {f} output {k}: {ours} vs {theirs}",
                        want["name"]
                    );
                    checked += 1;
                }
            }
        }
    }
    eprintln!("{checked} SHAP values, worst difference from shap {worst:.1e}");
    assert!(checked > 300, "{checked}");
}
