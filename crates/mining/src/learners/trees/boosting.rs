//! Gradient boosting on histogram trees (as LightGBM and scikit-learn's
//! HistGradientBoosting): squared error, absolute error or the pinball loss of a quantile for
//! regression, binary log-loss, and multiclass softmax with one tree per class and round. Each round fits the trees to the gradients and
//! hessians of the loss at the current raw scores, on a subsample of the training rows when
//! asked; with validation rows, training stops after `n_iter_no_change` rounds without a lower
//! validation loss and keeps the best round.

use std::sync::atomic::Ordering;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::common::budget::Budget;
use crate::common::error::{Error, Result};
use crate::common::progress::Progress;
use crate::common::rng::Rng;
use crate::common::task::Labels;
use crate::learners::class_weight::ClassWeight;
use crate::learners::trees::binning::{self, Binned};
use crate::learners::trees::leafwise::{self, GrowParams, Importance, LeafRows, LeafwiseTree};
use crate::learners::{ensure, finite, Checked, Curve, Explained, Method, Predict, Shape};

mod loss;
pub use loss::Loss;
use loss::{gradients, mean_loss, quantile_of, sigmoid, softmax, Target};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BoostParams {
    pub n_estimators: usize,
    pub learning_rate: f64,
    pub num_leaves: usize,
    pub max_depth: Option<usize>,
    pub min_samples_leaf: usize,
    pub l2_regularization: f64,
    pub subsample: f64,
    pub max_bins: usize,
    /// 0: no early stopping.
    pub n_iter_no_change: usize,
    /// A regression's loss (hyperparameters stored before 0.4.0 have none: squared error; the
    /// stored hyperparameters name it only when it is another).
    #[serde(default, skip_serializing_if = "RegressionLoss::is_squared_error")]
    pub loss: RegressionLoss,
    /// The quantile `loss` "quantile" estimates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantile: Option<f64>,
    /// class_weight: each row's gradient and hessian weighted by its class's weight, as sample
    /// weights in scikit-learn's HistGradientBoostingClassifier (resolved per fit and passed to
    /// `fit_within`).
    #[serde(default, skip_serializing_if = "ClassWeight::is_none")]
    pub class_weight: ClassWeight,
}

/// What a regression minimises (scikit-learn's HistGradientBoostingRegressor `loss`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum RegressionLoss {
    #[default]
    SquaredError,
    AbsoluteError,
    Quantile,
}

