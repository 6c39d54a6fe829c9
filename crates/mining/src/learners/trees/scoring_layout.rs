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
//! - the walks of 32 trees advance in lockstep, the next node chosen with masks, not
//!   branches (a mispredicted branch would discard the other walks' loads in flight); a walk
//!   that reached its leaf stays there until all 32 have. Where the CPU has AVX2, eight
//!   walks are one register: a gather fetches their nodes, another their codes.
//!
//! Predictions equal `Forest::predict_plain` bit for bit (same comparisons, leaf outputs
//! added in tree order). A forest that does not fit the layout (more than 16,382 features or
//! 65,533 thresholds on one feature) is scored the plain way.

use crate::learners::trees::tree::{split_feature, Tree, LEAF, MISSING_LEFT};

/// The code of a missing value (NaN).
const MISSING: u16 = u16::MAX;
/// In a node's feature field: missing values go left. Such a node adds one to the row's code
/// and to its threshold code, so MISSING wraps to 0 and goes left, others compare as before.
const NODE_MISSING_LEFT: u16 = 1 << 15;
/// In a node's feature field: the next node is the right child, the far one the left.
const NODE_RIGHT_NEXT: u16 = 1 << 14;
/// The feature index bits of a node's feature field.
const NODE_FEATURE: u16 = NODE_RIGHT_NEXT - 1;
/// Trees walked at once (a multiple of 8, the lanes of an AVX2 register).
const LANES: usize = 32;
const _: () = assert!(LANES.is_multiple_of(8));

/// A node in one 8-byte word (read with one load): bits 0-15 the feature index (a leaf: the
/// feature after the last one) and the NODE_ flags; bits 16-31 the threshold code (the row
/// goes left when its code is <= this); bits 32-63 the far child (the other one is the next
/// node), for a leaf where its outputs start.
fn pack(feature: u16, cut: u16, right: u32) -> u64 {
    u64::from(feature) | u64::from(cut) << 16 | u64::from(right) << 32
}

#[derive(Debug)]
pub struct ScoringLayout {
    /// Per feature, its distinct thresholds in ascending order.
    cuts: Vec<Vec<f64>>,
    nodes: Vec<u64>,
    /// Each tree's root.
    roots: Vec<u32>,
    outputs: Vec<f64>,
    width: usize,
    /// A leaf, where the lanes left over in the last group wait.
    parking: u32,
    /// Walk with AVX2 gathers (the CPU has them).
    pub(crate) simd: bool,
}

impl ScoringLayout {
    /// The layout of these trees, or None when they do not fit it.
    pub fn new(trees: &[Tree], width: usize) -> Option<ScoringLayout> {
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
            c.shrink_to_fit();
            if c.len() >= usize::from(MISSING - 1) || c.iter().any(|t| t.is_nan()) {
                return None;
            }
        }
        // Leaves have the feature after the last one.
        let leaf_feature = cuts.len() as u16;
        // Sized exactly: a forest's layout is megabytes, and a vector that outgrows its
        // capacity by one element doubles.
        let n_nodes: usize = trees.iter().map(|t| t.nodes.len()).sum();
        let n_leaves = trees
            .iter()
            .flat_map(|t| &t.nodes)
            .filter(|n| n.feature == LEAF)
            .count();
        let mut packed = ScoringLayout {
            cuts,
            nodes: Vec::with_capacity(n_nodes),
            roots: Vec::with_capacity(trees.len()),
            outputs: Vec::with_capacity(n_leaves * width),
            width,
            parking: 0,
            simd: avx2(),
        };
        for t in trees {
            packed.add_tree(t, leaf_feature)?;
        }
        packed.check(leaf_feature)?;
        Some(packed)
    }

    /// Every walk stays inside the nodes (the SIMD walk reads them unchecked): a split's next
    /// node and far child exist, a leaf's outputs exist; notes a leaf for `parking`.
    fn check(&mut self, leaf: u16) -> Option<()> {
        let len = self.nodes.len();
        if len == 0 || len > i32::MAX as usize {
            return None;
        }
        for (i, &n) in self.nodes.iter().enumerate() {
            let (feature, far) = (n as u16, (n >> 32) as usize);
            if feature == leaf {
                if far + self.width > self.outputs.len() {
                    return None;
                }
                self.parking = i as u32;
            } else if i + 1 >= len || far >= len || feature & NODE_FEATURE > leaf {
                return None;
            }
        }
        let parked = *self.nodes.get(self.parking as usize)? as u16 == leaf;
        (parked && self.roots.iter().all(|&r| (r as usize) < len)).then_some(())
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
                    .saturating_add(child(n.right()));
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
                let at = node.left as usize;
                let outputs = u32::try_from(self.outputs.len()).ok()?;
                self.nodes.push(pack(leaf_feature, 0, outputs));
                let before = self.outputs.len();
                self.outputs.extend(t.leaf_outputs(at));
                if self.outputs.len() != before + self.width
                    || self.outputs[before..].iter().any(|v| v.is_nan())
                {
                    return None;
                }
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
            let (mut next, mut far) = (node.left as usize, node.right() as usize);
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
        out.iter_mut().for_each(|o| *o = 0.0);
        self.accumulate(x, out);
        let n = self.roots.len().max(1) as f64;
        out.iter_mut().for_each(|o| *o /= n);
    }

    /// Adds each tree's leaf outputs for row `x` to `out`, tree by tree in order (so layouts of
    /// consecutive runs of a forest's trees, one after the other, add what one layout adds).
    pub fn accumulate(&self, x: &[f64], out: &mut [f64]) {
        // Codes of the row's values, plus the leaves' always-missing one, plus one spare (the
        // SIMD walk reads codes four bytes at a time).
        let mut small = [0u16; 64];
        let mut large = Vec::new();
        let codes: &mut [u16] = if self.cuts.len() + 2 <= small.len() {
            &mut small[..self.cuts.len() + 2]
        } else {
            large.resize(self.cuts.len() + 2, 0);
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
        for group in self.roots.chunks(LANES) {
            let mut at = [self.parking; LANES];
            at.iter_mut().zip(group).for_each(|(a, &root)| *a = root);
            #[cfg(target_arch = "x86_64")]
            if self.simd {
                // SAFETY: the CPU has AVX2 (`simd` is set only then); every lane starts at a
                // node and `check` proved that walks stay inside the nodes; `codes` has a
                // spare element after the leaves' code.
                unsafe { simd::walk(nodes, codes, leaf, &mut at, group.len().div_ceil(8)) };
            } else {
                walk(nodes, codes, leaf, &mut at[..group.len()]);
            }
            #[cfg(not(target_arch = "x86_64"))]
            walk(nodes, codes, leaf, &mut at[..group.len()]);
            for &a in &at[..group.len()] {
                let start = nodes.get(a as usize).map_or(0, |&n| (n >> 32) as usize);
                let values = self.outputs.get(start..start + self.width).unwrap_or(&[]);
                out.iter_mut().zip(values).for_each(|(o, v)| *o += v);
            }
        }
    }
}

