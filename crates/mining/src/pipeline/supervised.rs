//! Preparing a run with a target (classification, regression): choose columns, drop NULL
//! targets and duplicates, infer the task, resolve the estimator, split, fit the preprocessing on
//! the training rows, and encode (or bin) the rows for the fit.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use serde_json::{json, Value};

use crate::common::error::{Error, Result};
use crate::common::frame::{Column, ColumnData, ColumnKind, Frame};
use crate::common::task::Task;
use crate::evaluation::drift;
use crate::evaluation::objective::Objective;
use crate::evaluation::tuning;
use crate::model::registry;
use crate::pipeline::prepared::{
    frame_rows, method_name, split_summary, Prepared, Target, TrainRequest,
};
use crate::pipeline::{defaults, encoded, guards, tuned, unsupervised};
use crate::prepare::columns;
use crate::prepare::groups;
use crate::prepare::preprocess::{ColumnChoice, Preprocessor};
use crate::prepare::quality;
use crate::prepare::row_keys::{self, RowKeys};
use crate::prepare::rows;
use crate::prepare::search::{self};
use crate::prepare::split::{self, SplitMethod};
use crate::prepare::weights;

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
pub(super) fn prepare_rows(
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
    let unsupervised = crate::model::registry::unsupervised_task(&req.algorithm)
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
    let weight_col = roles.weight.map(|i| &frame.columns[i]);
    used.extend(weight_col);

    // Rows: a target is needed (and a weight, with options.weight_column); exact duplicates
    // (features, target, time, weight) are dropped.
    let (mut rows, null_targets, duplicates) =
        rows::keep(Some(target_col), &used, opts.dedup, &opts.cancel)?;
    let null_weights = match weight_col {
        Some(w) => weights::keep_weighted(w, &mut rows)?,
        None => 0,
    };
    if rows.is_empty() {
        return Err(Error::data(match weight_col {
            Some(w) if null_weights > 0 => format!(
                "every row has a NULL target \"{target_name}\" or a NULL weight \"{}\"",
                w.name
            ),
            _ => format!("the target \"{target_name}\" is NULL in every row"),
        }));
    }
    let weight_note = match weight_col {
        Some(w) => format!(", {null_weights} with a NULL weight \"{}\"", w.name),
        None => String::new(),
    };
    notice(format!(
        "read {n_read} rows; dropped {null_targets} with a NULL target{weight_note} and {duplicates} exact duplicates; {} remain",
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
    if req.algorithm == "auto" {
        return Err(Error::internal(
            "auto compares learners before a run is prepared (pipeline::auto::choose)",
        ));
    }
    let algorithm = req.algorithm.clone();
    let estimator = registry::estimator(&algorithm, task, &req.hyperparams)?;
    if let (Some(w), false) = (weight_col, estimator.takes_sample_weights()) {
        return Err(Error::param(format!(
            "{algorithm} takes no sample weights (options.weight_column \"{}\"); drop the option, or use another algorithm",
            w.name
        )));
    }
    let mut warnings = Vec::new();
    warnings.extend(quality::dedup_share(
        target_col,
        &rows,
        duplicates,
        task == Task::Classification,
    ));

    opts.cancel.check()?;
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
    // Rows that stay on one side of the split and of every fold: an entity's (split.group_by)
    // and, when duplicates are kept, the copies of a row. Copies are rows with equal features,
    // whatever their targets: grouping by features and target too would deal the rows of one
    // feature value and another label to the other side, and test each against its opposite.
    // Under a time split rows are copies only at the same time: equal features at other times
    // are other events.
    let mut copy_cols = features.clone();
    if method == SplitMethod::Time {
        copy_cols.extend(order_col.map(|i| &frame.columns[i]));
    }
    let group_col = match &s.group_by {
        Some(g) => Some(&frame.columns[columns::find(frame, g, "split.group_by")?]),
        None => None,
    };
    let groups = groups::build(
        group_col,
        (!opts.dedup).then_some(copy_cols.as_slice()),
        &rows,
        &opts.cancel,
    )?;
    let labels = match &target {
        Target::Classes { y, n_classes } => Some((y.as_slice(), *n_classes)),
        Target::Values(_) | Target::None => None,
    };
    let stratify = match method {
        SplitMethod::Stratified if labels.is_none() => {
            return Err(Error::param(
                "split method \"stratified\" needs a classification target",
            ))
        }
        SplitMethod::Stratified | SplitMethod::Group => labels,
        SplitMethod::Random | SplitMethod::Time => None,
    };
    let mut split = match (method, &groups, stratify) {
        (SplitMethod::Time, _, _) => {
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
            let mut split = split::by_time(&order, s.test_size, s.validation_size)?;
            if let Some(g) = &groups {
                split.keep_groups_together(g);
            }
            split
        }
        (_, Some(g), _) => split::grouped(g, stratify, s.test_size, s.validation_size, opts.seed)?,
        (_, None, Some((y, _))) => split::stratified(y, s.test_size, s.validation_size, opts.seed)?,
        (_, None, None) => split::random(rows.len(), s.test_size, s.validation_size, opts.seed)?,
    };
    let sample_weights = match weight_col {
        Some(w) => {
            let v = weights::of_rows(w, &rows);
            weights::check_total(&v, &split.train, &w.name)?;
            Some(v)
        }
        None => None,
    };
    if let (Some(g), Some(name)) = (&groups, &s.group_by) {
        notice(format!(
            "{} groups of \"{name}\": each on one side of the split and of every fold",
            g.count
        ));
    }

    // A key per row of each part, kept with the version (dm_evaluate's rows; prepare/row_keys.rs).
    let row_keys = if rows.len() <= row_keys::MAX_ROWS {
        let key_cols: Vec<&Column> = features.iter().copied().chain([target_col]).collect();
        let mut keys = Vec::with_capacity(rows.len());
        for chunk in rows.chunks(1 << 16) {
            opts.cancel.check()?;
            keys.extend(chunk.iter().map(|&r| row_keys::key(&key_cols, r)));
        }
        Some(RowKeys::of_split(
            &keys,
            &split.train,
            &split.validation,
            &split.test,
        ))
    } else {
        None
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
    let binary_only = match (opts.threshold.is_some(), opts.calibration.is_some()) {
        (true, _) => Some("threshold"),
        (false, true) => Some("calibration"),
        _ => None,
    };
    if let (Some(option), false) = (
        binary_only,
        matches!(&target, Target::Classes { n_classes: 2, .. }),
    ) {
        return Err(Error::param(format!(
            "option \"{option}\" is for a classification of two classes; \"{target_name}\" {}",
            match &target {
                Target::Classes { n_classes, .. } => format!("has {n_classes} classes"),
                _ => "is a regression target".to_string(),
            }
        )));
    }
    let objective = Objective::choose(
        task,
        opts.metric.as_deref(),
        match &target {
            Target::Classes { n_classes, .. } => *n_classes,
            _ => 0,
        },
    )?;
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
    let defaults = defaults::for_estimator(&estimator, opts);
    opts.cancel.check()?;
    let (prep, notes) = Preprocessor::fit(&sub_features, &split.train, &choices, defaults)?;
    opts.cancel.check()?;
    // Folds must be possible, and every search candidate a valid estimator, before anything is fitted.
    for k in opts.cv.iter().chain(opts.search.as_ref().map(|s| &s.folds)) {
        let classes = match &target {
            Target::Classes { y, n_classes } => Some((y.as_slice(), *n_classes)),
            Target::Values(_) | Target::None => None,
        };
        tuning::folds(&split.train, classes, *k, opts.seed, groups.as_ref())?;
    }
    if let Some(spec) = &opts.search {
        for c in search::candidates(spec, opts.seed)? {
            registry::estimator(&algorithm, task, &tuned::merge(&req.hyperparams, &c))?;
        }
    }
    warnings.extend(notes);
    let all_used: Vec<&Column> = sub.iter().map(|c| &**c).collect();
    let fingerprint = rows::fingerprint(&all_used, &(0..rows.len()).collect::<Vec<_>>());
    // Trees and forests train on binned rows: binned a feature at a time, the matrix of
    // floats (as large as the data) never exists. Folds refit the preprocessing, so not then.
    // A threshold tuned, or a calibration fitted, without validation rows uses out-of-fold
    // predictions: folds.
    let folds_for_threshold = (opts.threshold.is_some_and(|r| r.tuned())
        || opts.calibration.is_some())
        && split.validation.is_empty();
    let bin_seed = match (opts.cv, &opts.search) {
        (None, None) if may_bin && task.is_supervised() && !folds_for_threshold => {
            estimator.binning_seed(opts.seed)
        }
        _ => None,
    };
    let (x, binned) = match bin_seed {
        Some(seed) => {
            opts.memory
                .check_items("binning the training rows", rows.len(), prep.width())?;
            let b = encoded::bin_features(
                &prep,
                &sub_features,
                rows.len(),
                &split.train,
                seed,
                &opts.cancel,
            )?;
            (Vec::new(), Some(b))
        }
        None => {
            opts.memory
                .check_items("encoding the training rows", rows.len(), prep.width() * 8)?;
            let all: Vec<usize> = (0..rows.len()).collect();
            (prep.transform_columns(&sub_features, &all)?, None)
        }
    };
    let n_cols = prep.width();

    opts.cancel.check()?;
    // Data-quality warnings on the training rows.
    warnings.extend(quality::column_warnings(&sub_features, &split.train));
    if let Target::Classes { y, n_classes } = &target {
        warnings.extend(quality::imbalance(y, *n_classes, &split.train));
    }
    if method != SplitMethod::Time {
        for w in quality::time_like(&sub_features) {
            guards::fire(opts.guards, "time_split", w, &mut warnings)?;
        }
    }

    let mut report = serde_json::Map::new();
    let mut row_counts = json!({"read": n_read, "null_target": null_targets, "duplicates": duplicates, "used": rows.len()});
    if let (Some(w), Some(v)) = (weight_col, &sample_weights) {
        row_counts["weight_column"] = json!(w.name);
        row_counts["null_weight"] = json!(null_weights);
        row_counts["train_weight"] =
            json!(split.train.iter().filter_map(|&r| v.get(r)).sum::<f64>());
    }
    report.insert("rows".into(), row_counts);
    report.insert(
        "split".into(),
        json!({"method": method_name(method), "test_size": s.test_size, "validation_size": s.validation_size,
               "order_by": s.order_by, "group_by": s.group_by,
               "groups": groups.as_ref().map_or(rows.len(), |g| g.count), "seed": opts.seed,
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
        weights: sample_weights,
        split,
        seed: opts.seed,
        budget: opts.memory,
        prep,
        // Kept only where folds refit the preprocessing (a copy of the training data).
        columns: if opts.cv.is_some() || opts.search.is_some() || folds_for_threshold {
            sub.into_iter()
                .take(n_features)
                .map(Cow::into_owned)
                .collect()
        } else {
            Vec::new()
        },
        choices,
        defaults,
        groups,
        row_keys,
        cv: opts.cv,
        search: opts.search.clone(),
        hyperparams: req.hyperparams.clone(),
        classes,
        target_name: target_col.name.clone(),
        target_type: target_col.sql_type.clone(),
        target_kind: target_col.kind,
        threshold_rule: opts.threshold,
        threshold: Default::default(),
        calibration_method: opts.calibration,
        calibration: Default::default(),
        guards: opts.guards,
        objective,
        report,
        warnings,
    })
}
