//! Sample weights (options.weight_column) in every learner that takes them, against
//! scikit-learn's `sample_weight` on tests/fixtures/sklearn_sample_weight.json (written by
//! tests/fixtures/sklearn_sample_weight.py), and a weight of 2 fitting as two copies of a row
//! where the fixture has no reference (svm, svr, gradient_boosting, mlp).

use serde_json::{json, Value};

use crate::common::task::Labels;
use crate::model::fitted::Fitted;
use crate::test_support::{fit_all_rows as fit, floats, usizes};

fn two(y: &[usize]) -> Labels<'_> {
    Labels::Classes { y, n_classes: 2 }
}

/// Predictions of every row: the value, or the class probabilities row after row.
fn predictions(m: &Fitted, x: &[f64], p: usize, k: usize) -> Vec<f64> {
    let mut out = Vec::new();
    let mut proba = vec![0.0; k];
    for row in x.chunks(p) {
        if k == 0 {
            out.push(m.predict_value(row));
        } else {
            m.predict_proba(row, &mut proba);
            out.extend_from_slice(&proba);
        }
    }
    out
}

/// Every model of the fixture predicts what scikit-learn's does on every row (trees: on the rows
/// of positive weight), within a tolerance per solver: exact solutions to 1e-9, coordinate
/// descent to 1e-6, lbfgs to 1e-4.
#[test]
fn weighted_fits_match_scikit_learn() {
    let f = crate::test_support::fixture("sklearn_sample_weight.json");
    let p = f["p"].as_u64().unwrap() as usize;
    let x = floats(&f["x"]);
    let w = floats(&f["weights"]);
    let value = floats(&f["value"]);
    let binary = usizes(&f["binary"]);
    let three = usizes(&f["three"]);
    let mut checked = 0;
    for m in f["models"].as_array().unwrap() {
        let name = m["name"].as_str().unwrap();
        let (labels, k) = match m["target"].as_str().unwrap() {
            "value" => (Labels::Values(&value), 0),
            "binary" => (
                Labels::Classes {
                    y: &binary,
                    n_classes: 2,
                },
                2,
            ),
            _ => (
                Labels::Classes {
                    y: &three,
                    n_classes: 3,
                },
                3,
            ),
        };
        let model = fit(name, (&x, p), labels, Some(&w), &m["hyper"]);
        let ours = predictions(&model, &x, p, k);
        let theirs = floats(&m["predictions"]);
        assert_eq!(ours.len(), theirs.len(), "{name}");
        let tol = match name {
            "linear_regression" | "ridge" | "naive_bayes" | "decision_tree" => 1e-9,
            "lasso" | "elastic_net" => 1e-6,
            _ => 1e-4,
        };
        let per_row = k.max(1);
        let only_weighted = m["weighted_rows_only"].as_bool().unwrap_or(false);
        let mut worst = 0.0f64;
        for (i, (a, b)) in ours.iter().zip(&theirs).enumerate() {
            if only_weighted && w[i / per_row] == 0.0 {
                continue;
            }
            worst = worst.max((a - b).abs() / b.abs().max(1.0));
        }
        eprintln!("{name} on {}: worst difference {worst:.2e}", m["target"]);
        assert!(worst <= tol, "{name} on {}: {worst}", m["target"]);
        checked += 1;
    }
    assert_eq!(checked, 9);
}

/// scikit-learn's `_weighted_percentile` at every quantile of the fixture.
#[test]
fn weighted_quantile_matches_scikit_learn() {
    let f = crate::test_support::fixture("sklearn_sample_weight.json");
    let q = &f["percentile"];
    let pairs: Vec<(f64, f64)> = floats(&q["values"])
        .into_iter()
        .zip(floats(&q["weights"]))
        .collect();
    for (a, want) in floats(&q["quantiles"]).iter().zip(floats(&q["results"])) {
        let got = crate::common::numeric::weighted_quantile(&mut pairs.clone(), *a);
        assert_eq!(got, want, "quantile {a}");
    }
}

/// A table where one row of each pair is given weight 2 and its copy dropped fits as the table
/// with both copies, for the learners the fixture has no reference for.
#[test]
fn a_weight_of_two_is_two_copies() {
    let mut rng = crate::common::rng::Rng::new(5);
    let n = 120;
    let p = 2;
    let mut x = Vec::new();
    let mut y = Vec::new();
    let mut v = Vec::new();
    for _ in 0..n {
        let (a, b) = (rng.unit() * 4.0 - 2.0, rng.unit() * 4.0 - 2.0);
        x.extend([a, b]);
        y.push(usize::from(a + 0.5 * b + rng.unit() - 0.5 > 0.0));
        v.push(2.0 * a - b + rng.unit());
    }
    // The first 40 rows twice over, the rest once; against the first 40 weighing 2.
    let copies: Vec<usize> = (0..40).chain(0..n).collect();
    let cx: Vec<f64> = copies
        .iter()
        .flat_map(|&r| x[r * p..r * p + p].to_vec())
        .collect();
    let cy: Vec<usize> = copies.iter().map(|&r| y[r]).collect();
    let cv: Vec<f64> = copies.iter().map(|&r| v[r]).collect();
    let w: Vec<f64> = (0..n).map(|r| if r < 40 { 2.0 } else { 1.0 }).collect();
    let cases: [(&str, bool, Value, f64); 5] = [
        // Full batches and no shuffling luck: the same gradient steps.
        (
            "mlp",
            true,
            json!({"hidden_layer_sizes": [8], "batch_size": 1000, "max_iter": 50}),
            1e-9,
        ),
        // min_samples_leaf counts rows, not weights (as in scikit-learn): 1 here.
        (
            "gradient_boosting",
            true,
            json!({"n_estimators": 20, "min_samples_leaf": 1}),
            1e-9,
        ),
        (
            "gradient_boosting",
            false,
            json!({"n_estimators": 20, "min_samples_leaf": 1}),
            1e-9,
        ),
        // Dual solutions differ (a copy shares its α) but the decision function does not, up to
        // the solver's tolerance. gamma "scale" reads the rows' variance, which copies change.
        (
            "svm",
            true,
            json!({"probability": false, "tol": 1e-8, "gamma": 0.5}),
            1e-5,
        ),
        ("svr", false, json!({"tol": 1e-8, "gamma": 0.5}), 1e-5),
    ];
    for (name, classify, hyper, tol) in cases {
        let (weighted, copied, k) = if classify {
            (
                fit(name, (&x, p), two(&y), Some(&w), &hyper),
                fit(name, (&cx, p), two(&cy), None, &hyper),
                2,
            )
        } else {
            (
                fit(name, (&x, p), Labels::Values(&v), Some(&w), &hyper),
                fit(name, (&cx, p), Labels::Values(&cv), None, &hyper),
                0,
            )
        };
        let a = predictions(&weighted, &x, p, k);
        let b = predictions(&copied, &x, p, k);
        let worst = a
            .iter()
            .zip(&b)
            .map(|(a, b)| (a - b).abs() / b.abs().max(1.0))
            .fold(0.0, f64::max);
        assert!(
            worst <= tol,
            "{name}: weighted and copied differ by {worst}"
        );
    }
}
