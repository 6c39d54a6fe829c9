//! dm_evaluate's `rows`: which rows of a relation a stored model is measured on, told apart by
//! the keys of the rows it was trained, validated and tested on (prepare/row_keys.rs): its own
//! test rows, its training or validation rows, the rows it never saw, or all of them (with a
//! count of those it learned from, which make the metrics optimistic).

use serde::Serialize;

use crate::common::error::{Error, Result};
use crate::common::frame::Column;
use crate::prepare::row_keys::{self, Part, RowKeys};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Which {
    All,
    Train,
    Validation,
    Test,
    Unseen,
}

/// Each choice and its name in SQL.
const NAMES: [(Which, &str); 5] = [
    (Which::All, "all"),
    (Which::Test, "test"),
    (Which::Train, "train"),
    (Which::Validation, "validation"),
    (Which::Unseen, "unseen"),
];

impl Which {
    pub fn parse(s: &str) -> Result<Which> {
        NAMES
            .iter()
            .find(|(_, n)| *n == s)
            .map(|(w, _)| *w)
            .ok_or_else(|| {
                Error::param(format!(
                    "rows must be one of 'all', 'test', 'train', 'validation', 'unseen'; got '{s}'"
                ))
            })
    }

    pub fn name(self) -> &'static str {
        NAMES
            .iter()
            .find(|(w, _)| *w == self)
            .map_or("all", |(_, n)| n)
    }
}

/// What the selection found: of the rows measured, how many the model learned from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Holdout {
    pub which: Which,
    pub training_rows: usize,
}

/// Keeps the rows of `rows` that `which` selects; `cols` are the model's features in its order,
/// then the target. Without keys only `all` can be answered (and the count is unknown: None).
pub fn select(
    keys: Option<&RowKeys>,
    which: Which,
    cols: &[&Column],
    rows: &mut Vec<usize>,
) -> Result<Option<Holdout>> {
    let Some(keys) = keys else {
        if which == Which::All {
            return Ok(None);
        }
        return Err(Error::param(format!(
            "rows => '{}' needs the keys of the model's rows, which this version does not keep (trained before 0.4.0, on more than {} rows, or without a target); retrain it to keep them",
            which.name(),
            row_keys::MAX_ROWS
        )));
    };
    let part = match which {
        Which::Train => Some((&keys.train, "split.test_size and validation_size left none")),
        Which::Validation => Some((&keys.validation, "its split.validation_size was 0")),
        Which::Test => Some((&keys.test, "its split.test_size was 0")),
        Which::All | Which::Unseen => None,
    };
    if let Some((_, why)) = part.filter(|(k, _)| k.is_empty()) {
        return Err(Error::param(format!(
            "the model has no {} rows: {why}",
            which.name()
        )));
    }
    let n_before = rows.len();
    let mut training_rows = 0;
    rows.retain(|&r| {
        let k = row_keys::key(cols, r);
        let seen = keys.seen(k);
        let keep = match which {
            Which::All => true,
            Which::Train => keys.contains(Part::Train, k),
            Which::Validation => keys.contains(Part::Validation, k),
            Which::Test => keys.contains(Part::Test, k),
            Which::Unseen => !seen && !keys.contains(Part::Test, k),
        };
        training_rows += usize::from(keep && seen);
        keep
    });
    if rows.is_empty() && n_before > 0 {
        return Err(Error::data(format!(
            "none of the {n_before} rows with a target is one of the model's {} rows{}",
            which.name(),
            if which == Which::Unseen {
                ": the model learned from or was tested on every one"
            } else {
                " (the relation does not hold them, or their feature or target values changed)"
            }
        )));
    }
    Ok(Some(Holdout {
        which,
        training_rows,
    }))
}

impl Holdout {
    /// The WARNING when the rows measured include rows the model learned from.
    pub fn warning(&self, evaluated: usize) -> Option<String> {
        (self.training_rows > 0 && self.which != Which::Train && self.which != Which::Validation).then(|| {
            format!(
                "{} of the {evaluated} rows evaluated are rows the model was trained on (equal features and target): the metrics are optimistic; rows => 'unseen' leaves them out, rows => 'test' measures the model's own test rows",
                self.training_rows
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::frame::ColumnKind;

    /// Rows 0..10 over one column of values 0..10; the model trained on 0..6 and tested on 6..8.
    fn setup() -> (Column, RowKeys) {
        let mut a = Column::new("a", "double precision", ColumnKind::Float);
        (0..10).for_each(|i| a.push_number(Some(i as f64)));
        let keys: Vec<u64> = (0..8).map(|r| row_keys::key(&[&a], r)).collect();
        let rk = RowKeys::of_split(&keys, &[0, 1, 2, 3, 4, 5], &[], &[6, 7]);
        (a, rk)
    }

    #[test]
    fn each_choice_keeps_its_rows_and_counts_the_seen_ones() {
        let (a, rk) = setup();
        let pick = |which| {
            let mut rows: Vec<usize> = (0..10).collect();
            let h = select(Some(&rk), which, &[&a], &mut rows).unwrap().unwrap();
            (rows, h.training_rows)
        };
        assert_eq!(pick(Which::Test), (vec![6, 7], 0));
        assert_eq!(pick(Which::Train), ((0..6).collect(), 6));
        assert_eq!(pick(Which::Unseen), (vec![8, 9], 0));
        assert_eq!(pick(Which::All), ((0..10).collect(), 6));
        let warn = Holdout {
            which: Which::All,
            training_rows: 6,
        }
        .warning(10)
        .unwrap();
        assert!(warn.starts_with("6 of the 10 rows evaluated"), "{warn}");
        assert!(Holdout {
            which: Which::Train,
            training_rows: 6
        }
        .warning(6)
        .is_none());
    }

    #[test]
    fn what_cannot_be_answered_is_an_error() {
        let (a, rk) = setup();
        let mut rows: Vec<usize> = (0..10).collect();
        let e = select(Some(&rk), Which::Validation, &[&a], &mut rows).unwrap_err();
        assert!(e.message.contains("no validation rows"), "{}", e.message);
        let e = select(None, Which::Test, &[&a], &mut rows).unwrap_err();
        assert!(e.message.contains("does not keep"), "{}", e.message);
        assert_eq!(select(None, Which::All, &[&a], &mut rows).unwrap(), None);
        let mut new_rows = vec![8, 9];
        let e = select(Some(&rk), Which::Test, &[&a], &mut new_rows).unwrap_err();
        assert!(e.message.contains("none of the 2 rows"), "{}", e.message);
        assert!(Which::parse("TEST").is_err() && Which::parse("unseen").is_ok());
    }
}
