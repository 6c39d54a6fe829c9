//! The leaf-wise grower of gradient boosting: one regression tree on binned features, grown
//! best gain first (as LightGBM and scikit-learn's HistGradientBoosting) from per-row gradients
//! and hessians. Each leaf keeps a
//! histogram of (gradient, hessian, count) per feature and bin; a split builds the smaller
//! child's histogram from its rows and gets the larger one's by subtraction. Histograms are
//! built and searched in parallel over features.
//!
//! The result is a flat node array whose thresholds are raw feature values, so scoring needs
//! neither the bins nor an allocation.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::learners::trees::binning::{Binned, MISSING};
use crate::learners::trees::tree::{goes_left, split_feature, MISSING_LEFT};
use crate::learners::{child_after, ensure, finite, Checked};

/// Partitions `rows` by a split (feature column `col`, field, bin): left rows first, returns
/// their count. Stable, so both sides keep their rows in ascending order and the column reads
/// of every node below run forward through memory. `scratch` is reused buffer space.
pub fn split_rows(
    rows: &mut [u32],
    col: &[u8],
    field: u32,
    bin: u8,
    scratch: &mut Vec<u32>,
) -> usize {
    let mut left = 0;
    scratch.clear();
    for i in 0..rows.len() {
        let r = rows[i];
        if bin_goes_left(field, bin, col[r as usize]) {
            rows[left] = r;
            left += 1;
        } else {
            scratch.push(r);
        }
    }
    rows[left..].copy_from_slice(scratch);
    left
}

/// Whether a row in bin v goes left of a split at `bin` (missing: as the field says).
#[inline]
pub fn bin_goes_left(field: u32, bin: u8, v: u8) -> bool {
    if v == MISSING {
        field & MISSING_LEFT != 0
    } else {
        v <= bin
    }
}

const STRIDE: usize = 256;
pub const LEAF: u32 = u32::MAX;

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Node {
    pub feature: u32,
    /// Split: rows with value <= threshold go left. Leaf: unused.
    pub threshold: f64,
    /// The bin form of the threshold (bin <= this goes left).
    pub bin: u8,
    pub left: u32,
    pub right: u32,
    /// Leaf: its output.
    pub value: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeafwiseTree {
    pub nodes: Vec<Node>,
}

/// Where the rows given to `grow` ended up: leaf i holds rows[start..end] and outputs value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LeafRows {
    pub start: usize,
    pub end: usize,
    pub value: f64,
    /// The leaf's node in the tree.
    pub node: usize,
}

impl LeafwiseTree {
    #[inline]
    /// Children after their parent and split columns among the `inputs` (see
    /// `Predict::validate`).
    pub fn check(&self, inputs: usize, what: &str) -> Checked {
        let n = self.nodes.len();
        ensure(n > 0, || format!("{what} has no nodes"))?;
        for (i, node) in self.nodes.iter().enumerate() {
            if node.left == LEAF {
                continue;
            }
            child_after(i, node.left, n, what)?;
            child_after(i, node.right, n, what)?;
            ensure(split_feature(node.feature) < inputs, || {
                format!("{what}: node {i} splits on a column outside the inputs")
            })?;
        }
        finite(
            &self.nodes.iter().map(|n| n.value).collect::<Vec<_>>(),
            what,
        )
    }

    pub fn predict(&self, x: &[f64]) -> f64 {
        let mut i = 0usize;
        while let Some(n) = self.nodes.get(i) {
            if n.left == LEAF {
                return n.value;
            }
            let v = x.get(split_feature(n.feature)).copied().unwrap_or(0.0);
            i = if goes_left(n.feature, n.threshold, v) {
                n.left
            } else {
                n.right
            } as usize;
        }
        0.0
    }

    /// The root's value and, along the row's path, each split's feature and the change of
    /// value from the node to the child taken (they sum to the leaf value minus the root's).
    pub fn path(&self, x: &[f64], mut visit: impl FnMut(usize, f64)) -> f64 {
        let Some(root) = self.nodes.first() else {
            return 0.0;
        };
        let mut i = 0usize;
        while let Some(n) = self.nodes.get(i) {
            if n.left == LEAF {
                break;
            }
            let f = split_feature(n.feature);
            let v = x.get(f).copied().unwrap_or(0.0);
            let next = if goes_left(n.feature, n.threshold, v) {
                n.left
            } else {
                n.right
            } as usize;
            let Some(child) = self.nodes.get(next) else {
                break;
            };
            visit(f, child.value - n.value);
            i = next;
        }
        root.value
    }

