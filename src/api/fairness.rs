//! dm_fairness: a classifier's decisions per group of one or more sensitive columns of a
//! relation, with fairlearn's rates and disparities (crates/mining/src/evaluation/fairness.rs).

use pgrx::prelude::*;
use pgrx::JsonB;

use super::args::required;
use crate::pg::errors::OrRaise;
use crate::scoring::{score_selected, warn_training_rows};
use mining::common::error::Error;
use mining::evaluation::fairness;
use mining::evaluation::holdout::Which;

/// Per group of the `sensitive` columns (their intersections): rows, selection rate, true and
/// false positive rates, precision; and the demographic parity, equal opportunity and
/// equalized odds differences and ratios. `rows` as dm_evaluate's.
#[pg_extern(stable, name = "dm_fairness")]
fn dm_fairness(
    model: Option<&str>,
    relation: Option<&str>,
    sensitive: Option<Vec<Option<String>>>,
    positive_class: default!(Option<&str>, "NULL"),
    rows: default!(Option<&str>, "'all'"),
) -> JsonB {
    let model = required(model, "dm_fairness", "model");
    let relation = required(relation, "dm_fairness", "relation");
    let sensitive: Vec<String> = required(sensitive, "dm_fairness", "sensitive")
        .into_iter()
        .map(|c| c.ok_or_else(|| Error::param("sensitive must not hold a NULL column name")))
        .collect::<Result<_, _>>()
        .or_raise_for(model);
    let which = Which::parse(required(rows, "dm_fairness", "rows")).or_raise_for(model);
    let (name, frame, scored) = score_selected(model, relation, which);
    let mut out =
        fairness::of_scored(&scored, &frame, &sensitive, positive_class).or_raise_for(model);
    warn_training_rows(&name, &scored);
    out["model"] = serde_json::json!(name);
    out["rows_selected"] = serde_json::json!(which.name());
    JsonB(out)
}

/// dm_fairness over one sensitive column.
#[pg_extern(stable, name = "dm_fairness")]
fn dm_fairness_column(
    model: Option<&str>,
    relation: Option<&str>,
    sensitive: Option<&str>,
    positive_class: default!(Option<&str>, "NULL"),
    rows: default!(Option<&str>, "'all'"),
) -> JsonB {
    let column = required(sensitive, "dm_fairness", "sensitive");
    dm_fairness(
        model,
        relation,
        Some(vec![Some(column.to_string())]),
        positive_class,
        rows,
    )
}
