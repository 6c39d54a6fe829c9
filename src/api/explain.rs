//! Explaining a prediction: dm_explain (the whole explanation as jsonb, or its top k) and
//! dm_attributions (the top k contributions as rows, for a LATERAL join over a relation).

use pgrx::prelude::*;
use pgrx::AnyElement;

use crate::catalog::cache;
use crate::data::input::with_features;
use crate::pg::errors::OrRaise;
use mining::common::error::Error;

/// `top_k` checked: NULL = all, else at least 1.
fn top(top_k: Option<i32>, model: &str) -> Option<usize> {
    top_k.map(|k| {
        usize::try_from(k)
            .ok()
            .filter(|&k| k >= 1)
            .ok_or_else(|| Error::param(format!("top_k must be at least 1; got {k}")))
            .or_raise_for(model)
    })
}

/// Why a model scores a row as it does: per feature its contribution, largest first, the
/// base and the method (tree_shap, path, linear or sampling); with top_k, the k largest with
/// each feature's value. NULL for a NULL model or input (as the function was STRICT before
/// top_k).
#[pg_extern(stable, parallel_safe)]
fn dm_explain(
    model: Option<&str>,
    input: Option<AnyElement>,
    top_k: default!(Option<i32>, "NULL"),
) -> Option<pgrx::JsonB> {
    let (model, input) = (model?, input?);
    let k = top(top_k, model);
    let m = cache::get(model);
    let mut buf = m.buf.borrow_mut();
    with_features(&m.model, &m.plans, &input, |raw| {
        m.model.explain(raw, &mut buf, k)
    })
    .and_then(|r| r)
    .map(pgrx::JsonB)
    .map(Some)
    .or_raise_for(model)
}

/// The top_k contributions to one output of a row as rows (rank, feature, its value, the
/// contribution, the class explained), for
/// `SELECT c.id, a.* FROM customers c CROSS JOIN LATERAL dm_attributions('churn', c) a`.
#[allow(clippy::type_complexity)] // pgrx needs the named columns spelled out here
#[pg_extern(stable, parallel_safe)]
fn dm_attributions(
    model: &str,
    input: AnyElement,
    top_k: default!(i32, 3),
) -> TableIterator<
    'static,
    (
        name!(rank, i32),
        name!(feature, String),
        name!(value, Option<String>),
        name!(contribution, f64),
        name!(class, Option<String>),
    ),
> {
    let k = top(Some(top_k), model).unwrap_or(3);
    let m = cache::get(model);
    let mut buf = m.buf.borrow_mut();
    let (class, rows) = with_features(&m.model, &m.plans, &input, |raw| {
        m.model.attributions(raw, &mut buf, k)
    })
    .and_then(|r| r)
    .or_raise_for(model);
    TableIterator::new(
        rows.into_iter()
            .map(move |(rank, f, v, c)| (rank, f, v, c, class.clone())),
    )
}