/// Advances the walks in `at` (node indices) in lockstep until every one is at its leaf.
fn walk(nodes: &[u64], codes: &[u16], leaf: u16, at: &mut [u32]) {
    // Bounded: every step moves a walk forward, or all have ended.
    for _ in 0..nodes.len() {
        let mut moved = false;
        for a in at.iter_mut() {
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
}

fn avx2() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx2")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// `walk` for up to LANES lanes, eight per AVX2 register: one gather fetches four nodes, another the
/// eight lanes' codes; the step is the scalar one with vector compares and blends.
#[cfg(target_arch = "x86_64")]
mod simd {
    use super::{LANES, NODE_FEATURE, NODE_RIGHT_NEXT};
    use std::arch::x86_64::*;

    /// Walks the first `vectors` eight lanes of `at`.
    ///
    /// # Safety
    /// The CPU has AVX2; every index in `at` is a node of `nodes`, and from any node every
    /// walk stays inside `nodes` (ScoringLayout::check); every feature index in a node is below
    /// `codes.len() - 1`.
    #[target_feature(enable = "avx2")]
    pub unsafe fn walk(
        nodes: &[u64],
        codes: &[u16],
        leaf: u16,
        at: &mut [u32; LANES],
        vectors: usize,
    ) {
        let base = nodes.as_ptr() as *const i64;
        let code_base = codes.as_ptr() as *const i32;
        let lanes = at.as_mut_ptr() as *mut __m256i;
        let mut all = [_mm256_setzero_si256(); LANES / 8];
        let a = &mut all[..vectors.min(LANES / 8)];
        for (k, v) in a.iter_mut().enumerate() {
            *v = _mm256_loadu_si256(lanes.add(k));
        }
        let leaf = _mm256_set1_epi32(i32::from(leaf));
        for _ in 0..nodes.len() {
            let mut moved = _mm256_setzero_si256();
            for v in a.iter_mut() {
                let n = step(base, code_base, *v, leaf);
                moved = _mm256_or_si256(moved, _mm256_xor_si256(n, *v));
                *v = n;
            }
            if _mm256_testz_si256(moved, moved) != 0 {
                break;
            }
        }
        for (k, v) in a.iter().enumerate() {
            _mm256_storeu_si256(lanes.add(k), *v);
        }
    }

    #[inline]
    #[target_feature(enable = "avx2")]
    unsafe fn step(base: *const i64, code_base: *const i32, at: __m256i, leaf: __m256i) -> __m256i {
        // Nodes of lanes 0-3 and 4-7, split into their low words (feature, cut) and high
        // words (far child), back in lane order.
        let g0 = _mm256_i32gather_epi64::<8>(base, _mm256_castsi256_si128(at));
        let g1 = _mm256_i32gather_epi64::<8>(base, _mm256_extracti128_si256::<1>(at));
        let (f0, f1) = (_mm256_castsi256_ps(g0), _mm256_castsi256_ps(g1));
        let low = _mm256_castps_si256(_mm256_shuffle_ps::<0x88>(f0, f1));
        let high = _mm256_castps_si256(_mm256_shuffle_ps::<0xDD>(f0, f1));
        let low = _mm256_permute4x64_epi64::<0xD8>(low);
        let far = _mm256_permute4x64_epi64::<0xD8>(high);
        let u16_mask = _mm256_set1_epi32(0xFFFF);
        let feature = _mm256_and_si256(low, u16_mask);
        let cut = _mm256_srli_epi32::<16>(low);
        let index = _mm256_and_si256(feature, _mm256_set1_epi32(i32::from(NODE_FEATURE)));
        let code = _mm256_and_si256(_mm256_i32gather_epi32::<2>(code_base, index), u16_mask);
        // Missing-left nodes add one (MISSING wraps to 0).
        let code = _mm256_and_si256(
            _mm256_add_epi32(code, _mm256_srli_epi32::<15>(feature)),
            u16_mask,
        );
        let right = _mm256_cmpgt_epi32(code, cut);
        let flag = _mm256_set1_epi32(i32::from(NODE_RIGHT_NEXT));
        let flipped = _mm256_cmpeq_epi32(_mm256_and_si256(feature, flag), flag);
        let go_far = _mm256_xor_si256(right, flipped);
        let next = _mm256_add_epi32(at, _mm256_set1_epi32(1));
        let child = _mm256_blendv_epi8(next, far, go_far);
        _mm256_blendv_epi8(child, at, _mm256_cmpeq_epi32(feature, leaf))
    }
}
