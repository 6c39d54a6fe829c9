//! Drift monitoring: a profile of every feature (and of the predictions) taken on the training
//! rows, compared with the same columns of newer rows: PSI for all (NULL is a bin of its own),
//! the Kolmogorov-Smirnov statistic for numbers, chi-square for categories, and NULL rates.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::common::frame::{Column, ColumnData, Frame, NULL_CODE};
use crate::model::stored::StoredModel;

/// Proportions below this are floored, so PSI stays finite for an empty bin.
const FLOOR: f64 = 1e-4;
/// Most categories profiled by name; the rest share one bin.
const TOP: usize = 50;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Profile {
    Numeric {
        null_rate: f64,
        /// Interior cut points of the training deciles (≤ 9).
        edges: Vec<f64>,
        /// Share of the training values in each bin (edges.len() + 1).
        shares: Vec<f64>,
        /// Percentiles 0..=100 of the training values and their empirical CDF there.
        quantiles: Vec<f64>,
        cdf: Vec<f64>,
    },
    Categorical {
        null_rate: f64,
        shares: BTreeMap<String, f64>,
        other: f64,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Drift {
    pub kind: &'static str,
    pub psi: f64,
    pub ks: Option<f64>,
    pub chi2: Option<f64>,
    pub null_rate_train: f64,
    pub null_rate_now: f64,
}

fn numbers(col: &Column, rows: &[usize]) -> (Vec<f64>, usize) {
    match &col.data {
        ColumnData::Numeric(v) => {
            let mut out: Vec<f64> = rows.iter().map(|&r| v[r]).filter(|x| !x.is_nan()).collect();
            out.sort_by(|a, b| a.total_cmp(b));
            let nulls = rows.len() - out.len();
            (out, nulls)
        }
        ColumnData::Text { .. } => (Vec::new(), rows.len()),
    }
}

fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    // Linear interpolation between order statistics (numpy's default).
    let pos = q * (sorted.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
}

/// Share of sorted values ≤ x.
fn cdf_at(sorted: &[f64], x: f64) -> f64 {
    sorted.partition_point(|v| *v <= x) as f64 / sorted.len().max(1) as f64
}

fn bin_shares(sorted: &[f64], edges: &[f64]) -> Vec<f64> {
    let n = sorted.len().max(1) as f64;
    let mut shares = Vec::with_capacity(edges.len() + 1);
    let mut prev = 0usize;
    for &e in edges {
        let at = sorted.partition_point(|v| *v <= e);
        shares.push((at - prev) as f64 / n);
        prev = at;
    }
    shares.push((sorted.len() - prev) as f64 / n);
    shares
}

/// Shares over all rows: the non-NULL shares scaled by the non-NULL rate, then the NULL rate.
fn with_nulls(shares: &[f64], null_rate: f64) -> Vec<f64> {
    shares
        .iter()
        .map(|s| s * (1.0 - null_rate))
        .chain(std::iter::once(null_rate))
        .collect()
}

fn psi(expected: &[f64], actual: &[f64]) -> f64 {
    expected
        .iter()
        .zip(actual)
        .map(|(&e, &a)| {
            let (e, a) = (e.max(FLOOR), a.max(FLOOR));
            (a - e) * (a / e).ln()
        })
        .sum()
}

fn categories(col: &Column, rows: &[usize]) -> (BTreeMap<String, usize>, usize) {
    let mut counts = BTreeMap::new();
    let mut nulls = 0;
    for &r in rows {
        match &col.data {
            ColumnData::Text { codes, levels, .. } => match codes[r] {
                NULL_CODE => nulls += 1,
                c => *counts.entry(levels[c as usize].clone()).or_insert(0) += 1,
            },
            ColumnData::Numeric(_) => match col.text_at(r) {
                None => nulls += 1,
                Some(s) => *counts.entry(s).or_insert(0) += 1,
            },
        }
    }
    (counts, nulls)
}

/// The training profiles of feature columns over `rows`, by column name, as JSON (stored with
/// the model for dm_drift).
pub fn profiles(columns: &[&Column], rows: &[usize]) -> serde_json::Map<String, serde_json::Value> {
    columns
        .iter()
        .map(|c| {
            (
                c.name.clone(),
                serde_json::json!(profile(c, rows, c.kind.is_text())),
            )
        })
        .collect()
}

/// The profile of a column over `rows`; `categorical` for text features and class labels.
pub fn profile(col: &Column, rows: &[usize], categorical: bool) -> Profile {
    let n = rows.len().max(1) as f64;
    if categorical {
        let (counts, nulls) = categories(col, rows);
        let present = (rows.len() - nulls).max(1) as f64;
        let mut by_count: Vec<(&String, &usize)> = counts.iter().collect();
        by_count.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        let shares: BTreeMap<String, f64> = by_count
            .iter()
            .take(TOP)
            .map(|(k, &c)| ((*k).clone(), c as f64 / present))
            .collect();
        let other = by_count
            .iter()
            .skip(TOP)
            .map(|(_, &c)| c as f64)
            .sum::<f64>()
            / present;
        return Profile::Categorical {
            null_rate: nulls as f64 / n,
            shares,
            other,
        };
    }
    let (sorted, nulls) = numbers(col, rows);
    let mut edges: Vec<f64> = (1..10)
        .map(|i| quantile(&sorted, i as f64 / 10.0))
        .filter(|x| x.is_finite())
        .collect();
    edges.dedup();
    let quantiles: Vec<f64> = (0..=100)
        .map(|i| quantile(&sorted, i as f64 / 100.0))
        .filter(|x| x.is_finite())
        .collect();
    let cdf = quantiles.iter().map(|&q| cdf_at(&sorted, q)).collect();
    Profile::Numeric {
        null_rate: nulls as f64 / n,
        shares: bin_shares(&sorted, &edges),
        edges,
        quantiles,
        cdf,
    }
}

/// How far `rows` of `col` have moved from the training profile.
pub fn compare(train: &Profile, col: &Column, rows: &[usize]) -> Drift {
    let n = rows.len().max(1) as f64;
    match train {
        Profile::Numeric {
            null_rate,
            edges,
            shares,
            quantiles,
            cdf,
        } => {
            let (sorted, nulls) = numbers(col, rows);
            let now = bin_shares(&sorted, edges);
            let ks = quantiles
                .iter()
                .zip(cdf)
                .map(|(&q, &f)| (cdf_at(&sorted, q) - f).abs())
                .fold(0.0, f64::max);
            Drift {
                kind: "numeric",
                psi: psi(
                    &with_nulls(shares, *null_rate),
                    &with_nulls(&now, nulls as f64 / n),
                ),
                ks: (!sorted.is_empty()).then_some(ks),
                chi2: None,
                null_rate_train: *null_rate,
                null_rate_now: nulls as f64 / n,
            }
        }
        Profile::Categorical {
            null_rate,
            shares,
            other,
        } => {
            let (counts, nulls) = categories(col, rows);
            let present = (rows.len() - nulls) as f64;
            let mut expected: Vec<f64> = shares.values().copied().collect();
            expected.push(*other);
            let mut observed: Vec<f64> = shares
                .keys()
                .map(|k| counts.get(k).copied().unwrap_or(0) as f64)
                .collect();
            observed.push(
                counts
                    .iter()
                    .filter(|(k, _)| !shares.contains_key(*k))
                    .map(|(_, &c)| c as f64)
                    .sum(),
            );
            let actual: Vec<f64> = observed.iter().map(|o| o / present.max(1.0)).collect();
            let chi2 = observed
                .iter()
                .zip(&expected)
                .filter(|(&o, &e)| o > 0.0 || e > 0.0)
                .map(|(&o, &e)| {
                    let e = e.max(FLOOR) * present;
                    (o - e) * (o - e) / e
                })
                .sum();
            Drift {
                kind: "categorical",
                psi: psi(
                    &with_nulls(&expected, *null_rate),
                    &with_nulls(&actual, nulls as f64 / n),
                ),
                ks: None,
                chi2: (present > 0.0).then_some(chi2),
                null_rate_train: *null_rate,
                null_rate_now: nulls as f64 / n,
            }
        }
    }
}

/// One column of a model compared with its training profile.
pub struct Compared {
    pub name: String,
    pub drift: Drift,
}

/// Why a model's columns could not be compared.
pub enum Missing {
    /// No training profile for this column (a model trained before profiles were kept).
    Profile(String),
    /// The frame lacks this feature column.
    Column(String),
}

/// Every feature of `model` and its predictions (named `(prediction)`), on every row of
/// `frame`, compared with the training profiles in `profile` (dm.models.profile).
pub fn compare_model(
    model: &StoredModel,
    frame: &Frame,
    predictions: &Column,
    profile: &serde_json::Value,
) -> Result<Vec<Compared>, Missing> {
    let rows: Vec<usize> = (0..frame.nrows()).collect();
    let names = model
        .feature_names()
        .map(str::to_string)
        .chain(["(prediction)".to_string()]);
    let mut out = Vec::new();
    for name in names {
        let Some(p) = profile
            .get(&name)
            .and_then(|v| serde_json::from_value::<Profile>(v.clone()).ok())
        else {
            return Err(Missing::Profile(name));
        };
        let col = if name == "(prediction)" {
            predictions
        } else {
            frame
                .column(&name)
                .ok_or_else(|| Missing::Column(name.clone()))?
        };
        out.push(Compared {
            drift: compare(&p, col, &rows),
            name,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {

    use super::*;
    use crate::common::frame::ColumnKind;

    fn num(vals: impl Iterator<Item = f64>) -> Column {
        let mut c = Column::new("x", "double precision", ColumnKind::Float);
        vals.for_each(|v| c.push_number(Some(v)));
        c
    }

    #[test]
    fn same_distribution_has_no_drift_and_a_shift_has() {
        let train = num((0..1000).map(|i| (i % 100) as f64));
        let rows: Vec<usize> = (0..1000).collect();
        let p = profile(&train, &rows, false);
        let same = compare(
            &p,
            &num((0..500).map(|i| (i * 7 % 100) as f64)),
            &(0..500).collect::<Vec<_>>(),
        );
        assert!(same.psi < 0.01 && same.ks.unwrap() < 0.02, "{same:?}");
        let shifted = compare(
            &p,
            &num((0..500).map(|i| 50.0 + (i % 100) as f64)),
            &(0..500).collect::<Vec<_>>(),
        );
        assert!(
            shifted.psi > 1.0 && shifted.ks.unwrap() > 0.45,
            "{shifted:?}"
        );
    }

    #[test]
    fn a_column_turning_null_drifts() {
        let train = num((0..1000).map(|i| (i % 100) as f64));
        let rows: Vec<usize> = (0..1000).collect();
        let p = profile(&train, &rows, false);
        let mut now = Column::new("x", "double precision", ColumnKind::Float);
        (0..100).for_each(|i| {
            now.push_number(if i % 4 == 0 {
                None
            } else {
                Some((i % 100) as f64)
            })
        });
        let d = compare(&p, &now, &(0..100).collect::<Vec<_>>());
        assert!(
            d.psi > 1.0 && (d.null_rate_now - 0.25).abs() < 1e-12,
            "{d:?}"
        );
    }

    #[test]
    fn categories_and_nulls() {
        let mut train = Column::new("c", "text", ColumnKind::Text);
        for i in 0..100 {
            train.push_text(if i % 10 == 0 {
                None
            } else {
                Some(if i % 2 == 0 { "a" } else { "b" })
            });
        }
        let rows: Vec<usize> = (0..100).collect();
        let p = profile(&train, &rows, true);
        let d = compare(&p, &train, &rows);
        assert!(d.psi.abs() < 1e-12 && d.chi2.unwrap() < 1e-9);
        assert!((d.null_rate_train - 0.1).abs() < 1e-12);
        let mut now = Column::new("c", "text", ColumnKind::Text);
        (0..50).for_each(|_| now.push_text(Some("z")));
        let d = compare(&p, &now, &(0..50).collect::<Vec<_>>());
        assert!(d.psi > 1.0 && d.chi2.unwrap() > 100.0, "{d:?}");
    }
}
