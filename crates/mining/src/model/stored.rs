//! A trained model as stored in dm.models: what it was trained on, its preprocessing and its
//! fitted estimator. Scores one row given in feature order.

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::common::error::{Error, ErrorKind, Result};
use crate::common::frame::ColumnKind;
use crate::common::task::Task;
use crate::learners::Shape;
use crate::model::background::Background;
use crate::model::calibration::Calibrator;
use crate::model::fitted::Fitted;
use crate::model::interval::Conformal;
use crate::prepare::preprocess::{Preprocessor, Raw};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredModel {
    pub task: Task,
    pub algorithm: String,
    pub target: String,
    pub target_type: String,
    pub target_kind: ColumnKind,
    /// Class labels in their text form, in the order of predict_proba.
    pub classes: Vec<String>,
    pub prep: Preprocessor,
    pub estimator: Fitted,
    /// The classes as numbers, parsed once (not stored).
    #[serde(skip)]
    pub class_numbers: OnceLock<Vec<Option<f64>>>,
    /// A binary classifier's decision threshold: the second class when its probability is at
    /// least this (None: the argmax). Not in the bytes: dm.models.threshold, set when the
    /// model is loaded, so dm_set_threshold changes it without rewriting the model.
    #[serde(skip)]
    pub threshold: Option<f64>,
    /// A regression's held-out residuals for prediction intervals (model/interval.rs). Not in
    /// the bytes: dm.models.interval_residuals, set when the model is loaded.
    #[serde(skip)]
    pub intervals: Option<Conformal>,
    /// A binary classifier's probability calibration (model/calibration.rs). Not in the bytes:
    /// dm.models.calibration, set when the model is loaded.
    #[serde(skip)]
    pub calibration: Option<Calibrator>,
    /// Training means and sampled rows for explanations (model/background.rs). Not in the
    /// bytes: dm.models.background, set when the model is loaded.
    #[serde(skip)]
    pub background: Option<Background>,
}

/// Per encoded column: split gain and split counts (summed per feature).
struct PerColumn {
    gain: Vec<f64>,
    splits: Vec<u32>,
}

impl StoredModel {
    /// Checks, after decoding, everything scoring trusts: the task, the classes, the
    /// preprocessing and the fitted model agree, and the model's own indices and sizes are
    /// in range (see `Predict::validate`). A failure says what is wrong.
    pub fn validate(&self) -> std::result::Result<(), String> {
        if !self.estimator.serves(self.task) {
            return Err(format!(
                "a {} model cannot be {}",
                self.algorithm,
                self.task.with_article()
            ));
        }
        let outputs = match self.task {
            Task::Classification => {
                if self.classes.len() < 2 {
                    return Err(format!("{} classes", self.classes.len()));
                }
                self.classes.len()
            }
            Task::Regression => 1,
            _ => 0,
        };
        self.prep.validate()?;
        self.estimator.model().validate(Shape {
            inputs: self.prep.width(),
            outputs,
        })
    }

    pub fn feature_names(&self) -> impl Iterator<Item = &str> {
        self.prep.features.iter().map(|f| f.name.as_str())
    }

    /// Builds what makes scoring many rows faster (a forest's scoring layout); for a model
    /// loaded to score, not for one just trained.
    pub fn prepare_scoring(&self) {
        self.estimator.model().prepare_scoring();
    }

    pub fn n_features(&self) -> usize {
        self.prep.features.len()
    }

    /// Per feature (its encoded columns summed): the share of the total split gain (trees and
    /// forests: the impurity decrease, as scikit-learn's feature_importances_; boosting: the
    /// loss reduction) and the number of splits on it.
    pub fn feature_importance(&self) -> Result<Vec<(String, f64, u64)>> {
        let Some((gain, splits)) = self.estimator.model().importance() else {
            return Err(Error::new(
                ErrorKind::NotSupported,
                format!(
                    "feature importance is recorded for tree models (decision_tree, random_forest, extra_trees, gradient_boosting); this one is {}",
                    self.algorithm
                ),
            ));
        };
        let b = PerColumn { gain, splits };
        let total: f64 = b.gain.iter().sum();
        let mut out = Vec::with_capacity(self.prep.features.len());
        let mut col = 0;
        for f in &self.prep.features {
            let w = self.prep.width_of(f);
            let range = col..(col + w).min(b.gain.len());
            let gain: f64 = b.gain.get(range.clone()).map_or(0.0, |g| g.iter().sum());
            let splits: u64 = b
                .splits
                .get(range)
                .map_or(0, |s| s.iter().map(|&v| v as u64).sum());
            let share = if total > 0.0 { gain / total } else { 0.0 };
            out.push((f.name.clone(), share, splits));
            col += w;
        }
        Ok(out)
    }

