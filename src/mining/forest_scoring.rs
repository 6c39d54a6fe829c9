//! The scoring layout of a forest, built from its trees when the model is first used (not
//! stored). A forest of fully grown trees is megabytes of nodes, so a row's walk down each
//! tree is a chain of memory loads; this layout keeps the chains short and overlapped:
//!
//! - a row's values are first turned into small codes, one per feature: the number of the
//!   forest's thresholds on that feature below the value (`v <= t_k` exactly when
//!   `code <= k`), so a node compares two u16 instead of two f64;
//! - a node is one 8-byte word instead of 24 bytes, and the nodes of a tree are laid out
//!   depth first, the child with the larger subtree first (the likelier way), so a walk
//!   often goes on to the next node, usually on the same cache line;
//! - the walks of 16 trees advance in lockstep, the next node chosen with masks, not
//!   branches (a mispredicted branch would discard the other walks' loads in flight); a walk
//!   that reached its leaf stays there until all 16 have.
//!
//! Predictions equal `Forest::predict_plain` bit for bit (same comparisons, leaf outputs
//! added in tree order). A forest that does not fit the layout (more than 16,382 features or
//! 65,533 thresholds on one feature) is scored the plain way.

use super::tree::{split_feature, Tree, LEAF, MISSING_LEFT};

/// The code of a missing value (NaN).
const MISSING: u16 = u16::MAX;
/// In a node's feature field: missing values go left. Such a node adds one to the row's code
/// and to its threshold code, so MISSING wraps to 0 and goes left, others compare as before.
const NODE_MISSING_LEFT: u16 = 1 << 15;
/// In a node's feature field: the next node is the right child, the far one the left.
const NODE_RIGHT_NEXT: u16 = 1 << 14;
/// The feature index bits of a node's feature field.
const NODE_FEATURE: u16 = NODE_RIGHT_NEXT - 1;
/// Walks advanced at once.
const LANES: usize = 16;

/// A node in one 8-byte word (read with one load): bits 0-15 the feature index (a leaf: the
/// feature after the last one) and the NODE_ flags; bits 16-31 the threshold code (the row
/// goes left when its code is <= this); bits 32-63 the far child (the other one is the next
/// node), for a leaf where its outputs start.
fn pack(feature: u16, cut: u16, right: u32) -> u64 {
    u64::from(feature) | u64::from(cut) << 16 | u64::from(right) << 32
}

#[derive(Debug)]
pub struct Packed {
    /// Per feature, its distinct thresholds in ascending order.
    cuts: Vec<Vec<f64>>,
    nodes: Vec<u64>,
    /// Each tree's root.
    roots: Vec<u32>,
    outputs: Vec<f64>,
    width: usize,
}

impl Packed {
    /// The layout of these trees, or None when they do not fit it.
    pub fn new(trees: &[Tree], width: usize) -> Option<Packed> {
        let mut cuts: Vec<Vec<f64>> = Vec::new();
        for t in trees {
            for n in &t.nodes {
                if n.feature == LEAF {
                    continue;
                }
                let f = split_feature(n.feature);
                if f >= usize::from(NODE_FEATURE) {
                    return None;
                }
                if cuts.len() <= f {
                    cuts.resize(f + 1, Vec::new());
                }
                cuts[f].push(n.threshold);
            }
        }
        for c in &mut cuts {
            c.sort_by(f64::total_cmp);
            c.dedup();
            if c.len() >= usize::from(MISSING - 1) || c.iter().any(|t| t.is_nan()) {
                return None;
            }
        }
        // Leaves have the feature after the last one.
        let leaf_feature = cuts.len() as u16;
        let n_nodes: usize = trees.iter().map(|t| t.nodes.len()).sum();
        let mut packed = Packed {
            cuts,
            nodes: Vec::with_capacity(n_nodes),
            roots: Vec::with_capacity(trees.len()),
            outputs: Vec::with_capacity(n_nodes.div_ceil(2) * width),
            width,
        };
        for t in trees {
            packed.add_tree(t, leaf_feature)?;
        }
        Some(packed)
    }

