//! Cross-validation and hyperparameter search on the prepared training rows.

use rayon::prelude::*;
use serde_json::Value;

use crate::common::error::{Error, Result};
use crate::common::frame::Column;
use crate::common::progress::Progress;
use crate::evaluation::metrics::Metrics;
use crate::evaluation::threshold;
use crate::evaluation::tuning::{self, Trial};
use crate::learners::TrainData;
use crate::model::calibration::Calibrator;
use crate::model::estimator::Estimator;
use crate::model::fitted::Fitted;
use crate::model::registry;
use crate::pipeline::prepared::{Prepared, Target};
use crate::prepare::preprocess::Preprocessor;
use crate::prepare::search;
use crate::prepare::threshold::Rule;

/// Base hyperparameters with a candidate's on top.
pub(super) fn merge(base: &Value, candidate: &serde_json::Map<String, Value>) -> Value {
    let mut out = base.as_object().cloned().unwrap_or_default();
    out.extend(candidate.iter().map(|(k, v)| (k.clone(), v.clone())));
    Value::Object(out)
}

/// Probabilities of the second class on rows the fit did not learn from.
pub(super) struct HeldOut {
    rows: Vec<usize>,
    score: Vec<f64>,
    on: String,
}

/// What a search found.
pub struct Searched {
    pub trials: Vec<Trial>,
    pub best: usize,
    pub estimator: Estimator,
}

impl Prepared {
    /// Folds of the training rows (stratified for classes; each group in one fold).
    pub(super) fn folds(&self, k: usize) -> Result<Vec<Vec<usize>>> {
        self.folds_seeded(k, self.seed)
    }

    fn folds_seeded(&self, k: usize, seed: u64) -> Result<Vec<Vec<usize>>> {
        let classes = match &self.target {
            Target::Classes { y, n_classes } => Some((y.as_slice(), *n_classes)),
            Target::Values(_) | Target::None => None,
        };
        tuning::folds(&self.split.train, classes, k, seed, self.groups.as_ref())
    }

    /// `repeats` rounds of k-fold metrics of `estimator`, each round's folds drawn with another
    /// seed (repeated stratified k-fold, for a steadier estimate on small data): mean and
    /// standard deviation over all k × repeats folds.
    pub fn cross_validate_repeated(
        &self,
        estimator: &Estimator,
        k: usize,
        repeats: usize,
        progress: &Progress,
    ) -> Result<Value> {
        let mut folds = Vec::with_capacity(k * repeats);
        for r in 0..repeats.max(1) {
            folds.extend(self.folds_seeded(k, self.seed.wrapping_add(r as u64))?);
        }
        let per_fold: Vec<Result<Metrics>> = folds
            .par_iter()
            .map(|f| {
                progress.check()?;
                self.fold_metrics(estimator, f, progress)
            })
            .collect();
        let per_fold: Vec<Metrics> = per_fold.into_iter().collect::<Result<_>>()?;
        Ok(tuning::summarize(&per_fold))
    }

    /// Fits on the training rows outside `held_out` (preprocessing refitted on them) and
    /// measures on `held_out`.
    fn fold_metrics(
        &self,
        estimator: &Estimator,
        held_out: &[usize],
        progress: &Progress,
    ) -> Result<Metrics> {
        let (fitted, x, width) = self.fold_fit(estimator, held_out, progress)?;
        self.measure_x(
            crate::pipeline::encoded::Source::Dense(&x, width),
            &fitted,
            held_out,
            progress,
        )
    }

