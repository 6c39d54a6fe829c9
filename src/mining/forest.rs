//! Random forests: bootstrap samples, a random subset of features per split, trees fitted in
//! parallel on the extension's pool; probabilities and values are averaged over trees, as in
//! scikit-learn.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::error::{Error, ErrorKind, Result};
use super::rng::Rng;
use super::tree::{self, Labels, Tree, TreeParams};

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

#[allow(clippy::too_many_arguments)]
pub fn fit(
    x: &[f64],
    p: usize,
    labels: Labels,
    rows: &[usize],
    params: &TreeParams,
    n_trees: usize,
    bootstrap: bool,
    seed: u64,
    progress: &Progress,
) -> Result<Forest> {
    let n = rows.len();
    let trees: Vec<Option<Tree>> = (0..n_trees)
        .into_par_iter()
        .map(|t| {
            if progress.cancel.load(Ordering::Relaxed) {
                return None;
            }
            // Each tree's generator depends on the seed and its index only: same forest whatever
            // the thread count.
            let mut rng = Rng::new(seed).fork(t as u64 + 1);
            let sample: Vec<usize> = if bootstrap {
                (0..n).map(|_| rows[rng.below(n)]).collect()
            } else {
                rows.to_vec()
            };
            let tree = tree::fit(x, p, labels, &sample, params, &mut rng);
            progress.done.fetch_add(1, Ordering::Relaxed);
            Some(tree)
        })
        .collect();
    let trees: Option<Vec<Tree>> = trees.into_iter().collect();
    match trees {
        Some(trees) => Ok(Forest {
            trees,
            width: labels_width(&labels),
        }),
        None => Err(Error::new(ErrorKind::Internal, "training was cancelled")),
    }
}

fn labels_width(l: &Labels) -> usize {
    match l {
        Labels::Classes { n_classes, .. } => *n_classes,
        Labels::Values(_) => 1,
    }
}

#[cfg(test)]
#[path = "tests/forest.rs"]
mod tests;
