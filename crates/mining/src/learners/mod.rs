//! The learners, one folder per family. Each family's `mod.rs` declares its registry entries
//! (`Entry`: names, tasks, hyperparameter spec, default preprocessing, whether `auto` tries it)
//! beside its `Learner` implementations; the algorithm itself lives in the family's other files.
//! This file is the contract every family implements; a learner never imports another family.

use serde::Serialize;
use serde_json::Value;

use crate::common::budget::Budget;
use crate::common::error::{Error, Result};
use crate::common::numeric::argmax;
use crate::common::progress::Progress;
use crate::common::task::{Labels, Task};
use spec::{Hyper, Param};
use trees::binning::Binned;

pub mod anomaly;
pub mod class_weight;
pub mod cluster;
pub mod decomposition;
pub mod knn;
pub mod linear;
pub mod mlp;
pub mod naive_bayes;
pub mod spec;
pub mod svm;
pub mod trees;

/// An algorithm as the registry lists it.
#[derive(Debug)]
pub struct Algorithm {
    /// The name dm_train takes.
    pub name: &'static str,
    /// One line for the docs.
    pub summary: &'static str,
    pub tasks: &'static [Task],
    /// Hyperparameters, in groups shared between algorithms (e.g. every tree's), in order.
    pub params: &'static [&'static [Param]],
    pub preprocessing: Preprocessing,
    pub auto: Auto,
    /// The key of its hyperparameters in dm.models.hyperparams (as first stored).
    pub stored_as: &'static str,
}

/// What an algorithm's inputs get unless options.preprocess says otherwise.
#[derive(Debug, Clone, Copy)]
pub struct Preprocessing {
    /// Standard scaling (learners that compare distances or weights).
    pub scale: bool,
    /// Missing numbers are left to the learner (binned trees route them), not imputed.
    pub routes_missing: bool,
}

/// Whether `auto` may pick the algorithm.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Auto {
    No,
    /// A candidate of `auto` for a target: tried cheapest (lowest cost) first, skipped past
    /// `max_rows` training rows. `around`: a few hyperparameter settings near the defaults (each
    /// a JSON object), tried after the defaults when the family is among the two best.
    Candidate {
        cost: u8,
        max_rows: Option<usize>,
        around: &'static [&'static str],
    },
    /// What `auto` means for its task when there is no target.
    TaskDefault,
}

/// A registry entry: the algorithm and how its parsed hyperparameters become a learner.
pub struct Entry<L> {
    pub algorithm: Algorithm,
    pub build: fn(&Hyper, Task) -> Result<L>,
}

impl<L> Entry<L> {
    /// The learner with every hyperparameter at its declared default.
    pub fn defaults(&self, task: Task) -> Result<L> {
        let a = &self.algorithm;
        let hyper = Hyper::parse(a.name, a.params, task, &Value::Null)?;
        (self.build)(&hyper, task)
    }
}

/// An algorithm with its resolved hyperparameters. Its JSON (serde) is what dm.models stores
/// under `Algorithm::stored_as`.
pub trait Learner: std::fmt::Debug + Clone + Serialize + Send + Sync + 'static {
    /// What fitting produces.
    type Model;

    /// Fits on `data`. Runs on a pool thread: pure computation, never Postgres.
    fn fit(&self, data: &TrainData, seed: u64, progress: &Progress) -> Result<Self::Model>;

    /// Units of work `fit` reports through `Progress::tick` (trees, rounds, restarts).
    fn work_units(&self) -> usize {
        0
    }

    /// For learners that can train on binned rows (trees and forests), the seed their binning
    /// uses: rows binned with it give the model the dense rows would, without the float matrix.
    fn binning_seed(&self, _seed: u64) -> Option<u64> {
        None
    }

    /// Whether `fit` weighs the rows by `TrainData::weights` (options.weight_column).
    fn sample_weights(&self) -> bool {
        false
    }
}

