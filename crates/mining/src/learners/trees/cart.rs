//! The binned CART grower: one tree grown depth first on binned features (see binning.rs),
//! gini or entropy for classes and squared error for values, for decision_tree, random_forest
//! and extra_trees. The split search scans per-bin statistics instead of sorting the rows at
//! every node: large nodes count rows into a histogram of the bins they cover; small nodes sort
//! their (bin, row) pairs. Extra trees draw one random cut per candidate feature between the
//! node's lowest and highest bin. Rows may carry weights (class_weight): the statistics, the
//! impurities and the leaves' class shares are then weighted, as scikit-learn's sample weights,
//! while min_samples_split and min_samples_leaf still count rows. The result is the flat `Tree`
//! of tree.rs (thresholds on raw values), so scoring never needs the bins.

use crate::common::rng::Rng;
use crate::common::task::Labels;
use crate::learners::trees::binning::{self, Binned, MISSING};
use crate::learners::trees::leafwise::split_rows;
use crate::learners::trees::tree::{class_impurity, Node, Tree, TreeParams, LEAF, MISSING_LEFT};

/// Nodes with at most this many rows sort instead of filling a histogram.
const SMALL: usize = 256;

#[derive(Clone, Copy)]
struct Best {
    feature: usize,
    bin: u8,
    /// Weighted child impurity: n_left·imp_left + n_right·imp_right.
    score: f64,
    /// Rows missing the feature go left.
    missing_left: bool,
}

struct Builder<'a> {
    b: &'a Binned,
    labels: Labels<'a>,
    /// Per row of the binned matrix (None: every row weighs 1).
    weights: Option<&'a [f64]>,
    params: &'a TreeParams,
    extra: bool,
    /// Per bin statistics: class counts (width k) or (sum, sum of squares, count).
    hist: Vec<f64>,
    width: usize,
    pairs: Vec<(u8, u32)>,
    features: Vec<usize>,
    left: Vec<f64>,
    right: Vec<f64>,
    /// Scratch: the left side with the missing rows.
    both: Vec<f64>,
}

