//! An estimator: an algorithm of the registry with its hyperparameters resolved, ready to fit
//! into a `Fitted` model (made by `registry::estimator`). The learner behind it is any family's;
//! only the registry knows which.

use std::sync::Arc;

use serde_json::{json, Value};

use crate::common::error::{Error, Result};
use crate::common::progress::Progress;
use crate::learners::{Algorithm, Learner, Preprocessing, TrainData};
use crate::model::fitted::Fitted;

/// A learner with its fitted model turned into `Fitted`, whatever its family.
pub trait Fit: std::fmt::Debug + Send + Sync {
    fn fit(&self, data: &TrainData, seed: u64, progress: &Progress) -> Result<Fitted>;
    fn work_units(&self) -> usize;
    fn binning_seed(&self, seed: u64) -> Option<u64>;
    fn sample_weights(&self) -> bool;
    fn params_json(&self) -> Value;
}

impl<L: Learner> Fit for L
where
    L::Model: Into<Fitted>,
{
    fn fit(&self, data: &TrainData, seed: u64, progress: &Progress) -> Result<Fitted> {
        Learner::fit(self, data, seed, progress).map(Into::into)
    }

    fn work_units(&self) -> usize {
        Learner::work_units(self)
    }

    fn binning_seed(&self, seed: u64) -> Option<u64> {
        Learner::binning_seed(self, seed)
    }

    fn sample_weights(&self) -> bool {
        Learner::sample_weights(self)
    }

    fn params_json(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

#[derive(Debug, Clone)]
pub struct Estimator {
    pub algorithm: &'static Algorithm,
    learner: Arc<dyn Fit>,
}

impl PartialEq for Estimator {
    fn eq(&self, other: &Estimator) -> bool {
        self.algorithm.name == other.algorithm.name && self.to_json() == other.to_json()
    }
}

impl Estimator {
    pub(crate) fn new(algorithm: &'static Algorithm, learner: Arc<dyn Fit>) -> Estimator {
        Estimator { algorithm, learner }
    }

    pub fn name(&self) -> &'static str {
        self.algorithm.name
    }

    pub fn preprocessing(&self) -> Preprocessing {
        self.algorithm.preprocessing
    }

    /// The hyperparameters as stored in dm.models, every default filled in.
    pub fn to_json(&self) -> Value {
        json!({ self.algorithm.stored_as: self.learner.params_json() })
    }

    /// For learners that can train on binned rows, the seed their binning uses.
    pub fn binning_seed(&self, seed: u64) -> Option<u64> {
        self.learner.binning_seed(seed)
    }

    /// Whether the learner weighs rows by options.weight_column.
    pub fn takes_sample_weights(&self) -> bool {
        self.learner.sample_weights()
    }

    /// Units of work `fit` reports through Progress (trees, rounds), for progress messages.
    pub fn work_units(&self) -> usize {
        self.learner.work_units()
    }

    /// Fits on `data`. Runs on a pool thread: never touches Postgres.
    pub fn fit(&self, data: &TrainData, seed: u64, progress: &Progress) -> Result<Fitted> {
        if data.rows.is_empty() {
            return Err(Error::data("no training rows"));
        }
        if data.binned.is_some() && self.binning_seed(seed).is_none() {
            return Err(Error::internal(
                "this learner needs its rows as floats, not binned",
            ));
        }
        if data.weights.is_some() && !self.takes_sample_weights() {
            return Err(Error::param(format!(
                "{} takes no sample weights (options.weight_column)",
                self.name()
            )));
        }
        self.learner.fit(data, seed, progress)
    }
}
