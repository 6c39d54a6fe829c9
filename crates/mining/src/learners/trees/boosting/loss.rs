//! The losses gradient boosting minimises: their value over rows (for early stopping and the
//! learning curve), their gradients and hessians, and the link functions.

use rayon::prelude::*;

use crate::common::numeric::{quantile, weighted_quantile};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Loss {
    SquaredError,
    LogLoss,
    Softmax,
    /// The pinball loss of quantile alpha (absolute error: 0.5). Its gradient has no curvature:
    /// trees fit the gradient with unit hessians and each leaf then outputs the alpha-quantile of
    /// its rows' residuals, as scikit-learn does.
    Quantile(f64),
}

/// The pinball loss of a residual (actual − predicted) at quantile `a`.
pub(super) fn pinball(a: f64, residual: f64) -> f64 {
    if residual >= 0.0 {
        a * residual
    } else {
        (a - 1.0) * residual
    }
}

pub(super) fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

pub(super) fn softmax(v: &mut [f64]) {
    let max = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut sum = 0.0;
    v.iter_mut().for_each(|x| {
        *x = (*x - max).exp();
        sum += *x;
    });
    if sum > 0.0 {
        v.iter_mut().for_each(|x| *x /= sum);
    }
}

/// Targets per row as the loss sees them.
pub(super) enum Target<'a> {
    Values(&'a [f64]),
    Classes(&'a [usize]),
}

/// Mean loss of raw scores (row-major, `k` per row) over `rows`, each row weighted by `rw`
/// (indexed by row; empty: every row 1).
pub(super) fn mean_loss(
    loss: Loss,
    t: &Target,
    raw: &[f64],
    k: usize,
    rows: &[usize],
    rw: &[f64],
) -> f64 {
    let weight = |r: usize| rw.get(r).copied().unwrap_or(1.0);
    let (total, weights): (f64, f64) = rows
        .par_iter()
        .map(|&r| (weight(r), r))
        .map(|(w, r)| {
            (
                w * match (loss, t) {
                    (Loss::SquaredError, Target::Values(y)) => (raw[r] - y[r]).powi(2),
                    (Loss::Quantile(a), Target::Values(y)) => pinball(a, y[r] - raw[r]),
                    (Loss::LogLoss, Target::Classes(y)) => {
                        let p = sigmoid(raw[r]).clamp(1e-15, 1.0 - 1e-15);
                        if y[r] == 1 {
                            -p.ln()
                        } else {
                            -(1.0 - p).ln()
                        }
                    }
                    (_, Target::Classes(y)) => {
                        let s = &raw[r * k..(r + 1) * k];
                        let max = s.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                        let lse = max + s.iter().map(|v| (v - max).exp()).sum::<f64>().ln();
                        lse - s.get(y[r]).copied().unwrap_or(0.0)
                    }
                    _ => 0.0,
                },
                w,
            )
        })
        .reduce(|| (0.0, 0.0), |a, b| (a.0 + b.0, a.1 + b.1));
    total / weights.max(f64::MIN_POSITIVE)
}

/// A quantile of (value, weight) pairs as scikit-learn's pinball loss takes it: numpy's linear
/// percentile without sample weights, its weighted percentile with them.
pub(super) fn quantile_of(pairs: &mut [(f64, f64)], a: f64, unweighted: bool) -> f64 {
    if unweighted {
        quantile(&mut pairs.iter().map(|p| p.0).collect::<Vec<_>>(), a)
    } else {
        weighted_quantile(pairs, a)
    }
}

pub(super) fn gradients(
    loss: Loss,
    target: &Target,
    raw: &[f64],
    k: usize,
    train: &[usize],
    grad: &mut [Vec<f64>],
    hess: &mut [Vec<f64>],
) {
    match (loss, target) {
        (Loss::SquaredError, Target::Values(y)) => {
            for &r in train {
                grad[0][r] = raw[r] - y[r];
                hess[0][r] = 1.0;
            }
        }
        (Loss::Quantile(a), Target::Values(y)) => {
            for &r in train {
                grad[0][r] = if y[r] > raw[r] { -a } else { 1.0 - a };
                hess[0][r] = 1.0;
            }
        }
        (Loss::LogLoss, Target::Classes(y)) => {
            for &r in train {
                let p = sigmoid(raw[r]);
                grad[0][r] = p - if y[r] == 1 { 1.0 } else { 0.0 };
                hess[0][r] = (p * (1.0 - p)).max(1e-16);
            }
        }
        (_, Target::Classes(y)) => {
            let mut prob = vec![0.0; k];
            for &r in train {
                prob.copy_from_slice(&raw[r * k..(r + 1) * k]);
                softmax(&mut prob);
                for c in 0..k {
                    let pc = prob[c];
                    grad[c][r] = pc - if y[r] == c { 1.0 } else { 0.0 };
                    hess[c][r] = (pc * (1.0 - pc)).max(1e-16);
                }
            }
        }
        _ => {}
    }
}
