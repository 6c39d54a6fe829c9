//! dm_fairness: how a classifier's decisions differ between groups of people (the values of one
//! or more sensitive columns, and their intersections), with fairlearn's definitions
//! (fairlearn.metrics, checked to 1e-9 by tests/fixtures/fairlearn_reference.json):
//!
//! - per group: rows, `selection_rate` (share predicted positive), `true_positive_rate` and
//!   `false_positive_rate` (0 where the group has no actual positives, or negatives, as
//!   scikit-learn's normalized confusion matrix), `precision` (0 without predicted positives);
//! - `demographic_parity_difference` / `_ratio`: the largest minus the smallest selection rate
//!   of the groups / the smallest over the largest;
//! - `equal_opportunity_difference` / `_ratio`: the same of the true positive rates;
//! - `equalized_odds_difference`: the larger of the true and false positive rate differences;
//!   `equalized_odds_ratio`: the smaller of their ratios (fairlearn's "worst_case").
//!
//! A ratio of 0 / 0 is undefined (JSON null).

use std::cmp::Ordering;
use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use crate::common::error::{Error, Result};
use crate::common::frame::{ColumnData, Frame};
use crate::evaluation::evaluate::Scored;

/// Groups above which the report is refused (a sensitive column should be a few categories).
pub const MAX_GROUPS: usize = 1000;

/// A group's value of one sensitive column: NULL sorts first, numbers by value, text by code
/// point.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Null,
    Number(f64, String),
    Text(String),
}

impl Cell {
    fn json(&self) -> Value {
        match self {
            Cell::Null => Value::Null,
            Cell::Number(_, s) | Cell::Text(s) => json!(s),
        }
    }
    fn rank(&self) -> u8 {
        match self {
            Cell::Null => 0,
            Cell::Number(..) => 1,
            Cell::Text(_) => 2,
        }
    }
}

impl Eq for Cell {}

impl Ord for Cell {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Cell::Number(a, _), Cell::Number(b, _)) => a.total_cmp(b),
            (Cell::Text(a), Cell::Text(b)) => a.cmp(b),
            _ => self.rank().cmp(&other.rank()),
        }
    }
}

impl PartialOrd for Cell {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Counts of one group's decisions.
#[derive(Debug, Clone, Copy, Default)]
struct Counts {
    tp: usize,
    fp: usize,
    tn: usize,
    fn_: usize,
}

impl Counts {
    fn add(&mut self, actual: bool, predicted: bool) {
        match (actual, predicted) {
            (true, true) => self.tp += 1,
            (false, true) => self.fp += 1,
            (false, false) => self.tn += 1,
            (true, false) => self.fn_ += 1,
        }
    }
    fn rows(&self) -> usize {
        self.tp + self.fp + self.tn + self.fn_
    }
    fn rate(num: usize, den: usize) -> f64 {
        if den == 0 {
            0.0
        } else {
            num as f64 / den as f64
        }
    }
    fn selection_rate(&self) -> f64 {
        Self::rate(self.tp + self.fp, self.rows())
    }
    fn tpr(&self) -> f64 {
        Self::rate(self.tp, self.tp + self.fn_)
    }
    fn fpr(&self) -> f64 {
        Self::rate(self.fp, self.fp + self.tn)
    }
    fn json(&self) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("rows".into(), json!(self.rows()));
        m.insert("selection_rate".into(), json!(self.selection_rate()));
        m.insert("true_positive_rate".into(), json!(self.tpr()));
        m.insert("false_positive_rate".into(), json!(self.fpr()));
        m.insert(
            "precision".into(),
            json!(Self::rate(self.tp, self.tp + self.fp)),
        );
        m.insert(
            "actual_positive_rate".into(),
            json!(Self::rate(self.tp + self.fn_, self.rows())),
        );
        m
    }
}

/// Largest minus smallest, and smallest over largest (NaN for 0 / 0).
fn spread(values: &[f64]) -> (f64, f64) {
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let min = values.iter().copied().fold(f64::INFINITY, f64::min);
    (max - min, min / max)
}

