//! k-means (Lloyd's algorithm) with greedy k-means++ seeding, several seeded initialisations
//! keeping the lowest inertia, and scikit-learn's tolerance rule (centre shift against the mean
//! feature variance). Assignment runs in parallel.

use std::sync::atomic::Ordering;

use rayon::prelude::*;
use serde_json::{Map, Value};

use crate::common::budget::Budget;
use crate::common::error::{Error, Result};
use crate::common::numeric::squared_distance;
use crate::common::progress::Progress;
use crate::common::rng::Rng;

#[derive(Debug, Clone, PartialEq)]
pub struct KMeansParams {
    pub k: usize,
    pub n_init: usize,
    pub max_iter: usize,
    pub tol: f64,
    pub seed: u64,
}

impl KMeansParams {
    /// Defaults (n_init 10, max_iter 300, tol 1e-4, seed 42) with `options` on top; unknown
    /// keys are errors naming them.
    pub fn parse(k: i64, options: Option<&Value>) -> Result<KMeansParams> {
        if k < 1 {
            return Err(Error::param(format!("k must be at least 1; got {k}")));
        }
        let mut p = KMeansParams {
            k: k as usize,
            n_init: 10,
            max_iter: 300,
            tol: 1e-4,
            seed: 42,
        };
        let empty = Map::new();
        let map = match options {
            None | Some(Value::Null) => &empty,
            Some(Value::Object(m)) => m,
            Some(other) => {
                return Err(Error::param(format!(
                    "options must be a JSON object; got {other}"
                )))
            }
        };
        for (key, v) in map {
            let int = |lo: u64, hi: u64| {
                v.as_u64().filter(|x| (lo..=hi).contains(x)).ok_or_else(|| {
                    Error::param(format!(
                        "option \"{key}\" must be an integer in [{lo}, {hi}]; got {v}"
                    ))
                })
            };
            match key.as_str() {
                "n_init" => p.n_init = int(1, 1000)? as usize,
                "max_iter" => p.max_iter = int(1, 100_000)? as usize,
                "seed" => p.seed = int(0, u64::MAX)?,
                "tol" => {
                    p.tol = v
                        .as_f64()
                        .filter(|t| *t >= 0.0 && t.is_finite())
                        .ok_or_else(|| {
                            Error::param(format!("option \"tol\" must be a number ≥ 0; got {v}"))
                        })?
                }
                other => {
                    return Err(Error::param(format!(
                        "unknown option \"{other}\"; allowed: n_init, max_iter, tol, seed"
                    )))
                }
            }
        }
        Ok(p)
    }
}

/// A stored k-means model: rows join the cluster of the nearest centroid.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct KMeansModel {
    pub d: usize,
    /// k × d, row-major.
    pub centroids: Vec<f64>,
}

