//! Random forests and extra trees: bootstrap samples (or all rows), a random subset of features
//! per split, trees grown on binned features (hist_forest.rs) in parallel on the extension's
//! pool; probabilities and values are averaged over trees, as in scikit-learn.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::binning;
use super::error::{Error, ErrorKind, Result};
use super::hist_forest;
use super::rng::Rng;
use super::tree::{Labels, Tree, TreeParams};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Forest {
    pub trees: Vec<Tree>,
    pub width: usize,
}

impl Forest {
    /// Average of the trees' leaf outputs into `out` (len = width).
    pub fn predict(&self, x: &[f64], out: &mut [f64]) {
        out.iter_mut().for_each(|o| *o = 0.0);
        for t in &self.trees {
            for (o, v) in out.iter_mut().zip(t.leaf(x)) {
                *o += v;
            }
        }
        let n = self.trees.len().max(1) as f64;
        out.iter_mut().for_each(|o| *o /= n);
    }
}

/// Shared with the caller: it can stop training and watch progress.
#[derive(Debug, Default)]
pub struct Progress {
    pub cancel: AtomicBool,
    pub done: AtomicUsize,
}

/// A forest of binned trees: bootstrap samples (or all rows), `extra` for extremely
/// randomized trees. Trees are fitted in parallel; each tree's generator depends only on the
/// seed and its index, so a seed gives the same forest on any thread count.
#[allow(clippy::too_many_arguments)]
pub fn fit(
    x: &[f64],
    p: usize,
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
    if n == 0 || p == 0 {
        return Err(Error::data(
            "there are no training rows or no feature columns",
        ));
    }
    let binned = binning::bin(x, p, rows, binning::MAX_BINS, seed);
    let trees: Vec<Option<Tree>> = (0..n_trees)
        .into_par_iter()
        .map(|t| {
            if progress.cancel.load(Ordering::Relaxed) {
                return None;
            }
            let mut rng = Rng::new(seed).fork(t as u64 + 1);
            let sample: Vec<u32> = if bootstrap {
                (0..n).map(|_| rows[rng.below(n)] as u32).collect()
            } else {
                rows.iter().map(|&r| r as u32).collect()
            };
            let tree = hist_forest::fit_tree(&binned, labels, sample, params, extra, &mut rng);
            progress.done.fetch_add(1, Ordering::Relaxed);
            Some(tree)
        })
        .collect();
    let trees: Option<Vec<Tree>> = trees.into_iter().collect();
    match trees {
        Some(trees) => Ok(Forest {
            trees,
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
mod tests;
