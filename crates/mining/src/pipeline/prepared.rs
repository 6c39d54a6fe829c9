//! A prepared training run (`Prepared`): everything fitting needs, owned so that it can move to
//! a pool thread, and what a run produces (`Outcome`); with the helpers both preparations share.

use std::borrow::Cow;

use serde_json::{json, Value};

use crate::common::budget::Budget;
use crate::common::error::Result;
use crate::common::frame::{Column, ColumnKind};
use crate::common::progress::Progress;
use crate::common::task::Labels;
use crate::common::task::Task;
use crate::evaluation::objective::Objective;
use crate::learners::trees::binning::Binned;
use crate::learners::TrainData;
use crate::model::background::Background;
use crate::model::calibration::Calibrator;
use crate::model::estimator::Estimator;
use crate::model::fitted::Fitted;
use crate::model::stored::StoredModel;
use crate::prepare::groups::Groups;
use crate::prepare::options::{CalibrationMethod, Guards, TrainOptions};
use crate::prepare::preprocess::{ColumnChoice, Defaults, Preprocessor};
use crate::prepare::quality;
use crate::prepare::row_keys::{self, RowKeys};
use crate::prepare::search::{self, SearchSpec};
use crate::prepare::split::{Split, SplitMethod};
use crate::prepare::threshold::Rule;

#[derive(Debug, Clone)]
pub struct TrainRequest {
    pub target: Option<String>,
    pub algorithm: String,
    pub hyperparams: Value,
    pub options: TrainOptions,
}

pub enum Target {
    Classes {
        y: Vec<usize>,
        n_classes: usize,
    },
    Values(Vec<f64>),
    /// Clustering, anomaly detection, decomposition.
    None,
}

/// Everything `fit` needs, owned, so it can move to a pool thread.
pub struct Prepared {
    pub task: Task,
    pub algorithm: String,
    pub estimator: Estimator,
    /// Row-major rows × n_cols; empty when `binned` holds the rows instead.
    pub x: Vec<f64>,
    /// Trees and forests without cv or search: the rows binned (encoded.rs), never as floats.
    pub(super) binned: Option<Binned>,
    pub n_cols: usize,
    pub target: Target,
    /// options.weight_column: each row's sample weight (indexed like the target); None: 1.
    pub(super) weights: Option<Vec<f64>>,
    pub split: Split,
    pub seed: u64,
    /// What the run's large allocations are checked against.
    pub(super) budget: Budget,
    pub(super) prep: Preprocessor,
    /// The raw feature columns of the used rows, for refitting preprocessing per fold.
    pub(super) columns: Vec<Column>,
    pub(super) choices: Vec<ColumnChoice>,
    pub(super) defaults: Defaults,
    /// Rows that stay on one side of every fold (prepare/groups.rs); None: each row alone.
    pub(super) groups: Option<Groups>,
    /// The keys of the rows of each part (None above row_keys::MAX_ROWS rows, and for models
    /// without a target).
    pub(super) row_keys: Option<RowKeys>,
    pub(super) cv: Option<usize>,
    pub(super) search: Option<SearchSpec>,
    pub(super) hyperparams: Value,
    pub(super) classes: Vec<String>,
    pub(super) target_name: String,
    pub(super) target_type: String,
    pub(super) target_kind: ColumnKind,
    /// The metric the run is judged by (options.metric or the task's default).
    pub(super) objective: Objective,
    /// What a guard that fires does (options.guards).
    pub(super) guards: Guards,
    /// options.threshold: how a binary classifier's decision threshold is chosen, and the
    /// threshold once chosen (after the fit; the test and training rows are measured at it).
    pub(super) threshold_rule: Option<Rule>,
    pub(super) threshold: std::sync::OnceLock<f64>,
    /// options.calibration, and the calibration once fitted (after the fit, before any row is
    /// measured).
    pub(super) calibration_method: Option<CalibrationMethod>,
    pub(super) calibration: std::sync::OnceLock<Calibrator>,
    /// Facts for the report, filled as we go.
    pub report: serde_json::Map<String, Value>,
    pub warnings: Vec<String>,
}

/// The run's metric measured on the test rows (the training rows without a test split).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Primary {
    pub objective: Objective,
    pub value: f64,
    /// What the trivial model (the training rows' majority class or mean) scores there.
    pub baseline: Option<f64>,
}

/// What training produced.
pub struct Outcome {
    pub model: StoredModel,
    pub report: Value,
    /// The run's metric, its value where the run measured it, and the baseline's there.
    pub primary: Primary,
    /// The keys of the rows of each part, encoded (prepare/row_keys.rs).
    pub row_keys: Option<Vec<u8>>,
    /// The probability calibration, as dm.models.calibration keeps it.
    pub calibration: Option<Value>,
    /// The explanations' background, as dm.models.background keeps it.
    pub background: Option<Value>,
}

/// The NOTICE line that says how the rows were split.
pub(super) fn split_summary(method: SplitMethod, split: &Split) -> String {
    format!(
        "split {}: {} train, {} validation, {} test rows",
        method_name(method),
        split.train.len(),
        split.validation.len(),
        split.test.len()
    )
}

