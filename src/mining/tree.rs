//! CART decision trees (scikit-learn's DecisionTreeClassifier / DecisionTreeRegressor) — gini or
//! entropy for classes, squared error for values — grown by the binned engine that also grows
//! the forests (hist_forest.rs; with at most 255 distinct values a feature's cuts are the exact
//! ones). Nodes are stored flat (16 bytes each), so scoring a row is a loop with no allocation;
//! leaves keep their class counts (or mean and row count), from which every node's output
//! follows, so a prediction can be explained along its path.

use serde::{Deserialize, Serialize};

use super::binning;
use super::derived::Derived;
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

/// 16 bytes: a forest holds hundreds of thousands of them.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Node {
    pub threshold: f64,
    /// Split feature (with MISSING_LEFT), or LEAF.
    pub feature: u32,
    /// Split: the left child (x <= threshold); the right child is the next node. Leaf: the
    /// offset of its outputs in `values`.
    pub left: u32,
}

impl Node {
    #[inline]
    pub fn right(&self) -> u32 {
        self.left.wrapping_add(1)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tree {
    /// Children come after their parent.
    pub nodes: Vec<Node>,
    /// Regression: each leaf's mean (a leaf's `left` is its offset here). Empty for
    /// classification. Models of format 2 and before: class proportions or means, for leaves
    /// only or for every node in node order.
    pub values: Vec<f64>,
    /// Classification: each leaf's training rows per class (width per leaf; a leaf's `left`
    /// is its offset here), its outputs being their shares. Regression: each leaf's training
    /// rows. Bootstrap repeats counted. Inner nodes' outputs follow from the leaves' (for
    /// explanations). Empty in models of format 2 and before.
    pub counts: Vec<u32>,
    pub width: usize,
    /// Total weighted impurity decrease per feature (unnormalized).
    pub gain: Vec<f64>,
    /// Every node's output, computed from the leaves when the tree first explains a row.
    #[serde(skip)]
    pub node_outputs: Derived<Vec<f64>>,
}

impl Tree {
    /// The `left` field of the leaf a row of `x` (len = number of features) reaches.
    pub fn leaf_at(&self, x: &[f64]) -> Option<usize> {
        let mut i = 0usize;
        // Bounded walk: a tree never has more levels than nodes.
        for _ in 0..self.nodes.len() {
            let node = self.nodes.get(i)?;
            if node.feature == LEAF {
                return Some(node.left as usize);
            }
            let v = x.get(split_feature(node.feature)).copied().unwrap_or(0.0);
            i = if goes_left(node.feature, node.threshold, v) {
                node.left
            } else {
                node.right()
            } as usize;
        }
        None
    }

    /// The outputs of the leaf whose `left` field is `at` (width of them; none if the tree
    /// has no such leaf): class shares (counts over the leaf's rows, as the proportions were
    /// computed while growing) or the mean.
    #[inline]
    pub fn leaf_outputs(&self, at: usize) -> impl Iterator<Item = f64> + '_ {
        let w = self.width;
        let (values, counts) = if self.values.is_empty() {
            (&[][..], self.counts.get(at..at + w).unwrap_or(&[]))
        } else {
            (self.values.get(at..at + w).unwrap_or(&[]), &[][..])
        };
        let n: f64 = counts.iter().map(|&c| f64::from(c)).sum();
        values
            .iter()
            .copied()
            .chain(counts.iter().map(move |&c| f64::from(c) / n.max(1.0)))
    }

    /// Output k of the leaf whose `left` field is `at` (NaN if there is none).
    pub fn leaf_output(&self, at: usize, k: usize) -> f64 {
        self.leaf_outputs(at).nth(k).unwrap_or(f64::NAN)
    }

    /// The leaf outputs for a row of `x` into `out` (len = width; NaN where there are none).
    pub fn leaf(&self, x: &[f64], out: &mut [f64]) {
        out.iter_mut().for_each(|o| *o = f64::NAN);
        if let Some(at) = self.leaf_at(x) {
            out.iter_mut()
                .zip(self.leaf_outputs(at))
                .for_each(|(o, v)| *o = v);
        }
    }

    #[cfg(test)]
    pub fn leaf_vec(&self, x: &[f64]) -> Vec<f64> {
        let mut out = vec![0.0; self.width];
        self.leaf(x, &mut out);
        out
    }

    /// Every node's output in node order (width per node), or None when the tree keeps leaf
    /// outputs only (trained before node outputs or leaf counts were kept). An inner node's
    /// output is that of the training rows through it: its leaves' counts summed, or their
    /// means weighted by their rows.
    pub fn node_values(&self) -> Option<&[f64]> {
        let (w, n) = (self.width, self.nodes.len());
        if self.counts.is_empty() {
            // Format 2 and before: every node's output, or leaves' only.
            return (self.values.len() == n * w).then_some(&self.values[..]);
        }
        self.node_outputs
            .get(|| self.compute_node_values())
            .map(Vec::as_slice)
    }

    fn compute_node_values(&self) -> Option<Vec<f64>> {
        let (w, n) = (self.width, self.nodes.len());
        if w == 0 {
            return None;
        }
        let classes = self.values.is_empty();
        // Per node: class counts (classification) or (sum of values, rows) (regression).
        let stride = if classes { w } else { 2 };
        let mut acc = vec![0.0f64; n * stride];
        for i in (0..n).rev() {
            let node = self.nodes[i];
            let at = node.left as usize;
            if node.feature == LEAF {
                let slot = &mut acc[i * stride..(i + 1) * stride];
                if classes {
                    let c = self.counts.get(at..at + w)?;
                    slot.iter_mut().zip(c).for_each(|(a, &c)| *a = f64::from(c));
                } else {
                    let rows = f64::from(*self.counts.get(at)?);
                    slot[0] = self.values.get(at)? * rows;
                    slot[1] = rows;
                }
                continue;
            }
            let (l, r) = (at, node.right() as usize);
            if l <= i || r >= n {
                return None;
            }
            for k in 0..stride {
                acc[i * stride + k] = acc[l * stride + k] + acc[r * stride + k];
            }
        }
        let mut out = Vec::with_capacity(n * w);
        for (i, a) in acc.chunks(stride).enumerate() {
            let leaf = self.nodes[i].feature == LEAF;
            if classes {
                let total: f64 = a.iter().sum();
                out.extend(a.iter().map(|v| v / total.max(1.0)));
            } else if leaf {
                // A leaf's own mean, exactly.
                out.push(self.leaf_output(self.nodes[i].left as usize, 0));
            } else {
                out.push(a[0] / a[1].max(1.0));
            }
        }
        Some(out)
    }

    /// Path-based contributions of a row: adds the root's output to `base` (len width) and,
    /// per split on the row's path, the child's output minus its parent's to
    /// `contrib[feature * width..]`; base + contributions = the leaf's output. False (and
    /// nothing added) when the tree keeps leaf outputs only.
    pub fn explain(&self, x: &[f64], base: &mut [f64], contrib: &mut [f64]) -> bool {
        let w = self.width;
        let Some(values) = self.node_values() else {
            return false;
        };
        if base.len() < w {
            return false;
        }
        let value = |i: usize| &values[i * w..(i + 1) * w];
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
                node.right()
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
    fit_binned(&binned, labels, rows, params, rng)
}

/// `fit` on features already binned (every row), with the generator as `fit` leaves it after
/// drawing the binning seed.
pub fn fit_binned(
    binned: &binning::Binned,
    labels: Labels,
    rows: &[usize],
    params: &TreeParams,
    rng: &mut Rng,
) -> Tree {
    let mut rows: Vec<u32> = rows.iter().map(|&r| r as u32).collect();
    rows.sort_unstable();
    hist_forest::fit_tree(binned, labels, rows, params, false, rng)
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

/// Model bytes of format 3 and later hold the tree as it is; earlier ones in the layout of
/// `legacy::Tree`, converted as they are read.
impl<'de> Deserialize<'de> for Tree {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Tree, D::Error> {
        #[derive(Deserialize)]
        struct Current {
            nodes: Vec<Node>,
            values: Vec<f64>,
            counts: Vec<u32>,
            width: usize,
            gain: Vec<f64>,
        }
        if super::model_format::reading_format() < 3 {
            let old = legacy::Tree::deserialize(d)?;
            return old.convert().map_err(serde::de::Error::custom);
        }
        let c = Current::deserialize(d)?;
        Ok(Tree {
            nodes: c.nodes,
            values: c.values,
            counts: c.counts,
            width: c.width,
            gain: c.gain,
            node_outputs: Derived::default(),
        })
    }
}

#[path = "tree_legacy.rs"]
mod legacy;

#[cfg(test)]
#[path = "tests/tree.rs"]
mod tests;
