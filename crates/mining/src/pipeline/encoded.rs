//! The prepared rows as learners and metrics read them: a row-major matrix of floats, or, for
//! trees and forests, the rows binned (one byte per value, built a feature at a time, so the
//! matrix of floats never exists). Binned rows are scored by decoding them a block at a time
//! (`Binned::value`: trees grown on the bins send a decoded value where they send the raw one).

use rayon::prelude::*;

use crate::common::error::Result;
use crate::common::frame::Column;
use crate::common::numeric::argmax;
use crate::common::progress::{Cancel, Progress};
use crate::learners::trees::binning::{self, Binned, ColumnBinner};
use crate::learners::trees::forest::{self, Forest};
use crate::learners::trees::scoring_layout::ScoringLayout;
use crate::model::fitted::Fitted;
use crate::prepare::preprocess::Preprocessor;

/// Rows decoded per block: 8,192 × the encoded columns of floats at a time.
const BLOCK: usize = 8192;
/// Trees per scoring layout while measuring a forest (a sixth of a 100-tree forest's layout
/// in memory at a time; two AVX2 registers of walks).
const LAYOUT_TREES: usize = 16;

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
    fn in_blocks(
        &self,
        rows: &[usize],
        mut f: impl FnMut(&[f64], &[usize]) -> Result<()>,
    ) -> Result<()> {
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
                    f(&buf[..chunk.len() * p], &local[..chunk.len()])?;
                }
                Ok(())
            }
        }
    }

    /// The predicted class of each of `rows` (k classes); stops when `stop` is cancelled.
    pub fn classes_at(
        &self,
        fitted: &Fitted,
        rows: &[usize],
        k: usize,
        stop: &Progress,
    ) -> Result<Vec<usize>> {
        if let Fitted::Forest(f) = fitted {
            if f.width == k {
                return Ok(self
                    .forest_outputs(f, rows, stop)?
                    .chunks(k.max(1))
                    .map(argmax)
                    .collect());
            }
        }
        let mut out = Vec::with_capacity(rows.len());
        let p = self.width();
        self.in_blocks(rows, |x, local| {
            out.extend(fitted.classes_at(x, p, local, k, stop)?);
            Ok(())
        })?;
        Ok(out)
    }

    /// The predicted class and the class probabilities (rows × k) of each of `rows`: one pass
    /// of a forest's outputs gives both; stops when `stop` is cancelled.
    pub fn classes_and_probas_at(
        &self,
        fitted: &Fitted,
        rows: &[usize],
        k: usize,
        stop: &Progress,
    ) -> Result<(Vec<usize>, Vec<f64>)> {
        if let Fitted::Forest(f) = fitted {
            if f.width == k {
                let proba = self.forest_outputs(f, rows, stop)?;
                let classes = proba.chunks(k.max(1)).map(argmax).collect();
                return Ok((classes, proba));
            }
        }
        let mut proba = Vec::with_capacity(rows.len() * k);
        let p = self.width();
        self.in_blocks(rows, |x, local| {
            proba.extend(fitted.probas_at(x, p, local, k, stop)?);
            Ok(())
        })?;
        let classes = if fitted.model().class_is_argmax() {
            proba.chunks(k.max(1)).map(argmax).collect()
        } else {
            self.classes_at(fitted, rows, k, stop)?
        };
        Ok((classes, proba))
    }

    /// The predicted value of each of `rows`; stops when `stop` is cancelled.
    pub fn values_at(&self, fitted: &Fitted, rows: &[usize], stop: &Progress) -> Result<Vec<f64>> {
        if let Fitted::Forest(f) = fitted {
            if f.width == 1 {
                return self.forest_outputs(f, rows, stop);
            }
        }
        let mut out = Vec::with_capacity(rows.len());
        let p = self.width();
        self.in_blocks(rows, |x, local| {
            out.extend(fitted.values_at(x, p, local, stop)?);
            Ok(())
        })?;
        Ok(out)
    }

    /// A forest's outputs for `rows` (rows × width), bit for bit what `Forest::predict` gives,
    /// in the scoring layout's speed without the whole forest's layout in memory: a layout of
    /// LAYOUT_TREES trees at a time, each adding its trees' outputs for every row. Stops
    /// between layouts and blocks when `stop` is cancelled.
    pub(super) fn forest_outputs(
        &self,
        f: &Forest,
        rows: &[usize],
        stop: &Progress,
    ) -> Result<Vec<f64>> {
        let (w, p) = (f.width.max(1), self.width());
        let mut acc = vec![0.0; rows.len() * w];
        for trees in f.trees.chunks(LAYOUT_TREES) {
            stop.check()?;
            let layout = ScoringLayout::new(trees, f.width);
            let mut done = 0;
            self.in_blocks(rows, |x, local| {
                stop.check()?;
                let out = &mut acc[done * w..(done + local.len()) * w];
                out.par_chunks_mut(w).zip(local).for_each(|(o, &r)| {
                    let row = x.get(r * p..(r + 1) * p).unwrap_or(&[]);
                    match &layout {
                        Some(l) => l.accumulate(row, o),
                        None => forest::accumulate_plain(trees, row, o),
                    }
                });
                done += local.len();
                Ok(())
            })?;
        }
        let n = f.trees.len().max(1) as f64;
        acc.iter_mut().for_each(|v| *v /= n);
        Ok(acc)
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
    cancel: &Cancel,
) -> Result<Binned> {
    let all: Vec<usize> = (0..rows).collect();
    let mut binner = ColumnBinner::new(rows, prep.width(), train, binning::MAX_BINS, seed);
    let mut column = Vec::with_capacity(rows);
    for (i, col) in features.iter().enumerate() {
        cancel.check()?;
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