impl KMeansModel {
    /// Index of the nearest centroid (ties: the lower index).
    pub fn predict(&self, row: &[f64]) -> i64 {
        if self.d == 0 || row.len() < self.d {
            return -1;
        }
        nearest(&row[..self.d], &self.centroids, self.d).0 as i64
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct KMeansFit {
    /// k × d, row-major, sorted by coordinates (a stable order for the same data and seed).
    pub centroids: Vec<f64>,
    pub inertia: f64,
    pub n_iter: usize,
}

/// Nearest centre and its squared distance.
fn nearest(row: &[f64], centers: &[f64], d: usize) -> (usize, f64) {
    centers
        .chunks_exact(d)
        .enumerate()
        .map(|(c, ctr)| (c, squared_distance(row, ctr)))
        .fold(
            (0, f64::INFINITY),
            |best, cur| if cur.1 < best.1 { cur } else { best },
        )
}

/// Greedy k-means++: each new centre is the best of 2 + ln(k) candidates drawn in proportion
/// to the squared distance to the nearest chosen centre.
fn seed_centers(
    x: &[f64],
    n: usize,
    d: usize,
    k: usize,
    rng: &mut Rng,
    progress: &Progress,
) -> Result<Vec<f64>> {
    let mut centers = Vec::with_capacity(k * d);
    let first = rng.below(n);
    centers.extend_from_slice(&x[first * d..(first + 1) * d]);
    let mut closest: Vec<f64> = x
        .par_chunks(d)
        .map(|r| squared_distance(r, &centers[..d]))
        .collect();
    let trials = 2 + (k as f64).ln() as usize;
    for _ in 1..k {
        // A centre is a pass over the rows: cancel between centres.
        if progress.cancelled() {
            return Err(Error::internal("clustering was cancelled"));
        }
        let total: f64 = closest.iter().sum();
        let mut cumulative = Vec::with_capacity(n);
        let mut acc = 0.0;
        for &c in &closest {
            acc += c;
            cumulative.push(acc);
        }
        let candidates: Vec<usize> = (0..trials)
            .map(|_| {
                if total <= 0.0 {
                    rng.below(n)
                } else {
                    cumulative
                        .partition_point(|&c| c < rng.unit() * total)
                        .min(n - 1)
                }
            })
            .collect();
        // The potential (sum of squared distances to the nearest centre) with each candidate
        // added, in one parallel pass over the rows; then the winner's distances, in place.
        let cand_rows: Vec<&[f64]> = candidates.iter().map(|&c| &x[c * d..(c + 1) * d]).collect();
        let potentials = x
            .par_chunks(d * 4096)
            .zip(closest.par_chunks(4096))
            .map(|(block, near)| {
                let mut pot = vec![0.0; cand_rows.len()];
                for (r, &c) in block.chunks_exact(d).zip(near) {
                    for (p, ctr) in pot.iter_mut().zip(&cand_rows) {
                        *p += c.min(squared_distance(r, ctr));
                    }
                }
                pot
            })
            .reduce(
                || vec![0.0; cand_rows.len()],
                |a, b| a.iter().zip(&b).map(|(x, y)| x + y).collect(),
            );
        let best = potentials
            .iter()
            .enumerate()
            .min_by(|a, b| a.1.total_cmp(b.1))
            .map_or(candidates[0], |(i, _)| candidates[i]);
        let ctr = &x[best * d..(best + 1) * d];
        closest
            .par_chunks_mut(4096)
            .zip(x.par_chunks(d * 4096))
            .for_each(|(near, block)| {
                for (c, r) in near.iter_mut().zip(block.chunks_exact(d)) {
                    *c = c.min(squared_distance(r, ctr));
                }
            });
        centers.extend_from_slice(&x[best * d..(best + 1) * d]);
    }
    Ok(centers)
}

/// Rows per partial sum of a Lloyd step.
const CHUNK: usize = 4096;
/// Partial sums (k × d each) computed and held at once.
pub const GROUP: usize = 8;

/// One Lloyd run from a seeded start.
fn run_once(
    x: &[f64],
    n: usize,
    d: usize,
    p: &KMeansParams,
    tol: f64,
    rng: &mut Rng,
    progress: &Progress,
) -> Result<KMeansFit> {
    let k = p.k;
    let mut centers = seed_centers(x, n, d, k, rng, progress)?;
    let mut n_iter = 0;
    for it in 0..p.max_iter {
        if progress.cancel.load(Ordering::Relaxed) {
            return Err(Error::internal("clustering was cancelled"));
        }
        n_iter = it + 1;
        // Sums and counts per centre, in fixed chunks so the result does not depend on threads;
        // a group of chunks at a time (in chunk order: the same sums), so that at most GROUP
        // partial sums exist and cancel is seen between groups.
        let mut sums = vec![0.0; k * d];
        let mut counts = vec![0usize; k];
        for group in x.chunks(d * CHUNK * GROUP) {
            if progress.cancelled() {
                return Err(Error::internal("clustering was cancelled"));
            }
            let partial: Vec<(Vec<f64>, Vec<usize>)> = group
                .par_chunks(d * CHUNK)
                .map(|block| {
                    let mut sums = vec![0.0; k * d];
                    let mut counts = vec![0usize; k];
                    for row in block.chunks_exact(d) {
                        let (c, _) = nearest(row, &centers, d);
                        counts[c] += 1;
                        sums[c * d..(c + 1) * d]
                            .iter_mut()
                            .zip(row)
                            .for_each(|(s, v)| *s += v);
                    }
                    (sums, counts)
                })
                .collect();
            for (s, c) in &partial {
                sums.iter_mut().zip(s).for_each(|(a, b)| *a += b);
                counts.iter_mut().zip(c).for_each(|(a, b)| *a += b);
            }
        }
        let mut next = centers.clone();
        for c in 0..k {
            if counts[c] > 0 {
                for j in 0..d {
                    next[c * d + j] = sums[c * d + j] / counts[c] as f64;
                }
            } else {
                // An empty cluster takes the point farthest from its centre.
                let far = x
                    .par_chunks(d)
                    .enumerate()
                    .map(|(i, r)| (i, nearest(r, &next, d).1))
                    .reduce(|| (0, -1.0), |a, b| if b.1 > a.1 { b } else { a })
                    .0;
                next[c * d..(c + 1) * d].copy_from_slice(&x[far * d..(far + 1) * d]);
            }
        }
        let shift: f64 = centers
            .iter()
            .zip(&next)
            .map(|(a, b)| (a - b) * (a - b))
            .sum();
        centers = next;
        if shift <= tol {
            break;
        }
    }
    let inertia = x.par_chunks(d).map(|r| nearest(r, &centers, d).1).sum();
    Ok(KMeansFit {
        centroids: centers,
        inertia,
        n_iter,
    })
}

/// k-means on n rows of d features (row-major). Errors when k > n.
pub fn fit(
    x: &[f64],
    d: usize,
    p: &KMeansParams,
    budget: &Budget,
    progress: &Progress,
) -> Result<KMeansFit> {
    budget.check_items(
        "the k-means centres and their partial sums (k × columns)",
        p.k.saturating_mul(d),
        8 * (GROUP + 3),
    )?;
    let n = x.len().checked_div(d).unwrap_or(0);
    if n == 0 {
        return Err(Error::data("there are no rows to cluster"));
    }
    if p.k > n {
        return Err(Error::data(format!(
            "k = {} but there are only {n} rows",
            p.k
        )));
    }
    // scikit-learn's tolerance: tol × the mean of the per-feature variances.
    // Mean feature variance (scikit-learn scales tol by it), in one parallel pass per moment.
    let add = |a: Vec<f64>, b: Vec<f64>| a.iter().zip(&b).map(|(x, y)| x + y).collect::<Vec<f64>>();
    let sums = x
        .par_chunks(d * 4096)
        .map(|block| {
            let mut s = vec![0.0; d];
            for row in block.chunks_exact(d) {
                s.iter_mut().zip(row).for_each(|(a, v)| *a += v);
            }
            s
        })
        .reduce(|| vec![0.0; d], add);
    let mean: Vec<f64> = sums.iter().map(|s| s / n as f64).collect();
    let var: f64 = x
        .par_chunks(d * 4096)
        .map(|block| {
            let mut s = vec![0.0; d];
            for row in block.chunks_exact(d) {
                for ((a, v), m) in s.iter_mut().zip(row).zip(&mean) {
                    *a += (v - m) * (v - m);
                }
            }
            s
        })
        .reduce(|| vec![0.0; d], add)
        .iter()
        .sum::<f64>()
        / n as f64
        / d as f64;
    let tol = p.tol * var;
    let mut rng = Rng::new(p.seed);
    let mut best: Option<KMeansFit> = None;
    for i in 0..p.n_init {
        let mut run_rng = rng.fork(i as u64);
        let fit = run_once(x, n, d, p, tol, &mut run_rng, progress)?;
        progress.done.fetch_add(1, Ordering::Relaxed);
        if best.as_ref().is_none_or(|b| fit.inertia < b.inertia) {
            best = Some(fit);
        }
    }
    let mut best = best.ok_or_else(|| Error::internal("no k-means run finished"))?;
    let mut rows: Vec<Vec<f64>> = best
        .centroids
        .chunks_exact(d)
        .map(<[f64]>::to_vec)
        .collect();
    rows.sort_by(|a, b| {
        a.iter()
            .zip(b)
            .map(|(x, y)| x.total_cmp(y))
            .find(|o| o.is_ne())
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    best.centroids = rows.concat();
    Ok(best)
}

#[cfg(test)]
mod tests {

    use serde_json::json;

    use super::*;

    fn blobs() -> Vec<f64> {
        let mut rng = Rng::new(3);
        let centers = [[0.0, 0.0], [10.0, 10.0], [0.0, 10.0]];
        let mut x = Vec::new();
        for c in centers {
            for _ in 0..50 {
                x.push(c[0] + rng.unit() - 0.5);
                x.push(c[1] + rng.unit() - 0.5);
            }
        }
        x
    }

    #[test]
    fn finds_well_separated_blobs_reproducibly() {
        let x = blobs();
        let p = KMeansParams::parse(3, None).unwrap();
        let a = fit(&x, 2, &p, &Budget::unlimited(), &Progress::default()).unwrap();
        assert_eq!(
            a,
            fit(&x, 2, &p, &Budget::unlimited(), &Progress::default()).unwrap()
        );
        let mut c: Vec<Vec<i64>> = a
            .centroids
            .chunks(2)
            .map(|r| r.iter().map(|v| v.round() as i64).collect())
            .collect();
        c.sort();
        assert_eq!(c, vec![vec![0, 0], vec![0, 10], vec![10, 10]]);
        assert!(a.inertia < 150.0 * 0.2);
    }

    #[test]
    fn bad_parameters() {
        assert!(KMeansParams::parse(0, None)
            .unwrap_err()
            .message
            .contains("k must"));
        assert!(KMeansParams::parse(2, Some(&json!({"n_inits": 3})))
            .unwrap_err()
            .message
            .contains("\"n_inits\""));
        assert!(KMeansParams::parse(2, Some(&json!({"tol": -1}))).is_err());
        let p = KMeansParams::parse(5, None).unwrap();
        assert!(fit(
            &[1.0, 2.0, 3.0],
            1,
            &p,
            &Budget::unlimited(),
            &Progress::default()
        )
        .unwrap_err()
        .message
        .contains("only 3 rows"));
        assert!(fit(&[], 1, &p, &Budget::unlimited(), &Progress::default()).is_err());
    }

    #[test]
    fn kmeans_inertia_within_one_percent_of_sklearn() {
        use crate::common::progress::Progress;
        use crate::learners::cluster::kmeans::{fit, KMeansParams};
        use crate::test_support::floats;
        let f = crate::test_support::fixture("sklearn_reference.json");
        let c = &f["kmeans"];
        let k = c["k"].as_i64().unwrap();
        let ours = fit(
            &floats(&c["x"]),
            3,
            &KMeansParams::parse(k, None).unwrap(),
            &Budget::unlimited(),
            &Progress::default(),
        )
        .unwrap();
        let theirs = c["inertia"].as_f64().unwrap();
        assert!(
            ours.inertia <= theirs * 1.01,
            "ours {}, sklearn {theirs}",
            ours.inertia
        );
    }
}
