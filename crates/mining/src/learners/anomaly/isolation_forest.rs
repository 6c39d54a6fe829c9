//! Isolation forest (Liu, Ting and Zhou 2008) as scikit-learn's `IsolationForest` builds it:
//! each tree grows on a subsample drawn without replacement (`max_samples`, default
//! min(256, n)) to depth ceil(log2(max_samples)), splitting on a random non-constant feature at
//! a uniform threshold between its minimum and maximum in the node. The anomaly score of a row
//! is 2^(-E[h(x)] / c(max_samples)), in (0, 1], higher meaning more anomalous; it equals
//! `-IsolationForest.score_samples`. The threshold that flags anomalies is 0.5 for
//! contamination "auto", else the training scores' (1 - contamination) quantile.

use std::sync::atomic::Ordering;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::common::error::{Error, Result};
use crate::common::progress::Progress;
use crate::common::rng::Rng;

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum MaxSamples {
    Auto,
    Count(usize),
    Fraction(f64),
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct IsolationParams {
    pub n_estimators: usize,
    pub max_samples: MaxSamples,
    /// None: "auto" (threshold 0.5).
    pub contamination: Option<f64>,
    /// Fraction of the features each tree may split on.
    pub max_features: f64,
}

/// A node: a split (feature, threshold, children) or a leaf whose `value` is its depth plus the
/// expected path length of the rows it still holds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Node {
    pub feature: u32,
    pub left: u32,
    pub right: u32,
    pub value: f64,
}

pub const LEAF: u32 = u32::MAX;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IsolationTree {
    pub nodes: Vec<Node>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IsolationForest {
    pub trees: Vec<IsolationTree>,
    /// c(max_samples): the normaliser of path lengths.
    pub norm: f64,
    pub threshold: f64,
    pub max_samples: usize,
}

/// Average path length of an unsuccessful search in a binary search tree of n points.
pub fn average_path(n: usize) -> f64 {
    match n {
        0 | 1 => 0.0,
        2 => 1.0,
        _ => {
            let m = (n - 1) as f64;
            2.0 * (m.ln() + 0.577_215_664_901_532_9) - 2.0 * m / n as f64
        }
    }
}

impl IsolationTree {
    fn path(&self, x: &[f64]) -> f64 {
        let mut i = 0usize;
        loop {
            let Some(node) = self.nodes.get(i) else {
                return 0.0;
            };
            if node.left == LEAF {
                return node.value;
            }
            let v = x.get(node.feature as usize).copied().unwrap_or(0.0);
            i = if v <= node.value {
                node.left
            } else {
                node.right
            } as usize;
        }
    }
}

impl IsolationForest {
    /// The anomaly score in (0, 1]: higher is more anomalous.
    pub fn score(&self, x: &[f64]) -> f64 {
        if self.trees.is_empty() || self.norm <= 0.0 {
            return 0.5;
        }
        let mean = self.trees.iter().map(|t| t.path(x)).sum::<f64>() / self.trees.len() as f64;
        2f64.powf(-mean / self.norm)
    }
}

struct Builder<'a> {
    x: &'a [f64],
    d: usize,
    features: Vec<usize>,
    max_depth: usize,
    nodes: Vec<Node>,
}

impl Builder<'_> {
    fn grow(&mut self, rows: &mut [usize], depth: usize, rng: &mut Rng) -> u32 {
        let id = self.nodes.len() as u32;
        let leaf = Node {
            feature: 0,
            left: LEAF,
            right: LEAF,
            value: depth as f64 + average_path(rows.len()),
        };
        self.nodes.push(leaf);
        if depth >= self.max_depth || rows.len() <= 1 {
            return id;
        }
        // Draw features without replacement until one is not constant in this node.
        let mut candidates = self.features.clone();
        let mut chosen = None;
        while !candidates.is_empty() {
            let f = candidates.swap_remove(rng.below(candidates.len()));
            let (lo, hi) = rows
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &r| {
                    let v = self.x[r * self.d + f];
                    (a.min(v), b.max(v))
                });
            if hi > lo {
                chosen = Some((f, lo, hi));
                break;
            }
        }
        let Some((f, lo, hi)) = chosen else {
            return id;
        };
        let mut t = lo + rng.unit() * (hi - lo);
        if t >= hi {
            t = lo;
        }
        let mut split = 0;
        for i in 0..rows.len() {
            if self.x[rows[i] * self.d + f] <= t {
                rows.swap(i, split);
                split += 1;
            }
        }
        let (l, r) = rows.split_at_mut(split);
        let left = self.grow(l, depth + 1, rng);
        let right = self.grow(r, depth + 1, rng);
        self.nodes[id as usize] = Node {
            feature: f as u32,
            left,
            right,
            value: t,
        };
        id
    }
}

