//! A small SVG writer for the report's charts: linear scales with round ticks, axes with
//! labels, lines, points, rectangles, text and a legend. Text and axes are drawn in
//! `currentColor`, so a chart follows the page's light or dark colours; the series colours are
//! the Okabe-Ito palette, told apart by people with any common colour-vision deficiency.
//!
//! Every data element carries `class` and `data-*` attributes naming what it shows, so a test
//! (or a script) can read the numbers back from the picture.

use std::fmt::Write;

/// Okabe & Ito's colour-blind safe palette (black left out: it vanishes on a dark page).
pub const PALETTE: [&str; 7] = [
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
];

/// The colour of series `i`.
pub fn colour(i: usize) -> &'static str {
    PALETTE[i % PALETTE.len()]
}

/// Text escaped for SVG and HTML content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if (c as u32) < 0x20 && c != '\n' && c != '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A number as people read it on an axis or in a table: at most `digits` significant digits,
/// no trailing zeros, plain notation between 1e-4 and 1e9.
pub fn num(v: f64, digits: usize) -> String {
    if !v.is_finite() {
        return if v.is_nan() {
            "NaN".into()
        } else {
            "∞".into()
        };
    }
    if v == 0.0 {
        return "0".into();
    }
    let mag = v.abs().log10().floor() as i32;
    if !(-4..9).contains(&mag) {
        return format!("{:.*e}", digits.saturating_sub(1).min(6), v);
    }
    let decimals = (digits as i32 - 1 - mag).clamp(0, 10) as usize;
    let s = format!("{v:.decimals$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    if s == "-0" {
        "0".into()
    } else {
        s
    }
}

/// A linear map from data values to pixels.
#[derive(Debug, Clone, Copy)]
pub struct Scale {
    pub lo: f64,
    pub hi: f64,
    px_lo: f64,
    px_hi: f64,
}

impl Scale {
    /// `lo..hi` (widened when empty or not finite) onto `px_lo..px_hi`.
    pub fn new(lo: f64, hi: f64, px_lo: f64, px_hi: f64) -> Scale {
        let (mut lo, mut hi) = if lo.is_finite() && hi.is_finite() {
            (lo.min(hi), lo.max(hi))
        } else {
            (0.0, 1.0)
        };
        if hi - lo <= f64::EPSILON * hi.abs().max(1.0) {
            let pad = if lo == 0.0 { 1.0 } else { lo.abs() * 0.1 };
            lo -= pad;
            hi += pad;
        }
        Scale {
            lo,
            hi,
            px_lo,
            px_hi,
        }
    }

    pub fn at(&self, v: f64) -> f64 {
        let t = (v - self.lo) / (self.hi - self.lo);
        self.px_lo + t.clamp(-0.05, 1.05) * (self.px_hi - self.px_lo)
    }

    /// Round tick values inside the range, about `n` of them (steps of 1, 2 or 5 × 10^k).
    pub fn ticks(&self, n: usize) -> Vec<f64> {
        let step = nice_step((self.hi - self.lo) / n.max(1) as f64);
        let first = (self.lo / step).ceil() as i64;
        let last = (self.hi / step).floor() as i64;
        (first..=last.min(first + 50))
            .map(|i| i as f64 * step)
            .collect()
    }
}

fn nice_step(raw: f64) -> f64 {
    if !(raw.is_finite() && raw > 0.0) {
        return 1.0;
    }
    let p = 10f64.powf(raw.log10().floor());
    let f = raw / p;
    p * if f <= 1.0 {
        1.0
    } else if f <= 2.0 {
        2.0
    } else if f <= 5.0 {
        5.0
    } else {
        10.0
    }
}

/// The smallest and largest finite values (None: none).
pub fn extent(values: impl IntoIterator<Item = f64>) -> Option<(f64, f64)> {
    values
        .into_iter()
        .filter(|v| v.is_finite())
        .fold(None, |acc, v| match acc {
            None => Some((v, v)),
            Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
        })
}

pub const WIDTH: f64 = 560.0;
pub const HEIGHT: f64 = 380.0;

/// One chart: an `<svg>` with a title, a plotting area and its two scales.
pub struct Plot {
    out: String,
    pub x: Scale,
    pub y: Scale,
    left: f64,
    top: f64,
    right: f64,
    bottom: f64,
}

impl Plot {
    /// A chart named `id` (its `data-chart`), with room on the left for labels `left` pixels
    /// wide.
    pub fn new(id: &str, title: &str, x: (f64, f64), y: (f64, f64), left: f64) -> Plot {
        let (top, right, bottom) = (40.0, WIDTH - 24.0, HEIGHT - 52.0);
        let mut out = String::new();
        let _ = write!(
            out,
            r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" data-chart="{id}" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" role="img" aria-label="{t}" font-family="system-ui, sans-serif" font-size="12"><title>{t}</title><text class="title" x="{cx}" y="22" text-anchor="middle" font-size="15" font-weight="600" fill="currentColor">{t}</text>"#,
            id = esc(id),
            t = esc(title),
            cx = WIDTH / 2.0,
        );
        Plot {
            out,
            x: Scale::new(x.0, x.1, left, right),
            y: Scale::new(y.0, y.1, bottom, top),
            left,
            top,
            right,
            bottom,
        }
    }