fn number(x: f64) -> Value {
    if x.is_finite() {
        json!(x)
    } else {
        Value::Null
    }
}

/// The report: `actual` and `predicted` say per row whether it is (predicted) positive;
/// `sensitive[c][i]` is row i's value of sensitive column c, named `names[c]`.
pub fn report(
    actual: &[bool],
    predicted: &[bool],
    sensitive: &[Vec<Cell>],
    names: &[String],
) -> Value {
    let mut groups: BTreeMap<Vec<&Cell>, Counts> = BTreeMap::new();
    let mut overall = Counts::default();
    for (i, (&a, &p)) in actual.iter().zip(predicted).enumerate() {
        let key: Vec<&Cell> = sensitive.iter().filter_map(|col| col.get(i)).collect();
        groups.entry(key).or_default().add(a, p);
        overall.add(a, p);
    }
    let rows: Vec<Value> = groups
        .iter()
        .map(|(key, c)| {
            let group: Map<String, Value> = names
                .iter()
                .cloned()
                .zip(key.iter().map(|v| v.json()))
                .collect();
            let mut m = Map::new();
            m.insert("group".into(), Value::Object(group));
            m.extend(c.json());
            Value::Object(m)
        })
        .collect();
    let of = |f: fn(&Counts) -> f64| groups.values().map(f).collect::<Vec<f64>>();
    let (dp_diff, dp_ratio) = spread(&of(Counts::selection_rate));
    let (tpr_diff, tpr_ratio) = spread(&of(Counts::tpr));
    let (fpr_diff, fpr_ratio) = spread(&of(Counts::fpr));
    // fairlearn takes max() / min() over (tpr, fpr) in that order: a NaN fpr ratio gives the tpr
    // one, a NaN tpr ratio stays NaN.
    let eo_diff = if fpr_diff > tpr_diff {
        fpr_diff
    } else {
        tpr_diff
    };
    let eo_ratio = if fpr_ratio < tpr_ratio {
        fpr_ratio
    } else {
        tpr_ratio
    };
    json!({
        "sensitive": names,
        "groups": rows,
        "overall": Value::Object(overall.json()),
        "demographic_parity_difference": number(dp_diff),
        "demographic_parity_ratio": number(dp_ratio),
        "equal_opportunity_difference": number(tpr_diff),
        "equal_opportunity_ratio": number(tpr_ratio),
        "equalized_odds_difference": number(eo_diff),
        "equalized_odds_ratio": number(eo_ratio),
    })
}