    /// Coefficients of a linear or logistic model on its encoded, scaled input columns, as
    /// (class, column, coefficient) with the intercept first as column "(intercept)" (scikit-
    /// learn's coef_ and intercept_). A binary logistic model has the second class's only.
    pub fn coefficients(&self) -> Result<Vec<(Option<String>, String, f64)>> {
        let names = self.prep.output_names();
        let mut rows = Vec::new();
        let mut push = |class: Option<&String>, coef: &[f64], intercept: f64| {
            rows.push((class.cloned(), "(intercept)".to_string(), intercept));
            rows.extend(
                names
                    .iter()
                    .zip(coef)
                    .map(|(n, w)| (class.cloned(), n.clone(), *w)),
            );
        };
        match &self.estimator {
            Fitted::Linear(l) => push(None, &l.coef, l.intercept),
            Fitted::Logistic(l) => {
                for (k, (coef, b)) in l.coef.iter().zip(&l.intercept).enumerate() {
                    let class = self.classes.get(if l.n_classes == 2 { 1 } else { k });
                    push(class, coef, *b);
                }
            }
            _ => {
                return Err(Error::new(
                    ErrorKind::NotSupported,
                    format!(
                        "dm_coefficients applies to linear models; this one is {}",
                        self.algorithm
                    ),
                ))
            }
        }
        Ok(rows)
    }

    /// The preprocessed form of a row's feature values into `buf`.
    pub fn encode(&self, raw: &[Raw], buf: &mut Vec<f64>) -> Result<()> {
        buf.clear();
        buf.resize(self.prep.width(), 0.0);
        self.prep.transform_row(raw, buf)
    }

    /// Class probabilities, in the order of `classes`.
    pub fn predict_proba(&self, raw: &[Raw], buf: &mut Vec<f64>) -> Result<Vec<f64>> {
        self.require(Task::Classification, "class probabilities")?;
        self.encode(raw, buf)?;
        self.proba_of(buf)
    }

    /// Class probabilities of an encoded row.
    pub fn proba_of(&self, x: &[f64]) -> Result<Vec<f64>> {
        self.require(Task::Classification, "class probabilities")?;
        let mut out = vec![0.0; self.classes.len()];
        self.estimator.predict_proba(x, &mut out);
        self.calibrate(&mut out);
        Ok(out)
    }

    /// Applies the calibration, if any, to rows of class probabilities (two classes).
    pub fn calibrate(&self, proba: &mut [f64]) {
        if let (Some(c), 2) = (&self.calibration, self.classes.len()) {
            c.apply_rows(proba);
        }
    }

    /// Index of the predicted class (ties go to the first class, like numpy's argmax).
    pub fn predict_class(&self, raw: &[Raw], buf: &mut Vec<f64>) -> Result<usize> {
        self.require(Task::Classification, "classes")?;
        self.encode(raw, buf)?;
        self.class_of(buf)
    }

    /// The predicted class of an encoded row.
    pub fn class_of(&self, x: &[f64]) -> Result<usize> {
        self.require(Task::Classification, "classes")?;
        let k = self.classes.len();
        // Probabilities on the stack for the common case of few classes.
        let mut small = [0.0f64; 16];
        let mut large = Vec::new();
        let out: &mut [f64] = if k <= small.len() {
            &mut small[..k]
        } else {
            large.resize(k, 0.0);
            &mut large
        };
        match (self.threshold, &self.calibration) {
            (Some(t), _) if k == 2 => {
                self.estimator.predict_proba(x, out);
                self.calibrate(out);
                Ok(crate::common::numeric::class_at_threshold(out, t))
            }
            (None, Some(_)) if k == 2 => {
                self.estimator.predict_proba(x, out);
                self.calibrate(out);
                Ok(crate::common::numeric::argmax(out.iter()))
            }
            _ => Ok(self.estimator.predict_class(x, out)),
        }
    }

