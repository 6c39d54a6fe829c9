//! Isolation forest (Liu, Ting and Zhou 2008) as scikit-learn's `IsolationForest` builds it:
//! each tree grows on a subsample drawn without replacement (`max_samples`, default
//! min(256, n)) to depth ceil(log2(max_samples)), splitting on a random non-constant feature at
//! a uniform threshold between its minimum and maximum in the node. The anomaly score of a row
//! is 2^(-E[h(x)] / c(max_samples)), in (0, 1], higher meaning more anomalous; it equals
//! `-IsolationForest.score_samples`. The threshold that flags anomalies is 0.5 for
//! contamination "auto", else the training scores' (1 - contamination) quantile.

use std::sync::atomic::Ordering;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::error::{Error, Result};
use super::forest::Progress;
use super::rng::Rng;

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum MaxSamples {
    Auto,
    Count(usize),
    Fraction(f64),
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct IsolationParams {
    pub n_estimators: usize,
    pub max_samples: MaxSamples,
    /// None: "auto" (threshold 0.5).
    pub contamination: Option<f64>,
    /// Fraction of the features each tree may split on.
    pub max_features: f64,
}

/// A node: a split (feature, threshold, children) or a leaf whose `value` is its depth plus the
/// expected path length of the rows it still holds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Node {
    pub feature: u32,
    pub left: u32,
    pub right: u32,
    pub value: f64,
}

const LEAF: u32 = u32::MAX;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IsolationTree {
    pub nodes: Vec<Node>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IsolationForest {
    pub trees: Vec<IsolationTree>,
    /// c(max_samples): the normaliser of path lengths.
    pub norm: f64,
    pub threshold: f64,
    pub max_samples: usize,
}

/// Average path length of an unsuccessful search in a binary search tree of n points.
pub fn average_path(n: usize) -> f64 {
    match n {
        0 | 1 => 0.0,
        2 => 1.0,
        _ => {
            let m = (n - 1) as f64;
            2.0 * (m.ln() + 0.577_215_664_901_532_9) - 2.0 * m / n as f64
        }
    }
}

impl IsolationTree {
    fn path(&self, x: &[f64]) -> f64 {
        let mut i = 0usize;
        loop {
            let Some(node) = self.nodes.get(i) else {
                return 0.0;
            };
            if node.left == LEAF {
                return node.value;
            }
            let v = x.get(node.feature as usize).copied().unwrap_or(0.0);
            i = if v <= node.value {
                node.left
            } else {
                node.right
            } as usize;
        }
    }
}

impl IsolationForest {
    /// The anomaly score in (0, 1]: higher is more anomalous.
    pub fn score(&self, x: &[f64]) -> f64 {
        if self.trees.is_empty() || self.norm <= 0.0 {
            return 0.5;
        }
        let mean = self.trees.iter().map(|t| t.path(x)).sum::<f64>() / self.trees.len() as f64;
        2f64.powf(-mean / self.norm)
    }

    pub fn is_anomaly(&self, x: &[f64]) -> bool {
        self.score(x) > self.threshold
    }
}

struct Builder<'a> {
    x: &'a [f64],
    d: usize,
    features: Vec<usize>,
    max_depth: usize,
    nodes: Vec<Node>,
}

