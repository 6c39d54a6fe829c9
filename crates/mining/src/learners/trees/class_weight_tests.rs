//! class_weight in the CART trees (decision_tree, random_forest, extra_trees): scikit-learn's
//! DecisionTreeClassifier with class weights on tests/fixtures/sklearn_class_weight.json, and a
//! weighted row growing the same tree as that many copies of it.

use serde_json::{json, Value};

use crate::common::budget::Budget;
use crate::common::progress::Progress;
use crate::common::rng::Rng;
use crate::common::task::{Labels, Task};
use crate::learners::trees::binning;
use crate::learners::trees::cart::grow_tree;
use crate::learners::trees::tree::{Criterion, Leaves, TreeParams, MISSING_LEFT};
use crate::learners::TrainData;
use crate::model::fitted::Fitted;
use crate::model::registry::estimator;

fn classes(k: usize) -> Vec<String> {
    (0..k).map(|c| c.to_string()).collect()
}

fn fit(name: &str, x: &[f64], p: usize, y: &[usize], k: usize, hyper: &Value) -> Fitted {
    let labels = Labels::Classes { y, n_classes: k };
    crate::test_support::fit_all_rows(name, (x, p), labels, None, hyper)
}

/// Every setting of the fixture: the same class probabilities for every row (to 1e-12), and
/// the same feature importances (to 1e-9) where scikit-learn's own are free of ties (the
/// fixture keeps them only then).
#[test]
fn weighted_trees_match_scikit_learn() {
    let f = crate::test_support::fixture("sklearn_class_weight.json");
    let p = f["p"].as_u64().unwrap() as usize;
    let x: Vec<f64> = f["x"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    let y: Vec<usize> = f["y"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap() as usize)
        .collect();
    for s in f["settings"].as_array().unwrap() {
        let hyper = json!({
            "class_weight": s["class_weight"],
            "max_depth": s["max_depth"],
            "min_samples_leaf": s["min_samples_leaf"],
        });
        let m = fit("decision_tree", &x, p, &y, 3, &hyper);
        let name = s["name"].as_str().unwrap();
        let want: Vec<f64> = s["proba"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        let mut out = [0.0; 3];
        for r in 0..y.len() {
            m.model().predict_proba(&x[r * p..(r + 1) * p], &mut out);
            for k in 0..3 {
                let w = want[r * 3 + k];
                assert!(
                    (out[k] - w).abs() < 1e-12,
                    "{name} row {r} class {k}: {} vs {w}",
                    out[k]
                );
            }
        }
        let Some(importances) = s["importances"].as_array() else {
            continue;
        };
        let (gain, _) = m.model().importance().unwrap();
        for (j, w) in importances.iter().enumerate() {
            let w = w.as_f64().unwrap();
            assert!(
                (gain[j] - w).abs() < 1e-9,
                "{name} importance {j}: {} vs {w}",
                gain[j]
            );
        }
    }
}

/// A row of weight 3 grows the tree that three copies of it grow: the same splits, and leaves
/// of the same class shares (the weighted tree keeps its rows per class beside the weights).
#[test]
fn a_weighted_row_counts_as_its_copies() {
    let mut rng = Rng::new(4);
    let (n, p) = (600, 3);
    let x: Vec<f64> = (0..n * p).map(|_| rng.unit()).collect();
    let y: Vec<usize> = (0..n)
        .map(|r| usize::from(x[r * p] + 0.3 * x[r * p + 1] > 1.0 + 0.2 * rng.unit()))
        .collect();
    let rows: Vec<usize> = (0..n).collect();
    let b = binning::bin(&x, p, &rows, binning::MAX_BINS, 0);
    let params = TreeParams {
        max_depth: Some(6),
        min_samples_split: 2,
        min_samples_leaf: 1,
        max_features: None,
        criterion: Criterion::Gini,
    };
    let labels = Labels::Classes {
        y: &y,
        n_classes: 2,
    };
    let weights: Vec<f64> = y.iter().map(|&c| if c == 1 { 3.0 } else { 1.0 }).collect();
    let all: Vec<u32> = (0..n as u32).collect();
    let copies: Vec<u32> = all
        .iter()
        .flat_map(|&r| std::iter::repeat_n(r, if y[r as usize] == 1 { 3 } else { 1 }))
        .collect();
    let weighted = grow_tree(
        &b,
        (labels, Some(&weights)),
        all,
        &params,
        false,
        &mut Rng::new(1),
    );
    let copied = grow_tree(&b, (labels, None), copies, &params, false, &mut Rng::new(1));
    assert_eq!(weighted.leaves(), Leaves::ClassWeights);
    assert_eq!(copied.leaves(), Leaves::ClassCounts);
    // The same splits; only the side a missing value takes may differ, since it follows the
    // child with more rows (not more weight), as scikit-learn's does.
    let strip = |t: &crate::learners::trees::tree::Tree| -> Vec<(u32, u32, u64)> {
        t.nodes
            .iter()
            .map(|n| (n.feature & !MISSING_LEFT, n.left, n.threshold.to_bits()))
            .collect()
    };
    assert_eq!(strip(&weighted), strip(&copied));
    for r in 0..n {
        let row = &x[r * p..(r + 1) * p];
        assert_eq!(weighted.leaf_vec(row), copied.leaf_vec(row), "row {r}");
    }
    // Explanations: the root's output is the weighted class shares of all rows.
    let values = weighted.node_values().unwrap();
    let positives = y.iter().filter(|&&c| c == 1).count() as f64;
    let share = 3.0 * positives / (3.0 * positives + (n as f64 - positives));
    assert!(
        (values[1] - share).abs() < 1e-12,
        "{} vs {share}",
        values[1]
    );
    let mut base = [0.0; 2];
    let mut contrib = vec![0.0; p * 2];
    assert!(weighted.add_path_contributions(&x[..p], &mut base, &mut contrib));
    let leaf = weighted.leaf_vec(&x[..p]);
    let sum: f64 = base[1] + (0..p).map(|j| contrib[j * 2 + 1]).sum::<f64>();
    assert!((sum - leaf[1]).abs() < 1e-12);
}

/// class_weight "balanced" raises the minority recall of a forest and of extra trees; a map
/// naming a label that is no class is an error naming it.
#[test]
fn balanced_forests_find_more_of_the_minority() {
    let mut rng = Rng::new(12);
    let (n, p) = (3000, 4);
    let x: Vec<f64> = (0..n * p).map(|_| rng.unit()).collect();
    // About 4% positives: a third of the rows with x0 > 0.85, and 1% of the rest — too few
    // anywhere for a plain forest's majority vote.
    let y: Vec<usize> = (0..n)
        .map(|r| {
            let p_one = if x[r * p] > 0.85 { 0.35 } else { 0.01 };
            usize::from(rng.unit() < p_one)
        })
        .collect();
    let (train, test) = (2000, n);
    let recall = |name: &str, hyper: Value| {
        let m = fit(name, &x[..train * p], p, &y[..train], 2, &hyper);
        let (mut hit, mut pos) = (0, 0);
        let mut out = [0.0; 2];
        for r in train..test {
            if y[r] == 1 {
                pos += 1;
                m.model().predict_proba(&x[r * p..(r + 1) * p], &mut out);
                hit += usize::from(out[1] >= 0.5);
            }
        }
        hit as f64 / pos as f64
    };
    for name in ["random_forest", "extra_trees"] {
        let plain = recall(name, json!({"n_estimators": 30, "min_samples_leaf": 10}));
        let balanced = recall(
            name,
            json!({"n_estimators": 30, "min_samples_leaf": 10, "class_weight": "balanced"}),
        );
        assert!(
            balanced > plain + 0.1,
            "{name}: recall {plain} -> {balanced}"
        );
    }
    let rows: Vec<usize> = (0..train).collect();
    let names = classes(2);
    let data = TrainData {
        x: &x[..train * p],
        binned: None,
        n_cols: p,
        rows: &rows,
        validation: &[],
        one_hot: &[],
        labels: Some(Labels::Classes {
            y: &y[..train],
            n_classes: 2,
        }),
        classes: &names,
        weights: None,
        budget: Budget::unlimited(),
    };
    let e = estimator(
        "random_forest",
        Task::Classification,
        &json!({"class_weight": {"yes": 2}}),
    )
    .unwrap()
    .fit(&data, 0, &Progress::default())
    .unwrap_err();
    assert!(
        e.message.contains("\"yes\", which is not a class"),
        "{}",
        e.message
    );
}
