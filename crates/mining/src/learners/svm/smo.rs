//! The SMO solver behind `svm` and `svr`: minimises ½ αᵀQα + pᵀα subject to yᵀα = Δ and
//! 0 ≤ α_i ≤ C_i, with Q_ij = y_i y_j K(x_i, x_j). Working pairs are chosen with second-order
//! information (Fan, Chen and Lin, JMLR 2005 — the rule LIBSVM uses, so the solution and its
//! stopping point match scikit-learn's SVC/SVR). Kernel rows are computed on demand, in parallel,
//! and kept as f32 in a least-recently-used cache of bounded size.

use std::rc::Rc;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::common::error::{Error, Result};
use crate::common::numeric::{dot, squared_distance};

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Kernel {
    Linear,
    Rbf { gamma: f64 },
    Poly { gamma: f64, degree: u32, coef0: f64 },
    Sigmoid { gamma: f64, coef0: f64 },
}

impl Kernel {
    #[inline]
    pub fn eval(&self, a: &[f64], b: &[f64]) -> f64 {
        match *self {
            Kernel::Linear => dot(a, b),
            Kernel::Rbf { gamma } => (-gamma * squared_distance(a, b)).exp(),
            Kernel::Poly {
                gamma,
                degree,
                coef0,
            } => (gamma * dot(a, b) + coef0).powi(degree as i32),
            Kernel::Sigmoid { gamma, coef0 } => (gamma * dot(a, b) + coef0).tanh(),
        }
    }
}

/// The problem: `x` holds n points (row-major, p columns); the l = n or 2n variables map to
/// point `i % n` (SVR has two variables per point).
pub struct Problem<'a> {
    pub x: &'a [f64],
    pub p: usize,
    pub kernel: Kernel,
    pub y: Vec<f64>,
    pub linear: Vec<f64>,
    pub upper: Vec<f64>,
}

pub struct Solution {
    pub alpha: Vec<f64>,
    pub rho: f64,
    pub iterations: usize,
}

/// LIBSVM's τ: a floor for the curvature of a non positive definite kernel.
const TAU: f64 = 1e-12;

struct Cache<'a> {
    x: &'a [f64],
    p: usize,
    kernel: Kernel,
    rows: Vec<Option<Rc<[f32]>>>,
    stamp: Vec<u64>,
    clock: u64,
    held: usize,
    capacity: usize,
}

impl Cache<'_> {
    fn point(&self, i: usize) -> &[f64] {
        &self.x[i * self.p..(i + 1) * self.p]
    }

    /// Row i of the kernel matrix over the n points.
    fn row(&mut self, i: usize) -> Rc<[f32]> {
        self.clock += 1;
        self.stamp[i] = self.clock;
        if let Some(r) = &self.rows[i] {
            return r.clone();
        }
        if self.held >= self.capacity {
            let oldest = (0..self.rows.len())
                .filter(|&t| self.rows[t].is_some())
                .min_by_key(|&t| self.stamp[t]);
            if let Some(t) = oldest {
                self.rows[t] = None;
                self.held -= 1;
            }
        }
        let n = self.rows.len();
        let xi = self.point(i);
        let (x, p, kernel) = (self.x, self.p, self.kernel);
        let mut out = vec![0f32; n];
        let fill = |(t, o): (usize, &mut f32)| *o = kernel.eval(xi, &x[t * p..(t + 1) * p]) as f32;
        // A row of a few thousand short dot products is not worth a thread hand-off.
        if n * p >= 32_768 {
            out.par_iter_mut()
                .enumerate()
                .with_min_len(512)
                .for_each(fill);
        } else {
            out.iter_mut().enumerate().for_each(fill);
        }
        let row: Rc<[f32]> = out.into();
        self.rows[i] = Some(row.clone());
        self.held += 1;
        row
    }
}

