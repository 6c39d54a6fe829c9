//! A training run: choose columns, drop NULL targets and duplicates, split, fit the
//! preprocessing on the training rows, fit the estimator, measure. `prepare` and `finish` run on
//! the caller's thread; `fit` is pure computation meant for the pool.

use std::collections::{HashMap, HashSet};

use rayon::prelude::*;
use serde_json::{json, Value};

use super::error::{Error, Result};
use super::estimator::{auto_algorithm, Estimator, Fitted, Model, Task, TrainData};
use super::forest::Progress;
use super::frame::{mix, Column, ColumnData, ColumnKind, Frame};
use super::metrics::{self, Metrics};
use super::model::{argmax, StoredModel};
use super::options::TrainOptions;
use super::preprocess::{ColumnChoice, Defaults, Preprocessor, Scale};
use super::split::{self, Split, SplitMethod};
use super::tree::Labels;

pub struct TrainRequest {
    pub target: Option<String>,
    pub algorithm: String,
    pub hyperparams: Value,
    pub options: TrainOptions,
}

pub enum Target {
    Classes { y: Vec<usize>, n_classes: usize },
    Values(Vec<f64>),
}

/// Everything `fit` needs, owned, so it can move to a pool thread.
pub struct Prepared {
    pub task: Task,
    pub algorithm: String,
    pub estimator: Estimator,
    pub x: Vec<f64>,
    pub n_cols: usize,
    pub target: Target,
    pub split: Split,
    pub seed: u64,
    prep: Preprocessor,
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

fn columns_list(frame: &Frame) -> String {
    frame.columns.iter().map(|c| c.name.as_str()).collect::<Vec<_>>().join(", ")
}

fn find(frame: &Frame, name: &str, role: &str) -> Result<usize> {
    frame.position(name).ok_or_else(|| {
        Error::column(format!("{role} column \"{name}\" does not exist; the columns are: {}", columns_list(frame)))
    })
}

fn is_linear(algorithm: &str) -> bool {
    matches!(algorithm, "linear_regression" | "ridge" | "logistic_regression")
}

/// Order-independent 64-bit fingerprint of the rows, hex.
fn fingerprint(cols: &[&Column], rows: &[usize]) -> String {
    let sum = rows.iter().fold(0u64, |acc, &r| acc.wrapping_add(row_hash(cols, r)));
    format!("{:016x}-{}", mix(sum ^ rows.len() as u64), rows.len())
}

fn row_hash(cols: &[&Column], r: usize) -> u64 {
    cols.iter().enumerate().fold(0x1234_5678u64, |h, (i, c)| mix(h ^ c.cell_hash(r).wrapping_add(i as u64)))
}

fn sort_labels(labels: &mut [String], kind: ColumnKind) {
    if kind == ColumnKind::Text {
        labels.sort();
    } else {
        labels.sort_by(|a, b| {
            let key = |s: &str| if s == "true" { 1.0 } else if s == "false" { 0.0 } else { s.parse::<f64>().unwrap_or(f64::NAN) };
            key(a).total_cmp(&key(b))
        });
    }
}

pub fn prepare(frame: &Frame, req: &TrainRequest, notice: &mut dyn FnMut(String)) -> Result<Prepared> {
    let opts = &req.options;
    let n_read = frame.nrows();
    if n_read == 0 {
        return Err(Error::data("the relation has no rows"));
    }
    let target_name =
        req.target.as_deref().ok_or_else(|| Error::param("a target column is needed for classification and regression"))?;
    let ti = find(frame, target_name, "target")?;
    let target_col = &frame.columns[ti];

    // Features: named, or every column but the target, the excluded ones and the time column.
    for e in &opts.exclude {
        find(frame, e, "excluded")?;
    }
    let order_col = match &opts.split.order_by {
        Some(name) => Some(find(frame, name, "split.order_by")?),
        None => None,
    };
    let feature_idx: Vec<usize> = match &opts.features {
        Some(list) => {
            let mut idx = Vec::new();
            for f in list {
                let i = find(frame, f, "feature")?;
                if i == ti {
                    return Err(Error::param(format!("the target \"{target_name}\" cannot also be a feature")));
                }
                if !idx.contains(&i) {
                    idx.push(i);
                }
            }
            idx
        }
        None => {
            let excluded: HashSet<usize> = opts.exclude.iter().filter_map(|e| frame.position(e)).collect();
            (0..frame.columns.len()).filter(|&i| i != ti && Some(i) != order_col && !excluded.contains(&i)).collect()
        }
    };
    if feature_idx.is_empty() {
        return Err(Error::param("no feature columns are left beside the target"));
    }
    let features: Vec<&Column> = feature_idx.iter().map(|&i| &frame.columns[i]).collect();
    for col in opts.preprocess.keys() {
        if !features.iter().any(|f| f.name == *col) {
            return Err(Error::column(format!("options.preprocess names \"{col}\", which is not a feature column")));
        }
    }

    let mut used: Vec<&Column> = features.clone();
    used.push(target_col);
    if let Some(o) = order_col {
        used.push(&frame.columns[o]);
    }
    if let Some(c) = used.iter().find(|c| c.non_finite > 0) {
        return Err(Error::data(format!(
            "column \"{}\" holds NaN or Infinity in {} row{}; pg_mining does not train on them (make them NULL or filter them out)",
            c.name,
            c.non_finite,
            if c.non_finite == 1 { "" } else { "s" }
        )));
    }

    // Rows: a target is needed; exact duplicates (features, target, time) are dropped.
    let mut rows: Vec<usize> = (0..n_read).filter(|&r| !target_col.is_null(r)).collect();
    let null_targets = n_read - rows.len();
    if rows.is_empty() {
        return Err(Error::data(format!("the target \"{target_name}\" is NULL in every row")));
    }
    let mut duplicates = 0;
    if opts.dedup {
        let mut seen: HashMap<u64, Vec<usize>> = HashMap::with_capacity(rows.len());
        rows.retain(|&r| {
            let h = row_hash(&used, r);
            let bucket = seen.entry(h).or_default();
            let dup = bucket.iter().any(|&o| used.iter().all(|c| c.cell_hash(o) == c.cell_hash(r)));
            if dup {
                duplicates += 1;
            } else {
                bucket.push(r);
            }
            !dup
        });
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
                let distinct: HashSet<u64> = rows.iter().map(|&r| target_col.cell_hash(r)).collect();
                let t = if distinct.len() <= 20 { Task::Classification } else { Task::Regression };
                notice(format!(
                    "task {}: the integer target \"{target_name}\" has {} distinct values (set options.task to choose)",
                    t.name(),
                    distinct.len()
                ));
                t
            }
        },
    };
    let algorithm = if req.algorithm == "auto" { auto_algorithm(task).to_string() } else { req.algorithm.clone() };
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
            (Target::Values(rows.iter().map(|&r| v[r]).collect()), Vec::new())
        }
        Task::Classification => {
            let text: Vec<String> = rows.iter().map(|&r| target_col.text_at(r).unwrap_or_default()).collect();
            let mut classes: Vec<String> = text.iter().cloned().collect::<HashSet<_>>().into_iter().collect();
            sort_labels(&mut classes, target_col.kind);
            if classes.len() < 2 {
                return Err(Error::data(format!(
                    "the target \"{target_name}\" has a single class (\"{}\"); classification needs at least two",
                    classes.first().map_or("", |s| s.as_str())
                )));
            }
            let index: HashMap<&str, usize> = classes.iter().enumerate().map(|(i, c)| (c.as_str(), i)).collect();
            let y = text.iter().map(|t| index[t.as_str()]).collect();
            let n = classes.len();
            (Target::Classes { y, n_classes: n }, classes)
        }
    };

    // Split (positions refer to `rows`).
    let s = &opts.split;
    let method = s.method.unwrap_or(if task == Task::Classification { SplitMethod::Stratified } else { SplitMethod::Random });
    let mut split = match (method, &target) {
        (SplitMethod::Stratified, Target::Classes { y, .. }) => split::stratified(y, s.test_size, s.validation_size, opts.seed)?,
        (SplitMethod::Stratified, Target::Values(_)) => {
            return Err(Error::param("split method \"stratified\" needs a classification target"))
        }
        (SplitMethod::Random, _) => split::random(rows.len(), s.test_size, s.validation_size, opts.seed)?,
        (SplitMethod::Time, _) => {
            let o = order_col.map(|i| &frame.columns[i]).ok_or_else(|| Error::param("split method \"time\" needs order_by"))?;
            let ColumnData::Numeric(v) = &o.data else {
                return Err(Error::param(format!("split.order_by \"{}\" must be a date, timestamp or number; it is {}", o.name, o.sql_type)));
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
                let missing: Vec<&str> =
                    (0..n_classes).filter(|&c| !in_train[c]).map(|c| classes[c].as_str()).collect();
                warnings.push(format!("classes {missing:?} occur only outside the training rows; the model cannot predict them"));
                let remap: Vec<usize> = (0..n_classes)
                    .scan(0, |k, c| {
                        let v = if in_train[c] { *k } else { usize::MAX };
                        *k += usize::from(in_train[c]);
                        Some(v)
                    })
                    .collect();
                let kept = in_train.iter().filter(|t| **t).count();
                classes = (0..n_classes).filter(|&c| in_train[c]).map(|c| classes[c].clone()).collect();
                if kept < 2 {
                    return Err(Error::data(format!(
                        "the training rows of \"{target_name}\" hold a single class; classification needs at least two"
                    )));
                }
                Target::Classes { y: y.iter().map(|&c| if remap[c] == usize::MAX { kept } else { remap[c] }).collect(), n_classes: kept }
            } else {
                Target::Classes { y, n_classes }
            }
        }
        other => other,
    };
    notice(format!(
        "split {}: {} train, {} validation, {} test rows",
        method_name(method),
        split.train.len(),
        split.validation.len(),
        split.test.len()
    ));
    if split.test.is_empty() {
        warnings.push("test_size is 0: the metrics are measured on the training rows only".into());
    }

    // Preprocessing, fitted on the training rows only.
    let n_features = features.len();
    let sub_features: Vec<&Column> = sub.iter().take(n_features).collect();
    let choices: Vec<ColumnChoice> =
        features.iter().map(|f| opts.preprocess.get(&f.name).copied().unwrap_or_default()).collect();
    let defaults = Defaults {
        scale: if is_linear(&algorithm) { Scale::Standard } else { Scale::None },
        unknown: opts.unknown,
        max_categories: opts.max_categories,
    };
    let (prep, notes) = Preprocessor::fit(&sub_features, &split.train, &choices, defaults)?;
    warnings.extend(notes);
    let x = prep.transform_columns(&sub_features, &(0..rows.len()).collect::<Vec<_>>())?;
    let n_cols = prep.width();

    // Data-quality warnings on the training rows.
    for c in &sub_features {
        let first = split.train.first().map(|&r| c.cell_hash(r));
        if split.train.iter().all(|&r| Some(c.cell_hash(r)) == first) {
            warnings.push(format!("column \"{}\" is constant in the training rows", c.name));
        } else if looks_like_id(c, &split.train) {
            {
                warnings.push(format!(
                    "column \"{}\" has a distinct value in every row and looks like an identifier; exclude it",
                    c.name
                ));
            }
        }
    }
    if let Target::Classes { y, n_classes } = &target {
        let mut counts = vec![0usize; *n_classes + 1];
        split.train.iter().for_each(|&i| counts[y[i]] += 1);
        let total = split.train.len().max(1) as f64;
        let (maj, min) = (counts.iter().take(*n_classes).max().copied().unwrap_or(0), counts.iter().take(*n_classes).min().copied().unwrap_or(0));
        if (min as f64) < 0.1 * maj as f64 {
            warnings.push(format!(
                "class imbalance: the rarest class has {min} training rows, the most frequent {maj}; always predicting the majority scores accuracy {:.3}, so judge by balanced_accuracy and f1_macro",
                maj as f64 / total
            ));
        }
    }

    let mut report = serde_json::Map::new();
    report.insert(
        "rows".into(),
        json!({"read": n_read, "null_target": null_targets, "duplicates": duplicates, "used": rows.len()}),
    );
    report.insert(
        "split".into(),
        json!({"method": method_name(method), "test_size": s.test_size, "validation_size": s.validation_size,
               "order_by": s.order_by, "seed": opts.seed,
               "train": split.train.len(), "validation": split.validation.len(), "test": split.test.len()}),
    );
    report.insert("fingerprint".into(), json!(fingerprint(&sub.iter().collect::<Vec<_>>(), &(0..rows.len()).collect::<Vec<_>>())));
    report.insert("encoded_columns".into(), json!(prep.output_names()));
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
        n_cols,
        target,
        split,
        seed: opts.seed,
        prep,
        classes,
        target_name: target_col.name.clone(),
        target_type: target_col.sql_type.clone(),
        target_kind: target_col.kind,
        report,
        warnings,
    })
}

