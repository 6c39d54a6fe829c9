//! Random forests and extra trees: bootstrap samples (or all rows), a random subset of features
//! per split, trees grown on binned features (cart.rs) in parallel on the extension's
//! pool; probabilities and values are averaged over trees, as in scikit-learn.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::common::budget::Budget;
use crate::common::derived::Derived;
use crate::common::error::{Error, ErrorKind, Result};
use crate::common::progress::Progress;
use crate::common::rng::Rng;
use crate::common::task::Labels;
use crate::learners::trees::binning;
use crate::learners::trees::cart;
use crate::learners::trees::scoring_layout::ScoringLayout;
use crate::learners::trees::tree;
use crate::learners::trees::tree::{goes_left, split_feature, Tree, TreeParams, LEAF};
use crate::learners::{ensure, Checked, Explained, Method, Predict, Shape};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Forest {
    pub trees: Vec<Tree>,
    pub width: usize,
    /// The trees in the scoring layout, built on first use; not stored.
    #[serde(skip)]
    pub layout: Derived<ScoringLayout>,
}

impl Forest {
    /// Average of the trees' leaf outputs into `out` (len = width), in the scoring layout
    /// (scoring_layout.rs) once `prepare_scoring` built it and the trees fit it.
    pub fn predict(&self, x: &[f64], out: &mut [f64]) {
        match self.layout.built() {
            Some(layout) => layout.predict(x, out),
            None => self.predict_plain(x, out),
        }
    }

    /// Builds the scoring layout (megabytes for a large forest), for a model about to score
    /// many rows: a loaded model does; training measures with a layout of a few trees at a
    /// time (pipeline/encoded.rs), not the whole forest's.
    pub fn prepare_scoring(&self) {
        self.layout
            .get(|| ScoringLayout::new(&self.trees, self.width));
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
/// `ScoringLayout::accumulate`).
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
    pub fn contributions(&self, x: &[f64], p: usize) -> Option<(Method, Vec<f64>, Vec<f64>)> {
        tree::mean_contributions(&self.trees, self.width, x, p)
    }
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
    let all = (params, n_trees, bootstrap, extra, seed);
    fit_within(
        binned,
        (labels, None),
        rows,
        all,
        progress,
        &Budget::unlimited(),
    )
}

/// Bytes a grown tree holds.
pub(crate) fn tree_bytes(t: &Tree) -> usize {
    std::mem::size_of_val(t.nodes.as_slice())
        + 8 * t.values.len()
        + 4 * t.counts.len()
        + 8 * t.gain.len()
}

/// `fit`, with the rows weighted by `weights` (per row of `binned`; None: 1, as scikit-learn's
/// forests take class_weight: a bootstrap repeat weighs as the row does) and the grown trees
/// checked against `budget` as they come (a forest of many deep trees can outgrow any
/// machine): over it, no further tree is grown and the result is the budget's error.
pub fn fit_within(
    binned: &binning::Binned,
    (labels, weights): (Labels, Option<&[f64]>),
    rows: &[usize],
    (params, n_trees, bootstrap, extra, seed): (&TreeParams, usize, bool, bool, u64),
    progress: &Progress,
    budget: &Budget,
) -> Result<Forest> {
    let held = AtomicUsize::new(0);
    let over = AtomicBool::new(false);
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
            if progress.cancel.load(Ordering::Relaxed) || over.load(Ordering::Relaxed) {
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
            let tree = cart::grow_tree(binned, (labels, weights), sample, params, extra, &mut rng);
            let bytes = tree_bytes(&tree);
            if held.fetch_add(bytes, Ordering::Relaxed) + bytes > budget.limit() {
                over.store(true, Ordering::Relaxed);
                return None;
            }
            progress.done.fetch_add(1, Ordering::Relaxed);
            Some(tree)
        })
        .collect();
    if over.load(Ordering::Relaxed) {
        return Err(budget.exceeded("growing the forest's trees"));
    }
    let trees: Option<Vec<Tree>> = trees.into_iter().collect();
    match trees {
        Some(trees) => Ok(Forest {
            trees,
            layout: Derived::default(),
            width: match labels {
                Labels::Classes { n_classes, .. } => n_classes,
                Labels::Values(_) => 1,
            },
        }),
        None => Err(Error::new(ErrorKind::Internal, "training was cancelled")),
    }
}

