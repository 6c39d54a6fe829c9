//! A classifier's charts, measured on scored rows: the confusion matrix, ROC and
//! precision-recall curves (one against the rest per class for more than two), the reliability
//! curve, the cumulative gain and the probability histogram.

use std::fmt::Write;

use super::shapes::{histogram, Series};
use super::svg::{colour, esc, num, thin, Plot, PALETTE};
use crate::evaluation::calibration::{self, Strategy};
use crate::evaluation::evaluate::Scored;
use crate::evaluation::scores;

/// Points a curve is thinned to.
const CURVE_POINTS: usize = 600;

/// The classes a curve is drawn for, as (class index, positives, scores): the second class of
/// a binary model, or each class against the rest (at most the palette's size).
fn sides(s: &Scored) -> Vec<(usize, Vec<bool>, Vec<f64>)> {
    let classes: Vec<usize> = if s.k == 2 {
        vec![1]
    } else {
        (0..s.k.min(PALETTE.len())).collect()
    };
    classes
        .into_iter()
        .map(|c| {
            let pos: Vec<bool> = s.actual.iter().map(|&a| a == c).collect();
            let score: Vec<f64> = s.proba.chunks_exact(s.k).map(|r| r[c]).collect();
            (c, pos, score)
        })
        .filter(|(_, pos, _)| pos.iter().any(|&p| p) && pos.iter().any(|&p| !p))
        .collect()
}

/// A chart on the unit square with its axes, and the diagonal (a random guess, or perfect
/// calibration) when asked.
fn unit_plot(id: &str, title: &str, x_label: &str, y_label: &str, diagonal: bool) -> Plot {
    let mut plot = Plot::new(id, title, (0.0, 1.0), (0.0, 1.0), 56.0);
    plot.axes(x_label, y_label, true);
    if diagonal {
        plot.line(
            &[(0.0, 0.0), (1.0, 1.0)],
            "currentColor",
            true,
            r#"class="chance" stroke-opacity="0.4""#,
        );
    }
    plot
}

/// Counts (cell text) and the row-normalised share (shade): rows are the actual labels (the
/// model's classes, then any it never saw), columns the predicted classes. Each cell is
/// `<rect class="cell" data-actual data-predicted data-count data-share>`.
pub fn confusion_matrix(s: &Scored, title: &str) -> String {
    let conf = s.confusion();
    let (rows, cols) = (s.names.len().max(1), s.k.max(1));
    let cell = (300.0 / rows.max(cols) as f64).clamp(34.0, 90.0);
    let (left, top) = (130.0, 70.0);
    let width = (left + cols as f64 * cell + 40.0).max(420.0);
    let height = top + rows as f64 * cell + 60.0;
    let mut o = String::new();
    let _ = write!(
        o,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" data-chart="confusion_matrix" data-rows="{rows}" data-cols="{cols}" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" aria-label="{t}" font-family="system-ui, sans-serif" font-size="12"><title>{t}</title><text class="title" x="{cx}" y="22" text-anchor="middle" font-size="15" font-weight="600" fill="currentColor">{t}</text><text x="{px}" y="{py}" text-anchor="middle" fill="currentColor">predicted class</text><text transform="translate(14 {ay}) rotate(-90)" text-anchor="middle" fill="currentColor">actual class</text>"#,
        t = esc(title),
        cx = width / 2.0,
        px = left + cols as f64 * cell / 2.0,
        py = top - 30.0,
        ay = top + rows as f64 * cell / 2.0,
    );
    for a in 0..rows {
        let total: f64 = (0..cols).map(|p| conf.get(a, p)).sum();
        let name = s.names.get(a).map_or("", String::as_str);
        let _ = write!(
            o,
            r#"<text x="{x}" y="{y:.1}" text-anchor="end" dominant-baseline="middle" fill="currentColor" font-size="11">{n}</text>"#,
            x = left - 6.0,
            y = top + (a as f64 + 0.5) * cell,
            n = esc(&super::svg::short(name, 18)),
        );
        for p in 0..cols {
            let count = conf.get(a, p);
            let share = if total > 0.0 { count / total } else { 0.0 };
            let (x, y) = (left + p as f64 * cell, top + a as f64 * cell);
            // Dark text on light cells, light text on dark ones.
            let ink = if share > 0.55 { "#ffffff" } else { "#1b1b1b" };
            let _ = write!(
                o,
                r##"<rect class="cell" data-actual="{an}" data-predicted="{pn}" data-count="{count}" data-share="{share}" x="{x:.1}" y="{y:.1}" width="{c:.1}" height="{c:.1}" fill="#0072B2" fill-opacity="{op:.3}" stroke="currentColor" stroke-opacity="0.25"/><text x="{tx:.1}" y="{ty:.1}" text-anchor="middle" dominant-baseline="middle" fill="{ink}" font-size="12">{count}</text><text x="{tx:.1}" y="{ty2:.1}" text-anchor="middle" dominant-baseline="middle" fill="{ink}" font-size="9">{pct}</text>"##,
                an = esc(name),
                pn = esc(s.names.get(p).map_or("", String::as_str)),
                c = cell - 1.0,
                op = 0.08 + 0.92 * share,
                tx = x + cell / 2.0,
                ty = y + cell / 2.0 - 6.0,
                ty2 = y + cell / 2.0 + 8.0,
                pct = format_args!("{:.0}%", share * 100.0),
            );
        }
    }
    for p in 0..cols {
        let _ = write!(
            o,
            r#"<text x="{x:.1}" y="{y}" text-anchor="middle" fill="currentColor" font-size="11">{n}</text>"#,
            x = left + (p as f64 + 0.5) * cell,
            y = top - 8.0,
            n = esc(&super::svg::short(
                s.names.get(p).map_or("", String::as_str),
                12
            )),
        );
    }
    let _ = write!(
        o,
        r#"<text x="{x}" y="{y:.1}" fill="currentColor" font-size="10" opacity="0.8">count, and share of the actual class (row)</text></svg>"#,
        x = left,
        y = height - 16.0,
    );
    o
}

