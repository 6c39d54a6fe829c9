//! Support vector machines: `svm` (C-SVC, one-vs-one for more than two classes, as
//! scikit-learn's SVC) and `svr` (epsilon-SVR), solved by our SMO (smo.rs). The stored model is
//! ours: the support vectors once, each class pair's coefficients and offset, the kernel with its
//! resolved gamma, and Platt sigmoids for probabilities — so a model survives the catalog round
//! trip with identical predictions (smartcore's SVC cannot: its kernel is lost through serde).

use crate::learners::class_weight::StoredAsBalanced;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::common::error::{Error, Result};
use crate::common::rng::Rng;
use crate::common::task::Labels;
use crate::learners::svm::platt::{self, Sigmoid};
use crate::learners::svm::smo::{self, Kernel, Problem};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum KernelName {
    Linear,
    Rbf,
    Poly,
    Sigmoid,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Gamma {
    /// 1 / (features × variance of the training matrix), scikit-learn's default.
    Scale,
    /// 1 / features.
    Auto,
    Value(f64),
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SvmParams {
    pub kernel: KernelName,
    pub c: f64,
    pub gamma: Gamma,
    pub degree: u32,
    pub coef0: f64,
    pub tol: f64,
    /// svr: the width of the tube without loss.
    pub epsilon: f64,
    /// svm: each class's C times its class weight (resolved per fit and passed to `fit`).
    #[serde(flatten)]
    pub class_weight: StoredAsBalanced,
    /// svm: fit Platt sigmoids (5-fold cross-validation) for probabilities.
    pub probability: bool,
    pub cache_mb: usize,
    pub max_train_rows: usize,
}

/// One binary machine: classes `a` (decision > 0) against `b`; regression has one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Machine {
    pub a: usize,
    pub b: usize,
    /// Indices into the model's support vectors and their coefficients (y·α).
    pub index: Vec<u32>,
    pub coef: Vec<f64>,
    pub rho: f64,
    pub sigmoid: Option<Sigmoid>,
}

impl Machine {
    fn decision(&self, k: &[f64]) -> f64 {
        self.index
            .iter()
            .zip(&self.coef)
            .map(|(&i, c)| c * k.get(i as usize).copied().unwrap_or(0.0))
            .sum::<f64>()
            - self.rho
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SvmModel {
    pub kernel: Kernel,
    pub p: usize,
    /// Support vectors, row-major.
    pub sv: Vec<f64>,
    pub machines: Vec<Machine>,
    /// 0 for regression.
    pub n_classes: usize,
}

impl SvmModel {
    pub fn n_support(&self) -> usize {
        self.sv.len().checked_div(self.p).unwrap_or(0)
    }

    fn kernel_values(&self, x: &[f64]) -> Vec<f64> {
        if self.p == 0 || x.len() < self.p {
            return Vec::new();
        }
        self.sv
            .chunks_exact(self.p)
            .map(|s| self.kernel.eval(s, &x[..self.p]))
            .collect()
    }

    /// Decision values, one per machine.
    pub fn decisions(&self, x: &[f64]) -> Vec<f64> {
        let k = self.kernel_values(x);
        self.machines.iter().map(|m| m.decision(&k)).collect()
    }

    pub fn predict_value(&self, x: &[f64]) -> f64 {
        self.decisions(x).first().copied().unwrap_or(f64::NAN)
    }

    /// The class with most one-vs-one votes (ties: the lower class), as scikit-learn's predict.
    pub fn predict_class(&self, x: &[f64]) -> usize {
        let mut votes = vec![0u32; self.n_classes.max(1)];
        for (m, d) in self.machines.iter().zip(self.decisions(x)) {
            let winner = if d > 0.0 { m.a } else { m.b };
            if let Some(v) = votes.get_mut(winner) {
                *v += 1;
            }
        }
        let mut best = 0;
        for (c, &v) in votes.iter().enumerate() {
            if v > votes[best] {
                best = c;
            }
        }
        best
    }

    /// Platt probabilities coupled over the class pairs; without sigmoids (probability false),
    /// 1 for the voted class.
    pub fn predict_proba(&self, x: &[f64], out: &mut [f64]) {
        let k = self.n_classes;
        if out.len() < k || k < 2 {
            return;
        }
        if self.machines.iter().any(|m| m.sigmoid.is_none()) {
            let c = self.predict_class(x);
            out.iter_mut()
                .enumerate()
                .for_each(|(i, o)| *o = f64::from(i == c));
            return;
        }
        let dec = self.decisions(x);
        let mut r = vec![0.0; k * k];
        for (m, d) in self.machines.iter().zip(dec) {
            let pa = m.sigmoid.map_or(0.5, |s| s.prob(d)).clamp(1e-7, 1.0 - 1e-7);
            r[m.a * k + m.b] = pa;
            r[m.b * k + m.a] = 1.0 - pa;
        }
        if k == 2 {
            out[0] = r[1];
            out[1] = r[k];
        } else {
            platt::couple(&r, k, out);
        }
    }
}

/// The kernel with gamma resolved on the training rows.
fn resolve_kernel(params: &SvmParams, x: &[f64], p: usize, rows: &[usize]) -> Kernel {
    let gamma = match params.gamma {
        Gamma::Value(g) => g,
        Gamma::Auto => 1.0 / p as f64,
        Gamma::Scale => {
            let (mut sum, mut sq) = (0.0, 0.0);
            for &r in rows {
                for v in &x[r * p..(r + 1) * p] {
                    sum += v;
                    sq += v * v;
                }
            }
            let m = (rows.len() * p) as f64;
            let var = sq / m - (sum / m) * (sum / m);
            if var > 0.0 {
                1.0 / (p as f64 * var)
            } else {
                1.0
            }
        }
    };
    match params.kernel {
        KernelName::Linear => Kernel::Linear,
        KernelName::Rbf => Kernel::Rbf { gamma },
        KernelName::Poly => Kernel::Poly {
            gamma,
            degree: params.degree,
            coef0: params.coef0,
        },
        KernelName::Sigmoid => Kernel::Sigmoid {
            gamma,
            coef0: params.coef0,
        },
    }
}

fn gather(x: &[f64], p: usize, rows: &[usize]) -> Vec<f64> {
    let mut out = Vec::with_capacity(rows.len() * p);
    for &r in rows {
        out.extend_from_slice(&x[r * p..(r + 1) * p]);
    }
    out
}

/// One fitted class pair before assembly: (a, b, its rows, their coefficients, rho, sigmoid).
type PairFit = (usize, usize, Vec<usize>, Vec<f64>, f64, Option<Sigmoid>);

/// Each row's C (by row of x): C × the row's weight (class_weight × sample weight), as
/// LIBSVM's per-class and per-instance weights scale it.
type RowC<'a> = &'a (dyn Fn(usize) -> f64 + Sync);

/// A binary C-SVC on `rows` (positive: class a); returns (α·y per row, rho).
#[allow(clippy::too_many_arguments)]
fn binary(
    x: &[f64],
    p: usize,
    rows: &[usize],
    positive: &[bool],
    c: RowC,
    kernel: Kernel,
    params: &SvmParams,
    cancel: &(dyn Fn() -> bool + Sync),
) -> Result<(Vec<f64>, f64)> {
    let points = gather(x, p, rows);
    let y: Vec<f64> = positive
        .iter()
        .map(|&b| if b { 1.0 } else { -1.0 })
        .collect();
    let upper = rows.iter().map(|&r| c(r)).collect();
    let prob = Problem {
        x: &points,
        p,
        kernel,
        linear: vec![-1.0; rows.len()],
        upper,
        y,
    };
    let s = smo::solve(&prob, params.tol, params.cache_mb << 20, cancel)?;
    let coef = s.alpha.iter().zip(&prob.y).map(|(a, y)| a * y).collect();
    Ok((coef, s.rho))
}

/// Decision values of each row from 5-fold cross-validation, for Platt's sigmoid (LIBSVM's
/// procedure: a fold whose training part holds one class predicts that class with ±1).
#[allow(clippy::too_many_arguments)]
fn cv_decisions(
    x: &[f64],
    p: usize,
    rows: &[usize],
    positive: &[bool],
    c: RowC,
    kernel: Kernel,
    params: &SvmParams,
    seed: u64,
    cancel: &(dyn Fn() -> bool + Sync),
) -> Result<Vec<f64>> {
    let n = rows.len();
    let folds = 5.min(n);
    let mut order: Vec<usize> = (0..n).collect();
    Rng::new(seed).shuffle(&mut order);
    let mut dec = vec![0.0; n];
    let parts: Vec<Result<Vec<(usize, f64)>>> = (0..folds)
        .into_par_iter()
        .map(|f| {
            let (lo, hi) = (f * n / folds, (f + 1) * n / folds);
            let held = &order[lo..hi];
            let train: Vec<usize> = order[..lo].iter().chain(&order[hi..]).copied().collect();
            let tp: Vec<bool> = train.iter().map(|&t| positive[t]).collect();
            let npos = tp.iter().filter(|&&b| b).count();
            if npos == 0 || npos == tp.len() {
                let v = if npos > 0 { 1.0 } else { -1.0 };
                return Ok(held.iter().map(|&t| (t, v)).collect());
            }
            let train_rows: Vec<usize> = train.iter().map(|&t| rows[t]).collect();
            let (coef, rho) = binary(x, p, &train_rows, &tp, c, kernel, params, cancel)?;
            Ok(held
                .iter()
                .map(|&t| {
                    let xt = &x[rows[t] * p..(rows[t] + 1) * p];
                    let f: f64 = train_rows
                        .iter()
                        .zip(&coef)
                        .filter(|(_, c)| **c != 0.0)
                        .map(|(&r, c)| c * kernel.eval(&x[r * p..(r + 1) * p], xt))
                        .sum();
                    (t, f - rho)
                })
                .collect())
        })
        .collect();
    for part in parts {
        for (t, v) in part? {
            dec[t] = v;
        }
    }
    Ok(dec)
}

/// Keeps the rows with a non-zero coefficient as support vectors (each row once).
fn assemble(
    kernel: Kernel,
    x: &[f64],
    p: usize,
    fitted: Vec<PairFit>,
    n_classes: usize,
) -> SvmModel {
    let mut slot = std::collections::HashMap::new();
    let mut sv = Vec::new();
    let mut machines = Vec::new();
    for (a, b, rows, coef, rho, sigmoid) in fitted {
        let (mut index, mut kept) = (Vec::new(), Vec::new());
        for (r, c) in rows.into_iter().zip(coef) {
            if c == 0.0 {
                continue;
            }
            let next = slot.len() as u32;
            let i = *slot.entry(r).or_insert_with(|| {
                sv.extend_from_slice(&x[r * p..(r + 1) * p]);
                next
            });
            index.push(i);
            kept.push(c);
        }
        machines.push(Machine {
            a,
            b,
            index,
            coef: kept,
            rho,
            sigmoid,
        });
    }
    SvmModel {
        kernel,
        p,
        sv,
        machines,
        n_classes,
    }
}

fn check_size(params: &SvmParams, p: usize, n: usize, name: &str) -> Result<()> {
    if n == 0 || p == 0 {
        return Err(Error::data(
            "there are no training rows or no feature columns",
        ));
    }
    if n > params.max_train_rows {
        return Err(Error::param(format!(
            "{name} has {n} training rows, over its cap of {} (hyperparameter \"max_train_rows\"): \
             kernel SVM training time grows with the square of the rows; sample the rows, use \
             logistic_regression or gradient_boosting, or raise max_train_rows",
            params.max_train_rows
        )));
    }
    Ok(())
}

/// Fits `svm` (classes) or `svr` (values) on the rows of a row-major matrix with p columns;
/// `weights`: each row's weight (class_weight × sample weight, by row of x), or None.
pub fn fit(
    x: &[f64],
    p: usize,
    (labels, weights): (Labels, Option<&[f64]>),
    rows: &[usize],
    params: &SvmParams,
    seed: u64,
    cancel: &(dyn Fn() -> bool + Sync),
) -> Result<SvmModel> {
    let name = match labels {
        Labels::Classes { .. } => "svm",
        Labels::Values(_) => "svr",
    };
    check_size(params, p, rows.len(), name)?;
    let kernel = resolve_kernel(params, x, p, rows);
    let row_c = |r: usize| params.c * weights.and_then(|w| w.get(r)).copied().unwrap_or(1.0);
    match labels {
        Labels::Values(y) => {
            let n = rows.len();
            let points = gather(x, p, rows);
            let mut sign = vec![1.0; n];
            sign.extend(std::iter::repeat_n(-1.0, n));
            let linear = rows
                .iter()
                .map(|&r| params.epsilon - y[r])
                .chain(rows.iter().map(|&r| params.epsilon + y[r]))
                .collect();
            let prob = Problem {
                x: &points,
                p,
                kernel,
                y: sign,
                linear,
                upper: rows.iter().chain(rows).map(|&r| row_c(r)).collect(),
            };
            let s = smo::solve(&prob, params.tol, params.cache_mb << 20, cancel)?;
            let coef = (0..n).map(|i| s.alpha[i] - s.alpha[n + i]).collect();
            Ok(assemble(
                kernel,
                x,
                p,
                vec![(0, 0, rows.to_vec(), coef, s.rho, None)],
                0,
            ))
        }
        Labels::Classes { y, n_classes } => {
            let mut count = vec![0usize; n_classes];
            for &r in rows {
                if let Some(c) = count.get_mut(y[r]) {
                    *c += 1;
                }
            }
            let pairs: Vec<(usize, usize)> = (0..n_classes)
                .flat_map(|a| (a + 1..n_classes).map(move |b| (a, b)))
                .filter(|&(a, b)| count[a] > 0 && count[b] > 0)
                .collect();
            if pairs.is_empty() {
                return Err(Error::data(
                    "svm needs at least two classes in the training rows",
                ));
            }
            let fitted = pairs
                .par_iter()
                .enumerate()
                .map(|(k, &(a, b))| {
                    let sub: Vec<usize> = rows
                        .iter()
                        .copied()
                        .filter(|&r| y[r] == a || y[r] == b)
                        .collect();
                    let positive: Vec<bool> = sub.iter().map(|&r| y[r] == a).collect();
                    let c: RowC = &row_c;
                    let (coef, rho) = binary(x, p, &sub, &positive, c, kernel, params, cancel)?;
                    let sigmoid = if params.probability {
                        let dec = cv_decisions(
                            x,
                            p,
                            &sub,
                            &positive,
                            c,
                            kernel,
                            params,
                            seed.wrapping_add(k as u64),
                            cancel,
                        )?;
                        Some(platt::fit(&dec, &positive))
                    } else {
                        None
                    };
                    Ok((a, b, sub, coef, rho, sigmoid))
                })
                .collect::<Result<Vec<_>>>()?;
            Ok(assemble(kernel, x, p, fitted, n_classes))
        }
    }
}