/// Data handed to `fit`: a row-major matrix (or the rows binned) and the labels.
pub struct TrainData<'a> {
    /// Row-major rows × n_cols; empty when the rows come binned.
    pub x: &'a [f64],
    /// The rows binned instead (learners with a `binning_seed` only).
    pub binned: Option<&'a Binned>,
    pub n_cols: usize,
    /// The training rows (positions in `x`).
    pub rows: &'a [usize],
    /// Rows for early stopping (learners that use them); may be empty.
    pub validation: &'a [usize],
    /// One-hot encoded text columns as (first column, width), for learners that treat a
    /// category as one feature (naive Bayes).
    pub one_hot: &'a [(usize, usize)],
    /// None for learners without a target.
    pub labels: Option<Labels<'a>>,
    /// A classification's class labels in their text form, in class order (empty otherwise):
    /// what a class_weight map names.
    pub classes: &'a [String],
    /// options.weight_column: each row's sample weight, indexed like the rows of `x` (None:
    /// every row weighs 1). Only learners whose `sample_weights` is true get them.
    pub weights: Option<&'a [f64]>,
    /// What the learner's own large allocations are checked against.
    pub budget: Budget,
}

/// class_weight "balanced" per class, as scikit-learn: rows / (classes × rows of the class),
/// counted over `rows` (a class without rows weighs 1).
pub fn balanced_class_weights(y: &[usize], rows: &[usize], n_classes: usize) -> Vec<f64> {
    let mut count = vec![0usize; n_classes];
    for &r in rows {
        if let Some(k) = y.get(r).and_then(|&c| count.get_mut(c)) {
            *k += 1;
        }
    }
    count
        .iter()
        .map(|&k| {
            if k > 0 {
                rows.len() as f64 / (n_classes as f64 * k as f64)
            } else {
                1.0
            }
        })
        .collect()
}

impl TrainData<'_> {
    /// The labels of a supervised learner.
    pub fn labels(&self) -> Result<Labels<'_>> {
        self.labels
            .ok_or_else(|| Error::internal("a supervised learner got no labels"))
    }

    /// The training rows as one dense row-major block (checked against the budget).
    pub fn gather(&self) -> Result<Vec<f64>> {
        self.budget.check_items(
            "copying the training rows",
            self.rows.len() * self.n_cols,
            8,
        )?;
        Ok(self.gather_unchecked())
    }

    fn gather_unchecked(&self) -> Vec<f64> {
        let p = self.n_cols;
        let mut out = Vec::with_capacity(self.rows.len() * p);
        for &r in self.rows {
            out.extend_from_slice(&self.x[r * p..(r + 1) * p]);
        }
        out
    }

    /// The training rows' values (regression).
    pub fn values(&self) -> Result<Vec<f64>> {
        match self.labels()? {
            Labels::Values(y) => Ok(self.rows.iter().map(|&r| y[r]).collect()),
            Labels::Classes { .. } => Err(Error::internal("a regressor got class labels")),
        }
    }

    /// The training rows' classes and the number of classes (classification).
    pub fn classes(&self) -> Result<(Vec<usize>, usize)> {
        match self.labels()? {
            Labels::Classes { y, n_classes } => {
                Ok((self.rows.iter().map(|&r| y[r]).collect(), n_classes))
            }
            Labels::Values(_) => Err(Error::internal("a classifier got values")),
        }
    }
}

/// What a stored model must agree with: its encoded input columns and its outputs (classes, 1
/// for a value, 0 for models without a target).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Shape {
    pub inputs: usize,
    pub outputs: usize,
}

/// The outcome of `Predict::validate`: what is wrong, in words, for the corrupt-model ERROR.
pub type Checked = std::result::Result<(), String>;

/// An error of `Predict::validate` unless `ok`.
pub fn ensure(ok: bool, why: impl FnOnce() -> String) -> Checked {
    if ok {
        Ok(())
    } else {
        Err(why())
    }
}

/// A tree node's child must come after its parent and inside the tree, so that every walk
/// ends (`what`: the tree, for the message).
pub fn child_after(parent: usize, child: u32, nodes: usize, what: &str) -> Checked {
    let c = child as usize;
    ensure(c > parent && c < nodes, || {
        format!("{what}: node {parent} points to node {c} of {nodes}")
    })
}

/// All values finite.
pub fn finite(values: &[f64], what: &str) -> Checked {
    ensure(values.iter().all(|v| v.is_finite()), || {
        format!("{what} holds a value that is not finite")
    })
}

/// What a fitted model of any family does with one preprocessed row. A family implements what
/// its task needs; the rest keeps the defaults (NaN, nothing).
pub trait Predict {
    /// Checks what scoring trusts in a model read from stored bytes: every index in range
    /// (tree children after their parent, so every walk ends), every length consistent with
    /// `shape` and with the others, the sizes a scoring step allocates from. No default: a
    /// new kind of model says what it trusts.
    fn validate(&self, shape: Shape) -> Checked;