impl Predict for Forest {
    fn validate(&self, shape: Shape) -> Checked {
        ensure(!self.trees.is_empty(), || "no trees".into())?;
        ensure(self.width == shape.outputs.max(1), || {
            format!("{} outputs for {}", self.width, shape.outputs)
        })?;
        for (t, tree) in self.trees.iter().enumerate() {
            tree.check(shape, &format!("tree {t}"))?;
        }
        Ok(())
    }

    fn predict_value(&self, x: &[f64]) -> f64 {
        let mut out = [0.0];
        self.predict(x, &mut out);
        out[0]
    }

    fn predict_proba(&self, x: &[f64], out: &mut [f64]) {
        self.predict(x, out)
    }

    fn importance(&self) -> Option<(Vec<f64>, Vec<u32>)> {
        Some(tree::importance(&self.trees))
    }

    fn explain(&self, x: &[f64], p: usize) -> Explained {
        match self.contributions(x, p) {
            Some((method, base, contrib)) => Explained::Parts {
                raw: false,
                method,
                parts: tree::per_output(&base, &contrib, p),
            },
            None => Explained::Retrain,
        }
    }

    fn prepare_scoring(&self) {
        Forest::prepare_scoring(self)
    }
}

#[cfg(test)]
pub(crate) mod tests {

    use super::*;
    use crate::common::rng::Rng;
    use crate::learners::trees::tree::Criterion;

