//! The report page: a header card (what the model is, how it was trained, warnings), the
//! stored metrics beside the baseline, the charts measured on rows, the model's own charts,
//! the drift panel and notes. Plain HTML with inline CSS that follows the browser's light or
//! dark scheme and prints to PDF one chart per block.

use std::fmt::Write;

use serde_json::Value;

use super::svg::{esc, num};
use super::{draw, model, Outcome, Report};

const STYLE: &str = r#"
:root { color-scheme: light dark; --fg: #1f2328; --muted: #59636e; --bg: #ffffff; --card: #f6f8fa; --line: #d1d9e0; --warn-bg: #fff8c5; --warn: #7d4e00; --accent: #0072B2; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --muted: #9198a1; --bg: #0d1117; --card: #151b23; --line: #3d444d; --warn-bg: #3b2e00; --warn: #f0c674; --accent: #56B4E9; } }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1220px; padding: 24px; font: 14px/1.45 system-ui, sans-serif; color: var(--fg); background: var(--bg); }
h1 { font-size: 24px; margin: 0 0 4px; } h2 { font-size: 18px; margin: 28px 0 10px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
.sub { color: var(--muted); margin: 0 0 12px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 16px 20px; }
dl.facts { display: grid; grid-template-columns: repeat(auto-fill, minmax(260px, 1fr)); gap: 6px 24px; margin: 0; }
dl.facts div { display: flex; gap: 8px; } dt { color: var(--muted); min-width: 110px; } dd { margin: 0; overflow-wrap: anywhere; }
.warnings { background: var(--warn-bg); color: var(--warn); border: 1px solid var(--warn); border-radius: 8px; padding: 10px 16px; margin-top: 16px; }
.warnings h2 { border: 0; margin: 0 0 6px; color: inherit; } .warnings ul { margin: 0; padding-left: 20px; }
table { border-collapse: collapse; margin: 6px 0; } th, td { padding: 3px 10px; border-bottom: 1px solid var(--line); text-align: right; }
th:first-child, td:first-child { text-align: left; } thead th { color: var(--muted); font-weight: 600; }
tr.objective td { font-weight: 700; color: var(--accent); }
.charts { display: flex; flex-wrap: wrap; gap: 16px; }
figure { margin: 0; background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 8px; break-inside: avoid; }
figure svg { display: block; max-width: 100%; height: auto; color: var(--fg); }
pre { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 10px; overflow-x: auto; white-space: pre-wrap; }
.notes { color: var(--muted); } footer { color: var(--muted); margin-top: 32px; font-size: 12px; }
@media print { body { max-width: none; padding: 0; } h2 { break-after: avoid; } .charts { display: block; } figure { margin-bottom: 12px; } }
"#;

fn text(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => "—".into(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.as_f64().map_or(n.to_string(), |f| num(f, 6)),
        Some(Value::Bool(b)) => if *b { "yes" } else { "no" }.into(),
        Some(other) => other.to_string(),
    }
}

/// A timestamptz as JSON gives it (2026-12-07T23:26:42.210336+00:00) as people read it:
/// 2026-12-07 23:26:42 UTC (another offset kept as it is).
pub(super) fn when(t: &str) -> String {
    match (t.get(..10), t.get(11..19)) {
        (Some(day), Some(time)) => {
            let offset = t.get(19..).map_or("", |r| {
                r.trim_start_matches(|c: char| c == '.' || c.is_ascii_digit())
            });
            let zone = if offset == "+00:00" { "UTC" } else { offset };
            format!("{day} {time} {zone}").trim_end().to_string()
        }
        _ => t.to_string(),
    }
}

fn fact(o: &mut String, name: &str, value: &str) {
    let _ = write!(
        o,
        "<div><dt>{}</dt><dd>{}</dd></div>",
        esc(name),
        esc(value)
    );
}

fn header(o: &mut String, r: &Report) {
    let row = r.row;
    let get = |k: &str| row.get(k);
    let title = format!("{}@{}", text(get("name")), text(get("version")));
    let deployed = get("deployed").and_then(Value::as_bool).unwrap_or(false);
    let target = match get("target").and_then(Value::as_str) {
        Some(t) => format!(" of \"{t}\" ({})", text(get("target_type"))),
        None => String::new(),
    };
    let _ = write!(
        o,
        r#"<header class="card"><h1>{}</h1><p class="sub">{} · {}{} · {}</p><dl class="facts">"#,
        esc(&title),
        esc(&text(get("algorithm"))),
        esc(&text(get("task"))),
        esc(&target),
        if deployed { "deployed" } else { "not deployed" },
    );
    fact(
        o,
        "trained",
        &format!(
            "{} by {}",
            when(&text(get("created_at"))),
            text(get("created_by"))
        ),
    );
    fact(
        o,
        "source",
        &text(get("relation")).replace('—', "(needs the manage right)"),
    );
    if let Some(Value::Object(counts)) = get("row_counts") {
        let s: Vec<String> = counts
            .iter()
            .map(|(k, v)| format!("{k} {}", text(Some(v))))
            .collect();
        fact(o, "rows", &s.join(", "));
    }
    if let Some(split) = get("split") {
        let part = |k: &str| text(split.get(k));
        let mut s = format!("{}: {} train", part("method"), part("train"));
        if split.get("validation").and_then(Value::as_i64).unwrap_or(0) > 0 {
            let _ = write!(s, ", {} validation", part("validation"));
        }
        let _ = write!(s, ", {} test (seed {})", part("test"), part("seed"));
        fact(o, "split", &s);
    }
    if let Some(Value::Array(f)) = get("features") {
        fact(o, "features", &f.len().to_string());
    }
    if let Some(Value::Array(c)) = get("classes") {
        let names: Vec<String> = c.iter().map(|v| text(Some(v))).collect();
        fact(o, "classes", &names.join(", "));
    }
    if let Some(t) = get("threshold").filter(|t| !t.is_null()) {
        fact(o, "decision threshold", &text(Some(t)));
    }
    if let Some(c) = get("calibration").filter(|c| !c.is_null()) {
        fact(o, "calibration", &text(c.get("method")));
    }
    if let Some(t) = get("timings") {
        fact(o, "training time", &format!("{} ms", text(t.get("total"))));
    }
    fact(o, "data fingerprint", &text(get("data_fingerprint")));
    o.push_str("</dl></header>");
    let warnings: Vec<String> = match get("warnings") {
        Some(Value::Array(w)) => w.iter().map(|v| text(Some(v))).collect(),
        _ => Vec::new(),
    };
    if !warnings.is_empty() {
        let _ = write!(
            o,
            r#"<section class="warnings" data-count="{}"><h2>⚠ Warnings</h2><ul>"#,
            warnings.len()
        );
        for w in warnings {
            let _ = write!(o, "<li>{}</li>", esc(&w));
        }
        o.push_str("</ul></section>");
    }
}

/// The stored metrics: one row per metric, columns train / validation / test / CV / baseline;
/// the metric the model was judged by first and highlighted.
fn stored_metrics(o: &mut String, r: &Report) {
    let Some(m) = r.row.get("metrics") else {
        return;
    };
    let objective = m.pointer("/objective/name").and_then(Value::as_str);
    let columns: Vec<(&str, Option<&Value>)> = [
        ("train", m.get("train")),
        ("validation", m.get("validation")),
        ("test", m.get("test")),
        ("CV mean ± std", m.pointer("/cv/mean")),
        ("baseline", m.get("baseline")),
    ]
    .into_iter()
    .filter(|(_, v)| v.is_some_and(Value::is_object))
    .collect();
    let mut names: Vec<&str> = Vec::new();
    for (_, v) in &columns {
        if let Some(Value::Object(map)) = v {
            for (k, v) in map {
                if v.is_number() && !names.contains(&k.as_str()) {
                    names.push(k);
                }
            }
        }
    }
    if names.is_empty() {
        return;
    }
    names.sort_by_key(|n| (Some(*n) != objective, *n));
    o.push_str(r#"<section><h2>Metrics (stored at training)</h2><table class="metrics"><thead><tr><th>metric</th>"#);
    for (c, _) in &columns {
        let _ = write!(o, "<th>{}</th>", esc(c));
    }
    o.push_str("</tr></thead><tbody>");
    for n in names {
        let is_obj = Some(n) == objective;
        let _ = write!(
            o,
            r#"<tr{} data-metric="{}"><td>{}{}</td>"#,
            if is_obj { r#" class="objective""# } else { "" },
            esc(n),
            esc(n),
            if is_obj { " ★ judged by" } else { "" }
        );
        for (c, v) in &columns {
            let cell = v.and_then(|v| v.get(n)).and_then(Value::as_f64);
            let mut s = cell.map_or("—".to_string(), |x| num(x, 4));
            if *c == "CV mean ± std" {
                if let Some(sd) = m.pointer(&format!("/cv/std/{n}")).and_then(Value::as_f64) {
                    let _ = write!(s, " ± {}", num(sd, 2));
                }
            }
            let _ = write!(o, "<td>{}</td>", esc(&s));
        }
        o.push_str("</tr>");
    }
    o.push_str("</tbody></table></section>");
}

fn figures(o: &mut String, r: &Report, names: &[&str]) -> usize {
    let mut drawn = 0;
    let mut charts = String::new();
    for name in names {
        if let Some(svg) = draw(r, name, None) {
            let _ = write!(charts, r#"<figure data-chart="{name}">{svg}</figure>"#);
            drawn += 1;
        }
    }
    if drawn > 0 {
        let _ = write!(o, r#"<div class="charts">{charts}</div>"#);
    }
    drawn
}

fn measured(o: &mut String, r: &Report) {
    let Some(m) = &r.measured else { return };
    let _ = write!(o, "<section><h2>Measured on {}</h2>", esc(&m.on));
    match &m.outcome {
        Outcome::Scored(s) => {
            let metrics = s.metrics();
            o.push_str(r#"<table class="measured"><tbody>"#);
            if let Value::Object(map) = &metrics {
                for (k, v) in map.iter().filter(|(_, v)| v.is_number()) {
                    let _ = write!(
                        o,
                        r#"<tr data-metric="{}"><td>{}</td><td>{}</td></tr>"#,
                        esc(k),
                        esc(k),
                        esc(&text(Some(v)))
                    );
                }
            }
            o.push_str("</tbody></table>");
            if let Some(Value::Object(per)) = metrics.get("per_class") {
                o.push_str("<table class=\"per-class\"><thead><tr><th>class</th><th>precision</th><th>recall</th><th>f1</th><th>support</th></tr></thead><tbody>");
                for (class, v) in per {
                    let _ = write!(o, "<tr><td>{}</td>", esc(class));
                    for k in ["precision", "recall", "f1", "support"] {
                        let _ = write!(o, "<td>{}</td>", esc(&text(v.get(k))));
                    }
                    o.push_str("</tr>");
                }
                o.push_str("</tbody></table>");
            }
        }
        Outcome::Clusters(l) => {
            let _ = write!(o, "<p>{} rows assigned.</p>", l.len());
        }
        Outcome::Anomaly(a) => {
            let flagged = a.iter().filter(|x| x.1).count();
            let _ = write!(o, "<p>{} rows scored, {flagged} flagged.</p>", a.len());
        }
    }
    figures(
        o,
        r,
        &[
            "confusion_matrix",
            "roc",
            "pr",
            "calibration",
            "gain",
            "probability_histogram",
            "predicted_vs_actual",
            "residual_histogram",
            "residuals_vs_predicted",
            "cluster_sizes",
            "anomaly_scores",
        ],
    );
    o.push_str("</section>");
}

fn explained(o: &mut String, r: &Report) {
    let has_contributions = r
        .measured
        .as_ref()
        .is_some_and(|m| m.contributions.is_some());
    let imp = model::importance(r.model);
    if imp.is_none() && !has_contributions {
        return;
    }
    o.push_str("<section><h2>What the model relies on</h2>");
    figures(o, r, &["feature_importance", "contributions"]);
    let Some(imp) = imp else {
        o.push_str("<p class=\"notes\">Per row: <code>dm_explain(model, row)</code> gives each feature's contribution.</p></section>");
        return;
    };
    let mut top = imp.values.clone();
    top.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let _ = write!(
        o,
        r#"<table class="importance"><thead><tr><th>feature</th><th>{}</th></tr></thead><tbody>"#,
        esc(imp.what)
    );
    for (f, v) in top.iter().take(10) {
        let _ = write!(
            o,
            "<tr><td>{}</td><td>{}</td></tr>",
            esc(f),
            esc(&num(*v, 4))
        );
    }
    o.push_str("</tbody></table><p class=\"notes\">Per row: <code>dm_explain(model, row)</code> gives each feature's contribution.</p></section>");
}

fn settings(o: &mut String, r: &Report) {
    o.push_str("<section><h2>Training</h2>");
    let hp = r.row.get("hyperparams").cloned().unwrap_or(Value::Null);
    figures(o, r, &["learning_curve"]);
    let _ = write!(
        o,
        "<pre>{}</pre>",
        esc(&serde_json::to_string_pretty(&hp).unwrap_or_default())
    );
    if !r.trials.is_empty() {
        let _ = write!(o, "<h2>Search: {} trials</h2>", r.trials.len());
        figures(o, r, &["trials"]);
        o.push_str("<table class=\"trials\"><thead><tr><th>trial</th><th>parameters</th><th>mean</th><th>std</th><th>chosen</th></tr></thead><tbody>");
        for t in &r.trials {
            let _ = write!(
                o,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                t.number,
                esc(&t.params.to_string()),
                t.mean.map_or("—".into(), |v| num(v, 4)),
                t.std.map_or("—".into(), |v| num(v, 2)),
                if t.chosen { "★" } else { "" }
            );
        }
        o.push_str("</tbody></table>");
    }
    o.push_str("</section>");
}

fn drift(o: &mut String, r: &Report) {
    let Some(d) = &r.drift else { return };
    let flagged: Vec<&str> = d
        .columns
        .iter()
        .filter(|c| c.drift.psi > d.threshold)
        .map(|c| c.name.as_str())
        .collect();
    let _ = write!(
        o,
        r#"<section><h2>Drift against the training rows</h2><p data-flagged="{}">{}</p>"#,
        flagged.len(),
        if flagged.is_empty() {
            format!("No column has a PSI above {}.", num(d.threshold, 3))
        } else {
            esc(&format!(
                "Drifted (PSI above {}): {}",
                num(d.threshold, 3),
                flagged.join(", ")
            ))
        }
    );
    figures(o, r, &["drift"]);
    o.push_str("<table class=\"drift\"><thead><tr><th>column</th><th>kind</th><th>PSI</th><th>KS</th><th>chi²</th><th>NULL rate then</th><th>now</th></tr></thead><tbody>");
    for c in &d.columns {
        let x = &c.drift;
        let opt = |v: Option<f64>| v.map_or("—".into(), |v| num(v, 3));
        let _ = write!(
            o,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&c.name),
            x.kind,
            num(x.psi, 3),
            opt(x.ks),
            opt(x.chi2),
            num(x.null_rate_train, 3),
            num(x.null_rate_now, 3)
        );
    }
    o.push_str("</tbody></table></section>");
}

/// dm_report: the whole page.
pub fn page(r: &Report) -> String {
    let title = format!("{}@{}", text(r.row.get("name")), text(r.row.get("version")));
    let mut o = String::with_capacity(64 * 1024);
    let _ = write!(
        o,
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="color-scheme" content="light dark"><meta name="generator" content="pg_mining"><title>Model report: {t}</title><style>{STYLE}</style></head><body>"#,
        t = esc(&title)
    );
    header(&mut o, r);
    stored_metrics(&mut o, r);
    measured(&mut o, r);
    explained(&mut o, r);
    drift(&mut o, r);
    settings(&mut o, r);
    if !r.notes.is_empty() {
        o.push_str(r#"<section class="notes"><h2>Notes</h2><ul>"#);
        for n in &r.notes {
            let _ = write!(o, "<li>{}</li>", esc(n));
        }
        o.push_str("</ul></section>");
    }
    let _ = write!(
        o,
        "<footer>Made by pg_mining's dm_report at {}.</footer></body></html>\n",
        esc(&r.generated_at)
    );
    o
}
