//! Lasso and elastic net (scikit-learn's Lasso / ElasticNet): cyclic coordinate descent on
//!   1/(2n) ||y - Xw - b||² + alpha·l1_ratio·||w||₁ + alpha·(1 - l1_ratio)/2·||w||²,
//! with the intercept unpenalized (data centred), stopping as scikit-learn does: when the
//! largest coefficient update is below tol × the largest coefficient, and then the duality gap
//! is below tol × ||y||²/n.

use serde::{Deserialize, Serialize};

use super::error::{Error, Result};
use super::linear::LinearModel;

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
#[path = "tests/elastic_net.rs"]
mod tests;