    /// `fit` on a row-major matrix (binned here as dm_train's dense path does).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn fit(
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
        let binned = binning::bin(x, p, rows, binning::MAX_BINS, seed);
        super::fit(
            &binned, labels, rows, params, n_trees, bootstrap, extra, seed, progress,
        )
    }

    #[test]
    fn forest_is_reproducible_and_averages() {
        let x: Vec<f64> = (0..200).map(|i| ((i * 37) % 100) as f64).collect();
        let y: Vec<usize> = x.iter().map(|&v| usize::from(v > 50.0)).collect();
        let rows: Vec<usize> = (0..200).collect();
        let params = TreeParams {
            max_depth: None,
            min_samples_split: 2,
            min_samples_leaf: 1,
            max_features: None,
            criterion: Criterion::Gini,
        };
        let labels = Labels::Classes {
            y: &y,
            n_classes: 2,
        };
        let prog = Progress::default();
        let a = fit(&x, 1, labels, &rows, &params, 10, true, false, 7, &prog).unwrap();
        let b = fit(&x, 1, labels, &rows, &params, 10, true, false, 7, &prog).unwrap();
        assert_eq!(a, b);
        assert_eq!(prog.done.load(Ordering::Relaxed), 20);
        let mut out = [0.0; 2];
        a.predict(&[90.0], &mut out);
        assert!(out[1] > 0.9 && (out[0] + out[1] - 1.0).abs() < 1e-12);
    }

    #[test]
    fn trees_beyond_the_budget_stop_the_forest() {
        let x: Vec<f64> = (0..2000).map(|i| ((i * 37) % 1000) as f64).collect();
        let y: Vec<f64> = x.iter().map(|v| (v * 0.37).sin()).collect();
        let rows: Vec<usize> = (0..2000).collect();
        let params = TreeParams {
            max_depth: None,
            min_samples_split: 2,
            min_samples_leaf: 1,
            max_features: None,
            criterion: Criterion::SquaredError,
        };
        let binned = binning::bin(&x, 1, &rows, binning::MAX_BINS, 3);
        let labels = Labels::Values(&y);
        let one = fit_within(
            &binned,
            (labels, None),
            &rows,
            (&params, 1, true, false, 3),
            &Progress::default(),
            &Budget::unlimited(),
        )
        .unwrap();
        let per_tree = tree_bytes(&one.trees[0]);
        // Room for about ten trees of a hundred.
        let budget = Budget::of_bytes(per_tree * 10);
        let e = fit_within(
            &binned,
            (labels, None),
            &rows,
            (&params, 100, true, false, 3),
            &Progress::default(),
            &budget,
        )
        .unwrap_err();
        assert_eq!(e.kind, ErrorKind::OutOfMemory);
        assert!(
            e.message
                .starts_with("growing the forest's trees needs more than"),
            "{}",
            e.message
        );
        assert!(fit_within(
            &binned,
            (labels, None),
            &rows,
            (&params, 5, true, false, 3),
            &Progress::default(),
            &budget
        )
        .is_ok());
    }

    #[test]
    fn cancel_stops_training() {
        let prog = Progress::default();
        prog.cancel.store(true, Ordering::Relaxed);
        let y = [0.0, 1.0];
        let params = TreeParams {
            max_depth: None,
            min_samples_split: 2,
            min_samples_leaf: 1,
            max_features: None,
            criterion: Criterion::SquaredError,
        };
        assert!(fit(
            &[0.0, 1.0],
            1,
            Labels::Values(&y),
            &[0, 1],
            &params,
            5,
            true,
            false,
            1,
            &prog
        )
        .is_err());
    }

    /// Explanations add up: base + each output's contributions = the forest's probabilities (and a
    /// regression forest's value), for random rows; the base is the same for every row. A tree
    /// that keeps leaf outputs only (older models) cannot be explained.
    #[test]
    fn explanations_add_up_to_the_prediction() {
        let mut rng = Rng::new(3);
        let (n, p) = (400, 4);
        let x: Vec<f64> = (0..n * p).map(|_| rng.unit()).collect();
        let y: Vec<usize> = (0..n)
            .map(|r| usize::from(x[r * p] + x[r * p + 1] > 1.0) + usize::from(x[r * p + 2] > 0.7))
            .collect();
        let v: Vec<f64> = (0..n).map(|r| 3.0 * x[r * p] - x[r * p + 3]).collect();
        let rows: Vec<usize> = (0..n).collect();
        let params = TreeParams {
            max_depth: Some(6),
            min_samples_split: 2,
            min_samples_leaf: 1,
            max_features: Some(2),
            criterion: Criterion::Gini,
        };
        let prog = Progress::default();
        let classes = Labels::Classes {
            y: &y,
            n_classes: 3,
        };
        let f = fit(&x, p, classes, &rows, &params, 12, true, false, 1, &prog).unwrap();
        let regression = TreeParams {
            criterion: Criterion::SquaredError,
            ..params.clone()
        };
        let g = fit(
            &x,
            p,
            Labels::Values(&v),
            &rows,
            &regression,
            12,
            true,
            true,
            1,
            &prog,
        )
        .unwrap();
        let mut bases = Vec::new();
        for r in 0..20 {
            let row = &x[r * p..(r + 1) * p];
            for m in [&f, &g] {
                let w = m.width;
                let (_, base, contrib) = m.contributions(row, p).unwrap();
                let mut out = vec![0.0; w];
                m.predict(row, &mut out);
                for k in 0..w {
                    let sum: f64 = (0..p).map(|j| contrib[j * w + k]).sum();
                    assert!(
                        (base[k] + sum - out[k]).abs() < 1e-9,
                        "{} vs {}",
                        base[k] + sum,
                        out[k]
                    );
                }
                bases.push(base);
            }
        }
        assert!(bases
            .chunks(2)
            .all(|b| b[0] == bases[0] && b[1] == bases[1]));
        // Only leaf outputs: as trees were stored before node outputs were kept.
        let mut old = f.clone();
        for t in &mut old.trees {
            t.values = (0..t.counts.len())
                .map(|k| t.leaf_output(k - k % t.width, k % t.width))
                .collect();
            t.counts.clear();
        }
        // Their leaves still predict the same.
        let (mut a, mut b) = (vec![0.0; f.width], vec![0.0; f.width]);
        f.predict_plain(&x[..p], &mut a);
        old.predict_plain(&x[..p], &mut b);
        assert_eq!(a, b);
        assert!(old.contributions(&x[..p], p).is_none());
    }

    /// The scoring layout gives the stored trees' predictions bit for bit: classes and values,
    /// random forests and extra trees, rows with missing values (learned both ways and unseen),
    /// values on and between the thresholds, infinities, short rows.
    #[test]
    fn scoring_layout_equals_the_stored_trees() {
        let mut rng = Rng::new(11);
        let (n, p) = (600, 5);
        let mut x: Vec<f64> = (0..n * p)
            .map(|_| (rng.unit() * 40.0).round() / 4.0)
            .collect();
        for r in 0..n {
            if r % 7 == 0 {
                x[r * p + 1] = f64::NAN;
            }
        }
        let y: Vec<usize> = (0..n)
            .map(|r| {
                usize::from(x[r * p] + x[r * p + 2] > 10.0) + usize::from(x[r * p + 1].is_nan())
            })
            .collect();
        let v: Vec<f64> = (0..n).map(|r| x[r * p] * 2.0 - x[r * p + 3]).collect();
        let rows: Vec<usize> = (0..n).collect();
        let params = TreeParams {
            max_depth: None,
            min_samples_split: 2,
            min_samples_leaf: 1,
            max_features: Some(2),
            criterion: Criterion::Gini,
        };
        let regression = TreeParams {
            criterion: Criterion::SquaredError,
            ..params.clone()
        };
        let prog = Progress::default();
        let classes = Labels::Classes {
            y: &y,
            n_classes: 3,
        };
        let forests = [
            fit(&x, p, classes, &rows, &params, 37, true, false, 5, &prog).unwrap(),
            fit(&x, p, classes, &rows, &params, 20, false, true, 5, &prog).unwrap(),
            fit(
                &x,
                p,
                Labels::Values(&v),
                &rows,
                &regression,
                25,
                true,
                false,
                5,
                &prog,
            )
            .unwrap(),
        ];
        let missing_left = |f: &Forest| {
            f.trees.iter().flat_map(|t| &t.nodes).any(|n| {
                n.feature != crate::learners::trees::tree::LEAF
                    && n.feature & crate::learners::trees::tree::MISSING_LEFT != 0
            })
        };
        assert!(missing_left(&forests[0]) && missing_left(&forests[2]));
        let mut probes: Vec<Vec<f64>> = (0..300).map(|r| x[r * p..(r + 1) * p].to_vec()).collect();
        for r in 0..200 {
            let mut row: Vec<f64> = (0..p).map(|_| rng.unit() * 12.0 - 1.0).collect();
            row[r % p] = [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 2.5][r % 4];
            probes.push(row);
        }
        probes.push(vec![f64::NAN; p]);
        probes.push(vec![3.0]);
        for f in &forests {
            assert!(f
                .layout
                .get(|| ScoringLayout::new(&f.trees, f.width))
                .is_some());
            // Without SIMD too (the walk of CPUs without AVX2).
            let mut scalar = ScoringLayout::new(&f.trees, f.width).unwrap();
            scalar.simd = false;
            let (mut a, mut b, mut c) =
                (vec![0.0; f.width], vec![0.0; f.width], vec![0.0; f.width]);
            let bits = |v: &[f64]| v.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
            for row in &probes {
                f.predict(row, &mut a);
                f.predict_plain(row, &mut b);
                scalar.predict(row, &mut c);
                assert_eq!(bits(&a), bits(&b), "row {row:?}");
                assert_eq!(bits(&c), bits(&b), "row {row:?}");
            }
        }
        // A forest with more features than the layout holds is scored the plain way.
        let mut wide = forests[0].clone();
        for t in &mut wide.trees {
            if let Some(root) = t.nodes.first_mut() {
                root.feature = 20_000 | (root.feature & crate::learners::trees::tree::MISSING_LEFT);
            }
        }
        assert!(ScoringLayout::new(&wide.trees, wide.width).is_none());
    }
}
