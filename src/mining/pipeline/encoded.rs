//! The prepared rows as learners and metrics read them: a row-major matrix of floats, or, for
//! trees and forests, the rows binned (one byte per value, built a feature at a time, so the
//! matrix of floats never exists). Binned rows are scored by decoding them a block at a time
//! (`Binned::value`: trees grown on the bins send a decoded value where they send the raw one).

use rayon::prelude::*;

use super::super::binning::{self, Binned, ColumnBinner};
use super::super::error::Result;
use super::super::estimator::Fitted;
use super::super::frame::Column;
use super::super::preprocess::Preprocessor;

/// Rows decoded per block: 8,192 × the encoded columns of floats at a time.
const BLOCK: usize = 8192;

#[derive(Clone, Copy)]
pub enum Source<'a> {
    /// Row-major, p columns.
    Dense(&'a [f64], usize),
    Binned(&'a Binned),
}

impl Source<'_> {
    pub fn width(&self) -> usize {
        match self {
            Source::Dense(_, p) => *p,
            Source::Binned(b) => b.n_cols,
        }
    }

    /// Calls `f` with row-major rows (width() columns) and the positions of `rows` in them:
    /// the matrix itself, or blocks of decoded binned rows.
    fn in_blocks(&self, rows: &[usize], mut f: impl FnMut(&[f64], &[usize])) {
        match self {
            Source::Dense(x, _) => f(x, rows),
            Source::Binned(b) => {
                let p = b.n_cols;
                let mut buf = vec![0.0; BLOCK.min(rows.len()) * p];
                let local: Vec<usize> = (0..BLOCK.min(rows.len())).collect();
                for chunk in rows.chunks(BLOCK) {
                    buf.par_chunks_mut(p.max(1))
                        .zip(chunk)
                        .for_each(|(out, &r)| b.decode_row(r, out));
                    f(&buf[..chunk.len() * p], &local[..chunk.len()]);
                }
            }
        }
    }

    /// The predicted class of each of `rows` (k classes).
    pub fn classes_at(&self, fitted: &Fitted, rows: &[usize], k: usize) -> Vec<usize> {
        let mut out = Vec::with_capacity(rows.len());
        let p = self.width();
        self.in_blocks(rows, |x, local| {
            out.extend(fitted.classes_at(x, p, local, k))
        });
        out
    }

    /// The predicted value of each of `rows`.
    pub fn values_at(&self, fitted: &Fitted, rows: &[usize]) -> Vec<f64> {
        let mut out = Vec::with_capacity(rows.len());
        let p = self.width();
        self.in_blocks(rows, |x, local| out.extend(fitted.values_at(x, p, local)));
        out
    }

    /// Columns at..at + w of every row, row-major.
    pub fn columns(&self, at: usize, w: usize) -> Vec<f64> {
        match self {
            Source::Dense(x, p) => x
                .chunks_exact((*p).max(1))
                .flat_map(|r| r[at..at + w].iter().copied())
                .collect(),
            Source::Binned(b) => (0..b.n_rows)
                .flat_map(|r| (at..at + w).map(move |f| b.value(f, b.bins[f * b.n_rows + r])))
                .collect(),
        }
    }
}

/// The encoded features of `rows` binned, a feature at a time (edges from the rows at
/// positions `train`, as `binning::bin` would make them with `seed`).
pub fn bin_features(
    prep: &Preprocessor,
    features: &[&Column],
    rows: usize,
    train: &[usize],
    seed: u64,
) -> Result<Binned> {
    let all: Vec<usize> = (0..rows).collect();
    let mut binner = ColumnBinner::new(rows, prep.width(), train, binning::MAX_BINS, seed);
    let mut column = Vec::with_capacity(rows);
    for (i, col) in features.iter().enumerate() {
        let encoded = prep.transform_feature(i, col, &all)?;
        let w = encoded.len().checked_div(rows).unwrap_or(0);
        for k in 0..w {
            column.clear();
            column.extend(encoded.iter().skip(k).step_by(w).copied());
            binner.push(&column);
        }
    }
    Ok(binner.finish())
}
