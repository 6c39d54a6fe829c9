//! Charts of the model itself, measured on no rows: global feature importance and the
//! hyperparameter search's trials.

use serde_json::Value;

use super::shapes::{hbars, Bar};
use super::svg::{colour, esc, num, Plot};
use crate::model::fitted::Fitted;
use crate::model::stored::StoredModel;

/// Bars drawn at most.
pub const MAX_FEATURES: usize = 25;

/// Per feature, its importance and what the number is (None: the model has none).
pub struct Importance {
    pub what: &'static str,
    pub values: Vec<(String, f64)>,
}

/// Trees: the share of split gain; linear and logistic models: the absolute coefficients of
/// the encoded, scaled columns summed per feature (averaged over classes).
pub fn importance(m: &StoredModel) -> Option<Importance> {
    if let Ok(rows) = m.feature_importance() {
        return Some(Importance {
            what: "share of the split gain",
            values: rows.into_iter().map(|(f, share, _)| (f, share)).collect(),
        });
    }
    let per_column: Vec<f64> = match &m.estimator {
        Fitted::Linear(l) => l.coef.iter().map(|c| c.abs()).collect(),
        Fitted::Logistic(l) if !l.coef.is_empty() => {
            let n = l.coef.len() as f64;
            let width = l.coef.iter().map(Vec::len).max().unwrap_or(0);
            (0..width)
                .map(|j| {
                    l.coef
                        .iter()
                        .map(|c| c.get(j).map_or(0.0, |v| v.abs()))
                        .sum::<f64>()
                        / n
                })
                .collect()
        }
        _ => return None,
    };
    let mut col = 0;
    let values = m
        .prep
        .features
        .iter()
        .map(|f| {
            let w = m.prep.width_of(f);
            let sum: f64 = per_column.get(col..col + w).map_or(0.0, |c| c.iter().sum());
            col += w;
            (f.name.clone(), sum)
        })
        .collect();
    Some(Importance {
        what: "|coefficient| on the scaled, encoded columns",
        values,
    })
}

/// The largest importances as bars.
pub fn importance_chart(imp: &Importance, id: &str, title: &str) -> String {
    let mut rows = imp.values.clone();
    rows.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let shown = rows.len().min(MAX_FEATURES);
    let title = if rows.len() > shown {
        format!("{title} (top {shown} of {})", rows.len())
    } else {
        title.to_string()
    };
    let bars: Vec<Bar> = rows
        .into_iter()
        .take(shown)
        .map(|(name, value)| Bar {
            name,
            value,
            flagged: false,
        })
        .collect();
    hbars(id, &title, imp.what, &bars, None)
}

/// Global importance from explanations: the method, rows explained, per feature the mean
/// absolute contribution.
pub struct Contributions {
    pub method: &'static str,
    pub rows: usize,
    pub values: Vec<(String, f64)>,
}

/// Mean absolute contributions as bars (SHAP's summary importance).
pub fn contributions_chart(c: &Contributions, title: &str) -> String {
    let imp = Importance {
        what: "mean |contribution| to the output",
        values: c.values.clone(),
    };
    let title = format!("{title} ({}, {} rows)", c.method, c.rows);
    importance_chart(&imp, "contributions", &title)
}

/// One trial of a search: its number, parameters, mean and spread of the fold scores, chosen.
pub struct Trial {
    pub number: i64,
    pub params: Value,
    pub mean: Option<f64>,
    pub std: Option<f64>,
    pub chosen: bool,
}

/// Trials from dm.trials rows (as JSON), in trial order.
pub fn trials(rows: &[Value]) -> Vec<Trial> {
    let mut out: Vec<Trial> = rows
        .iter()
        .map(|r| Trial {
            number: r.get("trial").and_then(Value::as_i64).unwrap_or(0),
            params: r.get("params").cloned().unwrap_or(Value::Null),
            mean: r.get("mean_score").and_then(Value::as_f64),
            std: r.get("std_score").and_then(Value::as_f64),
            chosen: r.get("chosen").and_then(Value::as_bool).unwrap_or(false),
        })
        .collect();
    out.sort_by_key(|t| t.number);
    out
}