    /// The leaf value of row r of a binned matrix.
    #[inline]
    pub fn predict_binned(&self, b: &Binned, r: usize) -> f64 {
        let mut i = 0usize;
        while let Some(n) = self.nodes.get(i) {
            if n.left == LEAF {
                return n.value;
            }
            let v = b.bins[split_feature(n.feature) * b.n_rows + r];
            i = if bin_goes_left(n.feature, n.bin, v) {
                n.left
            } else {
                n.right
            } as usize;
        }
        0.0
    }
}

#[derive(Debug, Clone, Copy)]
pub struct GrowParams {
    pub num_leaves: usize,
    pub max_depth: Option<usize>,
    pub min_samples_leaf: usize,
    pub min_hessian: f64,
    pub l2: f64,
    /// Multiplies every leaf value (the learning rate).
    pub shrinkage: f64,
}

#[derive(Debug, Clone, Copy, Default)]
struct Cell {
    g: f64,
    h: f64,
    n: u32,
}

#[derive(Debug, Clone, Copy)]
struct Split {
    gain: f64,
    feature: usize,
    bin: u8,
    /// Rows missing the feature go left.
    missing_left: bool,
}

struct Leaf {
    node: usize,
    start: usize,
    end: usize,
    depth: usize,
    hist: Vec<Cell>,
    split: Option<Split>,
}

/// Per feature: the total gain and the number of splits it was chosen for.
#[derive(Debug, Clone, Default)]
pub struct Importance {
    pub gain: Vec<f64>,
    pub splits: Vec<u32>,
}

fn score(g: f64, h: f64, l2: f64) -> f64 {
    g * g / (h + l2)
}

fn build_hist(b: &Binned, rows: &[u32], grad: &[f64], hess: &[f64]) -> Vec<Cell> {
    let mut hist = vec![Cell::default(); b.n_cols * STRIDE];
    // The leaf's gradients in row order, gathered once: each feature then reads them in
    // sequence and only its bin column at random.
    let gh: Vec<(f64, f64)> = rows
        .iter()
        .map(|&r| (grad[r as usize], hess[r as usize]))
        .collect();
    let fill = |f: usize, h: &mut [Cell]| {
        let col = b.column(f);
        for (&r, &(g, hh)) in rows.iter().zip(&gh) {
            let c = &mut h[col[r as usize] as usize];
            c.g += g;
            c.h += hh;
            c.n += 1;
        }
    };
    // Small leaves are not worth a task per feature.
    if rows.len() * b.n_cols < 50_000 {
        hist.chunks_mut(STRIDE)
            .enumerate()
            .for_each(|(f, h)| fill(f, h));
    } else {
        hist.par_chunks_mut(STRIDE)
            .enumerate()
            .for_each(|(f, h)| fill(f, h));
    }
    hist
}

fn best_split(
    b: &Binned,
    hist: &[Cell],
    g: f64,
    h: f64,
    n: usize,
    p: &GrowParams,
) -> Option<Split> {
    let parent = score(g, h, p.l2);
    let search = |f: usize| -> Option<Split> {
        let cells = &hist[f * STRIDE..f * STRIDE + b.n_bins(f)];
        // Rows missing this feature go to whichever side gains more.
        let miss = hist[f * STRIDE + MISSING as usize];
        let sides = [false, true];
        // Without missing rows the last bin cannot be cut (its right side would be empty).
        let cuts = if miss.n > 0 {
            cells.len()
        } else {
            cells.len().saturating_sub(1)
        };
        let (mut gv, mut hv, mut nv) = (0.0, 0.0, 0usize);
        let mut best: Option<Split> = None;
        for (bin, c) in cells.iter().enumerate().take(cuts) {
            gv += c.g;
            hv += c.h;
            nv += c.n as usize;
            for missing_left in sides {
                // No missing rows here: a missing value at scoring time follows the larger
                // child (as scikit-learn), so only that side is recorded.
                if miss.n == 0 && missing_left != (2 * nv > n) {
                    continue;
                }
                let (gl, hl, nl) = if missing_left {
                    (gv + miss.g, hv + miss.h, nv + miss.n as usize)
                } else {
                    (gv, hv, nv)
                };
                let nr = n.saturating_sub(nl);
                let (gr, hr) = (g - gl, h - hl);
                if nl < p.min_samples_leaf
                    || nr < p.min_samples_leaf
                    || hl < p.min_hessian
                    || hr < p.min_hessian
                {
                    continue;
                }
                let gain = score(gl, hl, p.l2) + score(gr, hr, p.l2) - parent;
                if gain > best.map_or(1e-12, |s| s.gain) {
                    best = Some(Split {
                        gain,
                        feature: f,
                        bin: bin as u8,
                        missing_left,
                    });
                }
            }
        }
        best
    };
    // Highest gain; ties go to the lowest feature (same tree on any thread count).
    let pick = |a: Split, b: Split| {
        if b.gain > a.gain || (b.gain == a.gain && b.feature < a.feature) {
            b
        } else {
            a
        }
    };
    if n * b.n_cols < 50_000 {
        (0..b.n_cols).filter_map(search).reduce(pick)
    } else {
        (0..b.n_cols)
            .into_par_iter()
            .filter_map(search)
            .reduce_with(pick)
    }
}