    /// Held-out probabilities of the second class: the validation rows' from the fitted model,
    /// or else out-of-fold ones of the training rows (options.cv folds, 3 by default; each fold's
    /// model fitted on the others), never the test rows. Returns the rows, their scores and
    /// where they came from.
    pub(super) fn held_out_scores(
        &self,
        estimator: &Estimator,
        fitted: &Fitted,
        progress: &Progress,
    ) -> Result<HeldOut> {
        if !self.split.validation.is_empty() {
            let rows = self.split.validation.clone();
            let (_, proba) = self
                .source()
                .classes_and_probas_at(fitted, &rows, 2, progress)?;
            return Ok(HeldOut {
                rows,
                score: positive_scores(&proba),
                on: "the validation rows".to_string(),
            });
        }
        let k = self.cv.unwrap_or(3);
        let folds = self.folds(k)?;
        let parts: Vec<Result<(Vec<usize>, Vec<f64>)>> = folds
            .par_iter()
            .map(|f| {
                progress.check()?;
                let (m, x, width) = self.fold_fit(estimator, f, progress)?;
                let (_, proba) = crate::pipeline::encoded::Source::Dense(&x, width)
                    .classes_and_probas_at(&m, f, 2, progress)?;
                Ok((f.clone(), positive_scores(&proba)))
            })
            .collect();
        let (mut rows, mut score) = (Vec::new(), Vec::new());
        for part in parts {
            let (r, s) = part?;
            rows.extend(r);
            score.extend(s);
        }
        Ok(HeldOut {
            rows,
            score,
            on: format!("out-of-fold predictions of the training rows ({k} folds)"),
        })
    }

    /// Whether the run needs held-out scores (options.calibration, or a threshold to tune).
    pub(super) fn needs_held_out(&self) -> bool {
        self.calibration_method.is_some() || self.threshold_rule.is_some_and(|r| r.tuned())
    }

    /// options.calibration: fitted on the held-out scores; the report says where and the held-out
    /// Brier score before and after (in sample for the map).
    pub(super) fn calibrate(&self, held: &HeldOut) -> Result<Option<(Calibrator, Value)>> {
        let (Some(method), Target::Classes { y, .. }) = (self.calibration_method, &self.target)
        else {
            return Ok(None);
        };
        let positive: Vec<bool> = held.rows.iter().map(|&r| y[r] == 1).collect();
        let c = Calibrator::fit(method, &held.score, &positive)?;
        let calibrated: Vec<f64> = held.score.iter().map(|&p| c.apply(p)).collect();
        let before = crate::evaluation::scores::brier(&positive, &held.score);
        let after = crate::evaluation::scores::brier(&positive, &calibrated);
        let info = serde_json::json!({"method": method.name(), "fitted_on": held.on, "rows": held.rows.len(),
                                      "brier_before": before, "brier_after": after});
        Ok(Some((c, info)))
    }

    /// options.threshold: the threshold its rule picks on the held-out scores (calibrated, when
    /// the run calibrates). Returns it and where it was tuned.
    pub(super) fn tune_threshold(&self, held: Option<&HeldOut>) -> Result<Option<(f64, String)>> {
        let (Some(rule), Target::Classes { y, .. }) = (self.threshold_rule, &self.target) else {
            return Ok(None);
        };
        if let Rule::Fixed(t) = rule {
            return Ok(Some((t, "given".into())));
        }
        let Some(held) = held else {
            return Err(crate::common::error::Error::internal(
                "a threshold to tune without held-out scores",
            ));
        };
        let score: Vec<f64> = match self.calibration.get() {
            Some(c) => held.score.iter().map(|&p| c.apply(p)).collect(),
            None => held.score.clone(),
        };
        let positive: Vec<bool> = held.rows.iter().map(|&r| y[r] == 1).collect();
        Ok(Some((
            threshold::tune(rule, &positive, &score)?,
            held.on.clone(),
        )))
    }

    /// Fits on the training rows outside `held_out`, the preprocessing refitted on them: the
    /// model and the rows encoded by that preprocessing (dense, `width` columns).
    fn fold_fit(
        &self,
        estimator: &Estimator,
        held_out: &[usize],
        progress: &Progress,
    ) -> Result<(Fitted, Vec<f64>, usize)> {
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
            classes: &self.classes,
            weights: self.weights.as_deref(),
            budget: self.budget,
        };
        let fitted = estimator.fit(&data, self.seed, &progress.child())?;
        let width = prep.width();
        Ok((fitted, x, width))
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

/// The second class's column of two-class probabilities (rows × 2).
fn positive_scores(proba: &[f64]) -> Vec<f64> {
    proba.chunks_exact(2).map(|r| r[1]).collect()
}
