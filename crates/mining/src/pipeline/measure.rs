//! Measuring a fitted model on the prepared rows: its predictions for some rows, their
//! metrics against the target, and the training rows' metrics with the profile of the
//! predictions kept for drift checks.

use serde_json::{json, Value};

use crate::common::error::Result;
use crate::common::numeric::class_at_threshold;
use crate::common::progress::Progress;
use crate::evaluation::drift;
use crate::evaluation::evaluate::{class_column, prediction_column, value_column};
use crate::evaluation::metrics::{self, Metrics};
use crate::evaluation::scores;
use crate::model::fitted::Fitted;
use crate::pipeline::encoded;
use crate::pipeline::prepared::{Prepared, Target};

/// What a supervised model predicts for some rows.
pub(super) enum Predicted {
    Classes(Vec<usize>),
    Values(Vec<f64>),
}

impl Prepared {
    /// Metrics of a fitted model on the given rows, as JSON. Pure computation; stops when
    /// `stop` is cancelled.
    pub fn measure_json(&self, fitted: &Fitted, rows: &[usize], stop: &Progress) -> Result<Value> {
        match self.target {
            Target::None => crate::evaluation::unsupervised::measure(
                self.task,
                fitted,
                &self.x,
                self.n_cols.max(1),
                rows,
                self.seed,
                stop,
            ),
            _ => Ok(json!(self.measure(fitted, rows, stop)?)),
        }
    }

    /// Metrics of a supervised model on the given rows. Pure computation.
    pub fn measure(&self, fitted: &Fitted, rows: &[usize], stop: &Progress) -> Result<Metrics> {
        self.measure_x(self.source(), fitted, rows, stop)
    }

