//! dm_report's page and dm_report_svg's charts: one self-contained HTML page (inline SVG and
//! CSS, no script, no fetch) about a stored model, drawn by our own small SVG writer
//! ([`svg`]): a few hundred lines that emit exactly the elements and `data-*` attributes the
//! charts need, where a plotting crate would bring fonts, rasterisers and a layout engine we
//! do not use.
//!
//! What the page shows comes from [`Report`]: the model, its catalog row, its search trials,
//! and optionally rows it was measured on (scored on the pool by [`measure`]) and their drift.
//! The extension gathers those; this module only draws.

pub mod classification;
pub mod drift;
pub mod model;
pub mod page;
pub mod regression;
pub mod shapes;
pub mod svg;
pub mod unsupervised;

pub use model::Contributions;

use serde_json::Value;

use crate::common::budget::Budget;
use crate::common::error::{Error, ErrorKind, Result};
use crate::common::frame::Frame;
use crate::common::progress::Progress;
use crate::common::task::Task;
use crate::evaluation::drift::Compared;
use crate::evaluation::evaluate::{self, Scored};
use crate::evaluation::holdout::Which;
use crate::model::stored::StoredModel;
use crate::prepare::row_keys::RowKeys;

/// Everything a report is drawn from.
pub struct Report<'a> {
    pub model: &'a StoredModel,
    /// The version's dm.models row as JSON (model bytes left out), with `deployed` added and
    /// `relation` NULL when the caller may not see it.
    pub row: &'a Value,
    pub trials: Vec<model::Trial>,
    pub measured: Option<Measured>,
    pub drift: Option<Drifted>,
    /// What the page could not show and why (said on the page).
    pub notes: Vec<String>,
    /// When the page was made (shown in its footer).
    pub generated_at: String,
}

/// Rows the model was measured on: what they are (for headings) and what scoring found.
pub struct Measured {
    pub on: String,
    pub outcome: Outcome,
    /// Mean absolute contributions (dm_explain's) over a sample of the rows measured.
    pub contributions: Option<Contributions>,
}

/// dm_explain's contributions averaged (in absolute value) over an evenly spaced sample of
/// the scored rows: at most SUMMARY_ROWS, or SUMMARY_ROWS_SAMPLED for sampled explanations.
/// None: the model has no explanations, or no rows.
pub fn contributions(
    m: &StoredModel,
    frame: &Frame,
    s: &Scored,
    budget: &Budget,
    stop: &Progress,
) -> Result<Option<Contributions>> {
    use crate::model::explain::{SUMMARY_ROWS, SUMMARY_ROWS_SAMPLED};
    if s.rows.is_empty() {
        return Ok(None);
    }
    let max = if m.explains_by_sampling() {
        SUMMARY_ROWS_SAMPLED
    } else {
        SUMMARY_ROWS
    };
    let rows = svg::thin(&s.rows, max);
    let x = evaluate::encode_rows(m, frame, &rows, budget)?;
    match m.mean_abs_contributions(&x, stop) {
        Ok((method, values)) => Ok(Some(Contributions {
            method,
            rows: rows.len(),
            values: m
                .prep
                .features
                .iter()
                .map(|f| f.name.clone())
                .zip(values)
                .collect(),
        })),
        Err(e) if e.kind == ErrorKind::NotSupported => Ok(None),
        Err(e) => Err(e),
    }
}

pub enum Outcome {
    Scored(Scored),
    Clusters(Vec<i64>),
    Anomaly(Vec<(f64, bool)>),
}

/// The drift of the measured rows against the training profile.
pub struct Drifted {
    pub threshold: f64,
    pub columns: Vec<Compared>,
}

