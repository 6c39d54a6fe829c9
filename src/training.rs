//! A dm_train run inside the backend: read the relation (data/), let `auto` compare learners and
//! fit on the extension's pool (pg/pool.rs) while this thread checks for interrupts, store the
//! model and its trials (catalog/), and deploy it as the policy decides. What to say to the user
//! and what to decide come from the mining pipeline; this file only moves them in and out of
//! Postgres.

use std::sync::Arc;
use std::time::Instant;

use pgrx::prelude::*;
use serde_json::{json, Value};

use crate::catalog::rights::{self, Privilege};
use crate::catalog::{cache, grants, models};
use crate::data::reader;
use crate::pg::errors::{raise, OrRaise, SqlError};
use crate::pg::pool;
use mining::common::error::Error;
use mining::common::progress::{Cancel, Progress};
use mining::common::task::Task;
use mining::model::format;
use mining::model::stored::StoredModel;
use mining::pipeline::deploy::{self, Deployed};
use mining::pipeline::run::{Message, Timings, Trained};
use mining::pipeline::{self, auto, Primary, TrainRequest};
use mining::prepare::options::TrainOptions;

/// What dm_train was asked, its arguments parsed.
pub struct Request<'a> {
    pub name: String,
    pub relation: &'a str,
    pub target: Option<&'a str>,
    pub algorithm: &'a str,
    pub hyperparams: Value,
    /// As given (stored with the model).
    pub options_json: Value,
    pub options: TrainOptions,
}

/// The row dm_train returns.
pub struct Stored {
    pub name: String,
    pub version: i32,
    pub task: &'static str,
    pub algorithm: String,
    pub metrics: Value,
    pub deployed: bool,
}

fn ms(t: Instant) -> u64 {
    t.elapsed().as_millis() as u64
}

/// Columns the user named (target, features, exclude, order_by, group_by, weight_column).
fn named_columns<'a>(target: Option<&'a str>, o: &'a TrainOptions) -> Vec<&'a str> {
    let mut v: Vec<&str> = target.into_iter().collect();
    v.extend(o.features.iter().flatten().map(String::as_str));
    v.extend(o.exclude.iter().map(String::as_str));
    v.extend(o.split.order_by.as_deref());
    v.extend(o.split.group_by.as_deref());
    v.extend(o.weight_column.as_deref());
    v
}

fn say(name: &str, m: &Message) {
    match m {
        Message::Notice(text) => notice!("model \"{name}\": {text}"),
        Message::Warning(text) => warning!("model \"{name}\": {text}"),
    }
}

