//! Training runs without a target: clustering (kmeans, dbscan), anomaly detection
//! (isolation_forest) and decomposition (pca). Every row is used (no deduplication and no test
//! rows unless the options ask for them, as scikit-learn fits on all rows), the preprocessing is
//! fitted on the training rows, and the metrics are the task's own.

use serde_json::{json, Map, Value};

use super::super::cluster_metrics;
use super::super::error::{Error, Result};
use super::super::estimator::{Estimator, Fitted, Task};
use super::super::frame::{Column, ColumnKind, Frame};
use super::super::preprocess::{ColumnChoice, Defaults, Preprocessor, Scale};
use super::super::split::{self, SplitMethod};
use super::super::{columns, drift, quality, rows};
use super::{frame_rows, method_name, split_summary, Prepared, Target, TrainRequest};

/// The algorithm `auto` stands for when the task is unsupervised.
fn auto_for(task: Task) -> &'static str {
    match task {
        Task::Anomaly => "isolation_forest",
        Task::Decomposition => "pca",
        _ => "kmeans",
    }
}

pub(super) fn prepare(
    frame: &Frame,
    req: &TrainRequest,
    task: Task,
    notice: &mut dyn FnMut(String),
) -> Result<Prepared> {
    let opts = &req.options;
    let algorithm = if req.algorithm == "auto" {
        auto_for(task).to_string()
    } else {
        req.algorithm.clone()
    };
    if let Some(t) = &req.target {
        return Err(Error::param(format!(
            "{algorithm} learns without a target; pass target => NULL instead of \"{t}\" (to compare with known labels, use dm_classification_metrics over {})",
            task.scoring_function()
        )));
    }
    let estimator = Estimator::from_params(&algorithm, task, &req.hyperparams)?;
    if opts.cv.is_some() || opts.search.is_some() {
        return Err(Error::param(format!(
            "options.cv and options.search need a target; {algorithm} has none"
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
    let (kept, _, duplicates) = rows::keep(None, &used, dedup);
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
        SplitMethod::Time => {
            let o = roles
                .order
                .map(|i| &frame.columns[i])
                .ok_or_else(|| Error::param("split method \"time\" needs order_by"))?;
            let super::super::frame::ColumnData::Numeric(v) = &o.data else {
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
    let sub = frame_rows(&used, &kept);
    let sub_features: Vec<&Column> = sub.iter().take(n_features).map(|c| &**c).collect();
    let choices: Vec<ColumnChoice> = features
        .iter()
        .map(|f| opts.preprocess.get(&f.name).copied().unwrap_or_default())
        .collect();
    // Distances need comparable scales; trees (isolation forest) do not.
    let scale = if algorithm == "isolation_forest" {
        Scale::None
    } else {
        Scale::Standard
    };
    let defaults = Defaults {
        scale: opts.scale.unwrap_or(scale),
        missing_numbers: false,
        unknown: opts.unknown,
        max_categories: opts.max_categories,
    };
    let (prep, notes) = Preprocessor::fit(&sub_features, &split.train, &choices, defaults)?;
    let mut warnings = notes;
    let all: Vec<usize> = (0..kept.len()).collect();
    let x = prep.transform_columns(&sub_features, &all)?;
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
        task,
        algorithm,
        estimator,
        x,
        binned: None,
        n_cols,
        target: Target::None,
        split,
        seed: opts.seed,
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
        report,
        warnings,
    })
}

/// The metrics of an unsupervised model on rows of a preprocessed matrix.
pub fn measure(
    task: Task,
    fitted: &Fitted,
    x: &[f64],
    p: usize,
    rows: &[usize],
    seed: u64,
) -> Value {
    match task {
        Task::Clustering => {
            let labels = fitted.clusters_at(x, p, rows);
            let clustered: Vec<usize> = (0..rows.len()).filter(|&i| labels[i] >= 0).collect();
            let noise = rows.len() - clustered.len();
            let xs: Vec<f64> = clustered
                .iter()
                .flat_map(|&i| x[rows[i] * p..(rows[i] + 1) * p].iter().copied())
                .collect();
            let ls: Vec<i64> = clustered.iter().map(|&i| labels[i]).collect();
            let mut m = cluster_metrics::report(&xs, p, &ls, seed);
            if let Value::Object(o) = &mut m {
                o.insert("rows".into(), json!(rows.len()));
                if matches!(fitted, Fitted::Dbscan(_)) {
                    o.insert("noise".into(), json!(noise));
                    o.insert(
                        "noise_fraction".into(),
                        json!(noise as f64 / rows.len().max(1) as f64),
                    );
                }
            }
            m
        }
        Task::Anomaly => {
            let mut scores = fitted.anomaly_scores_at(x, p, rows);
            let threshold = match fitted {
                Fitted::Isolation(f) => f.threshold,
                _ => 0.5,
            };
            let flagged = scores.iter().filter(|s| **s > threshold).count();
            scores.sort_by(f64::total_cmp);
            let q = |f: f64| {
                scores
                    .get(((scores.len().saturating_sub(1)) as f64 * f).round() as usize)
                    .copied()
            };
            json!({"rows": rows.len(), "threshold": threshold, "anomalies": flagged,
                   "anomaly_fraction": flagged as f64 / rows.len().max(1) as f64,
                   "score_mean": scores.iter().sum::<f64>() / scores.len().max(1) as f64,
                   "score_median": q(0.5), "score_p90": q(0.9), "score_p99": q(0.99), "score_max": q(1.0)})
        }
        Task::Decomposition => match fitted {
            Fitted::Pca(m) => {
                let (err, total) = m.reconstruction(x, p, rows);
                json!({"rows": rows.len(), "n_components": m.n_components(),
                       "explained_variance": m.explained_variance,
                       "explained_variance_ratio": m.explained_variance_ratio,
                       "explained_variance_ratio_total": m.explained_variance_ratio.iter().sum::<f64>(),
                       "reconstruction_rmse": err,
                       "reconstructed_variance_fraction": total})
            }
            _ => json!({"rows": rows.len()}),
        },
        Task::Classification | Task::Regression => json!({}),
    }
}