/// Scores the rows of `frame` with the model: supervised models on the rows `which` selects
/// (by the version's row keys) that have a target; clustering and anomaly models on every row.
/// Pure computation (parallel).
pub fn measure(
    m: &StoredModel,
    frame: &Frame,
    keys: Option<&RowKeys>,
    which: Which,
    budget: &Budget,
    stop: &Progress,
) -> Result<Outcome> {
    let p = m.prep.width().max(1);
    let rows = || (0..frame.nrows()).collect::<Vec<usize>>();
    match m.task {
        Task::Classification | Task::Regression => Ok(Outcome::Scored(evaluate::score_rows(
            m, frame, keys, which, budget, stop,
        )?)),
        Task::Clustering => {
            let x = evaluate::encode_all(m, frame, budget)?;
            Ok(Outcome::Clusters(m.estimator.clusters_at(
                &x,
                p,
                &rows(),
                stop,
            )?))
        }
        Task::Anomaly => {
            let x = evaluate::encode_all(m, frame, budget)?;
            Ok(Outcome::Anomaly(m.estimator.anomalies_at(
                &x,
                p,
                &rows(),
                stop,
            )?))
        }
        Task::Decomposition => Err(Error::new(
            ErrorKind::NotSupported,
            "a report of a decomposition model has no measured charts",
        )),
    }
}

/// Every chart: its name (dm_report_svg's `chart`), its title, and what it needs.
pub const CHARTS: [(&str, &str, &str); 16] = [
    (
        "confusion_matrix",
        "Confusion matrix",
        "a classification model and rows with its target",
    ),
    (
        "roc",
        "ROC curve",
        "a classification model and rows with its target",
    ),
    (
        "pr",
        "Precision-recall curve",
        "a classification model and rows with its target",
    ),
    (
        "calibration",
        "Reliability curve",
        "a classification model and rows with its target",
    ),
    (
        "gain",
        "Cumulative gain",
        "a classification model and rows with its target",
    ),
    (
        "probability_histogram",
        "Predicted probabilities",
        "a classification model and rows with its target",
    ),
    (
        "predicted_vs_actual",
        "Predicted against actual",
        "a regression model and rows with its target",
    ),
    (
        "residual_histogram",
        "Residuals",
        "a regression model and rows with its target",
    ),
    (
        "residuals_vs_predicted",
        "Residuals against predicted",
        "a regression model and rows with its target",
    ),
    (
        "feature_importance",
        "Feature importance",
        "a tree, linear or logistic model",
    ),
    (
        "contributions",
        "Mean |contribution|",
        "a classification or regression model that can be explained, and rows with its target",
    ),
    (
        "learning_curve",
        "Learning curve",
        "a gradient_boosting or mlp model trained by pg_mining 0.4.0 or later",
    ),
    (
        "trials",
        "Search trials",
        "a model trained with options.search (and the train right on it)",
    ),
    (
        "cluster_sizes",
        "Cluster sizes",
        "a clustering model and rows to assign",
    ),
    (
        "anomaly_scores",
        "Anomaly scores",
        "an anomaly model and rows to score",
    ),
    (
        "drift",
        "Drift against the training rows",
        "a relation (and the manage right on the model)",
    ),
];