/// Trains, stores and (as the policy says) deploys the next version of a model.
pub fn train(mut r: Request) -> Stored {
    r.options.memory = crate::memory_budget();
    let name = r.name.as_str();
    // Before any work: the caller's rights (42501 now, not after the fit); trainings of one
    // name take turns, and one whose snapshot cannot see a version committed meanwhile fails
    // now (40001) rather than after the fit.
    models::lock_name(name);
    let (new_owner, may_deploy) = rights::for_training(name, r.options.owner.as_deref());
    if !may_deploy && r.options.deploy != mining::prepare::options::Deploy::Never {
        if r.options.deploy_set {
            raise(SqlError::Privilege(format!(
                "permission denied for model \"{name}\": option \"deploy\" needs the \"deploy\" privilege; pass \"deploy\": \"never\""
            )));
        }
        notice!("model \"{name}\": the new version will not be deployed: the current role lacks the \"deploy\" privilege");
        r.options.deploy = mining::prepare::options::Deploy::Never;
    }
    let deploy_policy = r.options.deploy;
    let start = Instant::now();

    let frame = Arc::new(read(name, r.relation, r.target, &r.options));
    let read_ms = ms(start);

    let t = Instant::now();
    let mut req = TrainRequest {
        target: r.target.map(str::to_string),
        algorithm: r.algorithm.to_string(),
        hyperparams: r.hyperparams,
        options: r.options,
    };
    // auto with a target: compare learners by cross-validation (on the pool), then train the
    // winner as if it had been named.
    let mut choice = None;
    if auto::wanted(&req).or_raise_for(name) {
        notice!("model \"{name}\": {}", auto::announce(&req));
        let progress = Arc::new(Progress::default());
        req.options.cancel = Cancel(progress.cancel.clone());
        let (job_frame, job_req) = (frame.clone(), req.clone());
        let job_progress = progress.clone();
        let chosen = pool::run(&format!("model \"{name}\": auto"), progress, 0, move || {
            auto::choose(&job_frame, &job_req, &job_progress)
        })
        .or_raise_for(name);
        notice!("model \"{name}\": {}", chosen.summary());
        req.algorithm = chosen.winner.to_string();
        req.hyperparams = chosen.hyperparams.clone();
        choice = Some(chosen);
    }
    // Preparing runs on the pool too, so that a cancel stops it (its notices are said after).
    let progress = Arc::new(Progress::default());
    req.options.cancel = Cancel(progress.cancel.clone());
    let (job_frame, job_req) = (frame.clone(), req.clone());
    drop(frame);
    let (prepared, notices) = pool::run(
        &format!("model \"{name}\": preparing"),
        progress,
        0,
        move || {
            let mut notices = Vec::new();
            let prepared = pipeline::prepare(&job_frame, &job_req, &mut |m| notices.push(m));
            Ok((prepared, notices))
        },
    )
    .or_raise_for(name);
    for m in notices {
        notice!("model \"{name}\": {m}");
    }
    let prepared = prepared.or_raise_for(name);
    for w in prepared.warnings() {
        warning!("model \"{name}\": {w}");
    }
    let prepare_ms = ms(t);

    // Fit and measure on the pool.
    let units = prepared.work_units();
    notice!(
        "model \"{name}\": {}",
        prepared.fitting_notice(crate::threads())
    );
    let prepared = Arc::new(prepared);
    let progress = Arc::new(Progress::default());
    let job = {
        let p = prepared.clone();
        let progress = progress.clone();
        move || p.fit_and_measure(&progress)
    };
    let fitting =
        pool::run(&format!("model \"{name}\": training"), progress, units, job).or_raise_for(name);
    let Ok(prepared) = Arc::try_unwrap(prepared) else {
        raise(SqlError::Internal(
            "training data still shared after the fit".into(),
        ));
    };
    let timings = Timings {
        read_ms,
        prepare_ms,
        started: start,
    };
    let trained = prepared.complete(fitting, choice.as_ref(), timings);
    trained.messages.iter().for_each(|m| say(name, m));

    if let Some(owner) = new_owner {
        grants::claim(name, owner);
        if crate::public_scoring() {
            grants::grant(name, pgrx::pg_sys::InvalidOid, Privilege::Score);
        }
    }
    let saved = store(&r.name, r.relation, r.options_json, trained);
    let current = models::current_deployment(name);
    let compares = deploy::compares(deploy_policy, saved.primary);
    let deployed = current.as_ref().map(|d| Deployed {
        version: d.version,
        metric: compares
            .then(|| models::stored_metric(name, d.version, saved.primary.objective.name))
            .flatten(),
    });
    let (deploy, why) = deploy::decide(deploy_policy, saved.task, saved.primary, deployed);
    if deploy {
        models::push_deployment(name, saved.version, "deploy", current.map(|d| d.id));
        cache::forget_names();
    }
    notice!(
        "model \"{name}\" {}",
        deploy::notice(saved.version, deploy, &why)
    );
    Stored {
        name: r.name.clone(),
        version: saved.version,
        task: saved.task.name(),
        algorithm: saved.algorithm,
        metrics: saved.report["metrics"].clone(),
        deployed: deploy,
    }
}

/// A stored version, as the deploy step needs it.
struct Saved {
    version: i32,
    task: Task,
    algorithm: String,
    report: Value,
    primary: Primary,
}

/// Reads the relation; a named column of a type pg_mining cannot use is an ERROR, other such
/// columns are left out with a NOTICE.
fn read(
    name: &str,
    relation: &str,
    target: Option<&str>,
    opts: &TrainOptions,
) -> mining::common::frame::Frame {
    let read = reader::read(&reader::source_query(relation), &opts.memory);
    for col in named_columns(target, opts) {
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
    read.frame
}

/// Writes the model and its search trials.
fn store(name: &str, relation: &str, options: Value, trained: Trained) -> Saved {
    let bytes = format::encode(&trained.model).or_raise_for(name);
    // The fitted estimator lives on in `bytes`: it is freed before Postgres copies the bytes
    // a few times over while storing them (a large forest is tens of megabytes).
    let Trained {
        model,
        report,
        primary,
        hyperparams,
        searched,
        row_keys,
        interval_residuals,
        calibration,
        background,
        ..
    } = trained;
    let StoredModel {
        task,
        algorithm,
        target,
        target_type,
        classes,
        prep,
        estimator,
        ..
    } = model;
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
    models::lock_name(name);
    let version = models::insert(models::NewVersion {
        name,
        task: task.name(),
        algorithm: &algorithm,
        relation,
        target: &target,
        target_type: &target_type,
        features,
        classes: if classes.is_empty() {
            None
        } else {
            Some(classes)
        },
        preprocessing: serde_json::to_value(&prep).unwrap_or(Value::Null),
        hyperparams,
        options,
        report: &report,
        warnings,
        bytes,
        row_keys,
        interval_residuals,
        calibration,
        background,
        created_by: crate::pg::definer::current_user_name(),
    });
    if let Some(s) = &searched {
        for (i, t) in s.trials.iter().enumerate() {
            models::insert_trial(
                name,
                version,
                i as i32 + 1,
                t,
                primary.objective.name,
                i == s.best,
            );
        }
    }
    Saved {
        version,
        task,
        algorithm,
        report,
        primary,
    }
}
