//! The steps of a training run after `prepare`, as the extension calls them: `fit_and_measure`
//! (pure computation, on the pool), then `complete`, which assembles the stored model and its
//! report and words what the run says to the user (NOTICE and WARNING lines) in order.

use std::time::Instant;

use serde_json::{json, Value};

use crate::common::error::Result;
use crate::common::progress::Progress;
use crate::common::task::Task;
use crate::model::estimator::Estimator;
use crate::model::fitted::Fitted;
use crate::model::stored::StoredModel;
use crate::pipeline::auto::AutoChoice;
use crate::pipeline::guards;
use crate::pipeline::prepared::{Prepared, Primary};
use crate::pipeline::tuned::Searched;
use crate::prepare::options::Guards;

fn ms(t: Instant) -> u64 {
    t.elapsed().as_millis() as u64
}

/// What the pool job of a training run returns.
pub struct Fitting {
    pub fitted: Fitted,
    pub estimator: Estimator,
    pub metrics: Value,
    /// A regression's held-out residuals (pipeline/intervals.rs).
    pub intervals: Option<crate::model::interval::Conformal>,
    pub searched: Option<Searched>,
    pub suspects: Vec<String>,
    pub prediction_profile: Value,
    pub fit_ms: u64,
    pub evaluate_ms: u64,
}

/// How long the steps before the fit took.
pub struct Timings {
    pub read_ms: u64,
    pub prepare_ms: u64,
    pub started: Instant,
}

/// A line for the user.
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    Notice(String),
    Warning(String),
}

/// A finished training run, ready to store.
pub struct Trained {
    pub model: StoredModel,
    pub report: Value,
    /// The run's metric, its value and the baseline's, which deploy "if_better" compares.
    pub primary: Primary,
    /// The resolved hyperparameters, as dm.models stores them.
    pub hyperparams: Value,
    pub searched: Option<Searched>,
    /// The keys of the rows of each part, encoded (prepare/row_keys.rs), for dm.models.row_keys.
    pub row_keys: Option<Vec<u8>>,
    /// A regression's held-out residuals (model/interval.rs), for dm.models.interval_residuals.
    pub interval_residuals: Option<Vec<f64>>,
    /// A binary classifier's calibration (model/calibration.rs), for dm.models.calibration.
    pub calibration: Option<Value>,
    /// The explanations' background (model/background.rs), for dm.models.background.
    pub background: Option<Value>,
    /// What the run says after the fit, in order.
    pub messages: Vec<Message>,
}

impl Prepared {
    /// The NOTICE before the fit.
    pub fn fitting_notice(&self, threads: usize) -> String {
        format!(
            "fitting {} on {} rows × {} columns with {threads} threads",
            self.algorithm,
            self.split.train.len(),
            self.n_cols
        )
    }

    /// Search (if asked), cross-validate (if asked), fit, measure, check for leakage. Pure
    /// computation: runs on the pool.
    pub fn fit_and_measure(&self, progress: &Progress) -> Result<Fitting> {
        // The leakage guard first: in "error" mode a leak stops the run before the fit. Its
        // time counts as evaluation.
        let t = Instant::now();
        let suspects = self.leakage_suspects(progress)?;
        if let (Guards::Error, Some(s)) = (self.guards, suspects.first()) {
            return Err(guards::stopped("leakage", s));
        }
        let leakage_ms = ms(t);
        let t = Instant::now();
        let searched = self.search(progress)?;
        let estimator = searched
            .as_ref()
            .map_or(&self.estimator, |s| &s.estimator)
            .clone();
        let cv = self.cross_validate(&estimator, progress)?;
        let fitted = self.fit_with(&estimator, progress)?;
        let held = if self.needs_held_out() {
            Some(self.held_out_scores(&estimator, &fitted, progress)?)
        } else {
            None
        };
        let calibrated = match &held {
            Some(h) => self.calibrate(h)?,
            None => None,
        };
        if let Some((c, _)) = &calibrated {
            // Set once, before the threshold is tuned and any row is measured.
            let _ = self.calibration.set(c.clone());
        }
        let tuned = self.tune_threshold(held.as_ref())?;
        if let Some((value, _)) = &tuned {
            // Set once, before any row is measured: every metric below is at the threshold.
            let _ = self.threshold.set(*value);
        }
        let fit_ms = ms(t);
        let t = Instant::now();
        let (train_metrics, prediction_profile) = self.measure_train(&fitted, progress)?;
        let mut metrics = json!({ "train": train_metrics });
        if !self.split.validation.is_empty() {
            metrics["validation"] = self.measure_json(&fitted, &self.split.validation, progress)?;
        }
        if !self.split.test.is_empty() {
            metrics["test"] = self.measure_json(&fitted, &self.split.test, progress)?;
        }
        if let Some(cv) = cv {
            metrics["cv"] = cv;
        }
        if let Some(baseline) = self.baseline(self.judged_rows().1) {
            metrics["baseline"] = json!(baseline);
        }
        metrics["objective"] = self.objective.to_json();
        if let Some((_, info)) = calibrated {
            metrics["calibration"] = info;
        }
        if let (Some((value, on)), Some(rule)) = (&tuned, self.threshold_rule) {
            metrics["threshold"] = json!({"value": value, "rule": rule.to_json(), "tuned_on": on});
        }
        if let Some(fit) = fitted.fit_summary() {
            metrics["fit"] = fit;
        }
        let intervals = match self.calibrate_intervals(&fitted, progress)? {
            Some((c, info)) => {
                metrics["interval"] = info;
                Some(c)
            }
            None => None,
        };
        if self.guards == Guards::Error {
            if let Some(w) = self.baseline_warning(&metrics) {
                return Err(guards::stopped("baseline", &w));
            }
        }
        Ok(Fitting {
            fitted,
            estimator,
            metrics,
            intervals,
            searched,
            suspects,
            prediction_profile,
            fit_ms,
            evaluate_ms: ms(t) + leakage_ms,
        })
    }