/// Solves from α = 0. `cache_bytes` bounds the kernel cache; `cancel` is polled every 32
/// iterations (an iteration may compute two kernel rows of every training row).
pub fn solve(
    prob: &Problem,
    eps: f64,
    cache_bytes: usize,
    cancel: &dyn Fn() -> bool,
) -> Result<Solution> {
    let l = prob.y.len();
    let n = prob.x.len().checked_div(prob.p).unwrap_or(0);
    if n == 0 || !l.is_multiple_of(n) || prob.linear.len() != l || prob.upper.len() != l {
        return Err(Error::internal("SMO problem of inconsistent size"));
    }
    let mut cache = Cache {
        x: prob.x,
        p: prob.p,
        kernel: prob.kernel,
        rows: vec![None; n],
        stamp: vec![0; n],
        clock: 0,
        held: 0,
        capacity: (cache_bytes / (4 * n).max(1)).max(2),
    };
    let y = &prob.y;
    let c = &prob.upper;
    let diag: Vec<f64> = (0..l)
        .map(|i| {
            let xi = cache.point(i % n);
            prob.kernel.eval(xi, xi)
        })
        .collect();
    let mut alpha = vec![0.0; l];
    let mut grad = prob.linear.clone();
    let max_iter = 10_000_000usize.max(100 * l);
    let mut iterations = 0;
    let up = |a: f64, c: f64, y: f64| if y > 0.0 { a < c } else { a > 0.0 };
    let low = |a: f64, c: f64, y: f64| if y > 0.0 { a > 0.0 } else { a < c };
    while iterations < max_iter {
        if iterations % 32 == 0 && cancel() {
            return Err(Error::internal("training was cancelled"));
        }
        // i: the most violating variable that can move up.
        let mut gmax = f64::NEG_INFINITY;
        let mut i = usize::MAX;
        for t in 0..l {
            if up(alpha[t], c[t], y[t]) && -y[t] * grad[t] >= gmax {
                gmax = -y[t] * grad[t];
                i = t;
            }
        }
        if i == usize::MAX {
            break;
        }
        let ki = cache.row(i % n);
        // j: the partner that decreases the objective most (second-order rule).
        let mut gmax2 = f64::NEG_INFINITY;
        let mut j = usize::MAX;
        let mut best = f64::INFINITY;
        for t in 0..l {
            if !low(alpha[t], c[t], y[t]) {
                continue;
            }
            let v = y[t] * grad[t];
            gmax2 = gmax2.max(v);
            let diff = gmax + v;
            if diff > 0.0 {
                let curv = diag[i] + diag[t] - 2.0 * ki[t % n] as f64;
                let obj = -(diff * diff) / if curv > 0.0 { curv } else { TAU };
                if obj <= best {
                    best = obj;
                    j = t;
                }
            }
        }
        if gmax + gmax2 < eps || j == usize::MAX {
            break;
        }
        iterations += 1;
        let kj = cache.row(j % n);
        let qij = y[i] * y[j] * ki[j % n] as f64;
        let (old_i, old_j) = (alpha[i], alpha[j]);
        let (ci, cj) = (c[i], c[j]);
        let (mut ai, mut aj) = (old_i, old_j);
        if y[i] != y[j] {
            let curv = (diag[i] + diag[j] + 2.0 * qij).max(TAU);
            let delta = (-grad[i] - grad[j]) / curv;
            let diff = ai - aj;
            ai += delta;
            aj += delta;
            if diff > 0.0 {
                if aj < 0.0 {
                    aj = 0.0;
                    ai = diff;
                }
            } else if ai < 0.0 {
                ai = 0.0;
                aj = -diff;
            }
            if diff > ci - cj {
                if ai > ci {
                    ai = ci;
                    aj = ci - diff;
                }
            } else if aj > cj {
                aj = cj;
                ai = cj + diff;
            }
        } else {
            let curv = (diag[i] + diag[j] - 2.0 * qij).max(TAU);
            let delta = (grad[i] - grad[j]) / curv;
            let sum = ai + aj;
            ai -= delta;
            aj += delta;
            if sum > ci {
                if ai > ci {
                    ai = ci;
                    aj = sum - ci;
                }
            } else if aj < 0.0 {
                aj = 0.0;
                ai = sum;
            }
            if sum > cj {
                if aj > cj {
                    aj = cj;
                    ai = sum - cj;
                }
            } else if ai < 0.0 {
                ai = 0.0;
                aj = sum;
            }
        }
        alpha[i] = ai;
        alpha[j] = aj;
        let (di, dj) = (y[i] * (ai - old_i), y[j] * (aj - old_j));
        for (h, g) in grad.chunks_mut(n).enumerate() {
            let ys = &y[h * n..];
            for t in 0..g.len() {
                g[t] += ys[t] * (di * ki[t] as f64 + dj * kj[t] as f64);
            }
        }
    }
    if !alpha.iter().chain(&grad).all(|v| v.is_finite()) {
        return Err(Error::data(
            "the SVM solver diverged (non-finite values); scale the features or lower C",
        ));
    }
    Ok(Solution {
        rho: rho(&alpha, &grad, y, c),
        alpha,
        iterations,
    })
}