/// Grows one tree on `rows` (reordered in place so that each leaf's rows are contiguous).
/// Adds split gains to `importance`; returns the tree and its leaves' row ranges.
pub fn grow(
    b: &Binned,
    rows: &mut [u32],
    grad: &[f64],
    hess: &[f64],
    p: &GrowParams,
    importance: &mut Importance,
) -> (LeafwiseTree, Vec<LeafRows>) {
    // A leaf's Newton step: -G / (H + λ), shrunk by the learning rate.
    let leaf_node = |g: f64, h: f64| Node {
        feature: 0,
        threshold: 0.0,
        bin: 0,
        left: LEAF,
        right: LEAF,
        value: -g / (h + p.l2).max(f64::MIN_POSITIVE) * p.shrinkage,
    };
    let (g, h) = rows.iter().fold((0.0, 0.0), |(g, h), &r| {
        (g + grad[r as usize], h + hess[r as usize])
    });
    let mut nodes = vec![leaf_node(g, h)];
    let hist = build_hist(b, rows, grad, hess);
    let depth_ok = |d: usize| p.max_depth.is_none_or(|m| d < m);
    let split = if depth_ok(0) {
        best_split(b, &hist, g, h, rows.len(), p)
    } else {
        None
    };
    let mut leaves = vec![Leaf {
        node: 0,
        start: 0,
        end: rows.len(),
        depth: 0,
        hist,
        split,
    }];
    let mut n_leaves = 1;
    let mut scratch: Vec<u32> = Vec::new();
    while n_leaves < p.num_leaves.max(2) {
        // The open leaf with the highest gain (ties: the earliest).
        let Some(pick) = leaves
            .iter()
            .enumerate()
            .filter_map(|(i, l)| l.split.map(|s| (i, s.gain)))
            .fold(None, |best: Option<(usize, f64)>, (i, gain)| match best {
                Some((_, bg)) if bg >= gain => best,
                _ => Some((i, gain)),
            })
            .map(|(i, _)| i)
        else {
            break;
        };
        let leaf = leaves.swap_remove(pick);
        let Some(s) = leaf.split else { break };
        // Partition the leaf's rows: bin <= s.bin (and missing, if it goes left) to the left.
        let field = s.feature as u32 | if s.missing_left { MISSING_LEFT } else { 0 };
        let col = b.column(s.feature);
        let mid = leaf.start
            + split_rows(
                &mut rows[leaf.start..leaf.end],
                col,
                field,
                s.bin,
                &mut scratch,
            );
        let (lo, hi) = (&rows[leaf.start..mid], &rows[mid..leaf.end]);
        let small_is_left = lo.len() <= hi.len();
        let small_hist = build_hist(b, if small_is_left { lo } else { hi }, grad, hess);
        let mut large_hist = leaf.hist;
        large_hist.iter_mut().zip(&small_hist).for_each(|(a, c)| {
            a.g -= c.g;
            a.h -= c.h;
            a.n -= c.n;
        });
        let (lh, rh) = if small_is_left {
            (small_hist, large_hist)
        } else {
            (large_hist, small_hist)
        };
        // All of the feature's cells, the missing one included.
        let sum = |hist: &[Cell]| {
            hist[s.feature * STRIDE..(s.feature + 1) * STRIDE]
                .iter()
                .fold((0.0, 0.0), |(g, h), c| (g + c.g, h + c.h))
        };
        let (gl, hl) = sum(&lh);
        let (gr, hr) = sum(&rh);
        importance.gain[s.feature] += s.gain;
        importance.splits[s.feature] += 1;
        let left = nodes.len();
        let right = left + 1;
        let edges = &b.edges[s.feature];
        nodes[leaf.node] = Node {
            feature: field,
            threshold: edges.get(s.bin as usize).copied().unwrap_or(f64::INFINITY),
            bin: s.bin,
            left: left as u32,
            right: right as u32,
            // A split keeps the value it had as a leaf: the path-based explanation
            // (Boosted::contributions) credits each split with the change from node to child.
            value: nodes[leaf.node].value,
        };
        nodes.push(leaf_node(gl, hl));
        nodes.push(leaf_node(gr, hr));
        let depth = leaf.depth + 1;
        for (node, start, end, g, h, hist) in [
            (left, leaf.start, mid, gl, hl, lh),
            (right, mid, leaf.end, gr, hr, rh),
        ] {
            let split = if depth_ok(depth) && end - start >= 2 * p.min_samples_leaf {
                best_split(b, &hist, g, h, end - start, p)
            } else {
                None
            };
            leaves.push(Leaf {
                node,
                start,
                end,
                depth,
                hist,
                split,
            });
        }
        n_leaves += 1;
    }
    let ranges = leaves
        .iter()
        .map(|l| LeafRows {
            start: l.start,
            end: l.end,
            value: nodes[l.node].value,
            node: l.node,
        })
        .collect();
    (LeafwiseTree { nodes }, ranges)
}