/// The columns restricted to `rows`: borrowed when that is every row in order (no NULL
/// target, no duplicate dropped), so the training data is not held twice.
pub(super) fn frame_rows<'a>(cols: &[&'a Column], rows: &[usize]) -> Vec<Cow<'a, Column>> {
    let every = |c: &Column| c.len() == rows.len() && rows.iter().enumerate().all(|(i, &r)| i == r);
    cols.iter()
        .map(|&c| {
            if every(c) {
                Cow::Borrowed(c)
            } else {
                Cow::Owned(c.take(rows))
            }
        })
        .collect()
}

pub(super) fn method_name(m: SplitMethod) -> &'static str {
    match m {
        SplitMethod::Random => "random",
        SplitMethod::Stratified => "stratified",
        SplitMethod::Time => "time",
        SplitMethod::Group => "group",
    }
}

impl Prepared {
    pub(super) fn labels(&self) -> Option<Labels<'_>> {
        match &self.target {
            Target::Classes { y, n_classes } => Some(Labels::Classes {
                y,
                n_classes: *n_classes,
            }),
            Target::Values(v) => Some(Labels::Values(v)),
            Target::None => None,
        }
    }

    /// Fits the estimator on the training rows. Pure computation: call it on the pool.
    pub fn fit(&self, progress: &Progress) -> Result<Fitted> {
        self.fit_with(&self.estimator, progress)
    }

    pub fn fit_with(&self, estimator: &Estimator, progress: &Progress) -> Result<Fitted> {
        let data = TrainData {
            x: &self.x,
            binned: self.binned.as_ref(),
            n_cols: self.n_cols,
            rows: &self.split.train,
            validation: &self.split.validation,
            one_hot: &self.prep.one_hot_groups(),
            labels: self.labels(),
            classes: &self.classes,
            weights: self.weights.as_deref(),
            budget: self.budget,
        };
        estimator.fit(&data, self.seed, progress)
    }

    /// The "baseline" guard's warning: the run's metric on its test rows (the training rows
    /// without a test split) does not beat the trivial model's there.
    pub(super) fn baseline_warning(&self, metrics: &Value) -> Option<String> {
        let o = self.objective;
        let (part, _) = self.judged_rows();
        let value = metrics[part][o.name].as_f64().unwrap_or(f64::NAN);
        let b = metrics["baseline"][o.name].as_f64()?;
        (!o.beats_baseline(value, b)).then(|| {
            format!(
                "no better than the baseline: {} {value:.4} on the {part} rows, where {} scores {b:.4}",
                o.name,
                o.baseline_words(self.task)
            )
        })
    }

    /// The rows a run is judged on and their name in the metrics: the test rows, or the
    /// training rows without a test split.
    pub(super) fn judged_rows(&self) -> (&'static str, &[usize]) {
        if self.split.test.is_empty() {
            ("train", &self.split.train)
        } else {
            ("test", &self.split.test)
        }
    }

    /// The metric a search and auto rank by and if_better compares.
    pub fn objective(&self) -> Objective {
        self.objective
    }

    /// Fits units for progress messages: search fits, CV folds, then trees of the final fit.
    pub fn work_units(&self) -> usize {
        let search = self.search.as_ref().map_or(0, |s| {
            s.folds * search::candidates(s, self.seed).map_or(0, |c| c.len())
        });
        search + self.cv.unwrap_or(0) + self.estimator.work_units()
    }

    /// Assembles the stored model and the report.
    pub fn finish(mut self, fitted: Fitted, metrics: Value, timings: Value) -> Outcome {
        let objective = self.objective;
        let (part, _) = self.judged_rows();
        let primary = Primary {
            objective,
            value: metrics[part][objective.name].as_f64().unwrap_or(f64::NAN),
            baseline: metrics["baseline"][objective.name].as_f64(),
        };
        self.warnings.extend(quality::gap(self.task, &metrics));
        self.warnings.extend(self.baseline_warning(&metrics));
        let mut report = self.report;
        report.insert("metrics".into(), metrics);
        report.insert("timings_ms".into(), timings);
        report.insert("warnings".into(), json!(self.warnings));
        if self.task.is_supervised() && self.row_keys.is_none() {
            report.insert(
                "row_keys".into(),
                json!(format!("not kept: more than {} rows", row_keys::MAX_ROWS)),
            );
        }
        report.insert(
            "primary_metric".into(),
            json!({"name": objective.name, "better": objective.direction(), "on": part,
                   "value": primary.value, "baseline": primary.baseline}),
        );
        // Explanations' background: the encoded training rows, where the run has them as
        // floats; not for tree models (those with split importance), which explain from
        // their trees.
        let background = (self.task.is_supervised()
            && fitted.model().importance().is_none()
            && !self.x.is_empty()
            && self.n_cols == self.prep.width())
        .then(|| Background::from_rows(&self.x, self.n_cols, &self.split.train, self.seed))
        .flatten();
        let model = StoredModel {
            task: self.task,
            algorithm: self.algorithm,
            target: self.target_name,
            target_type: self.target_type,
            target_kind: self.target_kind,
            classes: self.classes,
            prep: self.prep,
            estimator: fitted,
            class_numbers: Default::default(),
            threshold: self.threshold.get().copied(),
            intervals: None,
            calibration: self.calibration.get().cloned(),
            background: background.clone(),
        };
        Outcome {
            model,
            report: Value::Object(report),
            primary,
            row_keys: self.row_keys.as_ref().map(RowKeys::encode),
            calibration: self.calibration.get().map(|c| json!(c)),
            background: background.map(|b| json!(b)),
        }
    }

    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }
}
