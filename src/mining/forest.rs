//! Random forests and extra trees: bootstrap samples (or all rows), a random subset of features
//! per split, trees grown on binned features (hist_forest.rs) in parallel on the extension's
//! pool; probabilities and values are averaged over trees, as in scikit-learn.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::binning;
use super::derived::Derived;
use super::error::{Error, ErrorKind, Result};
use super::forest_scoring::Packed;
use super::hist_forest;
use super::rng::Rng;
use super::tree::{goes_left, split_feature, Labels, Tree, TreeParams, LEAF};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Forest {
    pub trees: Vec<Tree>,
    pub width: usize,
    /// The trees in the scoring layout, built on first use; not stored.
    #[serde(skip)]
    pub packed: Derived<Packed>,
}

impl Forest {
    /// Average of the trees' leaf outputs into `out` (len = width), in the scoring layout
    /// (forest_scoring.rs) once `prepare_scoring` built it and the trees fit it.
    pub fn predict(&self, x: &[f64], out: &mut [f64]) {
        match self.packed.built() {
            Some(packed) => packed.predict(x, out),
            None => self.predict_plain(x, out),
        }
    }

    /// Builds the scoring layout (megabytes for a large forest), for a model about to score
    /// many rows: a loaded model does; training measures with a layout of a few trees at a
    /// time (pipeline/encoded.rs), not the whole forest's.
    pub fn prepare_scoring(&self) {
        self.packed.get(|| Packed::new(&self.trees, self.width));
    }

    /// `predict` on the stored trees.
    ///
    /// Trees are walked eight at a time in lockstep: a deep forest does not fit in the CPU
    /// caches, so each step is a memory load, and the loads of eight independent walks
    /// overlap instead of waiting for one another.
    pub fn predict_plain(&self, x: &[f64], out: &mut [f64]) {
        out.iter_mut().for_each(|o| *o = 0.0);
        accumulate_plain(&self.trees, x, out);
        let n = self.trees.len().max(1) as f64;
        out.iter_mut().for_each(|o| *o /= n);
    }
}

/// Adds each tree's leaf outputs for row `x` to `out`, tree by tree in order (as
/// `Packed::accumulate`).
pub fn accumulate_plain(trees: &[Tree], x: &[f64], out: &mut [f64]) {
    const LANES: usize = 8;
    for group in trees.chunks(LANES) {
        let mut at = [0usize; LANES];
        // Bounded: no walk is longer than its tree's node count.
        let longest = group.iter().map(|t| t.nodes.len()).max().unwrap_or(0);
        for _ in 0..longest {
            let mut moved = false;
            for (j, t) in group.iter().enumerate() {
                let Some(node) = t.nodes.get(at[j]) else {
                    continue;
                };
                if node.feature == LEAF {
                    continue;
                }
                let v = x.get(split_feature(node.feature)).copied().unwrap_or(0.0);
                at[j] = if goes_left(node.feature, node.threshold, v) {
                    node.left
                } else {
                    node.right()
                } as usize;
                moved = true;
            }
            if !moved {
                break;
            }
        }
        for (j, t) in group.iter().enumerate() {
            let leaf = t.nodes.get(at[j]).map_or(0, |n| n.left as usize);
            out.iter_mut()
                .zip(t.leaf_outputs(leaf))
                .for_each(|(o, v)| *o += v);
        }
    }
}

impl Forest {
    /// Path-based contributions averaged over the trees: (base, contributions p × width,
    /// feature-major); base + a feature's contributions summed = the forest's output. None when
    /// the trees keep leaf outputs only (trained before node outputs were kept).
    pub fn explain(&self, x: &[f64], p: usize) -> Option<(Vec<f64>, Vec<f64>)> {
        let w = self.width;
        let mut base = vec![0.0; w];
        let mut contrib = vec![0.0; p * w];
        for t in &self.trees {
            if !t.explain(x, &mut base, &mut contrib) {
                return None;
            }
        }
        let n = self.trees.len().max(1) as f64;
        base.iter_mut()
            .chain(contrib.iter_mut())
            .for_each(|v| *v /= n);
        Some((base, contrib))
    }
}

/// Shared with the caller: it can stop training and watch progress.
#[derive(Debug, Default)]
pub struct Progress {
    pub cancel: AtomicBool,
    pub done: AtomicUsize,
}

/// A forest of trees grown on binned features (`binned`: every row, binned with `seed` as
/// `binning::bin` does): bootstrap samples (or all rows), `extra` for extremely randomized
/// trees. Trees are fitted in parallel; each tree's generator depends only on the seed and its
/// index, so a seed gives the same forest on any thread count.
#[allow(clippy::too_many_arguments)]
pub fn fit(
    binned: &binning::Binned,
    labels: Labels,
    rows: &[usize],
    params: &TreeParams,
    n_trees: usize,
    bootstrap: bool,
    extra: bool,
    seed: u64,
    progress: &Progress,
) -> Result<Forest> {
    let n = rows.len();
    if n == 0 || binned.n_cols == 0 {
        return Err(Error::data(
            "there are no training rows or no feature columns",
        ));
    }
    // Trees read their rows in ascending order (forward through the bin columns).
    let mut sorted = rows.to_vec();
    sorted.sort_unstable();
    let rows = &sorted[..];
    let trees: Vec<Option<Tree>> = (0..n_trees)
        .into_par_iter()
        .map(|t| {
            if progress.cancel.load(Ordering::Relaxed) {
                return None;
            }
            let mut rng = Rng::new(seed).fork(t as u64 + 1);
            let sample: Vec<u32> = if bootstrap {
                // n draws with replacement, emitted in row order (a counting sort), so the
                // tree reads its columns forward.
                let mut draws = vec![0u32; n];
                for _ in 0..n {
                    draws[rng.below(n)] += 1;
                }
                let mut sample = Vec::with_capacity(n);
                for (j, &d) in draws.iter().enumerate() {
                    sample.extend(std::iter::repeat_n(rows[j] as u32, d as usize));
                }
                sample
            } else {
                rows.iter().map(|&r| r as u32).collect()
            };
            let tree = hist_forest::fit_tree(binned, labels, sample, params, extra, &mut rng);
            progress.done.fetch_add(1, Ordering::Relaxed);
            Some(tree)
        })
        .collect();
    let trees: Option<Vec<Tree>> = trees.into_iter().collect();
    match trees {
        Some(trees) => Ok(Forest {
            trees,
            packed: Derived::default(),
            width: match labels {
                Labels::Classes { n_classes, .. } => n_classes,
                Labels::Values(_) => 1,
            },
        }),
        None => Err(Error::new(ErrorKind::Internal, "training was cancelled")),
    }
}

#[cfg(test)]
#[path = "tests/forest.rs"]
pub(crate) mod tests;
