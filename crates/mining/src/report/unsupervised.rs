//! Charts of models without a target, measured on rows: cluster sizes, and the anomaly score
//! histogram with where flagging starts.

use std::collections::BTreeMap;

use super::shapes::{histogram, vbars, Bar, Series};
use super::svg::num;

/// Rows per cluster (-1: noise, flagged), in cluster order.
pub fn cluster_sizes(labels: &[i64], title: &str) -> String {
    let mut sizes: BTreeMap<i64, u64> = BTreeMap::new();
    for &l in labels {
        *sizes.entry(l).or_default() += 1;
    }
    let bars: Vec<Bar> = sizes
        .into_iter()
        .map(|(l, n)| Bar {
            name: if l < 0 { "noise".into() } else { l.to_string() },
            value: n as f64,
            flagged: l < 0,
        })
        .collect();
    vbars("cluster_sizes", title, "cluster", "rows", &bars)
}

/// Anomaly scores of the rows, flagged ones apart, with a marker at the lowest flagged score.
pub fn anomaly_scores(scores: &[(f64, bool)], title: &str) -> String {
    let normal: Vec<f64> = scores.iter().filter(|s| !s.1).map(|s| s.0).collect();
    let flagged: Vec<f64> = scores.iter().filter(|s| s.1).map(|s| s.0).collect();
    let series = [
        Series {
            name: format!("not flagged ({})", normal.len()),
            values: &normal,
        },
        Series {
            name: format!("flagged ({})", flagged.len()),
            values: &flagged,
        },
    ];
    let mut plot = histogram("anomaly_scores", title, "anomaly score", &series, 30, None);
    if let Some(t) = flagged.iter().copied().reduce(f64::min) {
        plot.vline(t, &format!("flagged from {}", num(t, 3)), "threshold");
    }
    plot.finish()
}
