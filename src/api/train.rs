//! dm_train: read, prepare, fit on the pool, measure, store, deploy.

use std::sync::Arc;
use std::time::Instant;

use pgrx::prelude::*;
use pgrx::JsonB;
use serde_json::{json, Value};

use super::errors::{raise, OrRaise, SqlError};
use crate::catalog::{cache, models};
use crate::data::reader;
use crate::mining::error::Error;
use crate::mining::estimator::ALGORITHMS;
use crate::mining::estimator::{Estimator, Fitted, Task};
use crate::mining::forest::Progress;
use crate::mining::model::StoredModel;
use crate::mining::model_format;
use crate::mining::options::{Deploy, TrainOptions};
use crate::mining::pipeline::{self, Prepared, Searched, TrainRequest};
use crate::pool;

fn ms(t: Instant) -> u64 {
    t.elapsed().as_millis() as u64
}

/// Columns the user named (target, features, exclude, order_by).
fn named_columns<'a>(target: Option<&'a str>, o: &'a TrainOptions) -> Vec<&'a str> {
    let mut v: Vec<&str> = target.into_iter().collect();
    v.extend(o.features.iter().flatten().map(String::as_str));
    v.extend(o.exclude.iter().map(String::as_str));
    v.extend(o.split.order_by.as_deref());
    v
}

/// What the pool job of a training run returns.
struct FitResult {
    fitted: Fitted,
    estimator: Estimator,
    metrics: Value,
    searched: Option<Searched>,
    suspects: Vec<String>,
    prediction_profile: Value,
    fit_ms: u64,
    evaluate_ms: u64,
}

/// Search (if asked), cross-validate (if asked), fit, measure, check for leakage. Runs on the
/// pool: pure computation.
fn fit_and_measure(p: &Prepared, progress: &Progress) -> Result<FitResult, Error> {
    let t = Instant::now();
    let searched = p.search(progress)?;
    let estimator = searched
        .as_ref()
        .map_or(&p.estimator, |s| &s.estimator)
        .clone();
    let cv = p.cross_validate(&estimator, progress)?;
    let fitted = p.fit_with(&estimator, progress)?;
    let fit_ms = ms(t);
    let t = Instant::now();
    let (train_metrics, prediction_profile) = p.measure_train(&fitted);
    let mut metrics = json!({ "train": train_metrics });
    if !p.split.validation.is_empty() {
        metrics["validation"] = p.measure_json(&fitted, &p.split.validation);
    }
    if !p.split.test.is_empty() {
        metrics["test"] = p.measure_json(&fitted, &p.split.test);
    }
    if let Some(cv) = cv {
        metrics["cv"] = cv;
    }
    if let Some(fit) = fitted.fit_summary() {
        metrics["fit"] = fit;
    }
    let suspects = p.leakage_suspects();
    Ok(FitResult {
        fitted,
        estimator,
        metrics,
        searched,
        suspects,
        prediction_profile,
        fit_ms,
        evaluate_ms: ms(t),
    })
}

#[pg_extern(volatile)]
fn dm_train(
    model: Option<&str>,
    relation: Option<&str>,
    target: default!(Option<&str>, "NULL"),
    algorithm: default!(Option<&str>, "'auto'"),
    hyperparams: default!(Option<JsonB>, "'{}'"),
    options: default!(Option<JsonB>, "'{}'"),
) -> TableIterator<
    'static,
    (
        name!(model, String),
        name!(version, i32),
        name!(task, String),
        name!(algorithm, String),
        name!(metrics, JsonB),
        name!(deployed, bool),
    ),