/// The offset: the mean of y·G over free variables, else the middle of the feasible interval.
fn rho(alpha: &[f64], grad: &[f64], y: &[f64], c: &[f64]) -> f64 {
    let (mut ub, mut lb) = (f64::INFINITY, f64::NEG_INFINITY);
    let (mut free, mut sum) = (0usize, 0.0);
    for t in 0..alpha.len() {
        let yg = y[t] * grad[t];
        let at_upper = alpha[t] >= c[t];
        let at_lower = alpha[t] <= 0.0;
        if at_upper {
            if y[t] < 0.0 {
                ub = ub.min(yg);
            } else {
                lb = lb.max(yg);
            }
        } else if at_lower {
            if y[t] > 0.0 {
                ub = ub.min(yg);
            } else {
                lb = lb.max(yg);
            }
        } else {
            free += 1;
            sum += yg;
        }
    }
    let r = if free > 0 {
        sum / free as f64
    } else {
        (ub + lb) / 2.0
    };
    if r.is_finite() {
        r
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn never() -> bool {
        false
    }

    /// Two points per side of x = 0, linear kernel: the margin is x = ±1, so w = 1, b = 0 and
    /// only the two inner points are support vectors with α = ½ (the hard-margin solution).
    #[test]
    fn linear_hard_margin_on_a_line() {
        let x = [-1.0, -3.0, 1.0, 3.0];
        let prob = Problem {
            x: &x,
            p: 1,
            kernel: Kernel::Linear,
            y: vec![-1.0, -1.0, 1.0, 1.0],
            linear: vec![-1.0; 4],
            upper: vec![100.0; 4],
        };
        let s = solve(&prob, 1e-6, 1 << 20, &never).unwrap();
        assert!(
            (s.alpha[0] - 0.5).abs() < 1e-9 && (s.alpha[2] - 0.5).abs() < 1e-9,
            "{:?}",
            s.alpha
        );
        assert_eq!(s.alpha[1], 0.0);
        assert_eq!(s.alpha[3], 0.0);
        assert!(s.rho.abs() < 1e-9);
    }

    /// The constraints hold at the end: 0 ≤ α ≤ C and Σ y α = 0; the stopping gap is below eps.
    #[test]
    fn rbf_solution_is_feasible_and_optimal() {
        let mut rng = crate::common::rng::Rng::new(3);
        let n = 300;
        let x: Vec<f64> = (0..n * 2).map(|_| rng.unit() * 4.0 - 2.0).collect();
        let y: Vec<f64> = (0..n)
            .map(|i| {
                if x[2 * i] * x[2 * i] + x[2 * i + 1] * x[2 * i + 1] < 1.5 {
                    1.0
                } else {
                    -1.0
                }
            })
            .collect();
        let c = 2.0;
        let prob = Problem {
            x: &x,
            p: 2,
            kernel: Kernel::Rbf { gamma: 0.5 },
            y: y.clone(),
            linear: vec![-1.0; n],
            upper: vec![c; n],
        };
        // A cache of 4 rows forces evictions; the answer must not depend on it.
        let small = solve(&prob, 1e-3, 4 * 4 * n, &never).unwrap();
        let large = solve(&prob, 1e-3, 1 << 24, &never).unwrap();
        assert_eq!(small.alpha, large.alpha);
        assert!(small.alpha.iter().all(|&a| (0.0..=c).contains(&a)));
        let balance: f64 = small.alpha.iter().zip(&y).map(|(a, y)| a * y).sum();
        assert!(balance.abs() < 1e-9, "{balance}");
        // Training accuracy of the fitted decision function on this separable-ish circle.
        let k = Kernel::Rbf { gamma: 0.5 };
        let right = (0..n)
            .filter(|&t| {
                let f: f64 = (0..n)
                    .map(|i| {
                        small.alpha[i] * y[i] * k.eval(&x[2 * i..2 * i + 2], &x[2 * t..2 * t + 2])
                    })
                    .sum::<f64>()
                    - small.rho;
                (f > 0.0) == (y[t] > 0.0)
            })
            .count();
        assert!(right as f64 / n as f64 > 0.95, "{right} of {n}");
    }

    #[test]
    fn cancel_stops_the_solver() {
        let x = [0.0, 1.0, 2.0, 3.0];
        let prob = Problem {
            x: &x,
            p: 1,
            kernel: Kernel::Linear,
            y: vec![-1.0, -1.0, 1.0, 1.0],
            linear: vec![-1.0; 4],
            upper: vec![1.0; 4],
        };
        let err = solve(&prob, 1e-3, 1 << 20, &|| true).err().unwrap();
        assert!(err.message.contains("cancelled"));
    }

    #[test]
    fn kernels_match_their_formulas() {
        let (a, b) = ([1.0, 2.0, 3.0, 4.0, 5.0], [0.5, -1.0, 2.0, 0.0, 1.0]);
        let d: f64 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
        let s: f64 = a.iter().zip(&b).map(|(x, y)| (x - y) * (x - y)).sum();
        assert!((Kernel::Linear.eval(&a, &b) - d).abs() < 1e-12);
        assert!((Kernel::Rbf { gamma: 0.1 }.eval(&a, &b) - (-0.1 * s).exp()).abs() < 1e-12);
        let poly = Kernel::Poly {
            gamma: 0.5,
            degree: 3,
            coef0: 1.0,
        };
        assert!((poly.eval(&a, &b) - (0.5 * d + 1.0).powi(3)).abs() < 1e-9);
        let sig = Kernel::Sigmoid {
            gamma: 0.01,
            coef0: -1.0,
        };
        assert!((sig.eval(&a, &b) - (0.01 * d - 1.0).tanh()).abs() < 1e-12);
    }
}
