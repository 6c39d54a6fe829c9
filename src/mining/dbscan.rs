//! DBSCAN as scikit-learn runs it: a point is a core point when at least `min_samples` points
//! (itself included) lie within `eps` (euclidean); clusters grow from core points in row order,
//! depth first, so a border point reachable from two clusters joins the first one that reaches
//! it. Labels are identical to `sklearn.cluster.DBSCAN(...).labels_` on the same rows.
//!
//! Neighbourhoods are found by brute force in parallel, pruned by sorting the points on their
//! first coordinate (only points within eps on it can be neighbours). The stored model keeps the
//! core points and their clusters; a new row joins the cluster of its nearest core point within
//! eps, else it is noise (-1).

use std::sync::atomic::Ordering;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::error::{Error, Result};
use super::forest::Progress;

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DbscanParams {
    pub eps: f64,
    pub min_samples: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DbscanModel {
    pub d: usize,
    pub eps: f64,
    /// Core points (n_core × d, row-major), sorted by their first coordinate.
    pub core: Vec<f64>,
    pub core_label: Vec<i32>,
    pub n_clusters: usize,
}

fn sq(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum()
}

/// Rows sorted by their first coordinate, and those coordinates in that order.
fn by_first(x: &[f64], d: usize, n: usize) -> (Vec<u32>, Vec<f64>) {
    let mut order: Vec<u32> = (0..n as u32).collect();
    order.sort_by(|&a, &b| x[a as usize * d].total_cmp(&x[b as usize * d]));
    let keys = order.iter().map(|&i| x[i as usize * d]).collect();
    (order, keys)
}

/// The neighbours (indices, ascending) of every row within eps, itself included.
fn neighbourhoods(
    x: &[f64],
    d: usize,
    n: usize,
    eps: f64,
    progress: &Progress,
) -> Result<Vec<Vec<u32>>> {
    let (order, keys) = by_first(x, d, n);
    let eps2 = eps * eps;
    let out: Vec<Option<Vec<u32>>> = (0..n)
        .into_par_iter()
        .map(|i| {
            if i % 4096 == 0 && progress.cancel.load(Ordering::Relaxed) {
                return None;
            }
            let row = &x[i * d..(i + 1) * d];
            let lo = keys.partition_point(|&k| k < row[0] - eps);
            let hi = keys.partition_point(|&k| k <= row[0] + eps);
            let mut nb: Vec<u32> = order[lo..hi]
                .iter()
                .copied()
                .filter(|&j| sq(row, &x[j as usize * d..(j as usize + 1) * d]) <= eps2)
                .collect();
            nb.sort_unstable();
            Some(nb)
        })
        .collect();
    out.into_iter()
        .map(|o| o.ok_or_else(|| Error::internal("clustering was cancelled")))
        .collect()
}

/// Fits on n rows of d features (row-major); returns the model and each row's label (-1 noise).
pub fn fit(
    x: &[f64],
    d: usize,
    p: &DbscanParams,
    progress: &Progress,
) -> Result<(DbscanModel, Vec<i64>)> {
    let n = x.len().checked_div(d).unwrap_or(0);
    if n == 0 || d == 0 {
        return Err(Error::data("there are no rows to cluster"));
    }
    if n > u32::MAX as usize {
        return Err(Error::data("DBSCAN takes at most 2^32 - 1 rows"));
    }
    let nb = neighbourhoods(x, d, n, p.eps, progress)?;
    let is_core: Vec<bool> = nb.iter().map(|v| v.len() >= p.min_samples).collect();
    let mut labels = vec![-1i64; n];
    let mut next = 0i64;
    let mut stack: Vec<usize> = Vec::new();
    for start in 0..n {
        if labels[start] != -1 || !is_core[start] {
            continue;
        }
        let mut i = start;
        loop {
            if labels[i] == -1 {
                labels[i] = next;
                if is_core[i] {
                    for &v in &nb[i] {
                        if labels[v as usize] == -1 {
                            stack.push(v as usize);
                        }
                    }
                }
            }
            match stack.pop() {
                Some(j) => i = j,
                None => break,
            }
        }
        next += 1;
    }
    let cores: Vec<usize> = (0..n).filter(|&i| is_core[i]).collect();
    let mut sorted = cores.clone();
    sorted.sort_by(|&a, &b| x[a * d].total_cmp(&x[b * d]).then(a.cmp(&b)));
    let model = DbscanModel {
        d,
        eps: p.eps,
        core: sorted
            .iter()
            .flat_map(|&i| x[i * d..(i + 1) * d].iter().copied())
            .collect(),
        core_label: sorted.iter().map(|&i| labels[i] as i32).collect(),
        n_clusters: next as usize,
    };
    Ok((model, labels))
}

impl DbscanModel {
    /// The cluster of the nearest core point within eps (ties: the first in storage order), else -1.
    pub fn predict(&self, row: &[f64]) -> i64 {
        let d = self.d;
        let n = self.core_label.len();
        if d == 0 || row.len() < d || n == 0 {
            return -1;
        }
        let key = |i: usize| self.core[i * d];
        // First core point with key ≥ row[0] - eps.
        let (mut lo, mut hi) = (0, n);
        while lo < hi {
            let mid = (lo + hi) / 2;
            if key(mid) < row[0] - self.eps {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        let eps2 = self.eps * self.eps;
        let mut best = (-1i64, f64::INFINITY);
        for i in lo..n {
            if key(i) > row[0] + self.eps {
                break;
            }
            let s = sq(row, &self.core[i * d..(i + 1) * d]);
            if s <= eps2 && s < best.1 {
                best = (self.core_label[i] as i64, s);
            }
        }
        best.0
    }
}

#[cfg(test)]
#[path = "tests/dbscan.rs"]
mod tests;
