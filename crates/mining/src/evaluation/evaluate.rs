//! Scoring a whole frame with a stored model and measuring it against the target column: the
//! engine of dm_evaluate, dm_confusion_matrix, dm_roc_curve and dm_pr_curve.

use std::collections::{BTreeMap, HashMap};

use serde_json::{json, Map, Value};

use crate::common::budget::Budget;
use crate::common::error::{Error, ErrorKind, Result};
use crate::common::frame::{Column, ColumnData, ColumnKind, Frame};
use crate::common::numeric::argmax;
use crate::common::progress::Progress;
use crate::common::task::Task;
use crate::evaluation::holdout::{self, Holdout, Which};
use crate::evaluation::metrics::{self, Confusion};
use crate::evaluation::scores;
use crate::model::fitted::Fitted;
use crate::model::stored::StoredModel;
use crate::prepare::row_keys::RowKeys;

/// Predictions for the rows of a frame that have a target.
pub struct Scored {
    pub task: Task,
    /// Frame rows scored (those with a non-NULL target).
    pub rows: Vec<usize>,
    /// Classification: label index per row; names[..k] are the model's classes, the rest labels
    /// it never saw.
    pub actual: Vec<usize>,
    pub predicted: Vec<usize>,
    pub names: Vec<String>,
    /// Class probabilities, rows × k (k = the model's classes).
    pub proba: Vec<f64>,
    pub k: usize,
    /// Regression: values.
    pub actual_values: Vec<f64>,
    pub predicted_values: Vec<f64>,
    pub null_targets: usize,
    /// Which rows were selected and how many of them the model learned from (None: every row,
    /// the model's rows unknown).
    pub holdout: Option<Holdout>,
    /// A regression with intervals: (alpha, half-width) at the miscoverages reported.
    pub half_widths: Vec<(f64, f64)>,
}

/// The frame's columns for the model's features, matched by name and kind.
fn feature_columns<'a>(model: &StoredModel, frame: &'a Frame) -> Result<Vec<&'a Column>> {
    model
        .prep
        .features
        .iter()
        .map(|f| {
            let col = frame.column(&f.name).ok_or_else(|| {
                Error::column(format!(
                    "the relation has no column \"{}\", a feature of the model",
                    f.name
                ))
            })?;
            if col.kind.is_text() != f.kind.is_text() {
                return Err(Error::input(format!(
                    "column \"{}\" is {} but the model was trained on {}",
                    f.name, col.sql_type, f.sql_type
                )));
            }
            if col.non_finite > 0 {
                return Err(Error::data(format!(
                    "column \"{}\" holds NaN or Infinity",
                    f.name
                )));
            }
            Ok(col)
        })
        .collect()
}

/// The model's encoded rows of the given columns, within the budget.
fn encoded(
    model: &StoredModel,
    cols: &[&Column],
    rows: &[usize],
    budget: &Budget,
) -> Result<Vec<f64>> {
    budget.check_items("encoding the rows", rows.len(), model.prep.width() * 8)?;
    model.prep.transform_columns(cols, rows)
}

/// Scores every row of `frame` whose target is not NULL. Pure computation (parallel).
pub fn score(
    model: &StoredModel,
    frame: &Frame,
    budget: &Budget,
    stop: &Progress,
) -> Result<Scored> {
    score_rows(model, frame, None, Which::All, budget, stop)
}

