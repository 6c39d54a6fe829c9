//! DBSCAN as scikit-learn runs it: a point is a core point when at least `min_samples` points
//! (itself included) lie within `eps` (euclidean); clusters grow from core points in row order,
//! depth first, so a border point reachable from two clusters joins the first one that reaches
//! it. Labels are identical to `sklearn.cluster.DBSCAN(...).labels_` on the same rows.
//!
//! Neighbourhoods are found by brute force in parallel, pruned by sorting the points on their
//! first coordinate (only points within eps on it can be neighbours). The stored model keeps the
//! core points and their clusters; a new row joins the cluster of its nearest core point within
//! eps, else it is noise (-1).

use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::common::budget::Budget;
use crate::common::error::{Error, Result};
use crate::common::numeric::squared_distance;
use crate::common::progress::Progress;

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

/// Rows sorted by their first coordinate, and those coordinates in that order.
fn by_first(x: &[f64], d: usize, n: usize) -> (Vec<u32>, Vec<f64>) {
    let mut order: Vec<u32> = (0..n as u32).collect();
    order.sort_by(|&a, &b| x[a as usize * d].total_cmp(&x[b as usize * d]));
    let keys = order.iter().map(|&i| x[i as usize * d]).collect();
    (order, keys)
}

/// The neighbours (indices, ascending) of every row within eps, itself included. The lists
/// are counted against `budget` as they are found (a large eps on many rows asks for n²
/// entries): past it, every row stops and the fit is the budget's error. Every row checks
/// for cancel, so a cancelled fit stops within one row's scan.
fn neighbourhoods(
    x: &[f64],
    d: usize,
    n: usize,
    eps: f64,
    budget: &Budget,
    progress: &Progress,
) -> Result<Vec<Vec<u32>>> {
    let (order, keys) = by_first(x, d, n);
    let eps2 = eps * eps;
    // Entries found so far (4 bytes each, plus a list header per row).
    let found = AtomicUsize::new(0);
    let limit = budget.limit().saturating_sub(n.saturating_mul(24)) / 4;
    let out: Vec<Option<Vec<u32>>> = (0..n)
        .into_par_iter()
        .map(|i| {
            if progress.cancel.load(Ordering::Relaxed) || found.load(Ordering::Relaxed) > limit {
                return None;
            }
            let row = &x[i * d..(i + 1) * d];
            let lo = keys.partition_point(|&k| k < row[0] - eps);
            let hi = keys.partition_point(|&k| k <= row[0] + eps);
            let mut nb: Vec<u32> = order[lo..hi]
                .iter()
                .copied()
                .filter(|&j| {
                    squared_distance(row, &x[j as usize * d..(j as usize + 1) * d]) <= eps2
                })
                .collect();
            nb.sort_unstable();
            found.fetch_add(nb.len(), Ordering::Relaxed);
            Some(nb)
        })
        .collect();
    let total = found.load(Ordering::Relaxed);
    if total > limit {
        return Err(budget.exceeded("the DBSCAN neighbourhoods (eps is large for these rows)"));
    }
    out.into_iter()
        .map(|o| o.ok_or_else(|| Error::internal("clustering was cancelled")))
        .collect()
}

/// Fits on n rows of d features (row-major); returns the model and each row's label (-1 noise).
pub fn fit(
    x: &[f64],
    d: usize,
    p: &DbscanParams,
    budget: &Budget,
    progress: &Progress,
) -> Result<(DbscanModel, Vec<i64>)> {
    let n = x.len().checked_div(d).unwrap_or(0);
    if n == 0 || d == 0 {
        return Err(Error::data("there are no rows to cluster"));
    }
    if n > u32::MAX as usize {
        return Err(Error::data("DBSCAN takes at most 2^32 - 1 rows"));
    }
    let nb = neighbourhoods(x, d, n, p.eps, budget, progress)?;
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
            let s = squared_distance(row, &self.core[i * d..(i + 1) * d]);
            if s <= eps2 && s < best.1 {
                best = (self.core_label[i] as i64, s);
            }
        }
        best.0
    }
}

#[cfg(test)]
mod tests {
    //! With scikit-learn's labels from
    //! tests/fixtures/sklearn_unsupervised.json (written by tests/fixtures/sklearn_unsupervised.py).

    use serde_json::Value;

    use super::*;
    use crate::test_support::floats;

    fn fixture() -> Value {
        crate::test_support::fixture("sklearn_unsupervised.json")
    }

