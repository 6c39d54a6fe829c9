//! dm_train: parses its arguments and runs the training (training.rs).

use pgrx::prelude::*;
use pgrx::JsonB;
use serde_json::json;

use super::args::JsonbArg;
use crate::catalog::models;
use crate::pg::errors::{raise, OrRaise, SqlError};
use crate::training::{self, Request};
use mining::common::error::Error;
use mining::model::registry;
use mining::prepare::options::TrainOptions;

#[pg_extern(volatile)]
fn dm_train(
    model: Option<&str>,
    relation: Option<&str>,
    target: default!(Option<&str>, "NULL"),
    algorithm: default!(Option<&str>, "'auto'"),
    hyperparams: default!(Option<JsonbArg>, "'{}'"),
    options: default!(Option<JsonbArg>, "'{}'"),
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
    registry::check_name(algorithm).or_raise_for(&name);
    let options_json = options
        .map_or(Ok(json!({})), |j| j.json("options"))
        .or_raise_for(&name);
    let hyperparams = hyperparams
        .map_or(Ok(json!({})), |j| j.json("hyperparams"))
        .or_raise_for(&name);
    let parsed = TrainOptions::parse(&options_json).or_raise_for(&name);
    let stored = training::train(Request {
        name,
        relation,
        target,
        algorithm,
        hyperparams,
        options_json,
        options: parsed,
    });
    TableIterator::once((
        stored.name,
        stored.version,
        stored.task.to_string(),
        stored.algorithm,
        JsonB(stored.metrics),
        stored.deployed,
    ))
}