/// ROC curves with their AUC; the diagonal is a random guess.
pub fn roc(s: &Scored, title: &str) -> String {
    let mut plot = unit_plot(
        "roc",
        title,
        "false positive rate",
        "true positive rate",
        true,
    );
    let mut legend = Vec::new();
    for (i, (c, pos, score)) in sides(s).into_iter().enumerate() {
        let Some(curve) = scores::roc_curve(&pos, &score) else {
            continue;
        };
        let auc = scores::roc_auc(&pos, &score).unwrap_or(f64::NAN);
        let pts: Vec<(f64, f64)> = curve.iter().map(|&(_, f, t)| (f, t)).collect();
        let name = &s.names[c];
        let attrs = format!(
            r#"class="curve" data-class="{}" data-auc="{auc}" data-points="{}""#,
            esc(name),
            curve.len()
        );
        plot.line(&thin(&pts, CURVE_POINTS), colour(i), false, &attrs);
        legend.push((format!("{name}: AUC {}", num(auc, 3)), colour(i)));
    }
    plot.legend(&legend, "bottom-right");
    plot.finish()
}

/// Precision-recall curves with their average precision; the dashed line is the share of
/// positives (a random guess).
pub fn pr(s: &Scored, title: &str) -> String {
    let mut plot = unit_plot("pr", title, "recall", "precision", false);
    let mut legend = Vec::new();
    for (i, (c, pos, score)) in sides(s).into_iter().enumerate() {
        let curve = scores::pr_curve(&pos, &score);
        let ap = scores::average_precision(&pos, &score).unwrap_or(f64::NAN);
        let prevalence = pos.iter().filter(|&&p| p).count() as f64 / pos.len().max(1) as f64;
        let pts: Vec<(f64, f64)> = curve.iter().map(|&(_, p, r)| (r, p)).collect();
        let name = &s.names[c];
        let attrs = format!(
            r#"class="curve" data-class="{}" data-ap="{ap}" data-points="{}""#,
            esc(name),
            curve.len()
        );
        plot.line(&thin(&pts, CURVE_POINTS), colour(i), false, &attrs);
        plot.line(
            &[(0.0, prevalence), (1.0, prevalence)],
            colour(i),
            true,
            r#"class="chance" stroke-opacity="0.5""#,
        );
        legend.push((format!("{name}: AP {}", num(ap, 3)), colour(i)));
    }
    plot.legend(&legend, "bottom-right");
    plot.finish()
}

