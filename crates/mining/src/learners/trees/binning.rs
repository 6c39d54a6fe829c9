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

use crate::common::rng::Rng;

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
mod tests {

    use super::*;

    #[test]
    fn few_distinct_values_get_one_bin_each() {
        let e = edges_of(vec![3.0, 1.0, 2.0, 2.0, 1.0], 255);
        assert_eq!(e, vec![1.5, 2.5]);
        assert_eq!(bin_of(&e, 1.0), 0);
        assert_eq!(bin_of(&e, 1.5), 0);
        assert_eq!(bin_of(&e, 2.0), 1);
        assert_eq!(bin_of(&e, 3.0), 2);
        assert_eq!(bin_of(&e, 100.0), 2);
        assert_eq!(bin_of(&e, -100.0), 0);
        assert!(edges_of(vec![7.0; 10], 255).is_empty());
    }

    #[test]
    fn many_values_are_cut_into_balanced_bins() {
        let values: Vec<f64> = (0..10_000).map(|i| (i as f64).sqrt()).collect();
        let e = edges_of(values.clone(), 16);
        assert!(e.len() <= 15 && e.len() >= 14, "{} edges", e.len());
        assert!(e.windows(2).all(|w| w[0] < w[1]));
        let mut counts = [0usize; 16];
        for v in &values {
            counts[bin_of(&e, *v) as usize] += 1;
        }
        let used: Vec<usize> = counts.iter().copied().filter(|c| *c > 0).collect();
        let (lo, hi) = (used.iter().min().unwrap(), used.iter().max().unwrap());
        assert!(*hi < *lo * 2, "unbalanced bins {counts:?}");
        // Never more than 255 bins, whatever max_bins says.
        assert!(edges_of((0..100_000).map(|i| i as f64).collect(), 1000).len() <= 254);
    }

    #[test]
    fn bins_every_row_with_edges_from_training_rows() {
        // Two columns; training rows are the first 4.
        let x = vec![1.0, 10.0, 2.0, 20.0, 3.0, 30.0, 4.0, 40.0, 100.0, -5.0];
        let b = bin(&x, 2, &[0, 1, 2, 3], 255, 1);
        assert_eq!((b.n_rows, b.n_cols), (5, 2));
        assert_eq!(b.column(0), &[0, 1, 2, 3, 3]);
        assert_eq!(b.column(1), &[0, 1, 2, 3, 0]);
        assert_eq!(b.n_bins(0), 4);
        // The bin test and the raw-value test agree.
        for f in 0..2 {
            for r in 0..5 {
                for (k, edge) in b.edges[f].iter().enumerate() {
                    assert_eq!(b.column(f)[r] as usize <= k, x[r * 2 + f] <= *edge);
                }
            }
        }
    }

    /// Columns handed over one at a time give the bins and edges of the matrix (past the edge
    /// sample size too), and a decoded row falls back into the bins it came from.
    #[test]
    fn column_binner_equals_bin_and_decoded_rows_rebin() {
        let mut rng = Rng::new(4);
        let (n, p) = (SAMPLE + 10_000, 3);
        let x: Vec<f64> = (0..n * p)
            .map(|i| match i % p {
                0 => rng.unit() * 1000.0,
                1 => (rng.below(7) as f64) - 3.0,
                _ if rng.below(10) == 0 => f64::NAN,
                _ => rng.unit().powi(3),
            })
            .collect();
        let train: Vec<usize> = (0..n).filter(|r| r % 5 != 0).collect();
        let whole = bin(&x, p, &train, MAX_BINS, 9);
        let mut by_column = ColumnBinner::new(n, p, &train, MAX_BINS, 9);
        for f in 0..p {
            let col: Vec<f64> = (0..n).map(|r| x[r * p + f]).collect();
            by_column.push(&col);
        }
        assert_eq!(by_column.finish(), whole);
        assert!(whole.missing[2] && !whole.missing[0]);
        let mut row = vec![0.0; p];
        for r in (0..n).step_by(997) {
            whole.decode_row(r, &mut row);
            for (f, &v) in row.iter().enumerate() {
                let b = whole.bins[f * n + r];
                assert_eq!(bin_of(&whole.edges[f], v), b, "row {r} feature {f}");
            }
        }
    }
}