/// `score` on the rows `which` selects, told apart by the model's row keys (holdout.rs).
pub fn score_rows(
    model: &StoredModel,
    frame: &Frame,
    keys: Option<&RowKeys>,
    which: Which,
    budget: &Budget,
    stop: &Progress,
) -> Result<Scored> {
    if !model.task.is_supervised() {
        return Err(Error::new(
            ErrorKind::NotSupported,
            format!(
                "a {} model has no target to compare with; dm_evaluate reports its {} metrics",
                model.task.name(),
                model.task.name()
            ),
        ));
    }
    let target = frame.column(&model.target).ok_or_else(|| {
        Error::column(format!(
            "the relation has no column \"{}\", the target of the model",
            model.target
        ))
    })?;
    let cols = feature_columns(model, frame)?;
    let mut rows: Vec<usize> = (0..frame.nrows()).filter(|&r| !target.is_null(r)).collect();
    let null_targets = frame.nrows() - rows.len();
    let key_cols: Vec<&Column> = cols.iter().copied().chain([target]).collect();
    let holdout = holdout::select(keys, which, &key_cols, &mut rows)?;
    let x = encoded(model, &cols, &rows, budget)?;
    let p = model.prep.width().max(1);
    // Rows of x (the scored rows, in order).
    let positions: Vec<usize> = (0..rows.len()).collect();
    let mut s = Scored {
        task: model.task,
        rows: Vec::new(),
        actual: Vec::new(),
        predicted: Vec::new(),
        names: Vec::new(),
        proba: Vec::new(),
        k: 0,
        actual_values: Vec::new(),
        predicted_values: Vec::new(),
        null_targets,
        holdout,
        half_widths: Vec::new(),
    };
    match model.task {
        Task::Regression => {
            let ColumnData::Numeric(v) = &target.data else {
                return Err(Error::input(format!(
                    "the target \"{}\" is {} here but the model predicts numbers",
                    model.target, target.sql_type
                )));
            };
            s.actual_values = rows.iter().map(|&r| v[r]).collect();
            s.predicted_values = model.estimator.values_at(&x, p, &positions, stop)?;
            if let Some(c) = &model.intervals {
                s.half_widths = [0.1, 0.05]
                    .into_iter()
                    .filter_map(|a| c.half_width(a).ok().map(|h| (a, h)))
                    .collect();
            }
        }
        Task::Classification => {
            let k = model.classes.len();
            s.names = model.classes.clone();
            let mut index: HashMap<String, usize> = s
                .names
                .iter()
                .enumerate()
                .map(|(i, c)| (c.clone(), i))
                .collect();
            for &r in &rows {
                let label = target.text_at(r).unwrap_or_default();
                let next = index.len();
                let i = *index.entry(label.clone()).or_insert(next);
                if i == s.names.len() {
                    s.names.push(label);
                }
                s.actual.push(i);
            }
            s.proba = model.estimator.probas_at(&x, p, &positions, k, stop)?;
            model.calibrate(&mut s.proba);
            // As the model labels rows: at its decision threshold if it has one.
            s.predicted = match model.threshold {
                Some(t) if k == 2 => s
                    .proba
                    .chunks_exact(2)
                    .map(|r| crate::common::numeric::class_at_threshold(r, t))
                    .collect(),
                _ => s.proba.chunks_exact(k.max(1)).map(argmax).collect(),
            };
            s.k = k;
        }
        Task::Clustering | Task::Anomaly | Task::Decomposition => {}
    }
    s.rows = rows;
    Ok(s)
}

/// Predictions of the given rows as a column: class labels as text, or values.
/// Predicted values as a column.
pub fn value_column(values: Vec<f64>) -> Column {
    let mut c = Column::new("(prediction)", "double precision", ColumnKind::Float);
    values.into_iter().for_each(|y| c.push_number(Some(y)));
    c
}

/// Predicted classes (indexes into `classes`) as a column of their labels.
pub fn class_column(predicted: Vec<usize>, classes: &[String]) -> Column {
    let mut c = Column::new("(prediction)", "text", ColumnKind::Text);
    for i in predicted {
        c.push_text(classes.get(i).map(String::as_str));
    }
    c
}

