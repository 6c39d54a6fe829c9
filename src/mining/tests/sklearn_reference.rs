//! The mining core against scikit-learn's own numbers (tests/fixtures/sklearn_reference.json,
//! written by tests/fixtures/sklearn_reference.py).

use serde_json::Value;

use crate::mining::{linear, metrics};

fn fixture() -> Value {
    serde_json::from_str(include_str!("../../../tests/fixtures/sklearn_reference.json")).unwrap()
}

fn usizes(v: &Value) -> Vec<usize> {
    v.as_array().unwrap().iter().map(|x| x.as_u64().unwrap() as usize).collect()
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect()
}

#[test]
fn classification_metrics_match_sklearn() {
    let f = fixture();
    for case in f["classification"].as_array().unwrap() {
        let n = case["n_classes"].as_u64().unwrap() as usize;
        let m = metrics::classification(&usizes(&case["actual"]), &usizes(&case["predicted"]), n);
        for (k, v) in case["expected"].as_object().unwrap() {
            let ours = m.get(k).unwrap_or_else(|| panic!("{}: no {k}", case["name"]));
            assert!((ours - v.as_f64().unwrap()).abs() < 1e-9, "{} {k}: ours {ours}, sklearn {v}", case["name"]);
        }
    }
}

#[test]
fn regression_metrics_match_sklearn() {
    let f = fixture();
    for case in f["regression"].as_array().unwrap() {
        let m = metrics::regression(&floats(&case["actual"]), &floats(&case["predicted"]));
        for (k, v) in case["expected"].as_object().unwrap() {
            assert!((m[k] - v.as_f64().unwrap()).abs() < 1e-9, "{k}: ours {}, sklearn {v}", m[k]);
        }
    }
}

#[test]
fn least_squares_and_ridge_match_sklearn() {
    let f = fixture();
    for case in f["linear"].as_array().unwrap() {
        let (n, p) = (case["n"].as_u64().unwrap() as usize, case["p"].as_u64().unwrap() as usize);
        let alpha = case["alpha"].as_f64().unwrap();
        let m = linear::fit(&floats(&case["x"]), n, p, &floats(&case["y"]), alpha, true).unwrap();
        for (ours, theirs) in m.coef.iter().zip(floats(&case["coef"])) {
            assert!((ours - theirs).abs() < 1e-9, "alpha {alpha}: coef {ours} vs {theirs}");
        }
        let b = case["intercept"].as_f64().unwrap();
        assert!((m.intercept - b).abs() < 1e-9, "alpha {alpha}: intercept {} vs {b}", m.intercept);
    }
}