/// A column with a distinct value in every training row: text, or an integer whose name says
/// it is a key, or any integer over many rows.
fn looks_like_id(c: &Column, rows: &[usize]) -> bool {
    let lower = c.name.to_lowercase();
    let named = lower == "id" || lower.ends_with("_id") || lower.ends_with("id") && lower.len() <= 4
        || ["key", "code", "uuid", "guid"].iter().any(|k| lower == *k || lower.ends_with(&format!("_{k}")));
    let candidate = match c.kind {
        ColumnKind::Text => rows.len() >= 20,
        ColumnKind::Integer => rows.len() >= 20 && (named || rows.len() >= 200),
        _ => false,
    };
    candidate && rows.iter().map(|&r| c.cell_hash(r)).collect::<HashSet<u64>>().len() == rows.len()
}

fn frame_rows(cols: &[&Column], rows: &[usize]) -> Vec<Column> {
    cols.iter().map(|c| c.take(rows)).collect()
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
            Target::Classes { y, n_classes } => Labels::Classes { y, n_classes: *n_classes },
            Target::Values(v) => Labels::Values(v),
        }
    }

    /// Fits the estimator on the training rows. Pure computation: call it on the pool.
    pub fn fit(&self, progress: &Progress) -> Result<Fitted> {
        let data = TrainData { x: &self.x, n_cols: self.n_cols, rows: &self.split.train, labels: self.labels() };
        self.estimator.fit(&data, self.seed, progress)
    }

    /// Metrics of a fitted model on the given rows. Pure computation.
    pub fn measure(&self, fitted: &Fitted, rows: &[usize]) -> Metrics {
        let p = self.n_cols;
        match &self.target {
            Target::Classes { y, n_classes } => {
                let pred: Vec<usize> = rows
                    .par_iter()
                    .map(|&r| {
                        let mut out = vec![0.0; *n_classes];
                        fitted.predict_proba(&self.x[r * p..(r + 1) * p], &mut out);
                        argmax(&out)
                    })
                    .collect();
                let actual: Vec<usize> = rows.iter().map(|&r| y[r]).collect();
                // Labels the model never saw in training have index n_classes.
                metrics::classification(&actual, &pred, *n_classes)
            }
            Target::Values(v) => {
                let pred: Vec<f64> = rows.par_iter().map(|&r| fitted.predict_value(&self.x[r * p..(r + 1) * p])).collect();
                let actual: Vec<f64> = rows.iter().map(|&r| v[r]).collect();
                metrics::regression(&actual, &pred)
            }
        }
    }

    /// Assembles the stored model and the report.
    pub fn finish(mut self, fitted: Fitted, metrics: Value, timings: Value) -> Outcome {
        let primary_name = match self.task {
            Task::Classification => "f1_macro",
            Task::Regression => "r2",
        };
        let part = if self.split.test.is_empty() { "train" } else { "test" };
        let primary = metrics[part][primary_name].as_f64().unwrap_or(f64::NEG_INFINITY);
        let headline = match self.task {
            Task::Classification => "accuracy",
            Task::Regression => "r2",
        };
        if let (Some(tr), Some(te)) = (metrics["train"][headline].as_f64(), metrics["test"][headline].as_f64()) {
            if tr - te > 0.1 {
                self.warnings.push(format!(
                    "train/test gap: {headline} {tr:.3} on train but {te:.3} on test; the model may overfit"
                ));
            }
        }
        let mut report = self.report;
        report.insert("metrics".into(), metrics);
        report.insert("timings_ms".into(), timings);
        report.insert("warnings".into(), json!(self.warnings));
        report.insert("primary_metric".into(), json!({"name": primary_name, "on": part, "value": primary}));
        let model = StoredModel {
            task: self.task,
            algorithm: self.algorithm,
            target: self.target_name,
            target_type: self.target_type,
            target_kind: self.target_kind,
            classes: self.classes,
            prep: self.prep,
            estimator: fitted,
        };
        Outcome { model, report: Value::Object(report), primary: (primary_name, primary) }
    }

    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mining::preprocess::Raw;
    use serde_json::json;

    fn frame(n: usize) -> Frame {
        let mut a = Column::new("a", "double precision", ColumnKind::Float);
        let mut b = Column::new("b", "text", ColumnKind::Text);
        let mut y = Column::new("y", "text", ColumnKind::Text);
        let mut v = Column::new("v", "double precision", ColumnKind::Float);
        for i in 0..n {
            let x = (i % 50) as f64;
            a.push_number(if i % 17 == 3 { None } else { Some(x) });
            b.push_text(Some(if i % 3 == 0 { "red" } else { "blue" }));
            y.push_text(Some(if x > 25.0 { "high" } else { "low" }));
            v.push_number(Some(2.0 * x + if i % 3 == 0 { 10.0 } else { 0.0 }));
        }
        Frame { columns: vec![a, b, y, v] }
    }

    fn run(frame: &Frame, target: &str, algorithm: &str, options: Value) -> Result<Outcome> {
        let req = TrainRequest {
            target: Some(target.into()),
            algorithm: algorithm.into(),
            hyperparams: json!({}),
            options: TrainOptions::parse(&options)?,
        };
        let p = prepare(frame, &req, &mut |_| {})?;
        let fitted = p.fit(&Progress::default())?;
        let metrics = json!({"train": p.measure(&fitted, &p.split.train), "test": p.measure(&fitted, &p.split.test)});
        Ok(p.finish(fitted, metrics, json!({})))
    }

    #[test]
    fn classifies_and_reports() {
        let f = frame(400);
        let out = run(&f, "y", "decision_tree", json!({"exclude": ["v"]})).unwrap();
        // 400 rows, 50 distinct (a, b, y) patterns... duplicates are dropped.
        let rows = &out.report["rows"];
        assert_eq!(rows["read"], 400);
        assert!(rows["duplicates"].as_u64().unwrap() > 0);
        assert_eq!(out.model.classes, vec!["high", "low"]);
        // Rows with a NULL "a" cannot be told apart; the rest can.
        assert!(out.report["metrics"]["test"]["accuracy"].as_f64().unwrap() > 0.75, "{}", out.report);
        assert!(out.report["metrics"]["test"]["f1"].as_f64().is_some());
        let mut buf = Vec::new();
        let c = out.model.predict_class(&[Raw::Num(40.0), Raw::Text("red")], &mut buf).unwrap();
        assert_eq!(out.model.classes[c], "high");
    }

    #[test]
    fn regresses_with_every_linear_learner() {
        let f = frame(300);
        for algo in ["linear_regression", "ridge", "random_forest", "decision_tree"] {
            let out = run(&f, "v", algo, json!({"exclude": ["y"], "dedup": false})).unwrap();
            let r2 = out.report["metrics"]["test"]["r2"].as_f64().unwrap();
            assert!(r2 > 0.9, "{algo}: r2 {r2}");
        }
    }

    #[test]
    fn logistic_regression_on_mixed_columns() {
        let f = frame(300);
        let out = run(&f, "y", "logistic_regression", json!({"exclude": ["v"], "dedup": false})).unwrap();
        assert!(out.report["metrics"]["test"]["accuracy"].as_f64().unwrap() > 0.85);
    }

    #[test]
    fn bad_requests_are_clear_errors() {
        let f = frame(50);
        let e = |t: &str, a: &str, o: Value| run(&f, t, a, o).err().map(|e| e.message).unwrap_or_default();
        assert!(e("nope", "auto", json!({})).contains("\"nope\""));
        assert!(e("y", "auto", json!({"features": ["zz"]})).contains("\"zz\""));
        assert!(e("y", "ridge", json!({})).contains("regression"));
        assert!(e("y", "auto", json!({"features": ["y"]})).contains("target"));
        assert!(e("y", "auto", json!({"preprocess": {"v": {"scale": "none"}}, "exclude": ["v"]})).contains("\"v\""));
        let mut g = frame(10);
        g.columns[2] = Column::new("y", "text", ColumnKind::Text);
        (0..10).for_each(|_| g.columns[2].push_text(Some("same")));
        assert!(run(&g, "y", "auto", json!({})).err().unwrap().message.contains("single class"));
        assert!(run(&Frame::default(), "y", "auto", json!({})).is_err());
    }

    #[test]
    fn nan_in_a_used_column_is_an_error_naming_it() {
        let mut f = frame(30);
        f.columns[0].push_number(Some(f64::NAN));
        for c in f.columns.iter_mut().skip(1) {
            c.push_number(Some(1.0));
        }
        let e = run(&f, "v", "ridge", json!({"exclude": ["y"]})).err().unwrap();
        assert!(e.message.contains("\"a\"") && e.message.contains("NaN"), "{}", e.message);
        // Not used: no error.
        assert!(run(&f, "v", "ridge", json!({"exclude": ["y", "a"]})).is_ok());
    }

    #[test]
    fn time_split_tests_on_the_latest_rows() {
        let f = frame(100);
        let req = TrainRequest {
            target: Some("v".into()),
            algorithm: "linear_regression".into(),
            hyperparams: json!({}),
            options: TrainOptions::parse(&json!({"split": {"method": "time", "order_by": "a"}, "exclude": ["y"], "dedup": false})).unwrap(),
        };
        let p = prepare(&f, &req, &mut |_| {}).unwrap();
        // "a" orders the rows and is not a feature.
        assert_eq!(p.n_cols, 2);
        assert_eq!(p.split.test.len(), 20);
    }

    #[test]
    fn same_seed_same_model() {
        let f = frame(200);
        let a = run(&f, "y", "random_forest", json!({"exclude": ["v"]})).unwrap();
        let b = run(&f, "y", "random_forest", json!({"exclude": ["v"]})).unwrap();
        assert_eq!(a.model.estimator, b.model.estimator);
        assert_eq!(a.report["fingerprint"], b.report["fingerprint"]);
    }
}
