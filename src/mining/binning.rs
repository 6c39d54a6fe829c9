//! Features quantized once into at most 255 bins each, for histogram-based tree learners.
//! Bin edges come from the training rows (every distinct value when there are few, else
//! quantiles of up to 200,000 sampled rows); every row of the matrix is then binned in parallel,
//! feature by feature, into a column-major u8 matrix. Bin b of feature f holds the values v with
//! edges[f][b-1] < v <= edges[f][b], so "bin <= b" and "value <= edges[f][b]" are the same test
//! and trees fitted on bins score raw values without binning them.
//!
//! A missing value (NaN: a NULL the preprocessing left for the learner) gets bin MISSING, after
//! every value bin; the learners send it left or right at each split, whichever gains more.

use rayon::prelude::*;

use super::rng::Rng;

pub const MAX_BINS: usize = 255;
/// The bin of a missing value (value bins are 0..MAX_BINS).
pub const MISSING: u8 = 255;
const SAMPLE: usize = 200_000;

#[derive(Debug, Clone)]
pub struct Binned {
    pub n_rows: usize,
    pub n_cols: usize,
    /// Column-major: bins[f * n_rows + r].
    pub bins: Vec<u8>,
    /// Per feature, the upper edge of every bin but the last (len = bins - 1).
    pub edges: Vec<Vec<f64>>,
    /// Per feature, whether any row is missing (in bin MISSING).
    pub missing: Vec<bool>,
}

impl Binned {
    pub fn column(&self, f: usize) -> &[u8] {
        &self.bins[f * self.n_rows..(f + 1) * self.n_rows]
    }

    pub fn n_bins(&self, f: usize) -> usize {
        self.edges[f].len() + 1
    }
}

/// Upper bin edges of one feature from its (sampled) training values.
pub fn edges_of(mut values: Vec<f64>, max_bins: usize) -> Vec<f64> {
    values.retain(|v| !v.is_nan());
    values.sort_by(f64::total_cmp);
    let mut distinct: Vec<(f64, usize)> = Vec::new();
    for v in values {
        match distinct.last_mut() {
            Some((last, count)) if *last == v => *count += 1,
            _ => distinct.push((v, 1)),
        }
    }
    let max_bins = max_bins.clamp(2, MAX_BINS);
    if distinct.len() <= max_bins {
        // Midpoints between consecutive distinct values.
        return distinct
            .windows(2)
            .map(|w| w[0].0 + (w[1].0 - w[0].0) / 2.0)
            .collect();
    }
    // Quantile edges: walk the distinct values, closing a bin when its share is reached.
    let total: usize = distinct.iter().map(|d| d.1).sum();
    let per_bin = total as f64 / max_bins as f64;
    let mut edges = Vec::with_capacity(max_bins - 1);
    let mut seen = 0usize;
    for (i, w) in distinct.windows(2).enumerate() {
        seen += w[0].1;
        let target = per_bin * (edges.len() + 1) as f64;
        if seen as f64 >= target && edges.len() < max_bins - 1 {
            edges.push(w[0].0 + (w[1].0 - w[0].0) / 2.0);
        }
        if edges.len() == max_bins - 1 || i + 2 == distinct.len() {
            break;
        }
    }
    edges
}

/// The bin of a value given its feature's edges.
#[inline]
pub fn bin_of(edges: &[f64], v: f64) -> u8 {
    if v.is_nan() {
        return MISSING;
    }
    edges.partition_point(|e| *e < v) as u8
}

/// Bins every row of a row-major matrix with p columns; edges from the training rows.
pub fn bin(x: &[f64], p: usize, train: &[usize], max_bins: usize, seed: u64) -> Binned {
    let n_rows = x.len().checked_div(p).unwrap_or(0);
    let sample: Vec<usize> = if train.len() > SAMPLE {
        let mut rng = Rng::new(seed ^ 0x5eed_b175);
        let mut s = train.to_vec();
        for i in 0..SAMPLE {
            let j = i + rng.below(s.len() - i);
            s.swap(i, j);
        }
        s.truncate(SAMPLE);
        s
    } else {
        train.to_vec()
    };
    let edges: Vec<Vec<f64>> = (0..p)
        .into_par_iter()
        .map(|f| edges_of(sample.iter().map(|&r| x[r * p + f]).collect(), max_bins))
        .collect();
    let mut bins = vec![0u8; n_rows * p];
    if n_rows > 0 {
        bins.par_chunks_mut(n_rows)
            .zip(&edges)
            .enumerate()
            .for_each(|(f, (col, e))| {
                for (r, b) in col.iter_mut().enumerate() {
                    *b = bin_of(e, x[r * p + f]);
                }
            });
    }
    let missing = if n_rows > 0 {
        bins.par_chunks(n_rows)
            .map(|col| col.contains(&MISSING))
            .collect()
    } else {
        vec![false; p]
    };
    Binned {
        n_rows,
        n_cols: p,
        bins,
        edges,
        missing,
    }
}

#[cfg(test)]
#[path = "tests/binning.rs"]
mod tests;
