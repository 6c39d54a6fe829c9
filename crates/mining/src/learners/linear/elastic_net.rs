//! Lasso and elastic net (scikit-learn's Lasso / ElasticNet): cyclic coordinate descent on
//!   1/(2n) ||y - Xw - b||² + alpha·l1_ratio·||w||₁ + alpha·(1 - l1_ratio)/2·||w||²,
//! with the intercept unpenalized (data centred), stopping as scikit-learn does: when the
//! largest coefficient update is below tol × the largest coefficient, and then the duality gap
//! is below tol × ||y||²/n.

use serde::{Deserialize, Serialize};

use crate::common::error::{Error, Result};
use crate::learners::linear::least_squares::LinearModel;

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ElasticNetParams {
    pub alpha: f64,
    pub l1_ratio: f64,
    pub fit_intercept: bool,
    pub max_iter: usize,
    pub tol: f64,
}

fn soft(v: f64, t: f64) -> f64 {
    if v > t {
        v - t
    } else if v < -t {
        v + t
    } else {
        0.0
    }
}

/// X is row-major n × p. Returns the model and the number of passes over the coefficients.
pub fn fit(
    x: &[f64],
    n: usize,
    p: usize,
    y: &[f64],
    params: &ElasticNetParams,
    cancel: &dyn Fn() -> bool,
) -> Result<(LinearModel, usize)> {
    if n == 0 || x.len() != n * p || y.len() != n {
        return Err(Error::internal("elastic net fit: shape mismatch"));
    }
    // Column-major, centred copy of X; centred y.
    let mut x_mean = vec![0.0; p];
    let mut y_mean = 0.0;
    if params.fit_intercept {
        for row in x.chunks_exact(p.max(1)).take(n) {
            x_mean.iter_mut().zip(row).for_each(|(a, b)| *a += b);
        }
        x_mean.iter_mut().for_each(|v| *v /= n as f64);
        y_mean = y.iter().sum::<f64>() / n as f64;
    }
    let mut cols = vec![0.0; n * p];
    for (i, row) in x.chunks_exact(p.max(1)).take(n).enumerate() {
        for j in 0..p {
            cols[j * n + i] = row[j] - x_mean[j];
        }
    }
    let col = |j: usize| &cols[j * n..(j + 1) * n];
    let norms: Vec<f64> = (0..p).map(|j| col(j).iter().map(|v| v * v).sum()).collect();
    let l1 = params.alpha * params.l1_ratio * n as f64;
    let l2 = params.alpha * (1.0 - params.l1_ratio) * n as f64;
    let mut w = vec![0.0; p];
    let mut r: Vec<f64> = y.iter().map(|v| v - y_mean).collect();
    let tol = params.tol * r.iter().map(|v| v * v).sum::<f64>();
    let mut passes = 0;
    for pass in 0..params.max_iter {
        if cancel() {
            return Err(Error::internal("training was cancelled"));
        }
        passes = pass + 1;
        let (mut w_max, mut d_w_max) = (0.0f64, 0.0f64);
        for j in 0..p {
            if norms[j] == 0.0 {
                continue;
            }
            let c = col(j);
            let old = w[j];
            // rho = x_j·(r + x_j w_j)
            let rho: f64 = c.iter().zip(&r).map(|(a, b)| a * b).sum::<f64>() + norms[j] * old;
            let new = soft(rho, l1) / (norms[j] + l2);
            if new != old {
                let d = new - old;
                r.iter_mut().zip(c).for_each(|(ri, a)| *ri -= d * a);
                w[j] = new;
            }
            d_w_max = d_w_max.max((new - old).abs());
            w_max = w_max.max(new.abs());
        }
        if w_max == 0.0 || d_w_max / w_max < params.tol || pass + 1 == params.max_iter {
            // Duality gap, as scikit-learn's enet_coordinate_descent computes it.
            let xt_r: Vec<f64> = (0..p)
                .map(|j| col(j).iter().zip(&r).map(|(a, b)| a * b).sum::<f64>() - l2 * w[j])
                .collect();
            let dual_norm = xt_r.iter().fold(0.0f64, |m, v| m.max(v.abs()));
            let r_norm2: f64 = r.iter().map(|v| v * v).sum();
            let w_norm2: f64 = w.iter().map(|v| v * v).sum();
            let (constant, a_norm2) = if dual_norm > l1 {
                let c = l1 / dual_norm;
                (c, r_norm2 * c * c)
            } else {
                (1.0, r_norm2)
            };
            let l1_norm: f64 = w.iter().map(|v| v.abs()).sum();
            let ry: f64 = r.iter().zip(y).map(|(a, b)| a * (b - y_mean)).sum();
            let gap = 0.5 * (r_norm2 + a_norm2) + l1 * l1_norm - constant * ry
                + 0.5 * l2 * (1.0 + constant * constant) * w_norm2;
            if gap < tol {
                break;
            }
        }
    }
    let intercept = if params.fit_intercept {
        y_mean - w.iter().zip(&x_mean).map(|(a, b)| a * b).sum::<f64>()
    } else {
        0.0
    };
    Ok((LinearModel { coef: w, intercept }, passes))
}

#[cfg(test)]
mod tests {
    //! Against scikit-learn's Lasso and ElasticNet
    //! (tests/fixtures/sklearn_elastic_net.json, written by tests/fixtures/sklearn_elastic_net.py).

    use serde_json::Value;

    use super::*;
    use crate::test_support::floats;

    #[test]
    fn coefficients_match_sklearn() {
        let f: Value = crate::test_support::fixture("sklearn_elastic_net.json");
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
}