    /// The prepared rows, dense or binned.
    pub(super) fn source(&self) -> encoded::Source<'_> {
        match &self.binned {
            Some(b) => encoded::Source::Binned(b),
            None => encoded::Source::Dense(&self.x, self.n_cols),
        }
    }

    /// The label or value metrics of `rows`, and for a classifier its probability metrics
    /// (log_loss, roc_auc, pr_auc, brier; evaluation/scores.rs). The training rows are measured
    /// by `measure_train` instead, with labels only.
    pub(super) fn measure_x(
        &self,
        x: encoded::Source,
        fitted: &Fitted,
        rows: &[usize],
        stop: &Progress,
    ) -> Result<Metrics> {
        if let Target::Classes { y, n_classes } = &self.target {
            let (classes, mut proba) = x.classes_and_probas_at(fitted, rows, *n_classes, stop)?;
            let classes = self.calibrated_classes(classes, &mut proba);
            let mut m = self.metrics_of(rows, &Predicted::Classes(classes));
            let actual: Vec<usize> = rows.iter().map(|&r| y[r]).collect();
            m.extend(scores::probability_metrics(&actual, &proba, *n_classes));
            return Ok(m);
        }
        Ok(self
            .predict_rows(x, fitted, rows, stop)?
            .map_or_else(Metrics::new, |p| self.metrics_of(rows, &p)))
    }

    /// A supervised model's predictions for `rows` (None without a target).
    pub(super) fn predict_rows(
        &self,
        x: encoded::Source,
        fitted: &Fitted,
        rows: &[usize],
        stop: &Progress,
    ) -> Result<Option<Predicted>> {
        Ok(match &self.target {
            Target::Classes { n_classes, .. }
                if self.threshold.get().is_some() || self.calibration.get().is_some() =>
            {
                let (classes, mut proba) =
                    x.classes_and_probas_at(fitted, rows, *n_classes, stop)?;
                Some(Predicted::Classes(
                    self.calibrated_classes(classes, &mut proba),
                ))
            }
            Target::Classes { n_classes, .. } => Some(Predicted::Classes(
                x.classes_at(fitted, rows, *n_classes, stop)?,
            )),
            Target::Values(_) => Some(Predicted::Values(x.values_at(fitted, rows, stop)?)),
            Target::None => None,
        })
    }

    /// The classes as the model predicts them once its decision threshold is chosen: the
    /// second of two classes where its probability is at least the threshold.
    fn at_threshold(&self, classes: Vec<usize>, proba: &[f64]) -> Vec<usize> {
        match (self.threshold.get(), &self.target) {
            (Some(&t), Target::Classes { n_classes: 2, .. }) => proba
                .chunks_exact(2)
                .map(|r| class_at_threshold(r, t))
                .collect(),
            _ => classes,
        }
    }

    /// The probabilities calibrated in place (once a calibration is fitted) and the classes as
    /// the model then labels rows: at its threshold, or the most probable calibrated class.
    fn calibrated_classes(&self, classes: Vec<usize>, proba: &mut [f64]) -> Vec<usize> {
        let Some(c) = self.calibration.get() else {
            return self.at_threshold(classes, proba);
        };
        c.apply_rows(proba);
        let argmax: Vec<usize> = proba
            .chunks_exact(2)
            .map(|r| crate::common::numeric::argmax(r.iter()))
            .collect();
        self.at_threshold(argmax, proba)
    }

    /// Metrics of predictions for `rows` against the target.
    pub(super) fn metrics_of(&self, rows: &[usize], predicted: &Predicted) -> Metrics {
        match (&self.target, predicted) {
            (Target::Classes { y, n_classes }, Predicted::Classes(pred)) => {
                let actual: Vec<usize> = rows.iter().map(|&r| y[r]).collect();
                // Labels the model never saw in training have index n_classes.
                metrics::classification(&actual, pred, *n_classes)
            }
            (Target::Values(v), Predicted::Values(pred)) => {
                let actual: Vec<f64> = rows.iter().map(|&r| v[r]).collect();
                metrics::regression(&actual, pred)
            }
            _ => Metrics::new(),
        }
    }

    /// What the trivial model scores on `rows`: always the training rows' most frequent class
    /// (the first of equals) with their class shares as probabilities, or always their mean
    /// (None without a target). The baseline a model must beat to be worth deploying.
    pub(super) fn baseline(&self, rows: &[usize]) -> Option<Metrics> {
        let predicted = match &self.target {
            Target::Classes { y, n_classes } => {
                let mut counts = vec![0usize; *n_classes];
                for &r in &self.split.train {
                    if let Some(c) = counts.get_mut(y[r]) {
                        *c += 1;
                    }
                }
                let majority =
                    (0..counts.len()).fold(0, |m, c| if counts[c] > counts[m] { c } else { m });
                let n = self.split.train.len().max(1) as f64;
                let shares: Vec<f64> = counts.iter().map(|&c| c as f64 / n).collect();
                let proba: Vec<f64> = rows.iter().flat_map(|_| shares.iter().copied()).collect();
                let actual: Vec<usize> = rows.iter().map(|&r| y[r]).collect();
                let mut m = self.metrics_of(rows, &Predicted::Classes(vec![majority; rows.len()]));
                m.extend(scores::probability_metrics(&actual, &proba, *n_classes));
                return Some(m);
            }
            Target::Values(v) => {
                let n = self.split.train.len().max(1) as f64;
                let mean = self.split.train.iter().map(|&r| v[r]).sum::<f64>() / n;
                Predicted::Values(vec![mean; rows.len()])
            }
            Target::None => return None,
        };
        Some(self.metrics_of(rows, &predicted))
    }

    /// Metrics on the training rows and the profile of the predictions there (for drift
    /// checks), from one pass of predictions.
    pub fn measure_train(&self, fitted: &Fitted, stop: &Progress) -> Result<(Value, Value)> {
        let rows = &self.split.train;
        let (metrics, col) = match self.predict_rows(self.source(), fitted, rows, stop)? {
            Some(predicted) => {
                let metrics = json!(self.metrics_of(rows, &predicted));
                let col = match predicted {
                    Predicted::Classes(c) => class_column(c, &self.classes),
                    Predicted::Values(v) => value_column(v),
                };
                (metrics, col)
            }
            None => (
                self.measure_json(fitted, rows, stop)?,
                prediction_column(
                    fitted,
                    &self.x,
                    self.n_cols.max(1),
                    rows,
                    self.task,
                    &self.classes,
                    stop,
                )?,
            ),
        };
        let all: Vec<usize> = (0..col.len()).collect();
        Ok((
            metrics,
            json!(drift::profile(&col, &all, col.kind.is_text())),
        ))
    }
}
