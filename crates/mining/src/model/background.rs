//! A model's explanation background: the mean of every encoded column over the training rows
//! (what a linear model's exact contributions are measured from) and a seeded sample of at most
//! `MAX_ROWS` encoded training rows (what sampling Shapley values replace a feature's value
//! with, for the models without exact explanations). Kept in dm.models.background (not in the
//! model bytes), set when the model is loaded; versions trained before 0.4.0 have none.

use serde::{Deserialize, Serialize};

use crate::common::error::{Error, ErrorKind, Result};
use crate::common::rng::Rng;

/// Rows sampled at most.
pub const MAX_ROWS: usize = 100;
/// Numbers kept at most (rows × width): a very wide model keeps fewer rows.
pub const MAX_VALUES: usize = 200_000;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Background {
    /// Per encoded column, its mean over the training rows.
    pub means: Vec<f64>,
    /// Sampled training rows, encoded (each of the model's width).
    pub rows: Vec<Vec<f64>>,
}

impl Background {
    /// From the encoded rows `x` (row-major, `p` columns): the means over `rows` and a seeded
    /// sample of them (None: no rows, or a value that is not finite: a missing value that the
    /// model routes itself, which only trees do, and they need no background).
    pub fn from_rows(x: &[f64], p: usize, rows: &[usize], seed: u64) -> Option<Background> {
        if rows.is_empty() || p == 0 || x.len() < p {
            return None;
        }
        let n_rows = x.len() / p;
        let rows: Vec<usize> = rows.iter().copied().filter(|&r| r < n_rows).collect();
        if rows.is_empty()
            || rows
                .iter()
                .any(|&r| x[r * p..(r + 1) * p].iter().any(|v| !v.is_finite()))
        {
            return None;
        }
        let mut means = vec![0.0; p];
        for &r in &rows {
            for (m, v) in means.iter_mut().zip(&x[r * p..(r + 1) * p]) {
                *m += v;
            }
        }
        let n = rows.len() as f64;
        means.iter_mut().for_each(|m| *m /= n);
        let keep = MAX_ROWS.min((MAX_VALUES / p).max(1)).min(rows.len());
        let mut picked = rows;
        Rng::new(seed ^ 0x6261_636b).shuffle(&mut picked);
        picked.truncate(keep);
        let sample = picked
            .iter()
            .map(|&r| x[r * p..(r + 1) * p].to_vec())
            .collect();
        Some(Background {
            means,
            rows: sample,
        })
    }

    /// As dm.models.background keeps it, checked against the model's width.
    pub fn from_json(v: &serde_json::Value, width: usize) -> Result<Background> {
        let b: Background = serde_json::from_value(v.clone()).map_err(|e| {
            Error::new(
                ErrorKind::Corrupt,
                format!("dm.models.background cannot be read: {e}"),
            )
        })?;
        let finite = |r: &[f64]| r.len() == width && r.iter().all(|v| v.is_finite());
        if !finite(&b.means) || b.rows.is_empty() || !b.rows.iter().all(|r| finite(r)) {
            return Err(Error::new(
                ErrorKind::Corrupt,
                format!("dm.models.background does not fit the model's {width} encoded columns"),
            ));
        }
        Ok(b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn means_cover_every_row_and_the_sample_is_seeded() {
        let x: Vec<f64> = (0..600).map(|i| i as f64).collect(); // 300 rows × 2
        let rows: Vec<usize> = (0..300).collect();
        let b = Background::from_rows(&x, 2, &rows, 7).unwrap();
        assert_eq!(b.means, vec![299.0, 300.0]);
        assert_eq!(b.rows.len(), MAX_ROWS);
        assert_eq!(b, Background::from_rows(&x, 2, &rows, 7).unwrap());
        let back = Background::from_json(&serde_json::to_value(&b).unwrap(), 2).unwrap();
        assert_eq!(back, b);
        assert!(Background::from_json(&serde_json::to_value(&b).unwrap(), 3).is_err());
        assert!(Background::from_rows(&x, 2, &[], 7).is_none());
        let mut with_nan = x.clone();
        with_nan[5] = f64::NAN;
        assert!(Background::from_rows(&with_nan, 2, &rows, 7).is_none());
    }
}