impl Builder<'_> {
    fn grow(&mut self, rows: &mut [usize], depth: usize, rng: &mut Rng) -> u32 {
        let id = self.nodes.len() as u32;
        let leaf = Node {
            feature: 0,
            left: LEAF,
            right: LEAF,
            value: depth as f64 + average_path(rows.len()),
        };
        self.nodes.push(leaf);
        if depth >= self.max_depth || rows.len() <= 1 {
            return id;
        }
        // Draw features without replacement until one is not constant in this node.
        let mut candidates = self.features.clone();
        let mut chosen = None;
        while !candidates.is_empty() {
            let f = candidates.swap_remove(rng.below(candidates.len()));
            let (lo, hi) = rows
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &r| {
                    let v = self.x[r * self.d + f];
                    (a.min(v), b.max(v))
                });
            if hi > lo {
                chosen = Some((f, lo, hi));
                break;
            }
        }
        let Some((f, lo, hi)) = chosen else {
            return id;
        };
        let mut t = lo + rng.unit() * (hi - lo);
        if t >= hi {
            t = lo;
        }
        let mut split = 0;
        for i in 0..rows.len() {
            if self.x[rows[i] * self.d + f] <= t {
                rows.swap(i, split);
                split += 1;
            }
        }
        let (l, r) = rows.split_at_mut(split);
        let left = self.grow(l, depth + 1, rng);
        let right = self.grow(r, depth + 1, rng);
        self.nodes[id as usize] = Node {
            feature: f as u32,
            left,
            right,
            value: t,
        };
        id
    }
}

/// The (1 - q) quantile with linear interpolation, as numpy.percentile does.
fn upper_quantile(scores: &[f64], q: f64) -> f64 {
    let mut s = scores.to_vec();
    s.sort_by(f64::total_cmp);
    let n = s.len();
    if n == 0 {
        return 0.5;
    }
    let pos = (1.0 - q) * (n - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = (lo + 1).min(n - 1);
    s[lo] + (pos - lo as f64) * (s[hi] - s[lo])
}

/// Fits on the given rows of a row-major matrix with d columns. Trees are built in parallel,
/// each from its own seeded generator, so a seed gives the same forest on any thread count.
pub fn fit(
    x: &[f64],
    d: usize,
    rows: &[usize],
    p: &IsolationParams,
    seed: u64,
    progress: &Progress,
) -> Result<IsolationForest> {
    let n = rows.len();
    if n == 0 || d == 0 {
        return Err(Error::data(
            "there are no rows to fit an isolation forest on",
        ));
    }
    let psi = match p.max_samples {
        MaxSamples::Auto => n.min(256),
        MaxSamples::Count(k) => k.min(n),
        MaxSamples::Fraction(f) => ((f * n as f64) as usize).max(1),
    };
    let n_features = ((p.max_features * d as f64) as usize).clamp(1, d);
    let max_depth = (psi.max(2) as f64).log2().ceil() as usize;
    let mut root = Rng::new(seed);
    let seeds: Vec<u64> = (0..p.n_estimators).map(|_| root.next_u64()).collect();
    let trees: Vec<Option<IsolationTree>> = seeds
        .par_iter()
        .map(|&s| {
            if progress.cancel.load(Ordering::Relaxed) {
                return None;
            }
            let mut rng = Rng::new(s);
            // Subsample without replacement: a partial shuffle of row positions.
            let mut pos: Vec<usize> = rows.to_vec();
            for i in 0..psi {
                let j = i + rng.below(n - i);
                pos.swap(i, j);
            }
            pos.truncate(psi);
            let mut features: Vec<usize> = (0..d).collect();
            if n_features < d {
                rng.shuffle(&mut features);
                features.truncate(n_features);
            }
            let mut b = Builder {
                x,
                d,
                features,
                max_depth,
                nodes: Vec::new(),
            };
            b.grow(&mut pos, 0, &mut rng);
            progress.done.fetch_add(1, Ordering::Relaxed);
            Some(IsolationTree { nodes: b.nodes })
        })
        .collect();
    let trees: Vec<IsolationTree> = trees
        .into_iter()
        .collect::<Option<_>>()
        .ok_or_else(|| Error::internal("training was cancelled"))?;
    let mut forest = IsolationForest {
        trees,
        norm: average_path(psi),
        threshold: 0.5,
        max_samples: psi,
    };
    if let Some(c) = p.contamination {
        let scores: Vec<f64> = rows
            .par_iter()
            .map(|&r| forest.score(&x[r * d..(r + 1) * d]))
            .collect();
        forest.threshold = upper_quantile(&scores, c);
    }
    Ok(forest)
}

#[cfg(test)]
#[path = "tests/isolation.rs"]
mod tests;