/// The reliability curve: per bin of predicted probability (ten equal bins), the share of rows
/// that are of the class; the diagonal is perfect calibration.
pub fn calibration(s: &Scored, title: &str) -> String {
    let mut plot = unit_plot(
        "calibration",
        title,
        "mean predicted probability",
        "share of rows of the class",
        true,
    );
    let mut legend = Vec::new();
    for (i, (c, pos, score)) in sides(s).into_iter().enumerate() {
        let Ok(bins) = calibration::curve(&pos, &score, 10, Strategy::Uniform) else {
            continue;
        };
        let pts: Vec<(f64, f64)> = bins
            .iter()
            .map(|b| (b.mean_predicted, b.fraction_positive))
            .collect();
        let name = &s.names[c];
        let brier = scores::brier(&pos, &score);
        let attrs = format!(
            r#"class="curve" data-class="{}" data-points="{}" data-brier="{brier}""#,
            esc(name),
            pts.len()
        );
        plot.line(&pts, colour(i), false, &attrs);
        plot.points(&pts, colour(i), "bin");
        legend.push((format!("{name}: Brier {}", num(brier, 3)), colour(i)));
    }
    plot.legend(&legend, "top-left");
    plot.finish()
}

/// Cumulative gain: rows sorted by the class's probability, highest first; the share of all
/// rows of the class found within the top share of rows. The diagonal is a random order.
pub fn gain(s: &Scored, title: &str) -> String {
    let mut plot = unit_plot(
        "gain",
        title,
        "share of rows contacted (highest probability first)",
        "share of the class found",
        true,
    );
    let mut legend = Vec::new();
    for (i, (c, pos, score)) in sides(s).into_iter().enumerate() {
        let mut order: Vec<usize> = (0..pos.len()).collect();
        order.sort_by(|&a, &b| score[b].total_cmp(&score[a]).then(a.cmp(&b)));
        let total = pos.iter().filter(|&&p| p).count().max(1) as f64;
        let n = pos.len().max(1) as f64;
        let mut found = 0usize;
        let mut pts = vec![(0.0, 0.0)];
        for (rank, &r) in order.iter().enumerate() {
            found += usize::from(pos[r]);
            pts.push(((rank + 1) as f64 / n, found as f64 / total));
        }
        let top10 = pts.iter().find(|p| p.0 >= 0.1).map_or(f64::NAN, |p| p.1);
        let name = &s.names[c];
        let attrs = format!(
            r#"class="curve" data-class="{}" data-points="{}" data-lift10="{}""#,
            esc(name),
            pts.len(),
            top10 / 0.1
        );
        plot.line(&thin(&pts, CURVE_POINTS), colour(i), false, &attrs);
        legend.push((
            format!("{name}: lift at 10% {}", num(top10 / 0.1, 3)),
            colour(i),
        ));
    }
    plot.legend(&legend, "bottom-right");
    plot.finish()
}

/// Binary: the positive class's probability for the rows of each actual class, with the
/// decision threshold. More classes: the probability of the predicted class, for right and
/// wrong predictions.
pub fn probability_histogram(s: &Scored, threshold: Option<f64>, title: &str) -> String {
    let plot = if s.k == 2 {
        let p1: Vec<f64> = s.proba.chunks_exact(2).map(|r| r[1]).collect();
        let of = |c: usize| -> Vec<f64> {
            s.actual
                .iter()
                .zip(&p1)
                .filter(|(&a, _)| a == c)
                .map(|(_, &p)| p)
                .collect()
        };
        let (neg, pos) = (of(0), of(1));
        let series = [
            Series {
                name: format!("actual {}", s.names[0]),
                values: &neg,
            },
            Series {
                name: format!("actual {}", s.names[1]),
                values: &pos,
            },
        ];
        let label = format!("probability of {}", s.names[1]);
        let mut plot = histogram(
            "probability_histogram",
            title,
            &label,
            &series,
            20,
            Some((0.0, 1.0)),
        );
        let (t, what) = match threshold {
            Some(t) => (t, "stored threshold"),
            None => (0.5, "threshold 0.5"),
        };
        plot.vline(t, &format!("{what} {}", num(t, 3)), "threshold");
        plot
    } else {
        let (mut right, mut wrong) = (Vec::new(), Vec::new());
        for ((row, &a), &p) in s
            .proba
            .chunks_exact(s.k.max(1))
            .zip(&s.actual)
            .zip(&s.predicted)
        {
            let v = row.get(p).copied().unwrap_or(f64::NAN);
            if a == p {
                right.push(v)
            } else {
                wrong.push(v)
            }
        }
        let series = [
            Series {
                name: "right".into(),
                values: &right,
            },
            Series {
                name: "wrong".into(),
                values: &wrong,
            },
        ];
        histogram(
            "probability_histogram",
            title,
            "probability of the predicted class",
            &series,
            20,
            Some((0.0, 1.0)),
        )
    };
    plot.finish()
}
