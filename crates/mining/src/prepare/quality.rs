//! Data-quality warnings: constant and identifier-like columns, class imbalance, a train/test gap.

use std::collections::HashSet;

use serde_json::Value;

use crate::common::frame::{Column, ColumnKind};
use crate::common::task::Task;

/// A column with a distinct value in every training row: text, or an integer whose name says
/// it is a key, or any integer over many rows.
fn looks_like_id(c: &Column, rows: &[usize]) -> bool {
    let lower = c.name.to_lowercase();
    let named = lower == "id"
        || lower.ends_with("_id")
        || (lower.ends_with("id") && lower.len() <= 4)
        || ["key", "code", "uuid", "guid"]
            .iter()
            .any(|k| lower == *k || lower.ends_with(&format!("_{k}")));
    let candidate = match c.kind {
        ColumnKind::Text => rows.len() >= 20,
        ColumnKind::Integer => rows.len() >= 20 && (named || rows.len() >= 200),
        _ => false,
    };
    candidate
        && rows
            .iter()
            .map(|&r| c.cell_hash(r))
            .collect::<HashSet<u64>>()
            .len()
            == rows.len()
}

/// Constant and identifier-like feature columns in the training rows.
pub fn column_warnings(cols: &[&Column], train: &[usize]) -> Vec<String> {
    let mut out = Vec::new();
    for c in cols {
        let first = train.first().map(|&r| c.cell_hash(r));
        if train.iter().all(|&r| Some(c.cell_hash(r)) == first) {
            out.push(format!(
                "column \"{}\" is constant in the training rows",
                c.name
            ));
        } else if looks_like_id(c, train) {
            out.push(format!(
                "column \"{}\" has a distinct value in every row and looks like an identifier; exclude it",
                c.name
            ));
        }
    }
    out
}

/// The rarest class below a tenth of the most frequent one, with the majority baseline.
pub fn imbalance(y: &[usize], n_classes: usize, train: &[usize]) -> Option<String> {
    let mut counts = vec![0usize; n_classes + 1];
    train.iter().for_each(|&i| counts[y[i].min(n_classes)] += 1);
    let known = &counts[..n_classes];
    let (maj, min) = (
        known.iter().max().copied().unwrap_or(0),
        known.iter().min().copied().unwrap_or(0),
    );
    ((min as f64) < 0.1 * maj as f64).then(|| {
        format!(
            "class imbalance: the rarest class has {min} training rows, the most frequent {maj}; always predicting the majority scores accuracy {:.3}, so judge by balanced_accuracy and f1_macro",
            maj as f64 / train.len().max(1) as f64
        )
    })
}

/// The headline metric much better on train than on test.
pub fn gap(task: Task, metrics: &Value) -> Option<String> {
    let headline = match task {
        Task::Classification => "accuracy",
        Task::Regression => "r2",
        _ => return None,
    };
    let (tr, te) = (
        metrics["train"][headline].as_f64()?,
        metrics["test"][headline].as_f64()?,
    );
    (tr - te > 0.1).then(|| format!("train/test gap: {headline} {tr:.3} on train but {te:.3} on test; the model may overfit"))
}

/// Dates and timestamps among the features while the split is not by time: the model may
/// learn from rows later than the ones it is tested on.
pub fn time_like(cols: &[&Column]) -> Vec<String> {
    cols.iter()
        .filter(|c| c.kind == ColumnKind::Temporal)
        .map(|c| {
            format!(
                "column \"{}\" is a {} and the split is not by time: the model can learn from rows later than those it is tested on (split.method \"time\" with order_by avoids it)",
                c.name, c.sql_type
            )
        })
        .collect()
}

/// The share of the rows with a target above which dropping exact duplicates warns.
pub const DEDUP_WARN_SHARE: f64 = 0.25;

/// Dedup dropped more than DEDUP_WARN_SHARE of the rows with a target: a WARNING with the
/// class shares before and after (a query that projects few columns makes distinct records
/// look identical, and dropping them changes the balance the model learns).
pub fn dedup_share(
    target: &Column,
    kept: &[usize],
    duplicates: usize,
    classify: bool,
) -> Option<String> {
    let with_target = kept.len() + duplicates;
    let share = duplicates as f64 / with_target.max(1) as f64;
    if share <= DEDUP_WARN_SHARE {
        return None;
    }
    let mut text = format!(
        "dedup dropped {duplicates} of the {with_target} rows with a target ({:.0}%) as exact duplicates: distinct records look identical when the query projects few columns",
        100.0 * share
    );
    if classify {
        let shares = |rows: &mut dyn Iterator<Item = usize>| {
            let mut counts: std::collections::BTreeMap<String, usize> = Default::default();
            let mut n = 0usize;
            for r in rows {
                if let Some(label) = target.text_at(r) {
                    *counts.entry(label).or_default() += 1;
                    n += 1;
                }
            }
            counts
                .iter()
                .map(|(l, c)| format!("{l} {:.1}%", 100.0 * *c as f64 / n.max(1) as f64))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let before = shares(&mut (0..target.len()));
        let after = shares(&mut kept.iter().copied());
        text.push_str(&format!("; class shares before: {before}; after: {after}"));
    }
    text.push_str(
        "; options.dedup false keeps them (each row with its copies on one side of the split)",
    );
    Some(text)
}

#[cfg(test)]
mod tests {

    use super::*;
    use crate::common::frame::ColumnKind;

    /// A test row counts once when every used column equals some training row's (NULLs equal
    /// NULLs), however many training rows it copies; test rows equal only to each other, or equal
    /// to a training row in one column only, do not count.
    #[test]
    fn dropping_most_rows_as_duplicates_warns_with_the_class_shares() {
        let mut y = Column::new("y", "text", ColumnKind::Text);
        for i in 0..10 {
            y.push_text(Some(if i < 2 { "yes" } else { "no" }));
        }
        // Kept: one "no" and both "yes": 7 of 10 dropped.
        let w = dedup_share(&y, &[0, 1, 2], 7, true).unwrap();
        assert!(
            w.starts_with("dedup dropped 7 of the 10 rows with a target (70%)"),
            "{w}"
        );
        assert!(
            w.contains("class shares before: no 80.0%, yes 20.0%; after: no 33.3%, yes 66.7%"),
            "{w}"
        );
        assert_eq!(dedup_share(&y, &[0, 1, 2, 3, 4, 5, 6, 7], 2, true), None);
    }
}