    /// Regression: the value.
    fn predict_value(&self, _x: &[f64]) -> f64 {
        f64::NAN
    }

    /// Classification: class probabilities into `out` (len = number of classes).
    fn predict_proba(&self, _x: &[f64], out: &mut [f64]) {
        out.iter_mut().for_each(|o| *o = f64::NAN);
    }

    /// The predicted class (`out`: scratch, len = classes): the argmax of the probabilities
    /// unless the model decides otherwise (an SVM votes over class pairs).
    fn predict_class(&self, x: &[f64], out: &mut [f64]) -> usize {
        self.predict_proba(x, out);
        argmax(&*out)
    }

    /// Whether `predict_class` is the argmax of `predict_proba` (so one pass of probabilities
    /// gives both); false where the model decides otherwise.
    fn class_is_argmax(&self) -> bool {
        true
    }

    /// Clustering: the cluster (-1: noise).
    fn cluster(&self, _x: &[f64]) -> Option<i64> {
        None
    }

    /// Anomaly detection: the score in (0, 1] and whether it is past the threshold.
    fn anomaly(&self, _x: &[f64]) -> Option<(f64, bool)> {
        None
    }

    /// Decomposition: the number of output components.
    fn n_outputs(&self) -> usize {
        0
    }

    /// Decomposition: the components into `out` (len = n_outputs).
    fn transform(&self, _x: &[f64], _out: &mut [f64]) {}

    /// What fitting decided that the hyperparameters did not say, for the training report.
    fn fit_summary(&self) -> Option<Value> {
        None
    }

    /// Per encoded column: the split gain and the number of splits (tree models).
    fn importance(&self) -> Option<(Vec<f64>, Vec<u32>)> {
        None
    }

    /// Why the model scores a row as it does (`p`: encoded columns).
    fn explain(&self, _x: &[f64], _p: usize) -> Explained {
        Explained::NotSupported
    }

    /// Builds what makes scoring many rows faster, for a model loaded to score.
    fn prepare_scoring(&self) {}
}

/// A learner's losses per round or epoch as it trained (boosting: training and validation
/// loss; mlp: training loss and validation score), for the learning curve in the training
/// report. Kept in memory only (not in the model bytes, `#[serde(skip)]`), and equal to any
/// other curve, so that a model read back from its bytes equals the one that was stored.
#[derive(Debug, Clone, Default)]
pub struct Curve {
    pub train: Vec<f64>,
    pub validation: Vec<f64>,
}

impl PartialEq for Curve {
    fn eq(&self, _: &Curve) -> bool {
        true
    }
}

impl Curve {
    /// The curve as the training report keeps it, under the given names (None: empty).
    pub fn to_json(&self, train: &str, validation: &str) -> Option<serde_json::Value> {
        if self.train.is_empty() {
            return None;
        }
        let finite = |v: &[f64]| -> Vec<Option<f64>> {
            v.iter().map(|x| x.is_finite().then_some(*x)).collect()
        };
        let mut out = serde_json::Map::new();
        out.insert(train.into(), serde_json::json!(finite(&self.train)));
        if !self.validation.is_empty() {
            out.insert(
                validation.into(),
                serde_json::json!(finite(&self.validation)),
            );
        }
        Some(serde_json::Value::Object(out))
    }
}

/// An explanation of one row's prediction.
#[derive(Debug, Clone, PartialEq)]
pub enum Explained {
    /// This kind of model has no explanations.
    NotSupported,
    /// The model lacks what explanations need (trained by an older pg_mining).
    Retrain,
    /// Per output: (base, contribution of each encoded column), base + contributions = the
    /// output; `raw`: the outputs are raw scores (log-odds, class scores before softmax, or
    /// the value), not probabilities.
    Parts {
        raw: bool,
        method: Method,
        parts: Vec<(f64, Vec<f64>)>,
    },
}

/// How an explanation's contributions were computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Exact SHAP values (path-dependent TreeSHAP; trees/shap.rs).
    TreeShap,
    /// Each split on the row's path credits its feature with the change of the node output.
    Path,
}

impl Method {
    /// The name `dm_explain` reports.
    pub fn name(self) -> &'static str {
        match self {
            Method::TreeShap => "tree_shap",
            Method::Path => "path",
        }
    }
}

#[cfg(test)]
mod sample_weight_tests;
