//! CART decision trees (scikit-learn's DecisionTreeClassifier / DecisionTreeRegressor) — gini or
//! entropy for classes, squared error for values — grown by the binned engine that also grows
//! the forests (hist_forest.rs; with at most 255 distinct values a feature's cuts are the exact
//! ones). Nodes are stored flat, so scoring a row is a loop with no allocation; every node keeps
//! its output (class proportions or mean), so a prediction can be explained along its path.

use serde::{Deserialize, Serialize};

use super::binning;
use super::hist_forest;
use super::rng::Rng;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Criterion {
    Gini,
    Entropy,
    SquaredError,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TreeParams {
    pub max_depth: Option<usize>,
    pub min_samples_split: usize,
    pub min_samples_leaf: usize,
    /// Features tried per split; None = all.
    pub max_features: Option<usize>,
    pub criterion: Criterion,
}

/// max_features as given: resolved against the number of columns at fit time.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum MaxFeatures {
    All,
    Sqrt,
    Log2,
    Count(usize),
    Fraction(f64),
}

impl MaxFeatures {
    /// Features tried per split out of p.
    pub fn resolve(self, p: usize) -> usize {
        let k = match self {
            MaxFeatures::All => p,
            MaxFeatures::Sqrt => (p as f64).sqrt().floor() as usize,
            MaxFeatures::Log2 => (p as f64).log2().floor() as usize,
            MaxFeatures::Count(k) => k,
            MaxFeatures::Fraction(f) => (f * p as f64).floor() as usize,
        };
        k.clamp(1, p.max(1))
    }
}

/// The label of each training row.
#[derive(Debug, Clone, Copy)]
pub enum Labels<'a> {
    Classes { y: &'a [usize], n_classes: usize },
    Values(&'a [f64]),
}

pub const LEAF: u32 = u32::MAX;

/// Set in a split node's feature field when missing values (NaN) go left; clear, they go right
/// (as in models trained before missing values were routed, where NaN <= t was false).
pub const MISSING_LEFT: u32 = 1 << 31;

/// The feature index of a split node's feature field.
#[inline]
pub fn split_feature(field: u32) -> usize {
    (field & !MISSING_LEFT) as usize
}

/// Whether value v goes to the left child of a split on (field, threshold).
#[inline]
pub fn goes_left(field: u32, threshold: f64, v: f64) -> bool {
    if v.is_nan() {
        field & MISSING_LEFT != 0
    } else {
        v <= threshold
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Node {
    /// Split feature, or LEAF.
    pub feature: u32,
    pub threshold: f64,
    /// Left child (x <= threshold); for a leaf, the offset of its values.
    pub left: u32,
    pub right: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tree {
    pub nodes: Vec<Node>,
    /// Node outputs: class proportions (width n_classes) or the mean value (width 1), for every
    /// node in node order (trees trained before node outputs were kept: for leaves only).
    pub values: Vec<f64>,
    pub width: usize,
    /// Total weighted impurity decrease per feature (unnormalized).
    pub gain: Vec<f64>,
}

impl Tree {
    /// The leaf's outputs for a row of `x` (len = number of features).
    pub fn leaf(&self, x: &[f64]) -> &[f64] {
        let mut i = 0usize;
        // Bounded walk: a tree never has more levels than nodes.
        for _ in 0..self.nodes.len() {
            let Some(node) = self.nodes.get(i) else { break };
            if node.feature == LEAF {
                let start = node.left as usize;
                return self.values.get(start..start + self.width).unwrap_or(&[]);
            }
            let v = x.get(split_feature(node.feature)).copied().unwrap_or(0.0);
            i = if goes_left(node.feature, node.threshold, v) {
                node.left
            } else {
                node.right
            } as usize;
        }
        &[]
    }

    /// Whether every node keeps its output (so a prediction can be explained).
    pub fn has_node_values(&self) -> bool {
        self.values.len() == self.nodes.len() * self.width
    }

    /// Path-based contributions of a row: adds the root's output to `base` (len width) and,
    /// per split on the row's path, the child's output minus its parent's to
    /// `contrib[feature * width..]`; base + contributions = the leaf's output. False (and
    /// nothing added) when the tree keeps leaf outputs only.
    pub fn explain(&self, x: &[f64], base: &mut [f64], contrib: &mut [f64]) -> bool {
        let w = self.width;
        if !self.has_node_values() || base.len() < w {
            return false;
        }
        let value = |i: usize| &self.values[i * w..(i + 1) * w];
        base.iter_mut().zip(value(0)).for_each(|(b, v)| *b += v);
        let mut i = 0usize;
        for _ in 0..self.nodes.len() {
            let Some(node) = self.nodes.get(i) else { break };
            if node.feature == LEAF {
                break;
            }
            let f = split_feature(node.feature);
            let v = x.get(f).copied().unwrap_or(0.0);
            let next = if goes_left(node.feature, node.threshold, v) {
                node.left
            } else {
                node.right
            } as usize;
            if next >= self.nodes.len() {
                break;
            }
            if let Some(c) = contrib.get_mut(f * w..(f + 1) * w) {
                for ((c, a), b) in c.iter_mut().zip(value(next)).zip(value(i)) {
                    *c += a - b;
                }
            }
            i = next;
        }
        true
    }
}

/// Fits a decision tree on `rows` (may repeat rows, as a bootstrap sample does): the binned
/// engine of hist_forest.rs on all the rows, with every candidate feature (or max_features of
/// them) at each split. X is row-major n × p.
pub fn fit(
    x: &[f64],
    p: usize,
    labels: Labels,
    rows: &[usize],
    params: &TreeParams,
    rng: &mut Rng,
) -> Tree {
    let binned = binning::bin(x, p, rows, binning::MAX_BINS, rng.next_u64());
    let mut rows: Vec<u32> = rows.iter().map(|&r| r as u32).collect();
    rows.sort_unstable();
    hist_forest::fit_tree(&binned, labels, rows, params, false, rng)
}

/// Gini or entropy (bits) of class counts summing to n.
pub(crate) fn class_impurity(counts: &[f64], n: f64, criterion: Criterion) -> f64 {
    if n <= 0.0 {
        return 0.0;
    }
    match criterion {
        Criterion::Entropy => counts
            .iter()
            .filter(|&&c| c > 0.0)
            .map(|&c| {
                let q = c / n;
                -q * q.log2()
            })
            .sum(),
        _ => 1.0 - counts.iter().map(|&c| (c / n) * (c / n)).sum::<f64>(),
    }
}

#[cfg(test)]
#[path = "tests/tree.rs"]
mod tests;
