//! dm_report and dm_report_svg inside the backend: gather what the caller may see of a model
//! (its catalog row, its trials with the train right, its source relation with the manage
//! right), score the rows to measure on the pool, and hand it all to the mining core's report
//! module, which draws. What a role may not see is left out and said in the page's notes.

use serde_json::Value;

use crate::catalog::rights::{self, Privilege};
use crate::catalog::{cache, models};
use crate::data::reader;
use crate::pg::errors::OrRaise;
use crate::pg::spi;
use crate::scoring::{on_relation, warn_training_rows};
use mining::common::error::Error;
use mining::common::task::Task;
use mining::evaluation::drift::{self, Compared, Missing};
use mining::evaluation::evaluate;
use mining::evaluation::holdout::Which;
use mining::prepare::row_keys::RowKeys;
use mining::report::{
    self, model as charts_model, Contributions, Drifted, Measured, Outcome, Report,
};

/// dm_report's and dm_report_svg's options.
struct Options {
    /// Which rows of the relation to measure on (dm_evaluate's `rows`).
    rows: Option<Which>,
    /// PSI above which a column counts as drifted.
    drift_threshold: f64,
}

fn parse_options(o: &Value) -> Result<Options, Error> {
    let Some(map) = o.as_object() else {
        return Err(Error::param("options must be a JSON object"));
    };
    let mut out = Options {
        rows: None,
        drift_threshold: 0.2,
    };
    for (k, v) in map {
        match k.as_str() {
            "rows" => {
                let s = v
                    .as_str()
                    .ok_or_else(|| Error::param("options.rows must be a string"))?;
                out.rows = Some(Which::parse(s)?);
            }
            "drift_threshold" => match v.as_f64() {
                Some(t) if t > 0.0 && t.is_finite() => out.drift_threshold = t,
                _ => {
                    return Err(Error::param(format!(
                        "options.drift_threshold must be a number > 0; got {v}"
                    )))
                }
            },
            other => {
                return Err(Error::param(format!(
                    "unknown option \"{other}\"; the options are rows and drift_threshold"
                )))
            }
        }
    }
    Ok(out)
}

/// Whether the caller can read the relation named `name` (a query is not checked here).
fn readable(name: &str) -> bool {
    spi::read_one::<bool>(
        "SELECT pg_catalog.to_regclass($1) IS NOT NULL \
         AND pg_catalog.has_table_privilege(pg_catalog.to_regclass($1), 'SELECT')",
        &[name.into()],
    )
    .ok()
    .flatten()
    .unwrap_or(false)
}

/// Where to measure: the given relation, else the stored source's test rows when the caller
/// may read it; None (with a note) when there is nothing to measure on.
fn source(
    given: Option<&str>,
    row: &Value,
    supervised: bool,
    may_manage: bool,
    notes: &mut Vec<String>,
) -> Option<(String, Which, String)> {
    if let Some(r) = given {
        return Some((r.to_string(), Which::All, format!("relation {r}")));
    }
    let stored = row.get("relation").and_then(Value::as_str);
    let has_keys = row.get("has_row_keys").and_then(Value::as_bool) == Some(true);
    match stored {
        _ if !supervised => notes.push(
            "Pass a relation (dm_report(model, relation)) to see how it assigns or scores rows."
                .into(),
        ),
        _ if !may_manage => notes.push(
            "The charts measured on the model's test rows need the manage right on the model (they read its source); pass a relation to measure on it."
                .into(),
        ),
        Some(r) if reader::is_query(r) => notes.push(
            "The model was trained on a query: pass it (or any relation with the target) as relation to measure the charts on its rows."
                .into(),
        ),
        Some(r) if has_keys && readable(r) => {
            return Some((r.to_string(), Which::Test, format!("its test rows of {r}")))
        }
        Some(r) => notes.push(format!(
            "The source relation {r} is gone or not readable by this role: pass a relation to measure the charts on."
        )),
        None => notes.push("Pass a relation to measure the charts on.".into()),
    }
    None
}

type Job = (
    Outcome,
    Option<Contributions>,
    Option<Result<Vec<Compared>, Missing>>,
);

/// Everything the report of `model` needs, gathered, and `draw` called on it.
/// What a report computes: rows measured at all (false: the charts of the model alone), the
/// mean |SHAP| of a sample of them, the drift against the training profile.
struct Needs {
    measure: bool,
    contributions: bool,
    drift: bool,
}