    /// Grid, ticks and axis labels; `x_ticks` false leaves the x axis to `category_axis`.
    pub fn axes(&mut self, x_label: &str, y_label: &str, x_ticks: bool) {
        let (l, t, r, b) = (self.left, self.top, self.right, self.bottom);
        let o = &mut self.out;
        let _ = write!(
            o,
            r#"<g class="axes" stroke="currentColor" stroke-opacity="0.15">"#
        );
        for v in self.y.ticks(5) {
            let y = self.y.at(v);
            let _ = write!(o, r#"<line x1="{l}" x2="{r}" y1="{y:.1}" y2="{y:.1}"/>"#);
        }
        if x_ticks {
            for v in self.x.ticks(6) {
                let x = self.x.at(v);
                let _ = write!(o, r#"<line x1="{x:.1}" x2="{x:.1}" y1="{t}" y2="{b}"/>"#);
            }
        }
        let _ = write!(
            o,
            r#"</g><rect x="{l}" y="{t}" width="{w}" height="{h}" fill="none" stroke="currentColor" stroke-opacity="0.5"/><g fill="currentColor" font-size="11">"#,
            w = r - l,
            h = b - t
        );
        for v in self.y.ticks(5) {
            let _ = write!(
                o,
                r#"<text x="{x}" y="{y:.1}" text-anchor="end" dominant-baseline="middle">{s}</text>"#,
                x = l - 6.0,
                y = self.y.at(v),
                s = esc(&num(v, 4))
            );
        }
        if x_ticks {
            for v in self.x.ticks(6) {
                let _ = write!(
                    o,
                    r#"<text x="{x:.1}" y="{y}" text-anchor="middle">{s}</text>"#,
                    x = self.x.at(v),
                    y = b + 16.0,
                    s = esc(&num(v, 4))
                );
            }
        }
        let _ = write!(
            o,
            r#"</g><text class="x-label" x="{cx}" y="{xy}" text-anchor="middle" fill="currentColor">{xl}</text><text class="y-label" transform="translate(14 {cy}) rotate(-90)" text-anchor="middle" fill="currentColor">{yl}</text>"#,
            cx = (l + r) / 2.0,
            xy = HEIGHT - 12.0,
            xl = esc(x_label),
            cy = (t + b) / 2.0,
            yl = esc(y_label),
        );
    }

    /// Names under the x axis at the given data positions.
    pub fn category_axis(&mut self, names: &[(f64, String)]) {
        let _ = write!(self.out, r#"<g fill="currentColor" font-size="11">"#);
        for (v, name) in names {
            let _ = write!(
                self.out,
                r#"<text x="{x:.1}" y="{y}" text-anchor="middle">{s}</text>"#,
                x = self.x.at(*v),
                y = self.bottom + 16.0,
                s = esc(&short(name, 14))
            );
        }
        self.out.push_str("</g>");
    }

    /// A polyline through data points (non-finite ones skipped); `attrs` are extra attributes
    /// (already escaped).
    pub fn line(&mut self, pts: &[(f64, f64)], colour: &str, dashed: bool, attrs: &str) {
        let mut d = String::with_capacity(pts.len() * 14);
        for &(x, y) in pts.iter().filter(|(x, y)| x.is_finite() && y.is_finite()) {
            let _ = write!(d, "{:.1},{:.1} ", self.x.at(x), self.y.at(y));
        }
        let dash = if dashed {
            r#" stroke-dasharray="5 4""#
        } else {
            ""
        };
        let _ = write!(
            self.out,
            r#"<polyline points="{}" fill="none" stroke="{colour}" stroke-width="2"{dash} {attrs}/>"#,
            d.trim_end()
        );
    }

    /// Dots at data points.
    pub fn points(&mut self, pts: &[(f64, f64)], colour: &str, class: &str) {
        let _ = write!(
            self.out,
            r#"<g class="{class}" fill="{colour}" fill-opacity="0.55" data-points="{}">"#,
            pts.len()
        );
        for &(x, y) in pts.iter().filter(|(x, y)| x.is_finite() && y.is_finite()) {
            let _ = write!(
                self.out,
                r#"<circle cx="{:.1}" cy="{:.1}" r="2.5"/>"#,
                self.x.at(x),
                self.y.at(y)
            );
        }
        self.out.push_str("</g>");
    }

    /// A rectangle between data corners (x0, y0) and (x1, y1).
    pub fn rect(&mut self, (x0, y0): (f64, f64), (x1, y1): (f64, f64), fill: &str, attrs: &str) {
        let (a, b) = (self.x.at(x0), self.x.at(x1));
        let (c, d) = (self.y.at(y0), self.y.at(y1));
        let _ = write!(
            self.out,
            r#"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="{fill}" {attrs}/>"#,
            a.min(b),
            c.min(d),
            (a - b).abs().max(0.5),
            (c - d).abs(),
        );
    }

    /// A vertical marker line at data x with a label.
    pub fn vline(&mut self, x: f64, label: &str, class: &str) {
        let px = self.x.at(x);
        let _ = write!(
            self.out,
            r#"<g class="{class}" data-value="{x}"><line x1="{px:.1}" x2="{px:.1}" y1="{t}" y2="{b}" stroke="currentColor" stroke-width="1.5" stroke-dasharray="2 3"/><text x="{tx:.1}" y="{ty}" font-size="11" fill="currentColor">{l}</text></g>"#,
            t = self.top,
            b = self.bottom,
            tx = px + 4.0,
            ty = self.top + 14.0,
            l = esc(label),
        );
    }

    /// Text at a data point.
    pub fn label(&mut self, (x, y): (f64, f64), text: &str, anchor: &str, attrs: &str) {
        let _ = write!(
            self.out,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="{anchor}" dominant-baseline="middle" {attrs}>{}</text>"#,
            self.x.at(x),
            self.y.at(y),
            esc(text)
        );
    }

    /// Raw SVG (already escaped) added as is.
    pub fn raw(&mut self, svg: &str) {
        self.out.push_str(svg);
    }

    /// A legend box in the given corner ("top-left" or "bottom-right").
    pub fn legend(&mut self, entries: &[(String, &str)], corner: &str) {
        if entries.is_empty() {
            return;
        }
        let w = entries
            .iter()
            .map(|(n, _)| n.chars().count().min(30) as f64 * 6.6 + 34.0)
            .fold(0.0, f64::max);
        let h = entries.len() as f64 * 17.0 + 8.0;
        let (x, y) = if corner == "top-left" {
            (self.left + 8.0, self.top + 8.0)
        } else {
            (self.right - w - 8.0, self.bottom - h - 8.0)
        };
        let _ = write!(
            self.out,
            r#"<g class="legend"><rect x="{x:.1}" y="{y:.1}" width="{w:.1}" height="{h:.1}" fill="Canvas" fill-opacity="0.85" stroke="currentColor" stroke-opacity="0.3"/>"#
        );
        for (i, (name, colour)) in entries.iter().enumerate() {
            let ly = y + 12.0 + i as f64 * 17.0;
            let _ = write!(
                self.out,
                r#"<line x1="{a:.1}" x2="{b:.1}" y1="{ly:.1}" y2="{ly:.1}" stroke="{colour}" stroke-width="3"/><text x="{tx:.1}" y="{ly:.1}" dominant-baseline="middle" fill="currentColor" font-size="11">{n}</text>"#,
                a = x + 6.0,
                b = x + 22.0,
                tx = x + 28.0,
                n = esc(&short(name, 30)),
            );
        }
        self.out.push_str("</g>");
    }

    pub fn finish(mut self) -> String {
        self.out.push_str("</svg>");
        self.out
    }
}

/// At most `n` characters, an ellipsis marking a cut.
pub fn short(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// At most `max` of `items`, evenly spaced, the first and last kept (a deterministic sample
/// for scatter plots and long curves).
pub fn thin<T: Copy>(items: &[T], max: usize) -> Vec<T> {
    if items.len() <= max || max < 2 {
        return items.to_vec();
    }
    let last = items.len() - 1;
    (0..max)
        .filter_map(|i| items.get(i * last / (max - 1)).copied())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_people_write_them() {
        assert_eq!(num(0.25, 4), "0.25");
        assert_eq!(num(1234.5678, 4), "1235");
        assert_eq!(num(0.000012345, 3), "1.23e-5");
        assert_eq!(num(-0.0, 3), "0");
        assert_eq!(num(2.0, 4), "2");
        assert_eq!(num(f64::NAN, 4), "NaN");
    }

    #[test]
    fn ticks_are_round_and_inside() {
        let s = Scale::new(0.0, 1.0, 0.0, 100.0);
        assert_eq!(
            s.ticks(5),
            vec![0.0, 0.2, 0.4, 0.6000000000000001, 0.8, 1.0]
        );
        let s = Scale::new(3.0, 3.0, 0.0, 100.0);
        assert!(s.lo < 3.0 && s.hi > 3.0);
        assert!(s.ticks(5).iter().all(|&t| t >= s.lo && t <= s.hi));
    }

    #[test]
    fn escaping_and_thinning() {
        assert_eq!(
            esc(r#"<a href="x">&'"#),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
        let v: Vec<usize> = (0..1000).collect();
        let t = thin(&v, 11);
        assert_eq!(t.len(), 11);
        assert_eq!((t[0], t[10]), (0, 999));
    }
}
