//! Chart shapes more than one chart draws: a histogram of values (one or several overlaid
//! series), horizontal bars with names (importance, drift), vertical bars over categories.

use std::fmt::Write;

use super::svg::{colour, esc, extent, num, short, Plot, WIDTH};

/// Counts of `values` in `bins` equal bins over `lo..hi` (the last bin closed).
pub fn counts(values: &[f64], bins: usize, lo: f64, hi: f64) -> Vec<u64> {
    let mut out = vec![0u64; bins.max(1)];
    let width = (hi - lo) / out.len() as f64;
    for &v in values.iter().filter(|v| v.is_finite()) {
        let i = if width > 0.0 {
            (((v - lo) / width).floor().max(0.0) as usize).min(out.len() - 1)
        } else {
            0
        };
        out[i] += 1;
    }
    out
}

/// One series of a histogram: its name and values.
pub struct Series<'a> {
    pub name: String,
    pub values: &'a [f64],
}

/// Histograms of the series over a shared range, drawn as outlined bars side by side; each
/// bar is `<rect class="bar" data-series data-lo data-hi data-count>`. `range` fixes the x
/// range (probabilities: 0..1).
pub fn histogram(
    id: &str,
    title: &str,
    x_label: &str,
    series: &[Series],
    bins: usize,
    range: Option<(f64, f64)>,
) -> Plot {
    let (lo, hi) = range
        .or_else(|| extent(series.iter().flat_map(|s| s.values.iter().copied())))
        .unwrap_or((0.0, 1.0));
    let (lo, hi) = if hi > lo {
        (lo, hi)
    } else {
        (lo - 0.5, hi + 0.5)
    };
    let all: Vec<Vec<u64>> = series
        .iter()
        .map(|s| counts(s.values, bins, lo, hi))
        .collect();
    let top = all.iter().flatten().copied().max().unwrap_or(1).max(1) as f64;
    let mut plot = Plot::new(id, title, (lo, hi), (0.0, top * 1.08), 64.0);
    plot.axes(x_label, "rows", true);
    let width = (hi - lo) / bins.max(1) as f64;
    let slot = width / series.len().max(1) as f64;
    for (si, (s, c)) in series.iter().zip(&all).enumerate() {
        for (i, &n) in c.iter().enumerate() {
            let x0 = lo + i as f64 * width + si as f64 * slot;
            let attrs = format!(
                r#"class="bar" data-series="{}" data-lo="{}" data-hi="{}" data-count="{n}" fill-opacity="0.8""#,
                esc(&s.name),
                lo + i as f64 * width,
                lo + (i + 1) as f64 * width
            );
            plot.rect((x0, 0.0), (x0 + slot * 0.92, n as f64), colour(si), &attrs);
        }
    }
    if series.len() > 1 {
        let entries: Vec<(String, &str)> = series
            .iter()
            .enumerate()
            .map(|(i, s)| (s.name.clone(), colour(i)))
            .collect();
        plot.legend(&entries, "top-left");
    }
    plot
}

/// One named bar: its value and whether it is flagged (drawn in the warning colour).
pub struct Bar {
    pub name: String,
    pub value: f64,
    pub flagged: bool,
}