/// Each trial's cross-validated score (mean ± one standard deviation across folds), the
/// chosen one marked. Each trial is `<circle class="trial" data-trial data-mean data-std
/// data-chosen>`.
pub fn trials_chart(trials: &[Trial], metric: &str, title: &str) -> String {
    let n = trials.len().max(1) as f64;
    let lo = trials
        .iter()
        .filter_map(|t| Some(t.mean? - t.std.unwrap_or(0.0)))
        .fold(f64::INFINITY, f64::min);
    let hi = trials
        .iter()
        .filter_map(|t| Some(t.mean? + t.std.unwrap_or(0.0)))
        .fold(f64::NEG_INFINITY, f64::max);
    let pad = ((hi - lo) * 0.08).max(1e-9);
    let mut plot = Plot::new("trials", title, (0.5, n + 0.5), (lo - pad, hi + pad), 64.0);
    plot.axes("trial", &format!("cross-validated {metric}"), n <= 40.0);
    for t in trials {
        let Some(mean) = t.mean else { continue };
        let sd = t.std.unwrap_or(0.0);
        let x = t.number as f64;
        let c = if t.chosen { colour(5) } else { colour(0) };
        plot.line(
            &[(x, mean - sd), (x, mean + sd)],
            c,
            false,
            r#"class="spread""#,
        );
        let label = serde_json::to_string(&t.params).unwrap_or_default();
        plot.raw(&format!(
            r#"<circle class="trial" data-trial="{}" data-mean="{mean}" data-std="{sd}" data-chosen="{}" cx="{:.1}" cy="{:.1}" r="{}" fill="{c}"><title>trial {}: {} = {} ± {}; {}</title></circle>"#,
            t.number,
            t.chosen,
            plot.x.at(x),
            plot.y.at(mean),
            if t.chosen { 6 } else { 4 },
            t.number,
            esc(metric),
            num(mean, 4),
            num(sd, 2),
            esc(&label),
        ));
    }
    plot.legend(
        &[
            ("trial (mean ± std over folds)".to_string(), colour(0)),
            ("chosen".to_string(), colour(5)),
        ],
        "bottom-right",
    );
    plot.finish()
}

/// The training curve stored in the version's metrics (metrics.fit.curve): the training loss
/// per boosting round or mlp epoch, the validation loss beside it where boosting had
/// validation rows, and the round early stopping kept. Each line is `<polyline class="curve"
/// data-series data-points>`. None: no curve stored.
pub fn learning_curve(row: &Value, title: &str) -> Option<String> {
    let fit = row.pointer("/metrics/fit")?;
    let curve = fit.get("curve")?;
    let series = |key: &str| -> Vec<(f64, f64)> {
        curve
            .get(key)
            .and_then(Value::as_array)
            .map(|v| {
                v.iter()
                    .enumerate()
                    .filter_map(|(i, y)| Some(((i + 1) as f64, y.as_f64()?)))
                    .collect()
            })
            .unwrap_or_default()
    };
    let train = series("train_loss");
    let valid = series("validation_loss");
    if train.is_empty() {
        return None;
    }
    let unit = if fit.get("epochs").is_some() {
        "epoch"
    } else {
        "boosting round"
    };
    let (lo, hi) = super::svg::extent(train.iter().chain(&valid).map(|p| p.1))?;
    let pad = ((hi - lo) * 0.05).max(1e-12);
    let n = train.len().max(valid.len()) as f64;
    let mut plot = Plot::new(
        "learning_curve",
        title,
        (1.0, n.max(2.0)),
        (lo - pad, hi + pad),
        64.0,
    );
    plot.axes(unit, "loss", true);
    let mut legend = Vec::new();
    for (i, (name, pts)) in [("training loss", &train), ("validation loss", &valid)]
        .into_iter()
        .enumerate()
        .filter(|(_, (_, p))| !p.is_empty())
    {
        let attrs = format!(
            r#"class="curve" data-series="{name}" data-points="{}""#,
            pts.len()
        );
        plot.line(&super::svg::thin(pts, 1000), colour(i), false, &attrs);
        legend.push((name.to_string(), colour(i)));
    }
    let kept = fit.get("rounds").and_then(Value::as_u64);
    let run = fit.get("rounds_run").and_then(Value::as_u64);
    if let (Some(kept), Some(run)) = (kept, run) {
        if kept < run {
            plot.vline(kept as f64, &format!("kept {kept} of {run}"), "kept");
        }
    }
    plot.legend(&legend, "top-left");
    Some(plot.finish())
}
