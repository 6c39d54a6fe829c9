//! CART decision trees (scikit-learn's DecisionTreeClassifier / DecisionTreeRegressor): exact
//! best splits on sorted values, gini or entropy for classes, squared error for values. Nodes are
//! stored flat, so scoring a row is a loop with no allocation.

use serde::{Deserialize, Serialize};

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

impl Labels<'_> {
    fn width(&self) -> usize {
        match self {
            Labels::Classes { n_classes, .. } => *n_classes,
            Labels::Values(_) => 1,
        }
    }
}

pub const LEAF: u32 = u32::MAX;

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
    /// Leaf outputs: class proportions (width n_classes) or the mean value (width 1).
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
            let v = x.get(node.feature as usize).copied().unwrap_or(0.0);
            i = if v <= node.threshold {
                node.left
            } else {
                node.right
            } as usize;
        }
        &[]
    }
}

struct Builder<'a> {
    x: &'a [f64],
    p: usize,
    labels: Labels<'a>,
    params: &'a TreeParams,
    tree: Tree,
    pairs: Vec<(f64, u32)>,
    features: Vec<usize>,
}

#[derive(Clone, Copy)]
struct Best {
    feature: usize,
    threshold: f64,
    score: f64,
}

/// Fits a tree on `rows` (may repeat rows, as a bootstrap sample does). X is row-major n × p.
pub fn fit(
    x: &[f64],
    p: usize,
    labels: Labels,
    rows: &[usize],
    params: &TreeParams,
    rng: &mut Rng,
) -> Tree {
    let mut b = Builder {
        x,
        p,
        labels,
        params,
        tree: Tree {
            nodes: Vec::new(),
            values: Vec::new(),
            width: labels.width(),
            gain: vec![0.0; p],
        },
        pairs: Vec::with_capacity(rows.len()),
        features: (0..p).collect(),
    };
    let mut idx: Vec<usize> = rows.to_vec();
    let total = idx.len().max(1) as f64;
    // (start, end, depth, node slot)
    b.tree.nodes.push(Node {
        feature: LEAF,
        threshold: 0.0,
        left: 0,
        right: 0,
    });
    let mut stack = vec![(0usize, idx.len(), 0usize, 0usize)];
    while let Some((start, end, depth, slot)) = stack.pop() {
        let seg = &mut idx[start..end];
        let n = seg.len();
        let (impurity, value) = b.stats(seg);
        let can_split = n >= params.min_samples_split
            && n >= 2 * params.min_samples_leaf
            && params.max_depth.is_none_or(|d| depth < d)
            && impurity > 1e-12;
        let best = if can_split {
            b.best_split(seg, impurity, rng)
        } else {
            None
        };
        match best {
            None => {
                let offset = b.tree.values.len() as u32;
                b.tree.values.extend_from_slice(&value);
                b.tree.nodes[slot] = Node {
                    feature: LEAF,
                    threshold: 0.0,
                    left: offset,
                    right: 0,
                };
            }
            Some(best) => {
                // Partition: left rows first.
                let mut i = 0;
                let mut j = n;
                while i < j {
                    if b.x[seg[i] * p + best.feature] <= best.threshold {
                        i += 1;
                    } else {
                        j -= 1;
                        seg.swap(i, j);
                    }
                }
                b.tree.gain[best.feature] += (impurity * n as f64 - best.score) / total;
                let left = b.tree.nodes.len();
                b.tree.nodes.push(Node {
                    feature: LEAF,
                    threshold: 0.0,
                    left: 0,
                    right: 0,
                });
                b.tree.nodes.push(Node {
                    feature: LEAF,
                    threshold: 0.0,
                    left: 0,
                    right: 0,
                });
                b.tree.nodes[slot] = Node {
                    feature: best.feature as u32,
                    threshold: best.threshold,
                    left: left as u32,
                    right: left as u32 + 1,
                };
                stack.push((start + i, end, depth + 1, left + 1));
                stack.push((start, start + i, depth + 1, left));
            }
        }
    }
    b.tree
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

impl Builder<'_> {
    /// May the sorted rows be cut between positions i and i + 1? Both sides keep
    /// `min_leaf` rows and the values differ.
    fn can_cut(&self, i: usize, min_leaf: usize) -> bool {
        let (nl, nr) = (i + 1, self.pairs.len() - i - 1);
        nl >= min_leaf && nr >= min_leaf && self.pairs[i].0 != self.pairs[i + 1].0
    }

    /// Impurity of a node and its output values.
    fn stats(&self, seg: &[usize]) -> (f64, Vec<f64>) {
        let n = seg.len() as f64;
        match self.labels {
            Labels::Classes { y, n_classes } => {
                let mut counts = vec![0.0; n_classes];
                for &r in seg {
                    counts[y[r]] += 1.0;
                }
                let imp = class_impurity(&counts, n, self.params.criterion);
                counts.iter_mut().for_each(|c| *c /= n.max(1.0));
                (imp, counts)
            }
            Labels::Values(y) => {
                let (s, s2) = seg
                    .iter()
                    .fold((0.0, 0.0), |(a, b), &r| (a + y[r], b + y[r] * y[r]));
                let mean = s / n.max(1.0);
                ((s2 / n.max(1.0) - mean * mean).max(0.0), vec![mean])
            }
        }
    }

    /// Best split of a node: the lowest weighted child impurity (n_left·imp_left + n_right·imp_right).
    fn best_split(&mut self, seg: &[usize], impurity: f64, rng: &mut Rng) -> Option<Best> {
        let n = seg.len();
        let min_leaf = self.params.min_samples_leaf.max(1);
        let k = self
            .params
            .max_features
            .unwrap_or(self.p)
            .clamp(1, self.p.max(1));
        // Partial Fisher-Yates: the first k entries are this node's candidate features.
        for i in 0..k.min(self.p) {
            let j = i + rng.below(self.p - i);
            self.features.swap(i, j);
        }
        let parent = impurity * n as f64;
        let mut best: Option<Best> = None;
        let mut tried = 0;
        let mut fi = 0;
        // As scikit-learn does, keep drawing features past k while no valid split was found.
        while fi < self.p && (tried < k || best.is_none()) {
            let f = self.features[fi];
            fi += 1;
            tried += 1;
            self.pairs.clear();
            self.pairs
                .extend(seg.iter().map(|&r| (self.x[r * self.p + f], r as u32)));
            self.pairs.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
            if self.pairs[0].0 == self.pairs[n - 1].0 {
                continue;
            }
            let found = match self.labels {
                Labels::Classes { y, n_classes } => {
                    let mut total = vec![0.0; n_classes];
                    for &(_, r) in &self.pairs {
                        total[y[r as usize]] += 1.0;
                    }
                    let mut left = vec![0.0; n_classes];
                    let mut right = total.clone();
                    let mut local: Option<(usize, f64)> = None;
                    for i in 0..n - 1 {
                        let c = y[self.pairs[i].1 as usize];
                        left[c] += 1.0;
                        right[c] -= 1.0;
                        let nl = i + 1;
                        if !self.can_cut(i, min_leaf) {
                            continue;
                        }
                        let (fl, fr) = (nl as f64, (n - nl) as f64);
                        let score = fl * class_impurity(&left, fl, self.params.criterion)
                            + fr * class_impurity(&right, fr, self.params.criterion);
                        if local.is_none_or(|(_, s)| score < s) {
                            local = Some((i, score));
                        }
                    }
                    local
                }
                Labels::Values(y) => {
                    let (ts, ts2) = self.pairs.iter().fold((0.0, 0.0), |(a, b), &(_, r)| {
                        let v = y[r as usize];
                        (a + v, b + v * v)
                    });
                    let (mut ls, mut ls2) = (0.0, 0.0);
                    let mut local: Option<(usize, f64)> = None;
                    for i in 0..n - 1 {
                        let v = y[self.pairs[i].1 as usize];
                        ls += v;
                        ls2 += v * v;
                        let nl = i + 1;
                        if !self.can_cut(i, min_leaf) {
                            continue;
                        }
                        let (fl, fr) = (nl as f64, (n - nl) as f64);
                        let (rs, rs2) = (ts - ls, ts2 - ls2);
                        let score = (ls2 - ls * ls / fl) + (rs2 - rs * rs / fr);
                        if local.is_none_or(|(_, s)| score < s) {
                            local = Some((i, score));
                        }
                    }
                    local
                }
            };
            if let Some((i, score)) = found {
                // Like scikit-learn, a split that does not lower the impurity is still taken (XOR needs it).
                if score <= parent + 1e-9 * parent.abs().max(1.0)
                    && best.is_none_or(|b| score < b.score)
                {
                    let (a, b) = (self.pairs[i].0, self.pairs[i + 1].0);
                    let mut threshold = a + (b - a) / 2.0;
                    if threshold >= b || !threshold.is_finite() {
                        threshold = a;
                    }
                    best = Some(Best {
                        feature: f,
                        threshold,
                        score,
                    });
                }
            }
        }
        best
    }
}

#[cfg(test)]
#[path = "tests/tree.rs"]
mod tests;