/// Horizontal bars, largest first as given, each `<rect class="bar" data-name data-value>`;
/// a marker line at `marker` (value, label) if given.
pub fn hbars(
    id: &str,
    title: &str,
    x_label: &str,
    bars: &[Bar],
    marker: Option<(f64, &str)>,
) -> String {
    let n = bars.len().max(1) as f64;
    let row = 22.0;
    let (left, top) = (170.0, 40.0);
    let height = (top + n * row + 52.0).max(160.0);
    let right = WIDTH - 60.0;
    let hi = bars
        .iter()
        .map(|b| b.value)
        .chain(marker.map(|m| m.0))
        .filter(|v| v.is_finite())
        .fold(0.0f64, f64::max);
    let lo = bars
        .iter()
        .map(|b| b.value)
        .filter(|v| v.is_finite())
        .fold(0.0f64, f64::min);
    let scale = super::svg::Scale::new(lo, if hi > lo { hi * 1.05 } else { lo + 1.0 }, left, right);
    let mut o = String::new();
    let _ = write!(
        o,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" data-chart="{id}" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" role="img" aria-label="{t}" font-family="system-ui, sans-serif" font-size="12"><title>{t}</title><text class="title" x="{cx}" y="22" text-anchor="middle" font-size="15" font-weight="600" fill="currentColor">{t}</text>"#,
        id = esc(id),
        t = esc(title),
        cx = WIDTH / 2.0,
    );
    let bottom = top + n * row;
    let _ = write!(o, r#"<g stroke="currentColor" stroke-opacity="0.15">"#);
    for v in scale.ticks(5) {
        let x = scale.at(v);
        let _ = write!(
            o,
            r#"<line x1="{x:.1}" x2="{x:.1}" y1="{top}" y2="{bottom}"/>"#
        );
    }
    let _ = write!(o, r#"</g><g fill="currentColor" font-size="11">"#);
    for v in scale.ticks(5) {
        let _ = write!(
            o,
            r#"<text x="{x:.1}" y="{y}" text-anchor="middle">{s}</text>"#,
            x = scale.at(v),
            y = bottom + 16.0,
            s = esc(&num(v, 3))
        );
    }
    o.push_str("</g>");
    let zero = scale.at(0.0);
    for (i, b) in bars.iter().enumerate() {
        let y = top + i as f64 * row + 3.0;
        let x = scale.at(b.value);
        let fill = if b.flagged { colour(5) } else { colour(0) };
        let _ = write!(
            o,
            r#"<text x="{tx}" y="{ty:.1}" text-anchor="end" dominant-baseline="middle" fill="currentColor" font-size="11">{name}</text><rect class="bar" data-name="{dn}" data-value="{v}" data-flagged="{f}" x="{rx:.1}" y="{y:.1}" width="{w:.1}" height="{h}" fill="{fill}"/><text x="{vx:.1}" y="{ty:.1}" dominant-baseline="middle" fill="currentColor" font-size="10">{vs}</text>"#,
            tx = left - 6.0,
            ty = y + (row - 6.0) / 2.0,
            name = esc(&short(&b.name, 26)),
            dn = esc(&b.name),
            v = b.value,
            f = b.flagged,
            rx = zero.min(x),
            w = (x - zero).abs().max(0.5),
            h = row - 6.0,
            vx = zero.max(x) + 4.0,
            vs = esc(&num(b.value, 3)),
        );
    }
    if let Some((v, label)) = marker {
        let x = scale.at(v);
        let _ = write!(
            o,
            r#"<g class="marker" data-value="{v}"><line x1="{x:.1}" x2="{x:.1}" y1="{top}" y2="{bottom}" stroke="currentColor" stroke-dasharray="2 3"/><text x="{tx:.1}" y="{ty}" font-size="11" fill="currentColor">{l}</text></g>"#,
            tx = x + 4.0,
            ty = top - 4.0,
            l = esc(label),
        );
    }
    let _ = write!(
        o,
        r#"<text class="x-label" x="{cx}" y="{y}" text-anchor="middle" fill="currentColor">{xl}</text></svg>"#,
        cx = (left + right) / 2.0,
        y = height - 12.0,
        xl = esc(x_label),
    );
    o
}

/// Vertical bars over named categories, each `<rect class="bar" data-name data-value>`.
pub fn vbars(id: &str, title: &str, x_label: &str, y_label: &str, bars: &[Bar]) -> String {
    let n = bars.len().max(1) as f64;
    let top = bars.iter().map(|b| b.value).fold(0.0f64, f64::max).max(1.0);
    let mut plot = Plot::new(id, title, (-0.5, n - 0.5), (0.0, top * 1.1), 64.0);
    plot.axes(x_label, y_label, false);
    for (i, b) in bars.iter().enumerate() {
        let x = i as f64;
        let attrs = format!(
            r#"class="bar" data-name="{}" data-value="{}""#,
            esc(&b.name),
            b.value
        );
        let fill = if b.flagged { colour(5) } else { colour(0) };
        plot.rect((x - 0.4, 0.0), (x + 0.4, b.value), fill, &attrs);
        plot.label(
            (x, b.value + top * 0.04),
            &num(b.value, 4),
            "middle",
            r#"fill="currentColor" font-size="10""#,
        );
    }
    let every = (bars.len() / 16).max(1);
    let names: Vec<(f64, String)> = bars
        .iter()
        .enumerate()
        .filter(|(i, _)| i % every == 0)
        .map(|(i, b)| (i as f64, b.name.clone()))
        .collect();
    plot.category_axis(&names);
    plot.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_put_the_top_edge_in_the_last_bin() {
        assert_eq!(counts(&[0.0, 0.5, 1.0, f64::NAN], 2, 0.0, 1.0), vec![1, 2]);
        assert_eq!(counts(&[3.0, 3.0], 4, 3.0, 3.0), vec![2, 0, 0, 0]);
    }

    #[test]
    fn bars_carry_their_numbers() {
        let svg = hbars(
            "x",
            "t",
            "share",
            &[
                Bar {
                    name: "a<b".into(),
                    value: 0.7,
                    flagged: false,
                },
                Bar {
                    name: "c".into(),
                    value: 0.3,
                    flagged: true,
                },
            ],
            Some((0.2, "limit")),
        );
        assert_eq!(svg.matches(r#"class="bar""#).count(), 2);
        assert!(svg.contains(r#"data-name="a&lt;b" data-value="0.7""#));
        assert!(svg.contains(r#"data-flagged="true""#));
        assert!(svg.ends_with("</svg>"));
    }
}