/// The (1 - q) quantile with linear interpolation, as numpy.percentile does.
fn upper_quantile(scores: &[f64], q: f64) -> f64 {
    let mut s = scores.to_vec();
    s.sort_by(f64::total_cmp);
    let n = s.len();
    if n == 0 {
        return 0.5;
    }
    let pos = (1.0 - q) * (n - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = (lo + 1).min(n - 1);
    s[lo] + (pos - lo as f64) * (s[hi] - s[lo])
}

/// Fits on the given rows of a row-major matrix with d columns. Trees are built in parallel,
/// each from its own seeded generator, so a seed gives the same forest on any thread count.
pub fn fit(
    x: &[f64],
    d: usize,
    rows: &[usize],
    p: &IsolationParams,
    seed: u64,
    progress: &Progress,
) -> Result<IsolationForest> {
    let n = rows.len();
    if n == 0 || d == 0 {
        return Err(Error::data(
            "there are no rows to fit an isolation forest on",
        ));
    }
    let psi = match p.max_samples {
        MaxSamples::Auto => n.min(256),
        MaxSamples::Count(k) => k.min(n),
        MaxSamples::Fraction(f) => ((f * n as f64) as usize).max(1),
    };
    let n_features = ((p.max_features * d as f64) as usize).clamp(1, d);
    let max_depth = (psi.max(2) as f64).log2().ceil() as usize;
    let mut root = Rng::new(seed);
    let seeds: Vec<u64> = (0..p.n_estimators).map(|_| root.next_u64()).collect();
    let trees: Vec<Option<IsolationTree>> = seeds
        .par_iter()
        .map(|&s| {
            if progress.cancel.load(Ordering::Relaxed) {
                return None;
            }
            let mut rng = Rng::new(s);
            // Subsample without replacement: a partial shuffle of row positions.
            let mut pos: Vec<usize> = rows.to_vec();
            for i in 0..psi {
                let j = i + rng.below(n - i);
                pos.swap(i, j);
            }
            pos.truncate(psi);
            let mut features: Vec<usize> = (0..d).collect();
            if n_features < d {
                rng.shuffle(&mut features);
                features.truncate(n_features);
            }
            let mut b = Builder {
                x,
                d,
                features,
                max_depth,
                nodes: Vec::new(),
            };
            b.grow(&mut pos, 0, &mut rng);
            progress.done.fetch_add(1, Ordering::Relaxed);
            Some(IsolationTree { nodes: b.nodes })
        })
        .collect();
    let trees: Vec<IsolationTree> = trees
        .into_iter()
        .collect::<Option<_>>()
        .ok_or_else(|| Error::internal("training was cancelled"))?;
    let mut forest = IsolationForest {
        trees,
        norm: average_path(psi),
        threshold: 0.5,
        max_samples: psi,
    };
    if let Some(c) = p.contamination {
        let scores: Vec<f64> = rows
            .par_iter()
            .map(|&r| forest.score(&x[r * d..(r + 1) * d]))
            .collect();
        forest.threshold = upper_quantile(&scores, c);
    }
    Ok(forest)
}

#[cfg(test)]
mod tests {
    //! Against scikit-learn's IsolationForest on the data of
    //! tests/fixtures/sklearn_unsupervised.json (written by tests/fixtures/sklearn_unsupervised.py).

    use serde_json::Value;

    use super::*;
    use crate::evaluation::scores::roc_auc;

    fn fixture() -> Value {
        crate::test_support::fixture("sklearn_unsupervised.json")
    }

    fn params(contamination: Option<f64>) -> IsolationParams {
        IsolationParams {
            n_estimators: 100,
            max_samples: MaxSamples::Auto,
            contamination,
            max_features: 1.0,
        }
    }

    struct Data {
        x: Vec<f64>,
        d: usize,
        anomaly: Vec<bool>,
    }

    fn data() -> Data {
        let f = fixture();
        let iso = &f["isolation"];
        Data {
            x: iso["x"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_f64().unwrap())
                .collect(),
            d: iso["d"].as_u64().unwrap() as usize,
            anomaly: iso["anomaly"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_i64() == Some(1))
                .collect(),
        }
    }

    #[test]
    fn average_path_is_sklearns() {
        assert_eq!(average_path(1), 0.0);
        assert_eq!(average_path(2), 1.0);
        // sklearn's _average_path_length(256): 2 (ln 255 + γ) - 2·255/256.
        assert!((average_path(256) - 10.244_770_920_116_851).abs() < 1e-9);
    }

    #[test]
    fn roc_auc_on_injected_anomalies_is_as_good_as_sklearns() {
        let f = fixture();
        let reference = f["isolation"]["roc_auc"].as_f64().unwrap();
        let dt = data();
        let rows: Vec<usize> = (0..dt.anomaly.len()).collect();
        let mut aucs = Vec::new();
        for seed in 0..5 {
            let forest = fit(
                &dt.x,
                dt.d,
                &rows,
                &params(None),
                seed,
                &Progress::default(),
            )
            .unwrap();
            let scores: Vec<f64> = dt.x.chunks(dt.d).map(|r| forest.score(r)).collect();
            assert!(scores.iter().all(|s| *s > 0.0 && *s <= 1.0));
            aucs.push(roc_auc(&dt.anomaly, &scores).unwrap());
        }
        let mean = aucs.iter().sum::<f64>() / aucs.len() as f64;
        eprintln!("isolation forest ROC-AUC {mean:.4} (scikit-learn {reference:.4})");
        assert!(
            mean >= reference - 0.02,
            "ROC-AUC {mean} vs scikit-learn {reference}"
        );
    }

    #[test]
    fn contamination_sets_the_threshold_like_sklearn() {
        let f = fixture();
        let flagged_sklearn = f["isolation"]["flagged_at_0.02"].as_u64().unwrap() as usize;
        let dt = data();
        let rows: Vec<usize> = (0..dt.anomaly.len()).collect();
        let forest = fit(
            &dt.x,
            dt.d,
            &rows,
            &params(Some(0.02)),
            0,
            &Progress::default(),
        )
        .unwrap();
        let flagged =
            dt.x.chunks(dt.d)
                .filter(|r| forest.score(r) > forest.threshold)
                .count();
        // The threshold is the 98th percentile of the training scores (numpy's linear rule):
        // above it are ceil(0.02 · n) - 1 or so rows, as in scikit-learn (ties aside).
        assert!(
            flagged.abs_diff(flagged_sklearn) <= 1,
            "{flagged} vs {flagged_sklearn}"
        );
        // Without contamination the threshold is 0.5, as in scikit-learn's "auto".
        let auto = fit(&dt.x, dt.d, &rows, &params(None), 0, &Progress::default()).unwrap();
        assert_eq!(auto.threshold, 0.5);
        // Most flagged rows are injected anomalies.
        let hits =
            dt.x.chunks(dt.d)
                .zip(&dt.anomaly)
                .filter(|(r, a)| **a && forest.score(r) > forest.threshold)
                .count();
        assert!(
            hits * 2 > flagged,
            "{hits} of {flagged} flagged rows are anomalies"
        );
    }

    #[test]
    fn a_seed_gives_the_same_forest_and_subsets_are_honoured() {
        let dt = data();
        let rows: Vec<usize> = (0..500).collect();
        let p = IsolationParams {
            n_estimators: 20,
            max_samples: MaxSamples::Count(64),
            contamination: None,
            max_features: 0.5,
        };
        let a = fit(&dt.x, dt.d, &rows, &p, 7, &Progress::default()).unwrap();
        let b = fit(&dt.x, dt.d, &rows, &p, 7, &Progress::default()).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.max_samples, 64);
        assert_eq!(a.trees.len(), 20);
        let c = fit(&dt.x, dt.d, &rows, &p, 8, &Progress::default()).unwrap();
        assert_ne!(a, c);
        // Depth is capped at ceil(log2 64) = 6: no leaf deeper than that.
        fn depth(t: &IsolationTree, i: usize) -> usize {
            let n = &t.nodes[i];
            if n.left == u32::MAX {
                0
            } else {
                1 + depth(t, n.left as usize).max(depth(t, n.right as usize))
            }
        }
        assert!(a.trees.iter().all(|t| depth(t, 0) <= 6));
        let frac = IsolationParams {
            max_samples: MaxSamples::Fraction(0.1),
            ..p
        };
        assert_eq!(
            fit(&dt.x, dt.d, &rows, &frac, 7, &Progress::default())
                .unwrap()
                .max_samples,
            50
        );
    }

    #[test]
    fn constant_data_and_empty_input() {
        let x = vec![1.0; 40];
        let rows: Vec<usize> = (0..20).collect();
        let f = fit(&x, 2, &rows, &params(None), 1, &Progress::default()).unwrap();
        // Nothing can be isolated: every row gets the same score.
        let s = f.score(&[1.0, 1.0]);
        assert!((f.score(&[5.0, -5.0]) - s).abs() < 1e-12);
        assert!(fit(&x, 2, &[], &params(None), 1, &Progress::default()).is_err());
        let progress = Progress::default();
        progress.cancel.store(true, Ordering::Relaxed);
        assert!(fit(&x, 2, &rows, &params(None), 1, &progress)
            .unwrap_err()
            .message
            .contains("cancelled"));
    }

    #[test]
    fn model_round_trips_through_bincode() {
        let dt = data();
        let rows: Vec<usize> = (0..300).collect();
        let f = fit(
            &dt.x,
            dt.d,
            &rows,
            &params(Some(0.05)),
            3,
            &Progress::default(),
        )
        .unwrap();
        let bytes = bincode::serde::encode_to_vec(&f, bincode::config::standard()).unwrap();
        let (back, _): (IsolationForest, usize) =
            bincode::serde::decode_from_slice(&bytes, bincode::config::standard()).unwrap();
        assert_eq!(back, f);
        assert_eq!(back.score(&dt.x[..4]), f.score(&dt.x[..4]));
    }
}
