//! Training runs without a target: clustering (kmeans, dbscan), anomaly detection
//! (isolation_forest) and decomposition (pca). Every row is used (no deduplication and no test
//! rows unless the options ask for them, as scikit-learn fits on all rows), the preprocessing is
//! fitted on the training rows, and the metrics are the task's own.

use serde_json::{json, Map, Value};

use crate::common::error::{Error, Result};
use crate::common::frame::{Column, ColumnKind, Frame};
use crate::common::task::Task;
use crate::evaluation::drift;
use crate::evaluation::objective::Objective;
use crate::model::registry;
use crate::pipeline::prepared::{
    frame_rows, method_name, split_summary, Prepared, Target, TrainRequest,
};
use crate::prepare::columns;
use crate::prepare::preprocess::{ColumnChoice, Preprocessor};
use crate::prepare::quality;
use crate::prepare::rows;
use crate::prepare::split::{self, SplitMethod};

pub(super) fn prepare(
    frame: &Frame,
    req: &TrainRequest,
    task: Task,
    notice: &mut dyn FnMut(String),
) -> Result<Prepared> {
    let opts = &req.options;
    let algorithm = match req.algorithm.as_str() {
        "auto" => crate::model::registry::task_default(task)
            .ok_or_else(|| Error::internal(format!("no default algorithm for {}", task.name())))?
            .to_string(),
        named => named.to_string(),
    };
    if let Some(t) = &req.target {
        return Err(Error::param(format!(
            "{algorithm} learns without a target; pass target => NULL instead of \"{t}\" (to compare with known labels, use dm_classification_metrics over {})",
            task.scoring_function()
        )));
    }
    let estimator = registry::estimator(&algorithm, task, &req.hyperparams)?;
    if let Some(w) = &opts.weight_column {
        return Err(Error::param(format!(
            "options.weight_column (\"{w}\") weighs the rows of a classification or regression; {algorithm} takes no sample weights"
        )));
    }
    if opts.cv.is_some() || opts.search.is_some() {
        return Err(Error::param(format!(
            "options.cv and options.search need a target; {algorithm} has none"
        )));
    }
    let objective = Objective::choose(task, opts.metric.as_deref(), 0)?;
    if let Some(option) = [
        ("threshold", opts.threshold.is_some()),
        ("calibration", opts.calibration.is_some()),
    ]
    .into_iter()
    .find_map(|(o, set)| set.then_some(o))
    {
        return Err(Error::param(format!(
            "option \"{option}\" is for a classification of two classes; {algorithm} learns without a target"
        )));
    }
    let n_read = frame.nrows();
    let roles = columns::choose(frame, None, opts)?;
    let features: Vec<&Column> = roles.features.iter().map(|&i| &frame.columns[i]).collect();
    let mut used = features.clone();
    if let Some(o) = roles.order {
        used.push(&frame.columns[o]);
    }
    let dedup = opts.dedup_set && opts.dedup;
    let (kept, _, duplicates) = rows::keep(None, &used, dedup, &opts.cancel)?;
    notice(format!(
        "read {n_read} rows; dropped {duplicates} exact duplicates; {} remain",
        kept.len()
    ));

    let s = &opts.split;
    let (test_size, validation_size) = if opts.split_set {
        (s.test_size, s.validation_size)
    } else {
        (0.0, 0.0)
    };
    let method = s.method.unwrap_or(SplitMethod::Random);
    let split = match method {
        SplitMethod::Random => split::random(kept.len(), test_size, validation_size, opts.seed)?,
        SplitMethod::Stratified => {
            return Err(Error::param(
                "split method \"stratified\" needs a classification target",
            ))
        }
        SplitMethod::Group => {
            return Err(Error::param(
                "split method \"group\" (split.group_by) is for classification and regression",
            ))
        }
        SplitMethod::Time => {
            let o = roles
                .order
                .map(|i| &frame.columns[i])
                .ok_or_else(|| Error::param("split method \"time\" needs order_by"))?;
            let crate::common::frame::ColumnData::Numeric(v) = &o.data else {
                return Err(Error::param(format!(
                    "split.order_by \"{}\" must be a date, timestamp or number; it is {}",
                    o.name, o.sql_type
                )));
            };
            let order: Vec<f64> = kept.iter().map(|&r| v[r]).collect();
            split::by_time(&order, test_size, validation_size)?
        }
    };
    if split.train.is_empty() {
        return Err(Error::data("no rows are left to train on"));
    }
    notice(split_summary(method, &split));

    let n_features = features.len();
    opts.cancel.check()?;
    let sub = frame_rows(&used, &kept);
    let sub_features: Vec<&Column> = sub.iter().take(n_features).map(|c| &**c).collect();
    let choices: Vec<ColumnChoice> = features
        .iter()
        .map(|f| opts.preprocess.get(&f.name).copied().unwrap_or_default())
        .collect();
    let defaults = crate::pipeline::defaults::for_estimator(&estimator, opts);
    opts.cancel.check()?;
    let (prep, notes) = Preprocessor::fit(&sub_features, &split.train, &choices, defaults)?;
    opts.cancel.check()?;
    let mut warnings = notes;
    let all: Vec<usize> = (0..kept.len()).collect();
    opts.memory
        .check_items("encoding the training rows", all.len(), prep.width() * 8)?;
    let x = prep.transform_columns(&sub_features, &all)?;
    opts.cancel.check()?;
    let n_cols = prep.width();
    warnings.extend(quality::column_warnings(&sub_features, &split.train));

    let mut report = Map::new();
    report.insert(
        "rows".into(),
        json!({"read": n_read, "null_target": 0, "duplicates": duplicates, "used": kept.len()}),
    );
    report.insert(
        "split".into(),
        json!({"method": method_name(method), "test_size": test_size, "validation_size": validation_size,
               "order_by": s.order_by, "seed": opts.seed,
               "train": split.train.len(), "validation": split.validation.len(), "test": split.test.len()}),
    );
    report.insert(
        "fingerprint".into(),
        json!(rows::fingerprint(
            &sub.iter().map(|c| &**c).collect::<Vec<_>>(),
            &all
        )),
    );
    report.insert("encoded_columns".into(), json!(prep.output_names()));
    let profile = drift::profiles(&sub_features, &split.train);
    report.insert("profile".into(), Value::Object(profile));
    if dedup {
        report.insert("dedup".into(), json!(true));
    }
    Ok(Prepared {
        weights: None,
        task,
        algorithm,
        estimator,
        x,
        binned: None,
        n_cols,
        target: Target::None,
        split,
        groups: None,
        row_keys: None,
        seed: opts.seed,
        budget: opts.memory,
        prep,
        columns: sub
            .into_iter()
            .take(n_features)
            .map(std::borrow::Cow::into_owned)
            .collect(),
        choices,
        defaults,
        cv: None,
        search: None,
        hyperparams: req.hyperparams.clone(),
        classes: Vec::new(),
        target_name: String::new(),
        target_type: String::new(),
        target_kind: ColumnKind::Float,
        threshold_rule: opts.threshold,
        threshold: Default::default(),
        calibration_method: None,
        calibration: Default::default(),
        guards: opts.guards,
        objective,
        report,
        warnings,
    })
}
