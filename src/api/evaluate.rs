//! Evaluation of a stored model on any relation holding its target: dm_evaluate,
//! dm_confusion_matrix, dm_roc_curve, dm_pr_curve, dm_calibration_curve.

use pgrx::prelude::*;

use super::args::required;
use pgrx::JsonB;
use serde_json::json;

use crate::catalog::cache;
use crate::pg::errors::OrRaise;
use crate::scoring::{on_relation, score_relation, score_selected, warn_training_rows};
use mining::common::error::Error;
use mining::evaluation::calibration;
use mining::evaluation::evaluate;
use mining::evaluation::holdout::Which;
use mining::evaluation::scores;

/// The full metric set of a model on a relation that holds its target; with `group_by`, the
/// metrics per value of that column beside the overall ones; `rows` picks the model's own test
/// (train, validation) rows of the relation, or those it never saw, and with 'all' a WARNING
/// counts the rows it learned from.
#[pg_extern(stable)]
fn dm_evaluate(
    model: Option<&str>,
    relation: Option<&str>,
    group_by: default!(Option<&str>, "NULL"),
    rows: default!(Option<&str>, "'all'"),
) -> JsonB {
    let model = required(model, "dm_evaluate", "model");
    let relation = required(relation, "dm_evaluate", "relation");
    let which = Which::parse(required(rows, "dm_evaluate", "rows")).or_raise_for(model);
    if !cache::get(model).model.task.is_supervised() {
        if which != Which::All {
            Err::<(), _>(Error::param(
                "rows is for classification and regression models: a model without a target keeps no test rows",
            ))
            .or_raise_for(model);
        }
        if group_by.is_some() {
            Err::<(), _>(Error::param(
                "group_by needs a classification or regression model; run dm_evaluate on a filtered relation per group",
            ))
            .or_raise_for(model);
        }
        let (m, _, mut out) = on_relation(model, relation, |m, f, b, p| {
            evaluate::unsupervised_metrics(m, f, mining::prepare::options::DEFAULT_SEED, b, p)
        });
        out["model"] = json!(format!("{}@{}", m.name, m.version));
        return JsonB(out);
    }
    let (name, frame, scored) = score_selected(model, relation, which);
    let mut out = match group_by {
        None => scored.metrics(),
        Some(g) => {
            let col = frame
                .column(g)
                .ok_or_else(|| {
                    Error::column(format!(
                        "group_by column \"{g}\" does not exist in the relation"
                    ))
                })
                .or_raise_for(model);
            scored.metrics_by(col)
        }
    };
    warn_training_rows(&name, &scored);
    out["model"] = json!(name);
    out["null_targets"] = json!(scored.null_targets);
    JsonB(out)
}

/// Counts of (actual, predicted) label pairs, zeros included.
#[pg_extern(stable)]
fn dm_confusion_matrix(
    model: &str,
    relation: &str,
) -> TableIterator<
    'static,
    (
        name!(actual, String),
        name!(predicted, String),
        name!(count, i64),
    ),
> {
    let (_, _, s) = score_relation(model, relation);
    if s.k == 0 {
        Err(Error::new(
            mining::common::error::ErrorKind::NotSupported,
            "a confusion matrix needs a classification model",
        ))
        .or_raise_for(model)
    }
    let conf = s.confusion();
    let rows: Vec<(String, String, i64)> = (0..s.names.len())
        .flat_map(|a| (0..s.k).map(move |p| (a, p)))
        .map(|(a, p)| {
            (
                s.names[a].clone(),
                s.names[p].clone(),
                conf.get(a, p) as i64,
            )
        })
        .collect();
    TableIterator::new(rows)
}

/// sklearn's roc_curve for one class against the rest (default: the second class of a binary model).
#[pg_extern(stable)]
fn dm_roc_curve(
    model: Option<&str>,
    relation: Option<&str>,
    positive_class: default!(Option<&str>, "NULL"),
) -> TableIterator<'static, (name!(threshold, f64), name!(fpr, f64), name!(tpr, f64))> {
    let model = required(model, "dm_roc_curve", "model");
    let relation = required(relation, "dm_roc_curve", "relation");
    let (_, _, s) = score_relation(model, relation);
    let (pos, score) = s.binary_view(positive_class).or_raise_for(model);
    let curve = scores::roc_curve(&pos, &score)
        .ok_or_else(|| Error::data("the relation holds rows of only one side (positive or negative); the ROC curve is undefined"))
        .or_raise_for(model);
    TableIterator::new(curve)
}

/// sklearn's calibration_curve: per bin of the probabilities of one class (default: the second
/// of two), their mean, the share of rows of that class and the row count.
#[pg_extern(stable)]
fn dm_calibration_curve(
    model: Option<&str>,
    relation: Option<&str>,
    n_bins: default!(Option<i32>, 10),
    strategy: default!(Option<&str>, "'uniform'"),
    positive_class: default!(Option<&str>, "NULL"),
    rows: default!(Option<&str>, "'all'"),
) -> TableIterator<
    'static,
    (
        name!(bin, i32),
        name!(mean_predicted, f64),
        name!(fraction_positive, f64),
        name!(count, i64),
    ),
> {
    let model = required(model, "dm_calibration_curve", "model");
    let relation = required(relation, "dm_calibration_curve", "relation");
    let n_bins = required(n_bins, "dm_calibration_curve", "n_bins");
    let strategy =
        calibration::Strategy::parse(required(strategy, "dm_calibration_curve", "strategy"))
            .or_raise_for(model);
    let which = Which::parse(required(rows, "dm_calibration_curve", "rows")).or_raise_for(model);
    let bins = usize::try_from(n_bins).unwrap_or(0);
    let (name, _, s) = score_selected(model, relation, which);
    let (pos, score) = s.binary_view(positive_class).or_raise_for(model);
    let curve = calibration::curve(&pos, &score, bins, strategy).or_raise_for(model);
    warn_training_rows(&name, &s);
    TableIterator::new(curve.into_iter().map(|b| {
        (
            b.bin as i32,
            b.mean_predicted,
            b.fraction_positive,
            b.rows as i64,
        )
    }))
}

/// sklearn's precision_recall_curve; the last row (threshold NULL) is the point (1, 0).
#[pg_extern(stable)]
fn dm_pr_curve(
    model: Option<&str>,
    relation: Option<&str>,
    positive_class: default!(Option<&str>, "NULL"),
) -> TableIterator<
    'static,
    (
        name!(threshold, Option<f64>),
        name!(precision, f64),
        name!(recall, f64),
    ),
> {
    let model = required(model, "dm_pr_curve", "model");
    let relation = required(relation, "dm_pr_curve", "relation");
    let (_, _, s) = score_relation(model, relation);
    let (pos, score) = s.binary_view(positive_class).or_raise_for(model);
    TableIterator::new(scores::pr_curve(&pos, &score))
}