/// dm_fairness on scored rows: the model's decisions for the `positive` class (default: the
/// second of two) per group of the `sensitive` columns of `frame`.
pub fn of_scored(
    scored: &Scored,
    frame: &Frame,
    sensitive: &[String],
    positive: Option<&str>,
) -> Result<Value> {
    let c = scored.positive_index(positive, "fairness reports")?;
    if sensitive.is_empty() {
        return Err(Error::param("sensitive must name at least one column"));
    }
    let mut cells = Vec::with_capacity(sensitive.len());
    for (i, name) in sensitive.iter().enumerate() {
        if sensitive[..i].contains(name) {
            return Err(Error::param(format!(
                "sensitive names column \"{name}\" twice"
            )));
        }
        let col = frame.column(name).ok_or_else(|| {
            Error::column(format!(
                "sensitive column \"{name}\" does not exist in the relation"
            ))
        })?;
        let values: Vec<Cell> = scored
            .rows
            .iter()
            .map(|&r| match (&col.data, col.text_at(r)) {
                (_, None) => Cell::Null,
                (ColumnData::Numeric(v), Some(t)) => Cell::Number(v[r], t),
                (ColumnData::Text { .. }, Some(t)) => Cell::Text(t),
            })
            .collect();
        cells.push(values);
    }
    let mut keys: std::collections::BTreeSet<Vec<&Cell>> = std::collections::BTreeSet::new();
    for i in 0..scored.rows.len() {
        keys.insert(cells.iter().map(|col| &col[i]).collect());
        if keys.len() > MAX_GROUPS {
            return Err(Error::data(format!(
                "the sensitive columns {sensitive:?} form more than {MAX_GROUPS} groups; use columns with a few categories (band numbers first)"
            )));
        }
    }
    let actual: Vec<bool> = scored.actual.iter().map(|&a| a == c).collect();
    let predicted: Vec<bool> = scored.predicted.iter().map(|&p| p == c).collect();
    let mut out = report(&actual, &predicted, &cells, sensitive);
    out["positive_class"] = json!(scored.names[c]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(got: &Value, want: &Value, what: &str) {
        let (g, w) = (got.as_f64().unwrap_or(f64::NAN), want.as_f64().unwrap());
        assert!((g - w).abs() < 1e-9, "{what}: {g} vs fairlearn {w}");
    }

    #[test]
    fn matches_fairlearn_on_one_and_two_sensitive_columns() {
        let f = crate::test_support::fixture("fairlearn_reference.json");
        let cells = |k: &str| -> Vec<Cell> {
            f[k].as_array()
                .unwrap()
                .iter()
                .map(|v| Cell::Text(v.as_str().unwrap().to_string()))
                .collect()
        };
        let (actual, predicted) = (
            crate::test_support::flags(&f["y_true"]),
            crate::test_support::flags(&f["y_pred"]),
        );
        for case in f["cases"].as_array().unwrap() {
            let names: Vec<String> = case["sensitive"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap().to_string())
                .collect();
            let sensitive: Vec<Vec<Cell>> = names
                .iter()
                .map(|n| cells(if n == "gender" { "gender" } else { "band" }))
                .collect();
            let r = report(&actual, &predicted, &sensitive, &names);
            let want = case["groups"].as_array().unwrap();
            let got = r["groups"].as_array().unwrap();
            assert_eq!(got.len(), want.len(), "{}", case["name"]);
            for (g, w) in got.iter().zip(want) {
                assert_eq!(g["group"], w["group"]);
                assert_eq!(g["rows"], w["rows"]);
                for k in [
                    "selection_rate",
                    "true_positive_rate",
                    "false_positive_rate",
                    "precision",
                ] {
                    close(
                        &g[k],
                        &w[k],
                        &format!("{} {} {k}", case["name"], w["group"]),
                    );
                }
            }
            for k in [
                "selection_rate",
                "true_positive_rate",
                "false_positive_rate",
                "precision",
            ] {
                close(&r["overall"][k], &case["overall"][k], k);
            }
            for k in [
                "demographic_parity_difference",
                "demographic_parity_ratio",
                "equalized_odds_difference",
                "equalized_odds_ratio",
                "equal_opportunity_difference",
                "equal_opportunity_ratio",
            ] {
                close(&r[k], &case[k], &format!("{} {k}", case["name"]));
            }
        }
    }

    #[test]
    fn empty_rates_are_zero_and_undefined_ratios_null() {
        // Group "a" has no actual positives and no predicted positives; "b" neither.
        let actual = [false, false, false, false];
        let predicted = [false, false, false, false];
        let s = vec![vec![
            Cell::Text("a".into()),
            Cell::Text("a".into()),
            Cell::Null,
            Cell::Text("b".into()),
        ]];
        let r = report(&actual, &predicted, &s, &["g".to_string()]);
        assert_eq!(
            r["groups"][0]["group"]["g"],
            Value::Null,
            "NULL sorts first"
        );
        assert_eq!(r["groups"][1]["true_positive_rate"], json!(0.0));
        assert_eq!(r["demographic_parity_difference"], json!(0.0));
        assert_eq!(r["demographic_parity_ratio"], Value::Null);
        let nums = vec![vec![
            Cell::Number(10.0, "10".into()),
            Cell::Number(9.0, "9".into()),
            Cell::Number(9.0, "9".into()),
            Cell::Null,
        ]];
        let r = report(&actual, &predicted, &nums, &["n".to_string()]);
        let order: Vec<&Value> = r["groups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| &g["group"]["n"])
            .collect();
        assert_eq!(order, vec![&Value::Null, &json!("9"), &json!("10")]);
    }
}