impl RegressionLoss {
    fn is_squared_error(&self) -> bool {
        *self == RegressionLoss::SquaredError
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Boosted {
    pub loss: Loss,
    /// Raw scores per output before any tree (len = outputs).
    pub init: Vec<f64>,
    /// Round-major: the tree of output k in round t is trees[t * outputs + k].
    pub trees: Vec<LeafwiseTree>,
    /// Per encoded column: total split gain and number of splits.
    pub gain: Vec<f64>,
    pub splits: Vec<u32>,
    /// Rounds kept (after early stopping) and rounds run.
    pub rounds: usize,
    pub rounds_run: usize,
    /// Per round run: the training loss (on at most CURVE_ROWS training rows) and the
    /// validation loss (with validation rows); not stored.
    #[serde(skip)]
    pub curve: Curve,
}

/// Training rows the learning curve's training loss is measured on at most (evenly spaced).
const CURVE_ROWS: usize = 10_000;

impl Boosted {
    pub fn outputs(&self) -> usize {
        self.init.len()
    }

    /// Raw scores of a row into `out` (len = outputs).
    pub fn raw(&self, x: &[f64], out: &mut [f64]) {
        let k = self.outputs().max(1);
        out.iter_mut().zip(&self.init).for_each(|(o, i)| *o = *i);
        for (t, tree) in self.trees.iter().enumerate() {
            if let Some(o) = out.get_mut(t % k) {
                *o += tree.predict(x);
            }
        }
    }

    /// Path-based contributions (Saabas): per output, the base score (initial score plus the
    /// trees' root values) and each encoded column's share of the raw score, so that
    /// base + sum(contributions) = the raw score (log-odds, class score or value).
    pub fn contributions(&self, x: &[f64], p: usize) -> Vec<(f64, Vec<f64>)> {
        let k = self.outputs().max(1);
        let mut out: Vec<(f64, Vec<f64>)> = self.init.iter().map(|&i| (i, vec![0.0; p])).collect();
        for (t, tree) in self.trees.iter().enumerate() {
            if let Some((base, contrib)) = out.get_mut(t % k) {
                *base += tree.path(x, |f, d| {
                    if let Some(c) = contrib.get_mut(f) {
                        *c += d;
                    }
                });
            }
        }
        out
    }

    pub fn predict_value(&self, x: &[f64]) -> f64 {
        let mut out = [0.0];
        self.raw(x, &mut out);
        out[0]
    }

    /// Class probabilities into `out` (len = classes).
    pub fn predict_proba(&self, x: &[f64], out: &mut [f64]) {
        match self.loss {
            Loss::LogLoss => {
                let mut raw = [0.0];
                self.raw(x, &mut raw);
                let p1 = sigmoid(raw[0]);
                if out.len() >= 2 {
                    out[0] = 1.0 - p1;
                    out[1] = p1;
                }
            }
            _ => {
                self.raw(x, out);
                softmax(out);
            }
        }
    }
}

/// Fits on the training rows of a row-major matrix with p columns; `valid` rows (may be empty)
/// drive early stopping.
#[allow(clippy::too_many_arguments)]
pub fn fit(
    x: &[f64],
    p: usize,
    labels: Labels,
    train: &[usize],
    valid: &[usize],
    params: &BoostParams,
    seed: u64,
    progress: &Progress,
) -> Result<Boosted> {
    fit_within(
        x,
        p,
        labels,
        (train, valid),
        params,
        None,
        seed,
        progress,
        &Budget::unlimited(),
    )
}

/// `fit`, with the trees checked against `budget` after every round (up to 100,000 rounds of
/// up to 65,536 leaves can outgrow any machine): over it, the budget's error.
#[allow(clippy::too_many_arguments)]
pub fn fit_within(
    x: &[f64],
    p: usize,
    labels: Labels,
    (train, valid): (&[usize], &[usize]),
    params: &BoostParams,
    row_weights: Option<&[f64]>,
    seed: u64,
    progress: &Progress,
    budget: &Budget,
) -> Result<Boosted> {
    let mut tree_bytes = 0usize;
    let n_train = train.len();
    if n_train == 0 || p == 0 {
        return Err(Error::data(
            "there are no training rows or no feature columns",
        ));
    }
    if params.min_samples_leaf > n_train {
        return Err(Error::param(format!(
            "hyperparameter \"min_samples_leaf\" is {} but there are only {n_train} training rows",
            params.min_samples_leaf
        )));
    }
    let (loss, k, target) = match labels {
        Labels::Values(y) => {
            let loss = match (params.loss, params.quantile) {
                (RegressionLoss::SquaredError, _) => Loss::SquaredError,
                (RegressionLoss::AbsoluteError, _) => Loss::Quantile(0.5),
                (RegressionLoss::Quantile, Some(q)) => Loss::Quantile(q),
                (RegressionLoss::Quantile, None) => {
                    return Err(Error::param(
                        "loss \"quantile\" needs hyperparameter \"quantile\": the quantile to estimate, in (0, 1)",
                    ))
                }
            };
            (loss, 1, Target::Values(y))
        }
        Labels::Classes { y, n_classes } if n_classes <= 2 => {
            (Loss::LogLoss, 1, Target::Classes(y))
        }
        Labels::Classes { y, n_classes } => (Loss::Softmax, n_classes, Target::Classes(y)),
    };
    // Each row's weight: class_weight × options.weight_column (empty: every row 1), applied
    // to its gradient and hessian, the initial score, quantile leaves and the validation loss,
    // as sample weights in scikit-learn's HistGradientBoosting*.
    let rw: &[f64] = row_weights.unwrap_or(&[]);
    let weight = |r: usize| rw.get(r).copied().unwrap_or(1.0);
    let binned = binning::bin(x, p, train, params.max_bins, seed);
    let n_all = binned.n_rows;
    // Initial raw scores: the mean (the quantile), the log-odds, or the log class priors.
    let init: Vec<f64> = match &target {
        Target::Values(y) => match loss {
            Loss::Quantile(a) => vec![quantile_of(
                &mut train.iter().map(|&r| (y[r], weight(r))).collect::<Vec<_>>(),
                a,
                rw.is_empty(),
            )],
            _ => {
                let (sum, total) = train.iter().fold((0.0, 0.0), |(s, t), &r| {
                    (s + weight(r) * y[r], t + weight(r))
                });
                vec![sum / total.max(f64::MIN_POSITIVE)]
            }
        },
        Target::Classes(y) => {
            // Class priors, weighted.
            let mut counts = vec![0.0f64; k.max(2)];
            for &r in train {
                if let Some(c) = counts.get_mut(y[r]) {
                    *c += weight(r);
                }
            }
            let total: f64 = counts.iter().sum();
            let prior = |c: usize| (counts[c] / total).clamp(1e-15, 1.0 - 1e-15);
            if loss == Loss::LogLoss {
                vec![(prior(1) / prior(0)).ln()]
            } else {
                (0..k).map(|c| prior(c).ln()).collect()
            }
        }
    };
    let mut raw: Vec<f64> = (0..n_all).flat_map(|_| init.iter().copied()).collect();
    let mut grad = vec![vec![0.0; n_all]; k];
    let mut hess = vec![vec![0.0; n_all]; k];
    let grow = GrowParams {
        num_leaves: params.num_leaves,
        max_depth: params.max_depth,
        min_samples_leaf: params.min_samples_leaf,
        min_hessian: 1e-3,
        l2: params.l2_regularization,
        shrinkage: params.learning_rate,
    };
    let mut importance = Importance {
        gain: vec![0.0; p],
        splits: vec![0; p],
    };
    let mut trees: Vec<LeafwiseTree> = Vec::new();
    let mut rng = Rng::new(seed);
    let n_sample = ((params.subsample * n_train as f64).round() as usize).clamp(1, n_train);
    let mut best = (f64::INFINITY, 0usize);
    let mut rounds_run = 0;
    let mut curve = Curve::default();
    let curve_rows: Vec<usize> = if train.len() > CURVE_ROWS {
        (0..CURVE_ROWS)
            .filter_map(|i| train.get(i * train.len() / CURVE_ROWS).copied())
            .collect()
    } else {
        train.to_vec()
    };
    let mut pos: Vec<usize> = train.to_vec();
    // Trees read their rows in ascending order (forward through the bin columns).
    let mut sorted_train: Vec<u32> = train.iter().map(|&r| r as u32).collect();
    sorted_train.sort_unstable();
    for round in 0..params.n_estimators {
        progress.check()?;
        // Gradients and hessians at the current scores (training rows only).
        gradients(loss, &target, &raw, k, train, &mut grad, &mut hess);
        if !rw.is_empty() {
            for &r in train {
                let w = weight(r);
                for c in 0..k {
                    grad[c][r] *= w;
                    hess[c][r] *= w;
                }
            }
        }
        let sample: Vec<u32> = if n_sample < n_train {
            for i in 0..n_sample {
                let j = i + rng.below(n_train - i);
                pos.swap(i, j);
            }
            let mut s: Vec<u32> = pos[..n_sample].iter().map(|&r| r as u32).collect();
            s.sort_unstable();
            s
        } else {
            sorted_train.clone()
        };
        let grown: Vec<(LeafwiseTree, Vec<LeafRows>, Vec<u32>, Importance)> = (0..k)
            .into_par_iter()
            .map(|c| {
                let mut rows = sample.clone();
                let mut imp = Importance {
                    gain: vec![0.0; p],
                    splits: vec![0; p],
                };
                let (t, leaves) =
                    leafwise::grow(&binned, &mut rows, &grad[c], &hess[c], &grow, &mut imp);
                (t, leaves, rows, imp)
            })
            .collect();
        let unsampled: Vec<usize> = if n_sample < n_train {
            pos[n_sample..].to_vec()
        } else {
            Vec::new()
        };
        for (c, (mut tree, mut leaves, rows, imp)) in grown.into_iter().enumerate() {
            if let (Loss::Quantile(a), Target::Values(y)) = (loss, &target) {
                // Each leaf outputs the (weighted) quantile of its rows' residuals, shrunk.
                let mut residuals = Vec::new();
                for l in &mut leaves {
                    residuals.clear();
                    residuals.extend(rows[l.start..l.end].iter().map(|&r| {
                        let r = r as usize;
                        (y[r] - raw[r], weight(r))
                    }));
                    l.value = params.learning_rate * quantile_of(&mut residuals, a, rw.is_empty());
                    if let Some(node) = tree.nodes.get_mut(l.node) {
                        node.value = l.value;
                    }
                }
            }
            // Sampled rows: by the leaf they ended in; the others by walking the tree.
            for l in &leaves {
                for &r in &rows[l.start..l.end] {
                    raw[r as usize * k + c] += l.value;
                }
            }
            update_scores(&binned, &tree, &mut raw, k, c, &unsampled, valid);
            importance
                .gain
                .iter_mut()
                .zip(&imp.gain)
                .for_each(|(a, b)| *a += b);
            importance
                .splits
                .iter_mut()
                .zip(&imp.splits)
                .for_each(|(a, b)| *a += b);
            tree_bytes += std::mem::size_of_val(tree.nodes.as_slice());
            trees.push(tree);
        }
        budget.check("growing the boosting trees", tree_bytes)?;
        rounds_run = round + 1;
        progress.done.fetch_add(1, Ordering::Relaxed);
        curve
            .train
            .push(mean_loss(loss, &target, &raw, k, &curve_rows, rw));
        let valid_loss = (!valid.is_empty()).then(|| mean_loss(loss, &target, &raw, k, valid, rw));
        curve.validation.extend(valid_loss);
        if let (true, Some(l)) = (params.n_iter_no_change > 0, valid_loss) {
            if best.1 == 0 || l < best.0 - 1e-7 * best.0.abs().max(1.0) {
                best = (l, rounds_run);
            } else if rounds_run - best.1 >= params.n_iter_no_change {
                break;
            }
        }
    }
    let rounds = if params.n_iter_no_change > 0 && !valid.is_empty() && best.1 > 0 {
        best.1
    } else {
        rounds_run
    };
    trees.truncate(rounds * k);
    Ok(Boosted {
        loss,
        init,
        trees,
        gain: importance.gain,
        splits: importance.splits,
        rounds,
        rounds_run,
        curve,
    })
}

/// Adds a new tree's outputs to the raw scores of the training and validation rows.
fn update_scores(
    b: &Binned,
    tree: &LeafwiseTree,
    raw: &mut [f64],
    k: usize,
    c: usize,
    train: &[usize],
    valid: &[usize],
) {
    for &r in train.iter().chain(valid) {
        raw[r * k + c] += tree.predict_binned(b, r);
    }
}

impl Predict for Boosted {
    fn validate(&self, shape: Shape) -> Checked {
        let outputs = match self.loss {
            Loss::SquaredError => (1, 1),
            Loss::Quantile(a) => {
                ensure(a > 0.0 && a < 1.0, || {
                    format!("quantile {a} outside (0, 1)")
                })?;
                (1, 1)
            }
            Loss::LogLoss => (1, 2),
            Loss::Softmax => (shape.outputs, shape.outputs),
        };
        ensure(
            self.init.len() == outputs.0 && shape.outputs == outputs.1,
            || {
                format!(
                    "{} initial scores for {} outputs",
                    self.init.len(),
                    shape.outputs
                )
            },
        )?;
        finite(&self.init, "the initial scores")?;
        ensure(
            self.gain.len() <= shape.inputs && self.splits.len() <= shape.inputs,
            || "gains of more columns than the inputs".into(),
        )?;
        for (t, tree) in self.trees.iter().enumerate() {
            tree.check(shape.inputs, &format!("tree {t}"))?;
        }
        Ok(())
    }

    fn predict_value(&self, x: &[f64]) -> f64 {
        Boosted::predict_value(self, x)
    }

    fn predict_proba(&self, x: &[f64], out: &mut [f64]) {
        Boosted::predict_proba(self, x, out)
    }

    fn fit_summary(&self) -> Option<serde_json::Value> {
        let mut out = serde_json::json!({
            "rounds": self.rounds,
            "rounds_run": self.rounds_run,
            "trees": self.trees.len(),
        });
        if let Some(c) = self.curve.to_json("train_loss", "validation_loss") {
            out["curve"] = c;
        }
        Some(out)
    }

    fn importance(&self) -> Option<(Vec<f64>, Vec<u32>)> {
        Some((self.gain.clone(), self.splits.clone()))
    }

    fn explain(&self, x: &[f64], p: usize) -> Explained {
        Explained::Parts {
            raw: true,
            method: Method::Path,
            parts: self.contributions(x, p),
        }
    }
}

#[cfg(test)]
mod tests;