/// The chart `name` drawn as an `<svg>` (None: not drawable for this report; the reason is
/// CHARTS' third column). `title` overrides the chart's own title.
pub fn draw(r: &Report, name: &str, title: Option<&str>) -> Option<String> {
    let title = title.unwrap_or_else(|| CHARTS.iter().find(|c| c.0 == name).map_or(name, |c| c.1));
    let scored = match r.measured.as_ref().map(|m| &m.outcome) {
        Some(Outcome::Scored(s)) if !s.rows.is_empty() => Some(s),
        _ => None,
    };
    let clf = scored.filter(|s| s.task == Task::Classification && s.k >= 2);
    let reg = scored.filter(|s| s.task == Task::Regression);
    let target = r.model.target.as_str();
    let has_both_sides = |s: &Scored| {
        (0..s.k).any(|c| s.actual.iter().any(|&a| a == c) && s.actual.iter().any(|&a| a != c))
    };
    match name {
        "confusion_matrix" => clf.map(|s| classification::confusion_matrix(s, title)),
        "roc" => clf
            .filter(|s| has_both_sides(s))
            .map(|s| classification::roc(s, title)),
        "pr" => clf
            .filter(|s| has_both_sides(s))
            .map(|s| classification::pr(s, title)),
        "calibration" => clf
            .filter(|s| has_both_sides(s))
            .map(|s| classification::calibration(s, title)),
        "gain" => clf
            .filter(|s| has_both_sides(s))
            .map(|s| classification::gain(s, title)),
        "probability_histogram" => {
            clf.map(|s| classification::probability_histogram(s, r.model.threshold, title))
        }
        "predicted_vs_actual" => reg.map(|s| regression::predicted_vs_actual(s, target, title)),
        "residual_histogram" => reg.map(|s| regression::residual_histogram(s, target, title)),
        "residuals_vs_predicted" => {
            reg.map(|s| regression::residuals_vs_predicted(s, target, title))
        }
        "feature_importance" => model::importance(r.model)
            .map(|i| model::importance_chart(&i, "feature_importance", title)),
        "contributions" => r
            .measured
            .as_ref()
            .and_then(|m| m.contributions.as_ref())
            .map(|c| model::contributions_chart(c, title)),
        "learning_curve" => model::learning_curve(r.row, title),
        "trials" => (!r.trials.is_empty()).then(|| {
            let metric = r
                .row
                .pointer("/metrics/objective/name")
                .and_then(Value::as_str)
                .unwrap_or("score");
            model::trials_chart(&r.trials, metric, title)
        }),
        "cluster_sizes" => match r.measured.as_ref().map(|m| &m.outcome) {
            Some(Outcome::Clusters(l)) if !l.is_empty() => {
                Some(unsupervised::cluster_sizes(l, title))
            }
            _ => None,
        },
        "anomaly_scores" => match r.measured.as_ref().map(|m| &m.outcome) {
            Some(Outcome::Anomaly(a)) if !a.is_empty() => {
                Some(unsupervised::anomaly_scores(a, title))
            }
            _ => None,
        },
        "drift" => r
            .drift
            .as_ref()
            .filter(|d| !d.columns.is_empty())
            .map(|d| drift::chart(&d.columns, d.threshold, title)),
        _ => None,
    }
}

/// dm_report_svg: one chart as a standalone SVG document that follows the viewer's light or
/// dark colours; a clear error when the name is unknown or the chart cannot be drawn here.
pub fn standalone(r: &Report, name: &str) -> Result<String> {
    let Some(&(_, title, needs)) = CHARTS.iter().find(|c| c.0 == name) else {
        let names: Vec<&str> = CHARTS.iter().map(|c| c.0).collect();
        return Err(Error::param(format!(
            "chart \"{name}\" is not one of: {}",
            names.join(", ")
        )));
    };
    let model = r
        .row
        .get("name")
        .and_then(Value::as_str)
        .map(|n| {
            format!(
                "{n}@{}",
                r.row.get("version").and_then(Value::as_i64).unwrap_or(0)
            )
        })
        .unwrap_or_default();
    let full = match &r.measured {
        Some(m) => format!("{title}: {model} on {}", m.on),
        None => format!("{title}: {model}"),
    };
    let Some(svg) = draw(r, name, Some(&full)) else {
        return Err(Error::new(
            ErrorKind::NotSupported,
            format!("chart \"{name}\" needs {needs}"),
        ));
    };
    const STYLE: &str = "<style>:root{color-scheme:light dark}svg.chart{color:#1f2328}@media (prefers-color-scheme: dark){svg.chart{color:#e6edf3}}</style>";
    Ok(match svg.find('>') {
        Some(i) => format!("{}{STYLE}{}", &svg[..=i], &svg[i + 1..]),
        None => svg,
    })
}

#[cfg(test)]
mod tests;
