//! A training run: choose columns, drop NULL targets and duplicates, split, fit the
//! preprocessing on the training rows, fit the estimator, measure. `prepare` and `finish` run on
//! the caller's thread; `fit` is pure computation meant for the pool.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use serde_json::{json, Value};

use super::binning::Binned;
use super::error::{Error, Result};
use super::estimator::{auto_algorithm, Estimator, Fitted, Task, TrainData};
use super::forest::Progress;
use super::frame::{Column, ColumnData, ColumnKind, Frame};
use super::model::StoredModel;
use super::options::TrainOptions;
use super::preprocess::{ColumnChoice, Defaults, Preprocessor};
use super::split::{self, Split, SplitMethod};
use super::tree::Labels;
use super::tuning::{self, SearchSpec};
use super::{columns, drift, quality, rows};

pub mod auto;
mod checks;
mod defaults;
mod encoded;
mod measure;
mod tuned;
pub mod unsupervised;

pub use tuned::Searched;

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
    binned: Option<Binned>,
    pub n_cols: usize,
    pub target: Target,
    pub split: Split,
    pub seed: u64,
    prep: Preprocessor,
    /// The raw feature columns of the used rows, for refitting preprocessing per fold.
    columns: Vec<Column>,
    choices: Vec<ColumnChoice>,
    defaults: Defaults,
    cv: Option<usize>,
    search: Option<SearchSpec>,
    hyperparams: Value,
    classes: Vec<String>,
    target_name: String,
    target_type: String,
    target_kind: ColumnKind,
    /// Facts for the report, filled as we go.
    pub report: serde_json::Map<String, Value>,
    pub warnings: Vec<String>,
}

