//! Looking at a model: dm_report (a self-contained HTML page) and dm_report_svg (one chart).

use pgrx::prelude::*;
use pgrx::JsonB;

use super::args::required;

/// The model's report as one HTML page (inline SVG and CSS, no script): what it is and how it
/// was trained, its metrics beside the baseline, charts measured on `relation` (default: the
/// model's own test rows of its source, with the manage right), feature importance, search
/// trials and, with a relation, drift.
#[pg_extern(stable)]
fn dm_report(
    model: Option<&str>,
    relation: default!(Option<&str>, "NULL"),
    options: default!(Option<JsonB>, "'{}'"),
) -> String {
    let model = required(model, "dm_report", "model");
    let options = required(options, "dm_report", "options");
    crate::report::page(model, relation, &options.0)
}

/// One chart of the report as a standalone SVG document (for a web page or a BI tool).
#[pg_extern(stable)]
fn dm_report_svg(
    model: Option<&str>,
    chart: Option<&str>,
    relation: default!(Option<&str>, "NULL"),
    options: default!(Option<JsonB>, "'{}'"),
) -> String {
    let model = required(model, "dm_report_svg", "model");
    let chart = required(chart, "dm_report_svg", "chart");
    let options = required(options, "dm_report_svg", "options");
    crate::report::chart(model, chart, relation, &options.0)
}