impl Builder<'_> {
    fn stat_width(&self) -> usize {
        match self.labels {
            Labels::Classes { n_classes, .. } => n_classes,
            Labels::Values(_) => 3,
        }
    }

    /// Adds row r's statistics to `acc`: its (weighted) class count, or its weighted value, the
    /// square and the weight.
    #[inline]
    fn add(&self, acc: &mut [f64], r: usize) {
        let w = self.weights.map_or(1.0, |w| w[r]);
        match self.labels {
            Labels::Classes { y, .. } => acc[y[r]] += w,
            Labels::Values(y) => {
                acc[0] += w * y[r];
                acc[1] += w * y[r] * y[r];
                acc[2] += w;
            }
        }
    }

    /// The weight of a side's rows (their count when unweighted) from its statistics.
    #[inline]
    fn weight_of(&self, s: &[f64]) -> f64 {
        match self.labels {
            Labels::Classes { .. } => s.iter().sum(),
            Labels::Values(_) => s[2],
        }
    }

    /// weight·impurity of a side from its statistics.
    fn weighted_impurity(&self, s: &[f64]) -> f64 {
        let n = self.weight_of(s);
        match self.labels {
            Labels::Classes { .. } => n * class_impurity(s, n, self.params.criterion),
            Labels::Values(_) => (s[1] - s[0] * s[0] / n.max(f64::MIN_POSITIVE)).max(0.0),
        }
    }

    /// A node's statistics (see `add`), weight and impurity, and its output values.
    fn stats(&self, seg: &[u32]) -> (Vec<f64>, f64, f64, Vec<f64>) {
        let mut s = vec![0.0; self.stat_width()];
        for &r in seg {
            self.add(&mut s, r as usize);
        }
        let n = self.weight_of(&s);
        let (imp, value) = match self.labels {
            Labels::Classes { .. } => {
                let imp = class_impurity(&s, n, self.params.criterion);
                let shares = s.iter().map(|c| c / n.max(f64::MIN_POSITIVE)).collect();
                (imp, shares)
            }
            Labels::Values(_) => {
                let mean = s[0] / n.max(f64::MIN_POSITIVE);
                let var = (s[1] / n.max(f64::MIN_POSITIVE) - mean * mean).max(0.0);
                (var, vec![mean])
            }
        };
        (s, n, imp, value)
    }

    /// The best cut of feature f for the node's rows (total statistics `total`).
    fn best_cut(&mut self, seg: &[u32], f: usize, total: &[f64], rng: &mut Rng) -> Cut {
        let n = seg.len();
        let w = self.width;
        let min_leaf = self.params.min_samples_leaf.max(1);
        let col = self.b.column(f);
        // Rows missing this feature: their statistics, tried on either side of every cut.
        let mut miss = vec![0.0; w];
        let mut nm = 0usize;
        if self.b.missing[f] {
            for &r in seg {
                if col[r as usize] == MISSING {
                    self.add(&mut miss, r as usize);
                    nm += 1;
                }
            }
        }
        let (lo, hi) = seg.iter().fold((u8::MAX, 0u8), |(lo, hi), &r| {
            let v = col[r as usize];
            if v == MISSING {
                (lo, hi)
            } else {
                (lo.min(v), hi.max(v))
            }
        });
        if nm == n || (lo >= hi && nm == 0) {
            return Cut::Constant;
        }
        // With missing rows, "every value left, missing right" is a cut too.
        let last = if nm > 0 { hi } else { hi - 1 };
        self.left.iter_mut().for_each(|v| *v = 0.0);
        // Scores the cut "bin <= cut" whose left side holds `self.left` over nl rows — with the
        // missing rows on the right, and on the left — and keeps it when it is the best so far
        // and both sides hold min_samples_leaf rows.
        let consider = |this: &mut Self, cut: u8, nl: usize, best: &mut Option<Best>| {
            for missing_left in [false, true] {
                // No missing rows here: a missing value at scoring time follows the larger
                // child (as scikit-learn), so only that side is recorded.
                if nm == 0 && missing_left != (nl > n - nl) {
                    continue;
                }
                let nl = if missing_left { nl + nm } else { nl };
                let nr = n - nl;
                if nl < min_leaf || nr < min_leaf {
                    continue;
                }
                for k in 0..w {
                    let l = this.left[k] + if missing_left { miss[k] } else { 0.0 };
                    this.right[k] = total[k] - l;
                    this.both[k] = l;
                }
                let score =
                    this.weighted_impurity(&this.both) + this.weighted_impurity(&this.right);
                if best.is_none_or(|b| score < b.score) {
                    *best = Some(Best {
                        feature: f,
                        bin: cut,
                        score,
                        missing_left,
                    });
                }
            }
        };
        let mut best: Option<Best> = None;
        if self.extra {
            // Extremely randomized, as scikit-learn: a threshold drawn uniformly between the
            // node's lowest and highest value (here: the outer edges of its lowest and highest
            // bins), cut at the bin that holds it.
            let t = if lo >= hi {
                // One value bin: the only cut separates it from the missing rows.
                hi
            } else {
                let edges = &self.b.edges[f];
                let lo_v = match lo {
                    0 => edges[0] - (edges.get(1).copied().unwrap_or(edges[0] + 1.0) - edges[0]),
                    l => edges[l as usize - 1],
                };
                let hi_v = edges[hi as usize - 1];
                let v = lo_v + rng.unit() * (hi_v - lo_v);
                binning::bin_of(edges, v).clamp(lo, hi - 1)
            };
            let mut acc = std::mem::take(&mut self.left);
            let mut nl = 0;
            for &r in seg {
                if col[r as usize] <= t {
                    self.add(&mut acc, r as usize);
                    nl += 1;
                }
            }
            self.left = acc;
            consider(self, t, nl, &mut best);
        } else if n <= SMALL {
            self.pairs.clear();
            self.pairs.extend(seg.iter().map(|&r| (col[r as usize], r)));
            self.pairs.sort_unstable_by_key(|p| p.0);
            let (mut i, mut nl) = (0, 0);
            let mut acc = std::mem::take(&mut self.left);
            while i < n {
                let bin = self.pairs[i].0;
                if bin == MISSING {
                    break;
                }
                while i < n && self.pairs[i].0 == bin {
                    self.add(&mut acc, self.pairs[i].1 as usize);
                    i += 1;
                    nl += 1;
                }
                if i < n {
                    self.left.clone_from(&acc);
                    consider(self, bin, nl, &mut best);
                }
            }
            self.left = acc;
        } else {
            let mut hist = std::mem::take(&mut self.hist);
            hist[lo as usize * w..(hi as usize + 1) * w]
                .iter_mut()
                .for_each(|v| *v = 0.0);
            hist[MISSING as usize * w..]
                .iter_mut()
                .for_each(|v| *v = 0.0);
            let mut counts = [0u32; 256];
            for &r in seg {
                let bin = col[r as usize] as usize;
                counts[bin] += 1;
                self.add(&mut hist[bin * w..(bin + 1) * w], r as usize);
            }
            let mut nl = 0;
            for bin in lo..=last {
                let c = counts[bin as usize];
                if c == 0 {
                    continue;
                }
                let cell = &hist[bin as usize * w..(bin as usize + 1) * w];
                self.left.iter_mut().zip(cell).for_each(|(a, v)| *a += v);
                nl += c as usize;
                consider(self, bin, nl, &mut best);
            }
            self.hist = hist;
        }
        match best {
            Some(b) => Cut::At(b),
            None => Cut::None,
        }
    }

    fn best_split(&mut self, seg: &[u32], rng: &mut Rng) -> Option<Best> {
        let p = self.b.n_cols;
        let k = self.params.max_features.unwrap_or(p).clamp(1, p.max(1));
        for i in 0..k.min(p) {
            let j = i + rng.below(p - i);
            self.features.swap(i, j);
        }
        let mut total = vec![0.0; self.width];
        for &r in seg {
            self.add(&mut total, r as usize);
        }
        let mut best: Option<Best> = None;
        let (mut fi, mut tried) = (0, 0);
        // As scikit-learn does, constant features do not count, and the search goes on past
        // max_features until a valid cut is found.
        while fi < p && (tried < k || best.is_none()) {
            let f = self.features[fi];
            fi += 1;
            match self.best_cut(seg, f, &total, rng) {
                Cut::Constant => {}
                Cut::None => tried += 1,
                Cut::At(c) => {
                    tried += 1;
                    if best.is_none_or(|b| c.score < b.score) {
                        best = Some(c);
                    }
                }
            }
        }
        best
    }
}

