//! Unit tests of `mining::elastic_net`, against scikit-learn's Lasso and ElasticNet
//! (tests/fixtures/sklearn_elastic_net.json, written by tests/fixtures/sklearn_elastic_net.py).

use serde_json::Value;

use super::*;
use crate::mining::test_support::floats;

#[test]
fn coefficients_match_sklearn() {
    let f: Value = serde_json::from_str(include_str!(
        "../../../tests/fixtures/sklearn_elastic_net.json"
    ))
    .unwrap();
    for case in f["cases"].as_array().unwrap() {
        let data = &f["data"][case["data"].as_str().unwrap()];
        let (x, y) = (floats(&data["x"]), floats(&data["y"]));
        let p = data["p"].as_u64().unwrap() as usize;
        let n = y.len();
        let what = format!(
            "{} alpha {} l1_ratio {}",
            case["data"], case["alpha"], case["l1_ratio"]
        );
        let mut params = ElasticNetParams {
            alpha: case["alpha"].as_f64().unwrap(),
            l1_ratio: case["l1_ratio"].as_f64().unwrap(),
            fit_intercept: true,
            max_iter: 100_000,
            tol: 1e-10,
        };
        // Converged: the optimum itself.
        let (m, _) = fit(&x, n, p, &y, &params, &|| false).unwrap();
        let scale = floats(&case["coef"])
            .iter()
            .fold(1.0f64, |a, v| a.max(v.abs()));
        for (j, (a, b)) in m.coef.iter().zip(floats(&case["coef"])).enumerate() {
            assert!(
                (a - b).abs() <= 1e-6 * scale,
                "{what}: coef {j}: {a} vs {b}"
            );
            // Zero where scikit-learn has zero.
            assert_eq!(*a == 0.0, b == 0.0, "{what}: sparsity of coef {j}");
        }
        assert!(
            (m.intercept - case["intercept"].as_f64().unwrap()).abs() <= 1e-6 * scale.max(1.0),
            "{what}: intercept"
        );
        // Default tolerance: the same passes and the same coefficients as scikit-learn's run.
        params.tol = 1e-4;
        params.max_iter = 1000;
        let (m, passes) = fit(&x, n, p, &y, &params, &|| false).unwrap();
        assert_eq!(
            passes as u64,
            case["default_n_iter"].as_u64().unwrap(),
            "{what}: passes"
        );
        for (a, b) in m.coef.iter().zip(floats(&case["default_coef"])) {
            assert!(
                (a - b).abs() <= 1e-9 * scale,
                "{what}: default-tol coef {a} vs {b}"
            );
        }
    }
}

#[test]
fn large_alpha_gives_the_mean_and_cancel_stops() {
    let x: Vec<f64> = (0..40).map(|i| (i % 7) as f64).collect();
    let y: Vec<f64> = (0..20).map(|i| i as f64).collect();
    let params = ElasticNetParams {
        alpha: 1e6,
        l1_ratio: 1.0,
        fit_intercept: true,
        max_iter: 100,
        tol: 1e-4,
    };
    let (m, _) = fit(&x, 20, 2, &y, &params, &|| false).unwrap();
    assert!(m.coef.iter().all(|w| *w == 0.0));
    assert!((m.intercept - 9.5).abs() < 1e-12);
    assert!(fit(&x, 20, 2, &y, &params, &|| true).is_err());
}
