//! The drift panel's chart: per feature and for the predictions, the population stability
//! index of the rows measured against the training rows, flagged above the threshold.

use super::shapes::{hbars, Bar};
use crate::evaluation::drift::Compared;

pub fn chart(rows: &[Compared], threshold: f64, title: &str) -> String {
    let mut bars: Vec<Bar> = rows
        .iter()
        .map(|c| Bar {
            name: c.name.clone(),
            value: c.drift.psi,
            flagged: c.drift.psi > threshold,
        })
        .collect();
    bars.sort_by(|a, b| {
        b.value
            .total_cmp(&a.value)
            .then_with(|| a.name.cmp(&b.name))
    });
    hbars(
        "drift",
        title,
        "population stability index (PSI)",
        &bars,
        Some((threshold, "threshold")),
    )
}