/// What training produced.
pub struct Outcome {
    pub model: StoredModel,
    pub report: Value,
    /// The metric deploy=if_better compares (higher is better) and its value.
    pub primary: (&'static str, f64),
}

/// The NOTICE line that says how the rows were split.
fn split_summary(method: SplitMethod, split: &Split) -> String {
    format!(
        "split {}: {} train, {} validation, {} test rows",
        method_name(method),
        split.train.len(),
        split.validation.len(),
        split.test.len()
    )
}

fn sort_labels(labels: &mut [String], kind: ColumnKind) {
    if kind == ColumnKind::Text {
        labels.sort();
    } else {
        labels.sort_by(|a, b| {
            let key = |s: &str| {
                if s == "true" {
                    1.0
                } else if s == "false" {
                    0.0
                } else {
                    s.parse::<f64>().unwrap_or(f64::NAN)
                }
            };
            key(a).total_cmp(&key(b))
        });
    }
}

pub fn prepare(
    frame: &Frame,
    req: &TrainRequest,
    notice: &mut dyn FnMut(String),
) -> Result<Prepared> {
    prepare_rows(frame, req, notice, true)
}

/// `prepare`; `may_bin`: whether trees and forests may get their rows binned (tests compare).
fn prepare_rows(
    frame: &Frame,
    req: &TrainRequest,
    notice: &mut dyn FnMut(String),
    may_bin: bool,
) -> Result<Prepared> {
    let opts = &req.options;
    let n_read = frame.nrows();
    if n_read == 0 {
        return Err(Error::data("the relation has no rows"));
    }
    let unsupervised = super::estimator::unsupervised_task(&req.algorithm)
        .or(opts.task.filter(|t| !t.is_supervised()));
    if let Some(task) = unsupervised {
        if let Some(t) = opts.task.filter(|t| *t != task) {
            return Err(Error::param(format!(
                "{} is for {}; options.task says {}",
                req.algorithm,
                task.name(),
                t.name()
            )));
        }
        return unsupervised::prepare(frame, req, task, notice);
    }
    let target_name = req.target.as_deref().ok_or_else(|| {
        Error::param("a target column is needed for classification and regression; without one, use algorithm kmeans, dbscan, isolation_forest or pca (or auto with options.task clustering, anomaly or decomposition)")
    })?;
    let ti = columns::find(frame, target_name, "target")?;
    let target_col = &frame.columns[ti];

    let roles = columns::choose(frame, Some(ti), opts)?;
    let order_col = roles.order;
    let features: Vec<&Column> = roles.features.iter().map(|&i| &frame.columns[i]).collect();
    let mut used: Vec<&Column> = features.clone();
    used.push(target_col);
    if let Some(o) = order_col {
        used.push(&frame.columns[o]);
    }

    // Rows: a target is needed; exact duplicates (features, target, time) are dropped.
    let (rows, null_targets, duplicates) = rows::keep(Some(target_col), &used, opts.dedup);
    if rows.is_empty() {
        return Err(Error::data(format!(
            "the target \"{target_name}\" is NULL in every row"
        )));
    }
    notice(format!(
        "read {n_read} rows; dropped {null_targets} with a NULL target and {duplicates} exact duplicates; {} remain",
        rows.len()
    ));

    // Task and labels.
    let task = match opts.task {
        Some(t) => t,
        None => match target_col.kind {
            ColumnKind::Text | ColumnKind::Boolean => Task::Classification,
            ColumnKind::Float | ColumnKind::Temporal => Task::Regression,
            ColumnKind::Integer => {
                let distinct: HashSet<u64> =
                    rows.iter().map(|&r| target_col.cell_hash(r)).collect();
                let t = if distinct.len() <= 20 {
                    Task::Classification
                } else {
                    Task::Regression
                };
                notice(format!(
                    "task {}: the integer target \"{target_name}\" has {} distinct values (set options.task to choose)",
                    t.name(),
                    distinct.len()
                ));
                t
            }
        },
    };
    let algorithm = if req.algorithm == "auto" {
        auto_algorithm(task).to_string()
    } else {
        req.algorithm.clone()
    };
    let estimator = Estimator::from_params(&algorithm, task, &req.hyperparams)?;
    let mut warnings = Vec::new();

    let sub = frame_rows(&used, &rows);
    let (target, mut classes) = match task {
        Task::Regression => {
            let ColumnData::Numeric(v) = &target_col.data else {
                return Err(Error::param(format!(
                    "regression needs a numeric target; \"{target_name}\" is {}",
                    target_col.sql_type
                )));
            };
            (
                Target::Values(rows.iter().map(|&r| v[r]).collect()),
                Vec::new(),
            )
        }
        Task::Classification => {
            let text: Vec<String> = rows
                .iter()
                .map(|&r| target_col.text_at(r).unwrap_or_default())
                .collect();
            let mut classes: Vec<String> = text
                .iter()
                .cloned()
                .collect::<HashSet<_>>()
                .into_iter()
                .collect();
            sort_labels(&mut classes, target_col.kind);
            if classes.len() < 2 {
                return Err(Error::data(format!(
                    "the target \"{target_name}\" has a single class (\"{}\"); classification needs at least two",
                    classes.first().map_or("", |s| s.as_str())
                )));
            }
            let index: HashMap<&str, usize> = classes
                .iter()
                .enumerate()
                .map(|(i, c)| (c.as_str(), i))
                .collect();
            let y = text.iter().map(|t| index[t.as_str()]).collect();
            let n = classes.len();
            (Target::Classes { y, n_classes: n }, classes)
        }
        Task::Clustering | Task::Anomaly | Task::Decomposition => {
            return Err(Error::internal(
                "an unsupervised task reached the supervised pipeline",
            ))
        }
    };

    // Split (positions refer to `rows`).
    let s = &opts.split;
    let method = s.method.unwrap_or(if task == Task::Classification {
        SplitMethod::Stratified
    } else {
        SplitMethod::Random
    });
    let mut split = match (method, &target) {
        (SplitMethod::Stratified, Target::Classes { y, .. }) => {
            split::stratified(y, s.test_size, s.validation_size, opts.seed)?
        }
        (SplitMethod::Stratified, Target::Values(_) | Target::None) => {
            return Err(Error::param(
                "split method \"stratified\" needs a classification target",
            ))
        }
        (SplitMethod::Random, _) => {
            split::random(rows.len(), s.test_size, s.validation_size, opts.seed)?
        }
        (SplitMethod::Time, _) => {
            let o = order_col
                .map(|i| &frame.columns[i])
                .ok_or_else(|| Error::param("split method \"time\" needs order_by"))?;
            let ColumnData::Numeric(v) = &o.data else {
                return Err(Error::param(format!(
                    "split.order_by \"{}\" must be a date, timestamp or number; it is {}",
                    o.name, o.sql_type
                )));
            };
            let order: Vec<f64> = rows.iter().map(|&r| v[r]).collect();
            split::by_time(&order, s.test_size, s.validation_size)?
        }
    };

    // Classes are those of the training rows; a label seen only outside them is "unseen".
    let target = match target {
        Target::Classes { y, n_classes } => {
            let mut in_train = vec![false; n_classes];
            split.train.iter().for_each(|&i| in_train[y[i]] = true);
            if in_train.iter().any(|t| !t) {
                let missing: Vec<&str> = (0..n_classes)
                    .filter(|&c| !in_train[c])
                    .map(|c| classes[c].as_str())
                    .collect();
                warnings.push(format!("classes {missing:?} occur only outside the training rows; the model cannot predict them"));
                let remap: Vec<usize> = (0..n_classes)
                    .scan(0, |k, c| {
                        let v = if in_train[c] { *k } else { usize::MAX };
                        *k += usize::from(in_train[c]);
                        Some(v)
                    })
                    .collect();
                let kept = in_train.iter().filter(|t| **t).count();
                classes = (0..n_classes)
                    .filter(|&c| in_train[c])
                    .map(|c| classes[c].clone())
                    .collect();
                if kept < 2 {
                    return Err(Error::data(format!(
                        "the training rows of \"{target_name}\" hold a single class; classification needs at least two"
                    )));
                }
                Target::Classes {
                    y: y.iter()
                        .map(|&c| {
                            if remap[c] == usize::MAX {
                                kept
                            } else {
                                remap[c]
                            }
                        })
                        .collect(),
                    n_classes: kept,
                }
            } else {
                Target::Classes { y, n_classes }
            }
        }
        other => other,
    };
    notice(split_summary(method, &split));
    if split.test.is_empty() {
        warnings.push("test_size is 0: the metrics are measured on the training rows only".into());
    }

    // Preprocessing, fitted on the training rows only.
    let n_features = features.len();
    let sub_features: Vec<&Column> = sub.iter().take(n_features).map(|c| &**c).collect();
    let choices: Vec<ColumnChoice> = features
        .iter()
        .map(|f| opts.preprocess.get(&f.name).copied().unwrap_or_default())
        .collect();
    let defaults = defaults::for_algorithm(&algorithm, opts);
    let (prep, notes) = Preprocessor::fit(&sub_features, &split.train, &choices, defaults)?;
    // Folds must be possible, and every search candidate a valid estimator, before anything is fitted.
    for k in opts.cv.iter().chain(opts.search.as_ref().map(|s| &s.folds)) {
        let classes = match &target {
            Target::Classes { y, n_classes } => Some((y.as_slice(), *n_classes)),
            Target::Values(_) | Target::None => None,
        };
        tuning::folds(&split.train, classes, *k, opts.seed)?;
    }
    if let Some(spec) = &opts.search {
        for c in tuning::candidates(spec, opts.seed)? {
            Estimator::from_params(&algorithm, task, &tuned::merge(&req.hyperparams, &c))?;
        }
    }
    warnings.extend(notes);
    // Before the encoded matrix exists (peak memory): test rows that copy training rows
    // (none when duplicates were dropped).
    let all_used: Vec<&Column> = sub.iter().map(|c| &**c).collect();
    let overlap = if opts.dedup {
        0
    } else {
        quality::overlap(&all_used, &split.train, &split.test)
    };
    if overlap > 0 {
        warnings.push(format!(
            "{overlap} test rows are exact copies of training rows (dedup is off): the test metrics are optimistic"
        ));
    }
    let fingerprint = rows::fingerprint(&all_used, &(0..rows.len()).collect::<Vec<_>>());
    // Trees and forests train on binned rows: binned a feature at a time, the matrix of
    // floats (as large as the data) never exists. Folds refit the preprocessing, so not then.
    let bin_seed = match (opts.cv, &opts.search) {
        (None, None) if may_bin && task.is_supervised() => estimator.binning_seed(opts.seed),
        _ => None,
    };
    let (x, binned) = match bin_seed {
        Some(seed) => {
            let b = encoded::bin_features(&prep, &sub_features, rows.len(), &split.train, seed)?;
            (Vec::new(), Some(b))
        }
        None => (
            prep.transform_columns(&sub_features, &(0..rows.len()).collect::<Vec<_>>())?,
            None,
        ),
    };
    let n_cols = prep.width();

    // Data-quality warnings on the training rows.
    warnings.extend(quality::column_warnings(&sub_features, &split.train));
    if let Target::Classes { y, n_classes } = &target {
        warnings.extend(quality::imbalance(y, *n_classes, &split.train));
    }
    if method != SplitMethod::Time {
        warnings.extend(quality::time_like(&sub_features));
    }

    let mut report = serde_json::Map::new();
    report.insert(
        "rows".into(),
        json!({"read": n_read, "null_target": null_targets, "duplicates": duplicates, "used": rows.len(),
               "in_train_and_test": overlap}),
    );
    report.insert(
        "split".into(),
        json!({"method": method_name(method), "test_size": s.test_size, "validation_size": s.validation_size,
               "order_by": s.order_by, "seed": opts.seed,
               "train": split.train.len(), "validation": split.validation.len(), "test": split.test.len()}),
    );
    report.insert("fingerprint".into(), json!(fingerprint));
    report.insert("encoded_columns".into(), json!(prep.output_names()));
    let profile = drift::profiles(&sub_features, &split.train);
    report.insert("profile".into(), Value::Object(profile));
    if opts.dedup {
        report.insert("dedup".into(), json!(true));
    }
    // The split refers to positions in `rows`, and so do x and target: keep it that way.
    split.validation.shrink_to_fit();
    Ok(Prepared {
        task,
        algorithm,
        estimator,
        x,
        binned,
        n_cols,
        target,
        split,
        seed: opts.seed,
        prep,
        // Kept only where folds refit the preprocessing (a copy of the training data).
        columns: if opts.cv.is_some() || opts.search.is_some() {
            sub.into_iter()
                .take(n_features)
                .map(Cow::into_owned)
                .collect()
        } else {
            Vec::new()
        },
        choices,
        defaults,
        cv: opts.cv,
        search: opts.search.clone(),
        hyperparams: req.hyperparams.clone(),
        classes,
        target_name: target_col.name.clone(),
        target_type: target_col.sql_type.clone(),
        target_kind: target_col.kind,
        report,
        warnings,
    })
}

/// The columns restricted to `rows`: borrowed when that is every row in order (no NULL
/// target, no duplicate dropped), so the training data is not held twice.
fn frame_rows<'a>(cols: &[&'a Column], rows: &[usize]) -> Vec<Cow<'a, Column>> {
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