    #[test]
    fn labels_are_identical_to_sklearn() {
        let f = fixture();
        for case in f["dbscan"].as_array().unwrap() {
            let d = case["d"].as_u64().unwrap() as usize;
            let x = floats(&case["x"]);
            let p = DbscanParams {
                eps: case["eps"].as_f64().unwrap(),
                min_samples: case["min_samples"].as_u64().unwrap() as usize,
            };
            let expected: Vec<i64> = case["labels"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_i64().unwrap())
                .collect();
            let (model, labels) =
                fit(&x, d, &p, &Budget::unlimited(), &Progress::default()).unwrap();
            // Same numbering too, not only the same partition: clusters are numbered in row order.
            assert_eq!(labels, expected, "d = {d}");
            let clusters = expected.iter().copied().max().unwrap() + 1;
            assert_eq!(model.n_clusters as i64, clusters);
            assert!(expected.contains(&-1), "the fixture has noise points");
            // Every core point predicts its own cluster; a far-away point is noise.
            for (i, row) in x.chunks(d).enumerate() {
                let got = model.predict(row);
                if got != -1 {
                    assert!(got < clusters);
                }
                if expected[i] == -1 {
                    assert_eq!(got, -1, "noise row {i} stays noise");
                }
            }
            for (c, l) in model.core.chunks(d).zip(&model.core_label) {
                assert_eq!(model.predict(c), *l as i64);
            }
            assert_eq!(model.predict(&vec![1e6; d]), -1);
        }
    }

    #[test]
    fn new_rows_join_the_nearest_core_point_within_eps() {
        // Two clusters on a line: 0..=4 and 10..=14 (step 1), eps 1.5, min_samples 3.
        let x: Vec<f64> = (0..5).chain(10..15).map(|v| v as f64).collect();
        let p = DbscanParams {
            eps: 1.5,
            min_samples: 3,
        };
        let (m, labels) = fit(&x, 1, &p, &Budget::unlimited(), &Progress::default()).unwrap();
        assert_eq!(labels, vec![0, 0, 0, 0, 0, 1, 1, 1, 1, 1]);
        // Core points are 1,2,3 and 11,12,13 (0 and 4 have only 2 neighbours).
        assert_eq!(m.core_label.len(), 6);
        assert_eq!(m.predict(&[2.4]), 0);
        assert_eq!(m.predict(&[11.6]), 1);
        // 5.4 is within eps of the border point 4 but 2.4 from the nearest core point 3: noise.
        assert_eq!(m.predict(&[5.4]), -1);
        assert_eq!(m.predict(&[-0.4]), 0);
        assert_eq!(m.predict(&[]), -1);
    }

    #[test]
    fn everything_noise_and_one_cluster() {
        let x = vec![0.0, 10.0, 20.0];
        let (m, labels) = fit(
            &x,
            1,
            &DbscanParams {
                eps: 1.0,
                min_samples: 2,
            },
            &Budget::unlimited(),
            &Progress::default(),
        )
        .unwrap();
        assert_eq!(labels, vec![-1, -1, -1]);
        assert_eq!(m.n_clusters, 0);
        assert_eq!(m.predict(&[0.0]), -1);
        let (m, labels) = fit(
            &x,
            1,
            &DbscanParams {
                eps: 100.0,
                min_samples: 1,
            },
            &Budget::unlimited(),
            &Progress::default(),
        )
        .unwrap();
        assert_eq!(labels, vec![0, 0, 0]);
        assert_eq!(m.n_clusters, 1);
        assert!(fit(
            &[],
            1,
            &DbscanParams {
                eps: 1.0,
                min_samples: 1
            },
            &Budget::unlimited(),
            &Progress::default()
        )
        .is_err());
    }

    #[test]
    fn cancel_stops_the_neighbour_search() {
        let progress = Progress::default();
        progress.cancel.store(true, Ordering::Relaxed);
        let x = vec![0.0; 100];
        let e = fit(
            &x,
            2,
            &DbscanParams {
                eps: 1.0,
                min_samples: 2,
            },
            &Budget::unlimited(),
            &progress,
        )
        .unwrap_err();
        assert!(e.message.contains("cancelled"));
    }

    #[test]
    fn model_round_trips_through_bincode() {
        let x: Vec<f64> = (0..40).map(|v| (v % 7) as f64 * 0.3).collect();
        let (m, _) = fit(
            &x,
            2,
            &DbscanParams {
                eps: 0.5,
                min_samples: 2,
            },
            &Budget::unlimited(),
            &Progress::default(),
        )
        .unwrap();
        let bytes = bincode::serde::encode_to_vec(&m, bincode::config::standard()).unwrap();
        let (back, _): (DbscanModel, usize) =
            bincode::serde::decode_from_slice(&bytes, bincode::config::standard()).unwrap();
        assert_eq!(back, m);
    }

    /// Eps so large that every row neighbours every other: n² entries. Under a small budget
    /// the search stops and says so (it used to grow until the backend died).
    #[test]
    fn neighbour_lists_over_the_budget_are_an_error() {
        let x: Vec<f64> = (0..4000).map(|v| (v % 97) as f64).collect();
        let p = DbscanParams {
            eps: 1e6,
            min_samples: 2,
        };
        let e = fit(&x, 2, &p, &Budget::of_bytes(1 << 20), &Progress::default()).unwrap_err();
        assert_eq!(e.kind, crate::common::error::ErrorKind::OutOfMemory);
        assert!(
            e.message.starts_with("the DBSCAN neighbourhoods"),
            "{}",
            e.message
        );
        // 2,000 rows × 2,000 neighbours × 4 bytes = 16 MB fit in 64 MB.
        assert!(fit(&x, 2, &p, &Budget::of_bytes(64 << 20), &Progress::default()).is_ok());
    }
}