pub fn prediction_column(
    fitted: &Fitted,
    x: &[f64],
    p: usize,
    rows: &[usize],
    task: Task,
    classes: &[String],
    stop: &Progress,
) -> Result<Column> {
    Ok(match task {
        Task::Regression => value_column(fitted.values_at(x, p, rows, stop)?),
        Task::Classification => {
            class_column(fitted.classes_at(x, p, rows, classes.len(), stop)?, classes)
        }
        // Clusters are categories.
        Task::Clustering => {
            let mut c = Column::new("(prediction)", "text", ColumnKind::Text);
            for l in fitted.clusters_at(x, p, rows, stop)? {
                c.push_text(Some(&l.to_string()));
            }
            c
        }
        Task::Anomaly => {
            let mut c = Column::new("(prediction)", "double precision", ColumnKind::Float);
            for s in fitted.anomaly_scores_at(x, p, rows, stop)? {
                c.push_number(Some(s));
            }
            c
        }
        // The first component.
        Task::Decomposition => {
            let mut c = Column::new("(prediction)", "double precision", ColumnKind::Float);
            let k = fitted.n_outputs().max(1);
            for v in fitted.transforms_at(x, p, rows, stop)?.chunks_exact(k) {
                c.push_number(v.first().copied());
            }
            c
        }
    })
}

/// The metrics of an unsupervised model (clustering, anomaly, decomposition) on every row of
/// `frame`. Pure computation (parallel).
pub fn unsupervised_metrics(
    model: &StoredModel,
    frame: &Frame,
    seed: u64,
    budget: &Budget,
    stop: &Progress,
) -> Result<Value> {
    let cols = feature_columns(model, frame)?;
    let rows: Vec<usize> = (0..frame.nrows()).collect();
    let x = encoded(model, &cols, &rows, budget)?;
    crate::evaluation::unsupervised::measure(
        model.task,
        &model.estimator,
        &x,
        model.prep.width().max(1),
        &rows,
        seed,
        stop,
    )
}

/// Every row of `frame` encoded for the model (rows × the model's width), within the budget.
pub fn encode_all(model: &StoredModel, frame: &Frame, budget: &Budget) -> Result<Vec<f64>> {
    let rows: Vec<usize> = (0..frame.nrows()).collect();
    encode_rows(model, frame, &rows, budget)
}

/// The given rows of `frame` encoded for the model, within the budget.
pub fn encode_rows(
    model: &StoredModel,
    frame: &Frame,
    rows: &[usize],
    budget: &Budget,
) -> Result<Vec<f64>> {
    let cols = feature_columns(model, frame)?;
    encoded(model, &cols, rows, budget)
}

/// The model's predictions for every row of `frame` (no target needed). Pure computation
/// (parallel).
pub fn predictions(
    model: &StoredModel,
    frame: &Frame,
    budget: &Budget,
    stop: &Progress,
) -> Result<Column> {
    let cols = feature_columns(model, frame)?;
    let rows: Vec<usize> = (0..frame.nrows()).collect();
    let x = encoded(model, &cols, &rows, budget)?;
    prediction_column(
        &model.estimator,
        &x,
        model.prep.width().max(1),
        &rows,
        model.task,
        &model.classes,
        stop,
    )
}

impl Scored {
    fn subset(&self, keep: &[usize]) -> Scored {
        let pick_u = |v: &[usize]| keep.iter().map(|&i| v[i]).collect();
        let pick_f = |v: &[f64]| {
            if v.is_empty() {
                Vec::new()
            } else {
                keep.iter().map(|&i| v[i]).collect()
            }
        };
        Scored {
            task: self.task,
            rows: pick_u(&self.rows),
            actual: if self.actual.is_empty() {
                Vec::new()
            } else {
                pick_u(&self.actual)
            },
            predicted: if self.predicted.is_empty() {
                Vec::new()
            } else {
                pick_u(&self.predicted)
            },
            names: self.names.clone(),
            proba: keep
                .iter()
                .flat_map(|&i| self.proba[i * self.k..(i + 1) * self.k].iter().copied())
                .collect(),
            k: self.k,
            actual_values: pick_f(&self.actual_values),
            predicted_values: pick_f(&self.predicted_values),
            null_targets: 0,
            holdout: None,
            half_widths: self.half_widths.clone(),
        }
    }

