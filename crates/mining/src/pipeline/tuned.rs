//! Cross-validation and hyperparameter search on the prepared training rows.

use rayon::prelude::*;
use serde_json::Value;

use crate::common::error::{Error, Result};
use crate::common::frame::Column;
use crate::common::progress::Progress;
use crate::evaluation::metrics::Metrics;
use crate::evaluation::tuning::{self, Trial};
use crate::learners::TrainData;
use crate::model::estimator::Estimator;
use crate::model::registry;
use crate::pipeline::prepared::{Prepared, Target};
use crate::prepare::preprocess::Preprocessor;
use crate::prepare::search;

/// Base hyperparameters with a candidate's on top.
pub(super) fn merge(base: &Value, candidate: &serde_json::Map<String, Value>) -> Value {
    let mut out = base.as_object().cloned().unwrap_or_default();
    out.extend(candidate.iter().map(|(k, v)| (k.clone(), v.clone())));
    Value::Object(out)
}

/// What a search found.
pub struct Searched {
    pub trials: Vec<Trial>,
    pub best: usize,
    pub estimator: Estimator,
}

impl Prepared {
    /// Folds of the training rows (stratified for classes).
    fn folds(&self, k: usize) -> Result<Vec<Vec<usize>>> {
        let classes = match &self.target {
            Target::Classes { y, n_classes } => Some((y.as_slice(), *n_classes)),
            Target::Values(_) | Target::None => None,
        };
        tuning::folds(&self.split.train, classes, k, self.seed)
    }

    /// Fits on the training rows outside `held_out` (preprocessing refitted on them) and
    /// measures on `held_out`.
    fn fold_metrics(
        &self,
        estimator: &Estimator,
        held_out: &[usize],
        progress: &Progress,
    ) -> Result<Metrics> {
        let keep: std::collections::HashSet<usize> = held_out.iter().copied().collect();
        let train: Vec<usize> = self
            .split
            .train
            .iter()
            .copied()
            .filter(|r| !keep.contains(r))
            .collect();
        let cols: Vec<&Column> = self.columns.iter().collect();
        let (prep, _) = Preprocessor::fit(&cols, &train, &self.choices, self.defaults)?;
        let all: Vec<usize> = (0..self.columns.first().map_or(0, Column::len)).collect();
        self.budget
            .check_items("encoding a fold's rows", all.len(), prep.width() * 8)?;
        let x = prep.transform_columns(&cols, &all)?;
        let data = TrainData {
            x: &x,
            binned: None,
            n_cols: prep.width(),
            rows: &train,
            validation: &self.split.validation,
            one_hot: &prep.one_hot_groups(),
            labels: self.labels(),
            budget: self.budget,
        };
        let fitted = estimator.fit(&data, self.seed, &progress.child())?;
        self.measure_x(
            crate::pipeline::encoded::Source::Dense(&x, prep.width()),
            &fitted,
            held_out,
            progress,
        )
    }

    /// options.cv: k-fold metrics of `estimator` (mean and standard deviation).
    pub fn cross_validate(
        &self,
        estimator: &Estimator,
        progress: &Progress,
    ) -> Result<Option<Value>> {
        let Some(k) = self.cv else { return Ok(None) };
        let folds = self.folds(k)?;
        let per_fold: Vec<Result<Metrics>> = folds
            .par_iter()
            .map(|f| {
                progress.check()?;
                let m = self.fold_metrics(estimator, f, progress);
                progress
                    .done
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                m
            })
            .collect();
        let per_fold: Vec<Metrics> = per_fold.into_iter().collect::<Result<_>>()?;
        Ok(Some(tuning::summarize(&per_fold)))
    }

    /// options.search: every candidate scored by k-fold CV on the training rows, by the run's
    /// metric (options.metric).
    pub fn search(&self, progress: &Progress) -> Result<Option<Searched>> {
        let Some(spec) = &self.search else {
            return Ok(None);
        };
        let candidates = search::candidates(spec, self.seed)?;
        let estimators: Vec<Estimator> = candidates
            .iter()
            .map(|c| registry::estimator(&self.algorithm, self.task, &merge(&self.hyperparams, c)))
            .collect::<Result<_>>()?;
        let folds = self.folds(spec.folds)?;
        let objective = self.objective;
        let trials = tuning::run_trials(&candidates, folds.len(), progress, |c, f| {
            let m = self.fold_metrics(&estimators[c], &folds[f], progress)?;
            Ok(m.get(objective.name).copied().unwrap_or(f64::NAN))
        })?;
        let best = objective
            .best(trials.iter().map(|t| t.mean))
            .ok_or_else(|| Error::internal("no trial finished"))?;
        Ok(Some(Searched {
            estimator: estimators[best].clone(),
            trials,
            best,
        }))
    }
}