> {
    let Some(model) = model else {
        raise(SqlError::InvalidName(
            "the model name must not be NULL".into(),
        ));
    };
    let name = models::check_name(model).to_string();
    let Some(relation) = relation else {
        raise(SqlError::Mining(Error::param(format!(
            "model \"{name}\": relation must not be NULL"
        ))));
    };
    let algorithm = algorithm.unwrap_or("auto");
    if !ALGORITHMS.contains(&algorithm) {
        raise(SqlError::Mining(Error::param(format!(
            "model \"{name}\": unknown algorithm \"{algorithm}\"; known algorithms: {}",
            ALGORITHMS.join(", ")
        ))));
    }
    let hyperparams = hyperparams.map_or(json!({}), |j| j.0);
    let options_json = options.map_or(json!({}), |j| j.0);
    let opts = TrainOptions::parse(&options_json).or_raise_for(&name);
    let deploy_policy = opts.deploy;
    let start = Instant::now();

    // Read.
    let query = reader::source_query(relation);
    let read = reader::read(&query);
    for col in named_columns(target, &opts) {
        if let Some((c, t)) = read.skipped.iter().find(|(c, _)| c == col) {
            raise(SqlError::Mining(Error::param(format!(
                "model \"{name}\": column \"{c}\" has type {t}, which pg_mining cannot use"
            ))));
        }
    }
    if !read.skipped.is_empty() {
        let list: Vec<String> = read
            .skipped
            .iter()
            .map(|(c, t)| format!("{c} ({t})"))
            .collect();
        notice!(
            "model \"{name}\": ignoring columns of unsupported types: {}",
            list.join(", ")
        );
    }
    let read_ms = ms(start);

    // Prepare: columns, rows, split, preprocessing.
    let t = Instant::now();
    let mut req = TrainRequest {
        target: target.map(str::to_string),
        algorithm: algorithm.to_string(),
        hyperparams,
        options: opts,
    };
    let frame = Arc::new(read.frame);
    // auto with a target: compare learners by cross-validation (on the pool), then train the
    // winner as if it had been named.
    let mut auto_record = None;
    if req.algorithm == "auto"
        && req.target.is_some()
        && req.options.task.is_none_or(|t| t.is_supervised())
    {
        if req.hyperparams.as_object().is_some_and(|m| !m.is_empty()) {
            raise(SqlError::Mining(Error::param(format!(
                "model \"{name}\": auto compares learners with their default hyperparameters; pass hyperparams with a named algorithm"
            ))));
        }
        notice!(
            "model \"{name}\": auto: comparing learners by {}-fold cross-validation on the training rows (time budget {} s)",
            req.options.cv.unwrap_or(3),
            req.options.time_budget_s
        );
        let job_frame = frame.clone();
        let job_req = TrainRequest {
            target: req.target.clone(),
            algorithm: "auto".into(),
            hyperparams: json!({}),
            options: req.options.clone(),
        };
        let progress = Arc::new(Progress::default());
        let job_progress = progress.clone();
        let choice = pool::run(&format!("model \"{name}\": auto"), progress, 0, move || {
            pipeline::auto::choose(&job_frame, &job_req, &job_progress)
        })
        .or_raise_for(&name);
        notice!("model \"{name}\": {}", choice.summary());
        req.algorithm = choice.winner.to_string();
        auto_record = Some(choice.to_json());
    }
    let prepared = pipeline::prepare(&frame, &req, &mut |m| notice!("model \"{name}\": {m}"))
        .or_raise_for(&name);
    drop(frame);
    let shown = prepared.warnings().len();
    for w in prepared.warnings() {
        warning!("model \"{name}\": {w}");
    }
    let prepare_ms = ms(t);

    // Fit and measure on the pool.
    let algo = prepared.algorithm.clone();
    let units = prepared.work_units();
    notice!(
        "model \"{name}\": fitting {algo} on {} rows × {} columns with {} threads",
        prepared.split.train.len(),
        prepared.n_cols,
        crate::threads()
    );
    let prepared = Arc::new(prepared);
    let progress = Arc::new(Progress::default());
    let job = {
        let p = prepared.clone();
        let progress = progress.clone();
        move || fit_and_measure(&p, &progress)
    };
    let FitResult {
        fitted,
        estimator,
        metrics,
        searched,
        suspects,
        prediction_profile,
        fit_ms,
        evaluate_ms,
    } = pool::run(&format!("model \"{name}\": training"), progress, units, job).or_raise_for(&name);
    let Ok(prepared) = Arc::try_unwrap(prepared) else {
        raise(SqlError::Internal(
            "training data still shared after the fit".into(),
        ));
    };
    let hyper = estimator.to_json();
    for w in &suspects {
        warning!("model \"{name}\": {w}");
    }
    let shown = shown + suspects.len();
    let mut prepared = prepared;
    prepared.warnings.extend(suspects);
    if let Some(s) = &searched {
        let best = &s.trials[s.best];
        notice!(
            "model \"{name}\": search tried {} candidates × {} folds; best {} {:.4} ± {:.4} with {}",
            s.trials.len(),
            best.fold_scores.len(),
            prepared.primary_metric(),
            best.mean,
            best.std,
            Value::Object(best.params.clone())
        );
    }
    let mut metrics = metrics;
    if let Some(record) = auto_record {
        metrics["auto"] = record;
    }
    let timings = json!({"read": read_ms, "prepare": prepare_ms, "fit": fit_ms, "evaluate": evaluate_ms, "total": ms(start)});
    let outcome = prepared.finish(fitted, metrics, timings);
    let (primary_name, primary) = outcome.primary;
    let mut report = outcome.report;
    report["profile"]["(prediction)"] = prediction_profile;
    if let Some(s) = &searched {
        report["search"] = json!({"candidates": s.trials.len(), "best": Value::Object(s.trials[s.best].params.clone()),
                                  "metric": primary_name, "cv_score": s.trials[s.best].mean});
    }
    let late = report["warnings"]
        .as_array()
        .map_or(&[][..], |w| w.as_slice());
    for w in late.iter().skip(shown).filter_map(|w| w.as_str()) {
        warning!("model \"{name}\": {w}");
    }
    let on = report["primary_metric"]["on"].as_str().unwrap_or("test");
    let headline = match outcome.model.task {
        Task::Clustering => {
            let m = &report["metrics"][on];
            format!(
                "{} clusters{}; silhouette {}",
                m["clusters"],
                m.get("noise")
                    .map_or(String::new(), |n| format!(" and {n} noise rows")),
                m.get("silhouette")
                    .and_then(Value::as_f64)
                    .map_or("undefined".into(), |s| format!("{s:.4}"))
            )
        }
        Task::Anomaly => {
            let m = &report["metrics"][on];
            format!(
                "{} rows ({:.2}%) score above the threshold {:.4}",
                m["anomalies"],
                100.0 * m["anomaly_fraction"].as_f64().unwrap_or(0.0),
                m["threshold"].as_f64().unwrap_or(0.5)
            )
        }
        _ => format!("{primary_name} {primary:.4}"),
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
    notice!(
        "model \"{name}\": fitted in {:.2} s; {headline} on {on} rows{rounds}",
        fit_ms as f64 / 1000.0,
    );

    // Store.
    let bytes = model_format::encode(&outcome.model).or_raise_for(&name);
    // The fitted estimator lives on in `bytes`: it is freed before Postgres copies the bytes
    // a few times over while storing them (a large forest is tens of megabytes).
    let StoredModel {
        task,
        algorithm,
        target,
        target_type,
        classes,
        prep,
        estimator,
        ..
    } = outcome.model;
    drop(estimator);
    let features: Value = prep
        .features
        .iter()
        .map(|f| json!({"name": f.name, "type": f.sql_type}))
        .collect();
    let warnings: Vec<String> = report["warnings"].as_array().map_or(vec![], |a| {
        a.iter()
            .filter_map(|w| w.as_str().map(String::from))
            .collect()
    });
    models::lock_name(&name);
    let version = models::insert(models::NewVersion {
        name: &name,
        task: task.name(),
        algorithm: &algorithm,
        relation,
        target: &target,
        target_type: &target_type,
        features,
        classes: if classes.is_empty() {
            None
        } else {
            Some(classes.clone())
        },
        preprocessing: serde_json::to_value(&prep).unwrap_or(Value::Null),
        hyperparams: hyper,
        options: options_json,
        report: &report,
        warnings,
        bytes,
    });

    if let Some(s) = &searched {
        for (i, t) in s.trials.iter().enumerate() {
            models::insert_trial(&name, version, i as i32 + 1, t, primary_name, i == s.best);
        }
    }

    // Deploy.
    let current = models::current_deployment(&name);
    let (deploy, why) = match (deploy_policy, &current) {
        (Deploy::Always, _) => (true, "deploy is \"always\"".to_string()),
        (Deploy::Never, _) => (false, "deploy is \"never\"".to_string()),
        (Deploy::IfBetter, None) => (true, "it is the first deployment".to_string()),
        (Deploy::IfBetter, Some(_)) if primary_name == "none" => (
            true,
            format!("a {} model has no quality metric to compare, so if_better deploys it (deploy \"never\" keeps the deployed version)", task.name()),
        ),
        (Deploy::IfBetter, Some(d)) => {
            match models::stored_metric(&name, d.version, primary_name) {
                Some(old) if primary > old => (
                    true,
                    format!(
                        "{primary_name} {primary:.4} beats {old:.4} of version {}",
                        d.version
                    ),
                ),
                Some(old) => (
                    false,
                    format!(
                        "{primary_name} {primary:.4} does not beat {old:.4} of deployed version {}",
                        d.version
                    ),
                ),
                None => (
                    true,
                    format!("deployed version {} has no {primary_name}", d.version),
                ),
            }
        }
    };
    if deploy {
        models::push_deployment(&name, version, "deploy", current.map(|d| d.id));
        cache::forget_names();
    }
    notice!(
        "model \"{name}\" version {version} {}: {why}",
        if deploy {
            "deployed"
        } else {
            "stored, not deployed"
        }
    );
    let metrics = report["metrics"].clone();
    TableIterator::once((
        name,
        version,
        task.name().to_string(),
        algorithm.clone(),
        JsonB(metrics),
        deploy,
    ))
}