    /// Appends a tree depth first; None if it is malformed.
    fn add_tree(&mut self, t: &Tree, leaf_feature: u16) -> Option<()> {
        let root = u32::try_from(self.nodes.len()).ok()?;
        // (node in the tree, the packed node whose right child it is)
        let mut stack: Vec<(usize, Option<usize>)> = vec![(0, None)];
        // Subtree sizes (children come after their parent in a stored tree).
        let mut size = vec![1u32; t.nodes.len()];
        for i in (0..t.nodes.len()).rev() {
            let n = t.nodes[i];
            if n.feature != LEAF {
                let child = |c: u32| size.get(c as usize).copied().unwrap_or(0);
                size[i] = 1u32
                    .saturating_add(child(n.left))
                    .saturating_add(child(n.right));
            }
        }
        let mut emitted = 0usize;
        while let Some((i, parent)) = stack.pop() {
            emitted += 1;
            if emitted > t.nodes.len() {
                return None;
            }
            let node = t.nodes.get(i)?;
            let at = self.nodes.len();
            if let Some(p) = parent {
                let parent = self.nodes.get_mut(p)?;
                *parent = (*parent & 0xFFFF_FFFF) | u64::from(u32::try_from(at).ok()?) << 32;
            }
            if node.feature == LEAF {
                let start = node.left as usize;
                let values = t.values.get(start..start + self.width)?;
                let outputs = u32::try_from(self.outputs.len()).ok()?;
                self.nodes.push(pack(leaf_feature, 0, outputs));
                self.outputs.extend_from_slice(values);
                continue;
            }
            let f = split_feature(node.feature);
            let cuts = self.cuts.get(f)?;
            // Exactly found: every threshold is one of the feature's cuts.
            let k = cuts.partition_point(|&c| c < node.threshold);
            let (mut field, mut cut) = (f as u16, k as u16);
            if node.feature & MISSING_LEFT != 0 {
                (field, cut) = (field | NODE_MISSING_LEFT, cut + 1);
            }
            let (mut next, mut far) = (node.left as usize, node.right as usize);
            if size.get(far) > size.get(next) {
                (next, far) = (far, next);
                field |= NODE_RIGHT_NEXT;
            }
            self.nodes.push(pack(field, cut, 0));
            // Children come after their parent: every walk moves forward and ends.
            stack.push((far, Some(at)));
            stack.push((next, None));
        }
        self.roots.push(root);
        Some(())
    }

    /// Average of the trees' leaf outputs for row `x` into `out` (len = width), as
    /// `Forest::predict`.
    pub fn predict(&self, x: &[f64], out: &mut [f64]) {
        // Codes of the row's values, plus the leaves' always-missing one.
        let mut small = [0u16; 64];
        let mut large = Vec::new();
        let codes: &mut [u16] = if self.cuts.len() < small.len() {
            &mut small[..self.cuts.len() + 1]
        } else {
            large.resize(self.cuts.len() + 1, 0);
            &mut large
        };
        for (f, code) in codes.iter_mut().enumerate() {
            let v = x.get(f).copied().unwrap_or(0.0);
            *code = match self.cuts.get(f) {
                Some(_) if v.is_nan() => MISSING,
                Some(c) => c.partition_point(|&t| t < v) as u16,
                None => MISSING,
            };
        }
        let nodes = &self.nodes[..];
        let leaf = self.cuts.len() as u16;
        out.iter_mut().for_each(|o| *o = 0.0);
        for group in self.roots.chunks(LANES) {
            let mut at = [0u32; LANES];
            at.iter_mut().zip(group).for_each(|(a, &root)| *a = root);
            let lanes = group.len();
            // Bounded: every step moves a walk forward, or all have ended.
            for _ in 0..nodes.len() {
                let mut moved = false;
                for a in &mut at[..lanes] {
                    let Some(&n) = nodes.get(*a as usize) else {
                        continue;
                    };
                    let (feature, cut, far) = (n as u16, (n >> 16) as u16, (n >> 32) as u32);
                    let shift = feature >> 15;
                    let code = codes
                        .get(usize::from(feature & NODE_FEATURE))
                        .copied()
                        .unwrap_or(MISSING);
                    let left = code.wrapping_add(shift) <= cut;
                    let go_next = left ^ (feature & NODE_RIGHT_NEXT != 0);
                    let child = far ^ ((far ^ (*a + 1)) & u32::from(go_next).wrapping_neg());
                    let stay = u32::from(feature == leaf).wrapping_neg();
                    let next = child ^ ((child ^ *a) & stay);
                    moved |= next != *a;
                    *a = next;
                }
                if !moved {
                    break;
                }
            }
            for &a in &at[..group.len()] {
                let start = nodes.get(a as usize).map_or(0, |&n| (n >> 32) as usize);
                let values = self.outputs.get(start..start + self.width).unwrap_or(&[]);
                out.iter_mut().zip(values).for_each(|(o, v)| *o += v);
            }
        }
        let n = self.roots.len().max(1) as f64;
        out.iter_mut().for_each(|o| *o /= n);
    }
}
