//! CART decision trees (scikit-learn's DecisionTreeClassifier / DecisionTreeRegressor) — gini or
//! entropy for classes, squared error for values — grown by the binned engine that also grows
//! the forests (cart.rs; with at most 255 distinct values a feature's cuts are the exact
//! ones). Nodes are stored flat (16 bytes each), so scoring a row is a loop with no allocation;
//! leaves keep their class counts (or mean and row count), from which every node's output
//! follows, so a prediction can be explained along its path.

use serde::{Deserialize, Serialize};

use super::shap;
use crate::common::derived::Derived;
use crate::learners::{child_after, ensure, finite, Checked, Explained, Method, Predict, Shape};

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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tree {
    /// Children come after their parent.
    pub nodes: Vec<Node>,
    /// Regression: each leaf's mean (a leaf's `left` is its offset here). Classification:
    /// empty, or, for a tree grown on weighted rows (class_weight; model format 4), each leaf's
    /// weight per class (width per leaf, at the same offset as its counts), its outputs being
    /// their shares. Models of format 2 and before: class proportions or means, for leaves
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
    /// Every node's output and training rows, computed from the leaves when the tree first
    /// explains a row.
    #[serde(skip)]
    pub node_outputs: Derived<NodeStats>,
}

/// Every node's output (width per node, in node order) and its cover: the training rows
/// through it (bootstrap repeats counted), or their weight when the tree was grown on
/// weighted rows — scikit-learn's `weighted_n_node_samples`, which TreeSHAP weighs paths by.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeStats {
    pub outputs: Vec<f64>,
    pub covers: Vec<f64>,
}

/// What a tree's leaves hold (see `Tree::values` and `Tree::counts`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Leaves {
    /// Format 2 and before: outputs only, of the leaves or of every node (`values`).
    Outputs,
    /// Rows per class (`counts`); the outputs are their shares.
    ClassCounts,
    /// Rows per class (`counts`) and weight per class (`values`); the outputs are the weights'
    /// shares.
    ClassWeights,
    /// A mean (`values`) and a row count (`counts`) per leaf.
    Means,
}

