//! dm_drift: how far newer rows have moved from a model's training data.

use pgrx::prelude::*;

use crate::pg::errors::{raise, OrRaise, SqlError};
use crate::scoring::on_relation;
use mining::common::error::Error;
use mining::evaluation::drift::{self, Missing};
use mining::evaluation::evaluate;

type DriftRow = (
    String,
    String,
    f64,
    Option<f64>,
    Option<f64>,
    f64,
    f64,
    bool,
);

/// Per feature, and for the predictions ('(prediction)'): PSI against the training rows, the
/// KS statistic (numbers) or chi-square (categories), NULL rates, and whether PSI exceeds
/// `threshold`. `relation` may be a window of recent rows (a query).
#[allow(clippy::type_complexity)] // pgrx needs the named columns spelled out here
#[pg_extern(stable)]
fn dm_drift(
    model: &str,
    relation: &str,
    threshold: default!(f64, "0.2"),
) -> TableIterator<
    'static,
    (
        name!(feature, String),
        name!(kind, String),
        name!(psi, f64),
        name!(ks, Option<f64>),
        name!(chi2, Option<f64>),
        name!(null_rate_train, f64),
        name!(null_rate_now, f64),
        name!(drifted, bool),
    ),
> {
    // The drift of a crafted relation tells about the training distribution: a manage right.
    let name = crate::catalog::models::parse_ref(model).name;
    crate::catalog::rights::require(&name, crate::catalog::rights::Privilege::Manage);
    if threshold.is_nan() || threshold <= 0.0 {
        Err(Error::param(format!(
            "threshold must be > 0; got {threshold}"
        )))
        .or_raise_for(model)
    }
    let (m, frame, predictions) = on_relation(model, relation, evaluate::predictions);
    if frame.nrows() == 0 {
        Err(Error::data("the relation has no rows")).or_raise_for(model)
    }
    let profile = crate::catalog::models::load_profile(m.id);
    let compared = match drift::compare_model(&m.model, &frame, &predictions, &profile) {
        Ok(c) => c,
        Err(Missing::Profile(name)) => raise(SqlError::State(format!(
            "model \"{model}\" has no training profile for \"{name}\"; retrain it to monitor drift"
        ))),
        // evaluate::predictions already checked every feature column exists with its kind.
        Err(Missing::Column(name)) => raise(SqlError::Mining(Error::column(format!(
            "the relation has no column \"{name}\""
        )))),
    };
    let out: Vec<DriftRow> = compared
        .into_iter()
        .map(|c| {
            let d = c.drift;
            (
                c.name,
                d.kind.to_string(),
                d.psi,
                d.ks,
                d.chi2,
                d.null_rate_train,
                d.null_rate_now,
                d.psi > threshold,
            )
        })
        .collect();
    TableIterator::new(out)
}