fn with_report<T>(
    model: &str,
    relation: Option<&str>,
    options: &Value,
    needs: Needs,
    draw: impl FnOnce(&Report) -> T,
) -> T {
    let opts = parse_options(options).or_raise_for(model);
    let m = cache::get(model);
    let may = |p| rights::holds(&m.name, p) == Some(true);
    let (may_manage, may_train) = (may(Privilege::Manage), may(Privilege::Train));
    let mut row = models::report_row(m.id);
    if !may_manage {
        if let Some(o) = row.as_object_mut() {
            o.insert("relation".into(), Value::Null);
        }
    }
    let mut notes = Vec::new();
    let trials = if may_train {
        charts_model::trials(&models::trials_of(&m.name, m.version))
    } else {
        notes.push("Search trials are shown to roles with the train right on the model.".into());
        Vec::new()
    };
    let supervised = m.model.task.is_supervised();
    let mut measured = None;
    let mut drifted = None;
    let measure = needs.measure && m.model.task != Task::Decomposition;
    let from = if measure {
        source(relation, &row, supervised, may_manage, &mut notes)
    } else {
        None
    };
    if let Some((rel, default_which, on)) = from {
        let which = opts.rows.unwrap_or(default_which);
        if which != Which::All && !supervised {
            Err::<(), _>(Error::param(
                "options.rows is for classification and regression models",
            ))
            .or_raise_for(model);
        }
        let keys = supervised.then(|| models::load_row_keys(m.id)).flatten();
        let profile =
            (needs.drift && relation.is_some() && may_manage).then(|| models::load_profile(m.id));
        let explain = needs.contributions;
        let (_, _, (outcome, contributions, compared)) =
            on_relation(model, &rel, move |sm, frame, budget, stop| {
                let keys = keys.as_deref().map(RowKeys::decode).transpose()?;
                let outcome = report::measure(sm, frame, keys.as_ref(), which, budget, stop)?;
                let contributions = match &outcome {
                    Outcome::Scored(s) if explain => {
                        report::contributions(sm, frame, s, budget, stop)?
                    }
                    _ => None,
                };
                let compared = match &profile {
                    Some(p) => {
                        let predictions = evaluate::predictions(sm, frame, budget, stop)?;
                        Some(drift::compare_model(sm, frame, &predictions, p))
                    }
                    None => None,
                };
                Ok::<Job, Error>((outcome, contributions, compared))
            });
        if let Outcome::Scored(s) = &outcome {
            warn_training_rows(&format!("{}@{}", m.name, m.version), s);
        }
        let on = match (relation, which) {
            (Some(_), Which::All) => on,
            (Some(_), w) => format!("{on}: its {} rows", w.name()),
            (None, _) => on,
        };
        measured = Some(Measured {
            on,
            outcome,
            contributions,
        });
        match compared {
            Some(Ok(columns)) => {
                drifted = Some(Drifted {
                    threshold: opts.drift_threshold,
                    columns,
                })
            }
            Some(Err(Missing::Profile(_))) => notes.push(
                "The model keeps no training profile (trained before 0.3.0): retrain it to see drift."
                    .into(),
            ),
            Some(Err(Missing::Column(c))) => {
                notes.push(format!("Drift not measured: the relation has no column {c}."))
            }
            None if relation.is_some() && !may_manage => notes.push(
                "Drift against the training rows is shown to roles with the manage right on the model."
                    .into(),
            ),
            None => {}
        }
    }
    let generated_at = spi::read_one::<String>(
        "SELECT pg_catalog.to_char(pg_catalog.now(), 'YYYY-MM-DD HH24:MI:SS TZ')",
        &[],
    )
    .ok()
    .flatten()
    .unwrap_or_default();
    let r = Report {
        model: &m.model,
        row: &row,
        trials,
        measured,
        drift: drifted,
        notes,
        generated_at,
    };
    draw(&r)
}

/// dm_report: the HTML page.
pub fn page(model: &str, relation: Option<&str>, options: &Value) -> String {
    let all = Needs {
        measure: true,
        contributions: true,
        drift: true,
    };
    with_report(model, relation, options, all, report::page::page)
}

/// dm_report_svg: one chart.
pub fn chart(model: &str, chart: &str, relation: Option<&str>, options: &Value) -> String {
    // The model's own charts read no rows.
    let measure = !matches!(chart, "feature_importance" | "trials" | "learning_curve");
    let needs = Needs {
        measure,
        contributions: chart == "contributions",
        drift: chart == "drift",
    };
    with_report(model, relation, options, needs, |r| {
        report::standalone(r, chart)
    })
    .or_raise_for(model)
}