    /// Regression value.
    pub fn predict_value(&self, raw: &[Raw], buf: &mut Vec<f64>) -> Result<f64> {
        self.require(Task::Regression, "a value")?;
        self.encode(raw, buf)?;
        self.value_of(buf)
    }

    /// The regression value of an encoded row.
    pub fn value_of(&self, x: &[f64]) -> Result<f64> {
        self.require(Task::Regression, "a value")?;
        Ok(self.estimator.predict_value(x))
    }

    /// Regression: the value of an encoded row and its split-conformal interval at
    /// miscoverage `alpha`: (value, lower, upper).
    pub fn interval_of(&self, x: &[f64], alpha: f64) -> Result<(f64, f64, f64)> {
        self.require(Task::Regression, "prediction intervals")?;
        let c = self.intervals.as_ref().ok_or_else(|| {
            Error::new(
                ErrorKind::NotSupported,
                "this version keeps no held-out residuals for intervals (trained before 0.4.0, or with test_size 0); retrain it",
            )
        })?;
        let h = c.half_width(alpha)?;
        let v = self.estimator.predict_value(x);
        Ok((v, v - h, v + h))
    }

    /// Clustering: the cluster of a row (-1: noise).
    pub fn cluster(&self, raw: &[Raw], buf: &mut Vec<f64>) -> Result<i64> {
        self.require(Task::Clustering, "clusters")?;
        self.encode(raw, buf)?;
        self.estimator
            .cluster(buf)
            .ok_or_else(|| Error::internal("the model has no clusters"))
    }

    /// Anomaly detection: the anomaly score in (0, 1] and whether it passes the threshold.
    pub fn anomaly(&self, raw: &[Raw], buf: &mut Vec<f64>) -> Result<(f64, bool)> {
        self.require(Task::Anomaly, "anomaly scores")?;
        self.encode(raw, buf)?;
        self.estimator
            .anomaly(buf)
            .ok_or_else(|| Error::internal("the model has no anomaly score"))
    }

    /// Decomposition: the components of a row.
    pub fn transform(&self, raw: &[Raw], buf: &mut Vec<f64>) -> Result<Vec<f64>> {
        self.require(Task::Decomposition, "components")?;
        self.encode(raw, buf)?;
        let mut out = vec![0.0; self.estimator.n_outputs()];
        self.estimator.transform(buf, &mut out);
        Ok(out)
    }

    /// The numeric form of a class label (booleans are 1 and 0); an error for text labels.
    pub fn class_number(&self, class: usize) -> Result<f64> {
        if self.target_kind == ColumnKind::Text {
            return Err(Error::new(
                ErrorKind::NotSupported,
                format!(
                    "the target \"{}\" has text labels; use dm_predict_label",
                    self.target
                ),
            ));
        }
        let boolean = self.target_kind == ColumnKind::Boolean;
        let numbers = self.class_numbers.get_or_init(|| {
            self.classes
                .iter()
                .map(|c| {
                    if boolean {
                        Some(if c == "true" { 1.0 } else { 0.0 })
                    } else {
                        c.parse().ok()
                    }
                })
                .collect()
        });
        match numbers.get(class) {
            Some(Some(v)) => Ok(*v),
            Some(None) => Err(Error::internal(format!(
                "class label \"{}\" is not a number",
                self.classes[class]
            ))),
            None => Err(Error::internal("class index out of range")),
        }
    }

    fn require(&self, task: Task, what: &str) -> Result<()> {
        if self.task == task {
            Ok(())
        } else {
            Err(self.wrong_task(what))
        }
    }

    /// Out of the scoring path: scoring calls `require` once per row.
    #[cold]
    #[inline(never)]
    fn wrong_task(&self, what: &str) -> Error {
        Error::new(
            ErrorKind::NotSupported,
            format!(
                "{} model does not predict {what}; score it with {}",
                self.task.with_article(),
                self.task.scoring_function()
            ),
        )
    }
}
