//! options.weight_column: a weight per row, scikit-learn's `sample_weight` (a row of weight 2
//! counts in the fit as two copies of it). A row whose weight is NULL is dropped, as one whose
//! target is NULL; a negative weight is an error; a row of weight 0 is split and measured like
//! any other but does not move the fit. The weights multiply class_weight's. Metrics count rows,
//! not weights, as scikit-learn's scorers do when the weights are passed to `fit` only.

use crate::common::error::{Error, Result};
use crate::common::frame::{Column, ColumnData};

/// Drops the rows whose weight is NULL from `rows`; returns how many. A negative weight (the
/// reader has made NaN and ±Infinity NULL and counted them, which `columns::choose` refuses) is
/// an error naming the column, its first such value and how many there are.
pub fn keep_weighted(col: &Column, rows: &mut Vec<usize>) -> Result<usize> {
    let ColumnData::Numeric(v) = &col.data else {
        return Err(Error::param(format!(
            "weight_column \"{}\" must be numeric; it is {}",
            col.name, col.sql_type
        )));
    };
    let before = rows.len();
    rows.retain(|&r| v.get(r).is_some_and(|w| !w.is_nan()));
    let negative: Vec<f64> = rows
        .iter()
        .filter_map(|&r| v.get(r).copied())
        .filter(|w| *w < 0.0)
        .collect();
    if let Some(first) = negative.first() {
        return Err(Error::data(format!(
            "weight_column \"{}\" is negative in {} row{} (the first: {first}); sample weights must be 0 or more",
            col.name,
            negative.len(),
            if negative.len() == 1 { "" } else { "s" }
        )));
    }
    Ok(before - rows.len())
}

/// The weight of each of `rows`, in their order (positions in `rows` index it, as they index the
/// encoded rows and the target).
pub fn of_rows(col: &Column, rows: &[usize]) -> Vec<f64> {
    match &col.data {
        ColumnData::Numeric(v) => rows
            .iter()
            .map(|&r| v.get(r).copied().unwrap_or(0.0))
            .collect(),
        ColumnData::Text { .. } => vec![1.0; rows.len()],
    }
}

/// The training rows must weigh something: all of them at weight 0 leave nothing to fit.
pub fn check_total(weights: &[f64], train: &[usize], name: &str) -> Result<()> {
    let total: f64 = train.iter().filter_map(|&r| weights.get(r)).sum();
    if total > 0.0 {
        Ok(())
    } else {
        Err(Error::data(format!(
            "every training row has weight 0 in weight_column \"{name}\"; nothing is left to fit"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::frame::ColumnKind;

    fn column(values: &[Option<f64>]) -> Column {
        let mut c = Column::new("w", "double precision", ColumnKind::Float);
        values.iter().for_each(|&v| c.push_number(v));
        c
    }

    #[test]
    fn null_weights_drop_rows_and_negative_ones_are_named() {
        let c = column(&[Some(1.0), None, Some(0.0), Some(2.5)]);
        let mut rows = vec![0, 1, 2, 3];
        assert_eq!(keep_weighted(&c, &mut rows).unwrap(), 1);
        assert_eq!(rows, vec![0, 2, 3]);
        assert_eq!(of_rows(&c, &rows), vec![1.0, 0.0, 2.5]);
        let bad = column(&[Some(1.0), Some(-2.0), Some(-3.0)]);
        let e = keep_weighted(&bad, &mut vec![0, 1, 2]).unwrap_err();
        assert!(
            e.message.contains("negative in 2 rows (the first: -2)"),
            "{}",
            e.message
        );
        assert!(check_total(&[0.0, 0.0, 5.0], &[0, 1], "w").is_err());
        assert!(check_total(&[0.0, 0.0, 5.0], &[1, 2], "w").is_ok());
    }
}