#[cfg(test)]
mod tests {

    use super::*;
    use crate::learners::trees::binning;

    fn params(num_leaves: usize) -> GrowParams {
        GrowParams {
            num_leaves,
            max_depth: None,
            min_samples_leaf: 1,
            min_hessian: 1e-3,
            l2: 0.0,
            shrinkage: 1.0,
        }
    }

    fn importance(p: usize) -> Importance {
        Importance {
            gain: vec![0.0; p],
            splits: vec![0; p],
        }
    }

    #[test]
    fn one_step_is_found_and_leaves_are_newton_steps() {
        // y = 5 when x0 > 0.5, else 1; x1 is noise. Squared error at raw 0: g = -y, h = 1.
        let n = 200;
        let x: Vec<f64> = (0..n)
            .flat_map(|i| [(i % 2) as f64, (i * 7 % 13) as f64])
            .collect();
        let y: Vec<f64> = (0..n).map(|i| if i % 2 == 1 { 5.0 } else { 1.0 }).collect();
        let rows: Vec<usize> = (0..n).collect();
        let b = binning::bin(&x, 2, &rows, 255, 0);
        let g: Vec<f64> = y.iter().map(|v| -v).collect();
        let h = vec![1.0; n];
        let mut r: Vec<u32> = (0..n as u32).collect();
        let mut imp = importance(2);
        let (t, leaves) = grow(&b, &mut r, &g, &h, &params(2), &mut imp);
        assert_eq!(leaves.len(), 2);
        for l in &leaves {
            for &row in &r[l.start..l.end] {
                assert_eq!(t.predict_binned(&b, row as usize), l.value);
            }
        }
        assert_eq!(leaves.iter().map(|l| l.end - l.start).sum::<usize>(), n);
        assert_eq!(t.nodes.len(), 3);
        assert_eq!(t.nodes[0].feature, 0);
        assert_eq!(t.predict(&[0.0, 3.0]), 1.0);
        assert_eq!(t.predict(&[1.0, 3.0]), 5.0);
        assert_eq!(imp.splits, vec![1, 0]);
        assert!(imp.gain[0] > 0.0);
        for i in 0..n {
            assert_eq!(t.predict_binned(&b, i), t.predict(&x[i * 2..i * 2 + 2]));
        }
    }

    #[test]
    fn leaf_count_depth_and_min_samples_leaf_are_respected() {
        let n = 1000;
        let x: Vec<f64> = (0..n).map(|i| i as f64).collect();
        let g: Vec<f64> = (0..n).map(|i| ((i as f64) * 0.37).sin()).collect();
        let h = vec![1.0; n];
        let rows: Vec<usize> = (0..n).collect();
        let b = binning::bin(&x, 1, &rows, 255, 0);
        let leaves = |t: &LeafwiseTree| t.nodes.iter().filter(|n| n.left == LEAF).count();
        let mut r: Vec<u32> = (0..n as u32).collect();
        let (t, _) = grow(&b, &mut r, &g, &h, &params(7), &mut importance(1));
        assert_eq!(leaves(&t), 7);
        let mut p = params(64);
        p.max_depth = Some(2);
        let (t, _) = grow(&b, &mut r, &g, &h, &p, &mut importance(1));
        assert!(leaves(&t) <= 4);
        let mut p = params(64);
        p.min_samples_leaf = 300;
        let (t, _) = grow(&b, &mut r, &g, &h, &p, &mut importance(1));
        // Every leaf keeps at least 300 rows: at most 3 leaves.
        assert!(leaves(&t) <= 3);
        let mut counts = vec![0usize; t.nodes.len()];
        for i in 0..n {
            let mut k = 0usize;
            while t.nodes[k].left != LEAF {
                k = if b.bins[i] <= t.nodes[k].bin {
                    t.nodes[k].left
                } else {
                    t.nodes[k].right
                } as usize;
            }
            counts[k] += 1;
        }
        assert!(
            counts
                .iter()
                .enumerate()
                .all(|(k, c)| t.nodes[k].left != LEAF || *c >= 300),
            "{counts:?}"
        );
    }
}