    /// Assembles the stored model and the report of a fitted run; `auto`: the comparison that
    /// chose the algorithm, if one did.
    pub fn complete(
        mut self,
        fitting: Fitting,
        auto: Option<&AutoChoice>,
        timings: Timings,
    ) -> Trained {
        let Fitting {
            fitted,
            estimator,
            mut metrics,
            intervals,
            searched,
            suspects,
            prediction_profile,
            fit_ms,
            evaluate_ms,
        } = fitting;
        let mut messages: Vec<Message> = suspects.iter().cloned().map(Message::Warning).collect();
        // Warnings already shown: the preparation's (before the fit) and the suspects.
        let shown = self.warnings.len() + suspects.len();
        self.warnings.extend(suspects);
        if let Some(s) = &searched {
            let best = &s.trials[s.best];
            messages.push(Message::Notice(format!(
                "search tried {} candidates × {} folds; best {} {:.4} ± {:.4} with {}",
                s.trials.len(),
                best.fold_scores.len(),
                self.objective.name,
                best.mean,
                best.std,
                Value::Object(best.params.clone())
            )));
        }
        if let Some(choice) = auto {
            metrics["auto"] = choice.to_json();
        }
        let timings = json!({"read": timings.read_ms, "prepare": timings.prepare_ms, "fit": fit_ms,
                             "evaluate": evaluate_ms, "total": ms(timings.started)});
        let outcome = self.finish(fitted, metrics, timings);
        let mut report = outcome.report;
        report["profile"]["(prediction)"] = prediction_profile;
        let primary_name = outcome.primary.objective.name;
        if let Some(s) = &searched {
            report["search"] = json!({"candidates": s.trials.len(), "best": Value::Object(s.trials[s.best].params.clone()),
                                      "metric": primary_name, "cv_score": s.trials[s.best].mean});
        }
        let late = report["warnings"]
            .as_array()
            .map_or(&[][..], |w| w.as_slice());
        messages.extend(
            late.iter()
                .skip(shown)
                .filter_map(|w| w.as_str())
                .map(|w| Message::Warning(w.to_string())),
        );
        messages.push(Message::Notice(fitted_notice(
            outcome.model.task,
            &report,
            outcome.primary,
            fit_ms,
        )));
        Trained {
            model: outcome.model,
            report,
            primary: outcome.primary,
            hyperparams: estimator.to_json(),
            searched,
            row_keys: outcome.row_keys,
            calibration: outcome.calibration,
            background: outcome.background,
            interval_residuals: intervals.map(|c| c.residuals),
            messages,
        }
    }
}

/// The NOTICE after the fit: how long it took, the headline metric and where it was measured,
/// and what the fit decided (rounds kept, epochs).
pub fn fitted_notice(task: Task, report: &Value, primary: Primary, fit_ms: u64) -> String {
    let on = report["primary_metric"]["on"].as_str().unwrap_or("test");
    let m = &report["metrics"][on];
    let headline = match task {
        Task::Clustering => format!(
            "{} clusters{}; silhouette {}",
            m["clusters"],
            m.get("noise")
                .map_or(String::new(), |n| format!(" and {n} noise rows")),
            m.get("silhouette")
                .and_then(Value::as_f64)
                .map_or("undefined".into(), |s| format!("{s:.4}"))
        ),
        Task::Anomaly => format!(
            "{} rows ({:.2}%) score above the threshold {:.4}",
            m["anomalies"],
            100.0 * m["anomaly_fraction"].as_f64().unwrap_or(0.0),
            m["threshold"].as_f64().unwrap_or(0.5)
        ),
        _ => format!(
            "{} {:.4}{}",
            primary.objective.name,
            primary.value,
            primary
                .baseline
                .map_or(String::new(), |b| format!(" (the baseline scores {b:.4})"))
        ),
    };
    let fit = &report["metrics"]["fit"];
    let rounds = match (fit.get("rounds"), fit.get("rounds_run"), fit.get("epochs")) {
        (Some(kept), Some(run), _) if kept != run => {
            format!("; early stopping kept {kept} of {run} rounds")
        }
        (Some(kept), _, _) => format!("; {kept} rounds"),
        (_, _, Some(epochs)) => format!("; {epochs} epochs"),
        _ => String::new(),
    };
    format!(
        "fitted in {:.2} s; {headline} on {on} rows{rounds}",
        fit_ms as f64 / 1000.0
    )
}