impl Tree {
    /// What the leaves hold: classification trees have two outputs or more, regression one.
    pub fn leaves(&self) -> Leaves {
        match (
            self.counts.is_empty(),
            self.values.is_empty(),
            self.width > 1,
        ) {
            (true, _, _) => Leaves::Outputs,
            (false, true, _) => Leaves::ClassCounts,
            (false, false, true) => Leaves::ClassWeights,
            (false, false, false) => Leaves::Means,
        }
    }

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
    /// has no such leaf): class shares (counts or weights over the leaf's total, as the
    /// proportions were computed while growing) or the mean.
    #[inline]
    pub fn leaf_outputs(&self, at: usize) -> impl Iterator<Item = f64> + '_ {
        let w = self.width;
        let (values, counts, weights): (&[f64], &[u32], &[f64]) = match self.leaves() {
            Leaves::ClassCounts => (&[], self.counts.get(at..at + w).unwrap_or(&[]), &[]),
            Leaves::ClassWeights => (&[], &[], self.values.get(at..at + w).unwrap_or(&[])),
            Leaves::Outputs | Leaves::Means => {
                (self.values.get(at..at + w).unwrap_or(&[]), &[], &[])
            }
        };
        let n: f64 = counts.iter().map(|&c| f64::from(c)).sum();
        let total: f64 = weights.iter().sum();
        values
            .iter()
            .copied()
            .chain(counts.iter().map(move |&c| f64::from(c) / n.max(1.0)))
            .chain(
                weights
                    .iter()
                    .map(move |&v| v / total.max(f64::MIN_POSITIVE)),
            )
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
        self.node_stats().map(|s| s.outputs.as_slice())
    }

    /// Every node's cover (see `NodeStats`), or None when the tree keeps leaf outputs only.
    pub fn node_covers(&self) -> Option<&[f64]> {
        self.node_stats().map(|s| s.covers.as_slice())
    }

    fn node_stats(&self) -> Option<&NodeStats> {
        if self.counts.is_empty() {
            return None;
        }
        self.node_outputs.get(|| self.compute_node_stats())
    }

    fn compute_node_stats(&self) -> Option<NodeStats> {
        let (w, n) = (self.width, self.nodes.len());
        if w == 0 {
            return None;
        }
        let leaves = self.leaves();
        let classes = leaves != Leaves::Means;
        // Per node: class counts (classification) or (sum of values, rows) (regression).
        let stride = if classes { w } else { 2 };
        let mut acc = vec![0.0f64; n * stride];
        for i in (0..n).rev() {
            let node = self.nodes[i];
            let at = node.left as usize;
            if node.feature == LEAF {
                let slot = &mut acc[i * stride..(i + 1) * stride];
                if leaves == Leaves::ClassWeights {
                    slot.copy_from_slice(self.values.get(at..at + w)?);
                } else if classes {
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
        let covers = acc
            .chunks(stride)
            .map(|a| if classes { a.iter().sum() } else { a[1] })
            .collect();
        for (i, a) in acc.chunks(stride).enumerate() {
            let leaf = self.nodes[i].feature == LEAF;
            if leaves == Leaves::ClassWeights {
                let total: f64 = a.iter().sum();
                out.extend(a.iter().map(|v| v / total.max(f64::MIN_POSITIVE)));
            } else if classes {
                let total: f64 = a.iter().sum();
                out.extend(a.iter().map(|v| v / total.max(1.0)));
            } else if leaf {
                // A leaf's own mean, exactly.
                out.push(self.leaf_output(self.nodes[i].left as usize, 0));
            } else {
                out.push(a[0] / a[1].max(1.0));
            }
        }
        Some(NodeStats {
            outputs: out,
            covers,
        })
    }

    /// Exact SHAP values of row `x` (trees/shap.rs): adds the root's output to `base` (len
    /// width) and the values to `contrib[feature * width..]`. False (and nothing added) when
    /// the tree keeps leaf outputs only.
    pub fn add_shap_values(
        &self,
        x: &[f64],
        base: &mut [f64],
        contrib: &mut [f64],
        scratch: &mut shap::Scratch,
    ) -> bool {
        let (Some(outputs), Some(covers)) = (self.node_values(), self.node_covers()) else {
            return false;
        };
        let split = |i: usize| {
            let node = self.nodes.get(i)?;
            if node.feature == LEAF {
                return None;
            }
            let feature = split_feature(node.feature);
            let v = x.get(feature).copied().unwrap_or(0.0);
            Some(shap::Split {
                feature,
                left: node.left as usize,
                right: node.right() as usize,
                goes_left: goes_left(node.feature, node.threshold, v),
            })
        };
        let nodes = shap::Nodes {
            outputs,
            covers,
            width: self.width,
            split,
        };
        shap::add_tree_shap(&nodes, base, contrib, scratch)
    }

    /// Path-based contributions of a row: adds the root's output to `base` (len width) and,
    /// per split on the row's path, the child's output minus its parent's to
    /// `contrib[feature * width..]`; base + contributions = the leaf's output. False (and
    /// nothing added) when the tree keeps leaf outputs only.
    pub fn add_path_contributions(&self, x: &[f64], base: &mut [f64], contrib: &mut [f64]) -> bool {
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

impl Tree {
    /// What scoring and explaining trust (see `Predict::validate`): children after their
    /// parent, split columns among the inputs, every leaf's outputs in range.
    pub fn check(&self, shape: Shape, what: &str) -> Checked {
        let n = self.nodes.len();
        let w = self.width;
        ensure(n > 0 && n <= u32::MAX as usize, || {
            format!("{what} has {n} nodes")
        })?;
        ensure(w == shape.outputs.max(1), || {
            format!("{what} has {w} outputs for {}", shape.outputs)
        })?;
        ensure(self.gain.len() <= shape.inputs, || {
            format!("{what} has gains of more columns than its inputs")
        })?;
        let leaves = self.leaves();
        if leaves == Leaves::ClassWeights {
            ensure(self.values.len() == self.counts.len(), || {
                format!("{what} has class weights and counts of different leaves")
            })?;
            ensure(self.values.iter().all(|&v| v >= 0.0), || {
                format!("{what} has a negative class weight")
            })?;
        }
        for (i, node) in self.nodes.iter().enumerate() {
            let at = node.left as usize;
            if node.feature == LEAF {
                let fits = match leaves {
                    // Format 2 and before: outputs of leaves, or of every node.
                    Leaves::Outputs => at.checked_add(w).is_some_and(|e| e <= self.values.len()),
                    Leaves::ClassCounts | Leaves::ClassWeights => {
                        at.checked_add(w).is_some_and(|e| e <= self.counts.len())
                    }
                    Leaves::Means => at < self.values.len() && at < self.counts.len(),
                };
                ensure(fits, || {
                    format!("{what}: leaf {i} points outside its outputs")
                })?;
                continue;
            }
            child_after(i, node.left, n, what)?;
            child_after(i, node.right(), n, what)?;
            ensure(split_feature(node.feature) < shape.inputs, || {
                format!("{what}: node {i} splits on a column outside the inputs")
            })?;
        }
        finite(&self.values, what)
    }
}

impl Predict for Tree {
    fn validate(&self, shape: Shape) -> Checked {
        self.check(shape, "the tree")
    }

    fn predict_value(&self, x: &[f64]) -> f64 {
        self.leaf_at(x)
            .map_or(f64::NAN, |at| self.leaf_output(at, 0))
    }

    fn predict_proba(&self, x: &[f64], out: &mut [f64]) {
        out.iter_mut().for_each(|o| *o = 0.0);
        if let Some(at) = self.leaf_at(x) {
            out.iter_mut()
                .zip(self.leaf_outputs(at))
                .for_each(|(o, v)| *o = v);
        }
    }

    fn importance(&self) -> Option<(Vec<f64>, Vec<u32>)> {
        Some(importance(std::slice::from_ref(self)))
    }

    fn explain(&self, x: &[f64], p: usize) -> Explained {
        match mean_contributions(std::slice::from_ref(self), self.width, x, p) {
            Some((method, base, contrib)) => Explained::Parts {
                raw: false,
                method,
                parts: per_output(&base, &contrib, p),
            },
            None => Explained::Retrain,
        }
    }
}

/// The mean over `trees` (outputs `width` each) of row `x`'s base and contributions
/// (`contrib[feature * width + k]`): exact SHAP values, or, when a tree keeps no covers (older
/// models), the path-based contributions of every tree. None when a tree keeps leaf outputs
/// only.
pub fn mean_contributions(
    trees: &[Tree],
    width: usize,
    x: &[f64],
    p: usize,
) -> Option<(Method, Vec<f64>, Vec<f64>)> {
    let mut base = vec![0.0; width];
    let mut contrib = vec![0.0; p * width];
    let mut scratch = shap::Scratch::default();
    let mut method = Method::TreeShap;
    for t in trees {
        if !t.add_shap_values(x, &mut base, &mut contrib, &mut scratch) {
            method = Method::Path;
            break;
        }
    }
    if method == Method::Path {
        base.iter_mut()
            .chain(contrib.iter_mut())
            .for_each(|v| *v = 0.0);
        for t in trees {
            if !t.add_path_contributions(x, &mut base, &mut contrib) {
                return None;
            }
        }
    }
    let n = trees.len().max(1) as f64;
    base.iter_mut()
        .chain(contrib.iter_mut())
        .for_each(|v| *v /= n);
    Some((method, base, contrib))
}

/// Impurity decrease per encoded column (averaged over the trees, each tree's normalised to
/// sum 1, as scikit-learn's feature_importances_) and the number of splits on it.
pub fn importance(trees: &[Tree]) -> (Vec<f64>, Vec<u32>) {
    let p = trees.first().map_or(0, |t| t.gain.len());
    let mut gain = vec![0.0; p];
    let mut splits = vec![0u32; p];
    for t in trees {
        let total: f64 = t.gain.iter().sum();
        if total > 0.0 {
            gain.iter_mut()
                .zip(&t.gain)
                .for_each(|(a, g)| *a += g / total);
        }
        for n in &t.nodes {
            if let Some(s) = splits.get_mut(split_feature(n.feature)) {
                *s += 1;
            }
        }
    }
    (gain, splits)
}

/// Path contributions laid out feature-major (`contrib[f * width + k]`, as
/// `add_path_contributions` adds them) as one (base, per-column contributions) per output.
pub fn per_output(base: &[f64], contrib: &[f64], p: usize) -> Vec<(f64, Vec<f64>)> {
    let w = base.len().max(1);
    base.iter()
        .enumerate()
        .map(|(k, b)| {
            let column = |f: usize| contrib.get(f * w + k).copied().unwrap_or(0.0);
            (*b, (0..p).map(column).collect())
        })
        .collect()
}

#[cfg(test)]
mod tests;
