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

#[derive(Debug, Clone, PartialEq)]
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

    /// A value of bin b of feature f: the bin's upper edge (for the last bin, the next float
    /// above the last edge; NaN for missing). A tree grown on these bins (its thresholds are
    /// edges) sends it where it sends every value of the bin, so scoring decoded rows gives the
    /// predictions of the raw ones; decoded values are finite and keep the bins apart, so a
    /// tree can be grown on them too.
    #[inline]
    pub fn value(&self, f: usize, b: u8) -> f64 {
        if b == MISSING {
            return f64::NAN;
        }
        let Some(edges) = self.edges.get(f) else {
            return f64::NAN;
        };
        match edges.get(usize::from(b)) {
            Some(&edge) => edge,
            None => edges.last().map_or(0.0, |&last| last.next_up()),
        }
    }

    /// Row r decoded (`value` of each of its bins) into `out` (len n_cols).
    pub fn decode_row(&self, r: usize, out: &mut [f64]) {
        for (f, o) in out.iter_mut().enumerate().take(self.n_cols) {
            let b = self
                .bins
                .get(f * self.n_rows + r)
                .copied()
                .unwrap_or(MISSING);
            *o = self.value(f, b);
        }
    }
}

/// Bins columns handed over one at a time (each with every row), for data that is never a
/// whole matrix of floats: the same edges and bins as `bin` on the matrix of those columns.
pub struct ColumnBinner {
    n_rows: usize,
    sample: Vec<usize>,
    max_bins: usize,
    bins: Vec<u8>,
    edges: Vec<Vec<f64>>,
    missing: Vec<bool>,
}

impl ColumnBinner {
    /// For n_rows rows, edges from the training rows `train` (sampled as `bin` does); `p`:
    /// the number of columns to come.
    pub fn new(n_rows: usize, p: usize, train: &[usize], max_bins: usize, seed: u64) -> Self {
        ColumnBinner {
            n_rows,
            sample: edge_rows(train, seed),
            max_bins,
            bins: Vec::with_capacity(n_rows * p),
            edges: Vec::with_capacity(p),
            missing: Vec::with_capacity(p),
        }
    }

    /// Adds the next column (n_rows values).
    pub fn push(&mut self, column: &[f64]) {
        let start = self.bins.len();
        self.bins.resize(start + self.n_rows, 0);
        let value = |r: usize| column.get(r).copied().unwrap_or(f64::NAN);
        let (edges, missing) =
            cut_column(&self.sample, self.max_bins, value, &mut self.bins[start..]);
        self.edges.push(edges);
        self.missing.push(missing);
    }

    pub fn finish(self) -> Binned {
        Binned {
            n_rows: self.n_rows,
            n_cols: self.edges.len(),
            bins: self.bins,
            edges: self.edges,
            missing: self.missing,
        }
    }
}

/// Cuts one feature (`value` of each row): its edges from the sampled rows, then every row's
/// bin into `col`; returns the edges and whether any row is missing.
fn cut_column(
    sample: &[usize],
    max_bins: usize,
    value: impl Fn(usize) -> f64,
    col: &mut [u8],
) -> (Vec<f64>, bool) {
    let edges = edges_of(sample.iter().map(|&r| value(r)).collect(), max_bins);
    for (r, b) in col.iter_mut().enumerate() {
        *b = bin_of(&edges, value(r));
    }
    let missing = col.contains(&MISSING);
    (edges, missing)
}

/// The rows whose values set the bin edges: the training rows, or a seeded sample of SAMPLE
/// of them.
fn edge_rows(train: &[usize], seed: u64) -> Vec<usize> {
    if train.len() > SAMPLE {
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
    let sample = edge_rows(train, seed);
    let mut bins = vec![0u8; n_rows * p];
    let value = |f: usize| move |r: usize| x[r * p + f];
    let cut: Vec<(Vec<f64>, bool)> = if n_rows > 0 {
        bins.par_chunks_mut(n_rows)
            .enumerate()
            .map(|(f, col)| cut_column(&sample, max_bins, value(f), col))
            .collect()
    } else {
        (0..p)
            .map(|f| cut_column(&sample, max_bins, value(f), &mut []))
            .collect()
    };
    let (edges, missing) = cut.into_iter().unzip();
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