    pub fn confusion(&self) -> Confusion {
        Confusion::new(&self.actual, &self.predicted, self.names.len().max(1))
    }

    /// The full metric set as JSON.
    pub fn metrics(&self) -> Value {
        let mut m = Map::new();
        m.insert("rows".into(), json!(self.rows.len()));
        if let Some(h) = self.holdout {
            m.insert("rows_selected".into(), json!(h.which));
            m.insert("training_rows".into(), json!(h.training_rows));
        }
        if self.rows.is_empty() {
            return Value::Object(m);
        }
        match self.task {
            Task::Regression => {
                for (k, v) in metrics::regression(&self.actual_values, &self.predicted_values) {
                    m.insert(k, json!(v));
                }
                if !self.half_widths.is_empty() {
                    let n = self.actual_values.len() as f64;
                    let coverage: Map<String, Value> = self
                        .half_widths
                        .iter()
                        .map(|&(alpha, h)| {
                            let inside = self
                                .actual_values
                                .iter()
                                .zip(&self.predicted_values)
                                .filter(|(a, p)| (*a - *p).abs() <= h)
                                .count();
                            (format!("{alpha}"), json!(inside as f64 / n))
                        })
                        .collect();
                    m.insert("interval_coverage".into(), Value::Object(coverage));
                }
            }
            Task::Classification => {
                let conf = self.confusion();
                let positive = (self.k == 2).then_some(1);
                for (k, v) in conf.metrics(positive) {
                    m.insert(k, json!(v));
                }
                let per: BTreeMap<&str, Value> = conf
                    .per_class()
                    .iter()
                    .zip(&self.names)
                    .map(|(p, name)| {
                        (
                            name.as_str(),
                            json!({"precision": p[0], "recall": p[1], "f1": p[2], "support": p[3]}),
                        )
                    })
                    .collect();
                m.insert("per_class".into(), json!(per));
                m.insert(
                    "log_loss".into(),
                    json!(scores::log_loss(&self.actual, &self.proba, self.k)),
                );
                let auc = if self.names.len() > self.k {
                    None
                } else if self.k == 2 {
                    let pos: Vec<bool> = self.actual.iter().map(|&a| a == 1).collect();
                    let score: Vec<f64> = self.proba.chunks_exact(2).map(|r| r[1]).collect();
                    scores::roc_auc(&pos, &score)
                } else {
                    scores::roc_auc_ovr(&self.actual, &self.proba, self.k)
                };
                if let Some(a) = auc {
                    m.insert("roc_auc".into(), json!(a));
                }
            }
            Task::Clustering | Task::Anomaly | Task::Decomposition => {}
        }
        Value::Object(m)
    }

    /// The metrics per value of `group` (a frame column), beside the overall ones.
    pub fn metrics_by(&self, group: &Column) -> Value {
        let mut groups: BTreeMap<Option<String>, Vec<usize>> = BTreeMap::new();
        for (i, &r) in self.rows.iter().enumerate() {
            groups.entry(group.text_at(r)).or_default().push(i);
        }
        let list: Vec<Value> = groups
            .iter()
            .map(|(g, idx)| json!({"group": g, "metrics": self.subset(idx).metrics()}))
            .collect();
        json!({"overall": self.metrics(), "group_by": group.name, "groups": list})
    }

    /// The class `positive` names (default: the second class of a binary model); `what` needs
    /// a classification model.
    pub fn positive_index(&self, positive: Option<&str>, what: &str) -> Result<usize> {
        if self.task != Task::Classification {
            return Err(Error::new(
                ErrorKind::NotSupported,
                format!("{what} need a classification model"),
            ));
        }
        match positive {
            Some(name) => self.names[..self.k]
                .iter()
                .position(|n| n == name)
                .ok_or_else(|| {
                    Error::param(format!(
                        "positive_class \"{name}\" is not among the classes {:?}",
                        &self.names[..self.k]
                    ))
                }),
            None if self.k == 2 => Ok(1),
            None => Err(Error::param(format!(
                "the model has {} classes; name the positive_class (one of {:?})",
                self.k,
                &self.names[..self.k]
            ))),
        }
    }