fn method_name(m: SplitMethod) -> &'static str {
    match m {
        SplitMethod::Random => "random",
        SplitMethod::Stratified => "stratified",
        SplitMethod::Time => "time",
    }
}

impl Prepared {
    fn labels(&self) -> Labels<'_> {
        match &self.target {
            Target::Classes { y, n_classes } => Labels::Classes {
                y,
                n_classes: *n_classes,
            },
            Target::Values(v) => Labels::Values(v),
            Target::None => Labels::Values(&[]),
        }
    }

    /// Fits the estimator on the training rows. Pure computation: call it on the pool.
    pub fn fit(&self, progress: &Progress) -> Result<Fitted> {
        self.fit_with(&self.estimator, progress)
    }

    pub fn fit_with(&self, estimator: &Estimator, progress: &Progress) -> Result<Fitted> {
        if let Target::None = self.target {
            return estimator.fit_unsupervised(
                &self.x,
                self.n_cols,
                &self.split.train,
                self.seed,
                progress,
            );
        }
        let data = TrainData {
            x: &self.x,
            binned: self.binned.as_ref(),
            n_cols: self.n_cols,
            rows: &self.split.train,
            validation: &self.split.validation,
            one_hot: &self.prep.one_hot_groups(),
            labels: self.labels(),
        };
        estimator.fit(&data, self.seed, progress)
    }

    /// The metric a search maximizes and if_better compares.
    pub fn primary_metric(&self) -> &'static str {
        match self.task {
            Task::Classification => "f1_macro",
            Task::Regression => "r2",
            Task::Clustering => "silhouette",
            Task::Decomposition => "explained_variance_ratio_total",
            // Without labels there is nothing to compare.
            Task::Anomaly => "none",
        }
    }

    /// Fits units for progress messages: search fits, CV folds, then trees of the final fit.
    pub fn work_units(&self) -> usize {
        let search = self.search.as_ref().map_or(0, |s| {
            s.folds * tuning::candidates(s, self.seed).map_or(0, |c| c.len())
        });
        search + self.cv.unwrap_or(0) + self.estimator.work_units()
    }

    /// Assembles the stored model and the report.
    pub fn finish(mut self, fitted: Fitted, metrics: Value, timings: Value) -> Outcome {
        let primary_name = self.primary_metric();
        let part = if self.split.test.is_empty() {
            "train"
        } else {
            "test"
        };
        let primary = metrics[part][primary_name]
            .as_f64()
            .unwrap_or(f64::NEG_INFINITY);
        self.warnings.extend(quality::gap(self.task, &metrics));
        let mut report = self.report;
        report.insert("metrics".into(), metrics);
        report.insert("timings_ms".into(), timings);
        report.insert("warnings".into(), json!(self.warnings));
        report.insert(
            "primary_metric".into(),
            json!({"name": primary_name, "on": part, "value": primary}),
        );
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
        };
        Outcome {
            model,
            report: Value::Object(report),
            primary: (primary_name, primary),
        }
    }

    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }
}

#[cfg(test)]
#[path = "tests/pipeline.rs"]
mod tests;
