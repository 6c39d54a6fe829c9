//! A regression's charts, measured on scored rows: predicted against actual, the residual
//! histogram, and residuals against predicted. Scatter plots draw an evenly spaced sample of
//! at most `MAX_POINTS` rows (the chart says how many of how many).

use super::shapes::{histogram, Series};
use super::svg::{colour, extent, thin, Plot};
use crate::evaluation::evaluate::Scored;

pub const MAX_POINTS: usize = 3000;

fn pairs(s: &Scored) -> Vec<(f64, f64)> {
    s.actual_values
        .iter()
        .copied()
        .zip(s.predicted_values.iter().copied())
        .collect()
}

fn sampled_note(n: usize) -> String {
    if n > MAX_POINTS {
        format!(" ({} of {} rows shown)", MAX_POINTS, n)
    } else {
        String::new()
    }
}

/// Predicted (y) against actual (x); the diagonal is a perfect prediction.
pub fn predicted_vs_actual(s: &Scored, target: &str, title: &str) -> String {
    let all = pairs(s);
    let (lo, hi) = extent(all.iter().flat_map(|&(a, p)| [a, p])).unwrap_or((0.0, 1.0));
    let pad = (hi - lo) * 0.03;
    let mut plot = Plot::new(
        "predicted_vs_actual",
        &format!("{title}{}", sampled_note(all.len())),
        (lo - pad, hi + pad),
        (lo - pad, hi + pad),
        64.0,
    );
    plot.axes(
        &format!("actual {target}"),
        &format!("predicted {target}"),
        true,
    );
    plot.line(
        &[(lo, lo), (hi, hi)],
        "currentColor",
        true,
        r#"class="ideal" stroke-opacity="0.5""#,
    );
    plot.points(&thin(&all, MAX_POINTS), colour(0), "rows");
    plot.finish()
}

/// Residuals (actual − predicted) in 30 bins.
pub fn residual_histogram(s: &Scored, target: &str, title: &str) -> String {
    let r: Vec<f64> = pairs(s).iter().map(|&(a, p)| a - p).collect();
    let series = [Series {
        name: "residuals".into(),
        values: &r,
    }];
    let mut plot = histogram(
        "residual_histogram",
        title,
        &format!("residual: actual − predicted {target}"),
        &series,
        30,
        None,
    );
    // The zero line, where it falls inside the residuals' range.
    if plot.x.lo <= 0.0 && 0.0 <= plot.x.hi {
        plot.vline(0.0, "0", "zero");
    }
    plot.finish()
}

/// Residuals (y) against the prediction (x), with the zero line: a pattern here is what the
/// model missed.
pub fn residuals_vs_predicted(s: &Scored, target: &str, title: &str) -> String {
    let pts: Vec<(f64, f64)> = pairs(s).iter().map(|&(a, p)| (p, a - p)).collect();
    let (xlo, xhi) = extent(pts.iter().map(|p| p.0)).unwrap_or((0.0, 1.0));
    let (ylo, yhi) = extent(pts.iter().map(|p| p.1)).unwrap_or((-1.0, 1.0));
    let m = ylo.abs().max(yhi.abs()) * 1.05;
    let mut plot = Plot::new(
        "residuals_vs_predicted",
        &format!("{title}{}", sampled_note(pts.len())),
        (xlo, xhi),
        (-m, m),
        64.0,
    );
    plot.axes(
        &format!("predicted {target}"),
        "residual (actual − predicted)",
        true,
    );
    plot.line(
        &[(xlo, 0.0), (xhi, 0.0)],
        "currentColor",
        true,
        r#"class="zero" stroke-opacity="0.5""#,
    );
    plot.points(&thin(&pts, MAX_POINTS), colour(0), "rows");
    plot.finish()
}