    /// Labels of the positive class `name` (default: the second class of a binary model) and
    /// the model's probability for it, for ROC and precision-recall curves.
    pub fn binary_view(&self, positive: Option<&str>) -> Result<(Vec<bool>, Vec<f64>)> {
        let c = self.positive_index(positive, "curves")?;
        Ok((
            self.actual.iter().map(|&a| a == c).collect(),
            self.proba.chunks_exact(self.k).map(|r| r[c]).collect(),
        ))
    }
}

#[cfg(test)]
mod tests {

    use serde_json::json;

    use super::*;
    use crate::common::frame::ColumnKind;
    use crate::common::progress::Progress;
    use crate::pipeline::{prepare, TrainRequest};
    use crate::prepare::options::TrainOptions;

    fn frame(n: usize) -> Frame {
        let mut x = Column::new("x", "double precision", ColumnKind::Float);
        let mut g = Column::new("g", "text", ColumnKind::Text);
        let mut y = Column::new("y", "text", ColumnKind::Text);
        for i in 0..n {
            x.push_number(Some((i % 20) as f64));
            g.push_text(Some(if i % 2 == 0 { "even" } else { "odd" }));
            y.push_text(Some(if i % 20 >= 10 { "hi" } else { "lo" }));
        }
        Frame {
            columns: vec![x, g, y],
        }
    }

    fn model(f: &Frame) -> StoredModel {
        let req = TrainRequest {
            target: Some("y".into()),
            algorithm: "logistic_regression".into(),
            hyperparams: json!({}),
            options: TrainOptions::parse(&json!({"features": ["x"], "dedup": false})).unwrap(),
        };
        let p = prepare(f, &req, &mut |_| {}).unwrap();
        let fitted = p.fit(&Progress::default()).unwrap();
        p.finish(fitted, json!({}), json!({})).model
    }

    #[test]
    fn evaluates_a_frame_with_groups_and_unseen_labels() {
        let f = frame(200);
        let m = model(&f);
        let mut g = frame(40);
        g.columns[2].push_text(Some("new"));
        g.columns[0].push_number(Some(3.0));
        g.columns[1].push_text(Some("odd"));
        let s = score(&m, &g, &Budget::unlimited(), &Progress::default()).unwrap();
        assert_eq!(s.names, vec!["hi", "lo", "new"]);
        let v = s.metrics();
        assert_eq!(v["rows"], 41);
        assert!(
            v.get("roc_auc").is_none(),
            "no AUC with a label the model never saw"
        );
        assert_eq!(v["per_class"]["new"]["support"], 1.0);
        let by = s.metrics_by(g.column("g").unwrap());
        assert_eq!(by["groups"].as_array().unwrap().len(), 2);
        assert_eq!(by["groups"][0]["group"], "even");
    }

    #[test]
    fn binary_view_and_errors() {
        let f = frame(100);
        let m = model(&f);
        let s = score(&m, &f, &Budget::unlimited(), &Progress::default()).unwrap();
        assert!(s.metrics()["roc_auc"].as_f64().unwrap() > 0.9);
        let (pos, _) = s.binary_view(None).unwrap();
        assert_eq!(pos.iter().filter(|&&p| p).count(), 50);
        assert!(s
            .binary_view(Some("zzz"))
            .unwrap_err()
            .message
            .contains("zzz"));
        let mut no_target = frame(5);
        no_target.columns.pop();
        assert!(
            score(&m, &no_target, &Budget::unlimited(), &Progress::default())
                .err()
                .map(|e| e.message)
                .unwrap_or_default()
                .contains("\"y\"")
        );
    }
}