enum Cut {
    Constant,
    None,
    At(Best),
}

/// Fits one tree on `rows` of a binned matrix (rows may repeat, as a bootstrap sample does),
/// each row weighing `weights[row]` (None: 1).
pub fn grow_tree(
    b: &Binned,
    (labels, weights): (Labels, Option<&[f64]>),
    rows: Vec<u32>,
    params: &TreeParams,
    extra: bool,
    rng: &mut Rng,
) -> Tree {
    let width = match labels {
        Labels::Classes { n_classes, .. } => n_classes,
        Labels::Values(_) => 1,
    };
    let mut bld = Builder {
        b,
        labels,
        weights,
        params,
        extra,
        hist: Vec::new(),
        width: 0,
        pairs: Vec::with_capacity(SMALL),
        features: (0..b.n_cols).collect(),
        left: Vec::new(),
        right: Vec::new(),
        both: Vec::new(),
    };
    bld.width = bld.stat_width();
    bld.hist = vec![0.0; 256 * bld.width];
    bld.left = vec![0.0; bld.width];
    bld.right = vec![0.0; bld.width];
    bld.both = vec![0.0; bld.width];
    let mut tree = Tree {
        nodes: vec![Node {
            threshold: 0.0,
            feature: LEAF,
            left: 0,
        }],
        values: Vec::new(),
        counts: Vec::new(),
        width,
        gain: vec![0.0; b.n_cols],
        node_outputs: Default::default(),
    };
    let mut idx = rows;
    let mut scratch: Vec<u32> = Vec::new();
    let mut total = 0.0;
    let mut stack = vec![(0usize, idx.len(), 0usize, 0usize)];
    while let Some((start, end, depth, slot)) = stack.pop() {
        let seg = &mut idx[start..end];
        let n = seg.len();
        let (sums, weight, impurity, value) = bld.stats(seg);
        if slot == 0 {
            total = weight.max(f64::MIN_POSITIVE);
        }
        let can_split = n >= params.min_samples_split
            && n >= 2 * params.min_samples_leaf
            && params.max_depth.is_none_or(|d| depth < d)
            && impurity > 1e-12;
        let best = if can_split {
            bld.best_split(seg, rng)
        } else {
            None
        };
        let Some(best) = best else {
            // A leaf keeps its class counts (and, with weights, its weight per class), or its
            // mean and row count (inner nodes' outputs follow from them: Tree::node_values).
            let at = match labels {
                Labels::Classes { y, .. } => {
                    let at = tree.counts.len();
                    tree.counts.resize(at + width, 0);
                    for &r in seg.iter() {
                        if let Some(c) = tree.counts.get_mut(at + y[r as usize]) {
                            *c += 1;
                        }
                    }
                    if weights.is_some() {
                        tree.values.extend_from_slice(&sums);
                    }
                    at
                }
                Labels::Values(_) => {
                    tree.values.extend_from_slice(&value);
                    tree.counts.push(n as u32);
                    tree.values.len() - 1
                }
            };
            tree.nodes[slot] = Node {
                threshold: 0.0,
                feature: LEAF,
                left: at as u32,
            };
            continue;
        };
        let field = best.feature as u32 | if best.missing_left { MISSING_LEFT } else { 0 };
        let col = b.column(best.feature);
        let i = split_rows(seg, col, field, best.bin, &mut scratch);
        tree.gain[best.feature] += (impurity * weight - best.score).max(0.0) / total;
        let left = tree.nodes.len();
        for _ in 0..2 {
            tree.nodes.push(Node {
                threshold: 0.0,
                feature: LEAF,
                left: 0,
            });
        }
        tree.nodes[slot] = Node {
            threshold: b.edges[best.feature]
                .get(best.bin as usize)
                .copied()
                .unwrap_or(f64::INFINITY),
            feature: field,
            left: left as u32,
        };
        stack.push((start + i, end, depth + 1, left + 1));
        stack.push((start, start + i, depth + 1, left));
    }
    // The vectors grew by doubling: a forest keeps a hundred of them.
    tree.nodes.shrink_to_fit();
    tree.values.shrink_to_fit();
    tree.counts.shrink_to_fit();
    tree
}

/// Fits a decision tree on `rows` (may repeat rows, as a bootstrap sample does): the binned
/// grower on all the rows, with every candidate feature (or max_features of
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
    fit_binned(&binned, (labels, None), rows, params, rng)
}

/// `fit` on features already binned (every row), with the generator as `fit` leaves it after
/// drawing the binning seed.
pub fn fit_binned(
    binned: &binning::Binned,
    (labels, weights): (Labels, Option<&[f64]>),
    rows: &[usize],
    params: &TreeParams,
    rng: &mut Rng,
) -> Tree {
    let mut rows: Vec<u32> = rows.iter().map(|&r| r as u32).collect();
    rows.sort_unstable();
    grow_tree(binned, (labels, weights), rows, params, false, rng)
}

#[cfg(test)]
mod tests;
