//! k-nearest neighbours (scikit-learn's KNeighborsClassifier / KNeighborsRegressor with the
//! euclidean metric): the model keeps its training rows (the preprocessed matrix, row-major)
//! and their labels; a row is scored by brute force over them. Uniform weights vote or average;
//! distance weights use 1/d, and rows at distance 0 take all the weight, as scikit-learn does.

use serde::{Deserialize, Serialize};

use crate::common::derived::Derived;
use crate::common::error::{Error, Result};
use crate::common::numeric::squared_distance;
use crate::common::task::Labels;
use crate::learners::knn::index::{self, BlockIndex};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Weights {
    Uniform,
    Distance,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum KnnTarget {
    Classes { y: Vec<u32>, n_classes: usize },
    Values(Vec<f64>),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KnnModel {
    pub p: usize,
    /// Training rows, row-major n × p.
    pub x: Vec<f64>,
    pub target: KnnTarget,
    pub k: usize,
    pub weights: Weights,
    /// The f32 copy that speeds up the search, built on first use; not stored.
    #[serde(skip)]
    pub index: Derived<BlockIndex>,
}

/// Keeps the training rows of a row-major matrix with p columns.
pub fn fit(
    x: &[f64],
    p: usize,
    labels: Labels,
    rows: &[usize],
    k: usize,
    weights: Weights,
) -> Result<KnnModel> {
    if rows.is_empty() || p == 0 {
        return Err(Error::data(
            "there are no training rows or no feature columns",
        ));
    }
    if k > rows.len() {
        return Err(Error::param(format!(
            "hyperparameter \"n_neighbors\" is {k} but there are only {} training rows",
            rows.len()
        )));
    }
    let mut kept = Vec::with_capacity(rows.len() * p);
    for &r in rows {
        kept.extend_from_slice(&x[r * p..(r + 1) * p]);
    }
    let target = match labels {
        Labels::Classes { y, n_classes } => KnnTarget::Classes {
            y: rows.iter().map(|&r| y[r] as u32).collect(),
            n_classes,
        },
        Labels::Values(y) => KnnTarget::Values(rows.iter().map(|&r| y[r]).collect()),
    };
    Ok(KnnModel {
        p,
        x: kept,
        target,
        k,
        weights,
        index: Derived::default(),
    })
}

impl KnnModel {
    fn n(&self) -> usize {
        self.x.len().checked_div(self.p).unwrap_or(0)
    }

    /// The k nearest training rows as (squared distance, index), nearest first (ties: lower
    /// index first). One pass, keeping the k best in a small sorted buffer; distances are
    /// summed in four lanes.
    fn neighbours(&self, q: &[f64]) -> Vec<(f64, u32)> {
        let p = self.p.max(1);
        let k = self.k.min(self.n());
        let mut best: Vec<(f64, u32)> = Vec::with_capacity(k + 1);
        if k == 0 || q.len() < self.p {
            return best;
        }
        // Few neighbours: the f32 blocked scan picks candidates, f64 decides among them.
        if k <= 64 {
            let packed = self.index.get(|| BlockIndex::new(&self.x, p));
            if let Some(c) = packed.and_then(|ix| ix.candidates(q, k)) {
                return index::exact(&self.x, p, q, k, &c);
            }
        }
        let q = &q[..self.p];
        for (i, row) in self.x.chunks_exact(p).enumerate() {
            let d = squared_distance(row, q);
            if best.len() == k && d >= best[k - 1].0 {
                continue;
            }
            // After every stored neighbour at least as near (equal distances keep index order).
            let at = best.partition_point(|b| b.0 <= d);
            best.insert(at, (d, i as u32));
            best.truncate(k);
        }
        best
    }

    /// Neighbour weights: 1 (uniform), or 1/distance with exact matches taking all the weight.
    fn weigh(&self, nb: &[(f64, u32)]) -> Vec<f64> {
        match self.weights {
            Weights::Uniform => vec![1.0; nb.len()],
            Weights::Distance => {
                if nb.iter().any(|n| n.0 == 0.0) {
                    nb.iter()
                        .map(|n| if n.0 == 0.0 { 1.0 } else { 0.0 })
                        .collect()
                } else {
                    nb.iter().map(|n| 1.0 / n.0.sqrt()).collect()
                }
            }
        }
    }

    /// Class probabilities into `out`: the (weighted) share of each class among the neighbours.
    pub fn predict_proba(&self, q: &[f64], out: &mut [f64]) {
        out.iter_mut().for_each(|o| *o = 0.0);
        let KnnTarget::Classes { y, .. } = &self.target else {
            return;
        };
        if self.n() == 0 {
            return;
        }
        let nb = self.neighbours(q);
        let w = self.weigh(&nb);
        for ((_, i), wi) in nb.iter().zip(&w) {
            if let Some(o) = y.get(*i as usize).and_then(|&c| out.get_mut(c as usize)) {
                *o += wi;
            }
        }
        let total: f64 = out.iter().sum();
        if total > 0.0 {
            out.iter_mut().for_each(|o| *o /= total);
        }
    }

    /// The (weighted) mean of the neighbours' values.
    pub fn predict_value(&self, q: &[f64]) -> f64 {
        let KnnTarget::Values(y) = &self.target else {
            return f64::NAN;
        };
        let nb = self.neighbours(q);
        let w = self.weigh(&nb);
        let (s, t) = nb.iter().zip(&w).fold((0.0, 0.0), |(s, t), ((_, i), wi)| {
            (s + wi * y.get(*i as usize).copied().unwrap_or(0.0), t + wi)
        });
        if t > 0.0 {
            s / t
        } else {
            f64::NAN
        }
    }
}

#[cfg(test)]
mod tests {

    use super::*;

    #[test]
    fn votes_averages_and_distance_weights() {
        // Points on a line: 0, 1, 2 are class 0 (values 0, 1, 2); 10, 11 are class 1 (values 10, 11).
        let x = vec![0.0, 1.0, 2.0, 10.0, 11.0];
        let y = vec![0usize, 0, 0, 1, 1];
        let v = vec![0.0, 1.0, 2.0, 10.0, 11.0];
        let rows: Vec<usize> = (0..5).collect();
        let m = fit(
            &x,
            1,
            Labels::Classes {
                y: &y,
                n_classes: 2,
            },
            &rows,
            3,
            Weights::Uniform,
        )
        .unwrap();
        let mut out = [0.0; 2];
        m.predict_proba(&[1.2], &mut out);
        assert_eq!(out, [1.0, 0.0]);
        m.predict_proba(&[9.0], &mut out);
        assert!((out[1] - 2.0 / 3.0).abs() < 1e-12);
        let m = fit(&x, 1, Labels::Values(&v), &rows, 2, Weights::Uniform).unwrap();
        assert_eq!(m.predict_value(&[10.4]), 10.5);
        let m = fit(&x, 1, Labels::Values(&v), &rows, 2, Weights::Distance).unwrap();
        // Neighbours 10 (d 0.5) and 11 (d 1.5): weights 2 and 2/3.
        assert!((m.predict_value(&[10.5 - 0.0]) - 10.5).abs() < 1e-12);
        assert!(
            (m.predict_value(&[10.25]) - (10.0 * 4.0 + 11.0 * (4.0 / 3.0)) / (4.0 + 4.0 / 3.0))
                .abs()
                < 1e-12
        );
        // An exact match takes all the weight.
        assert_eq!(m.predict_value(&[11.0]), 11.0);
    }

    #[test]
    fn k_larger_than_the_rows_is_an_error_and_models_round_trip() {
        let x = vec![0.0, 1.0];
        let y = vec![0.0, 1.0];
        let e = fit(&x, 1, Labels::Values(&y), &[0, 1], 3, Weights::Uniform).unwrap_err();
        assert!(e.message.contains("\"n_neighbors\""), "{}", e.message);
        let m = fit(&x, 1, Labels::Values(&y), &[0, 1], 2, Weights::Uniform).unwrap();
        let bytes = bincode::serde::encode_to_vec(&m, bincode::config::standard()).unwrap();
        let (back, _): (KnnModel, usize) =
            bincode::serde::decode_from_slice(&bytes, bincode::config::standard()).unwrap();
        assert_eq!(back, m);
        // Only the training rows are kept.
        let m = fit(
            &[5.0, 6.0, 7.0],
            1,
            Labels::Values(&[1.0, 2.0, 3.0]),
            &[2],
            1,
            Weights::Uniform,
        )
        .unwrap();
        assert_eq!(m.x, vec![7.0]);
    }

    /// knn against KNeighborsClassifier/Regressor (5 neighbours, brute force, uniform and distance
    /// weights) on the raw features of the bundled data sets: the same prediction for every test
    /// row.
    #[test]
    fn knn_matches_sklearn() {
        use crate::common::numeric::argmax;
        use crate::common::task::Labels;
        use crate::learners::knn::neighbours::{self, Weights};
        use crate::test_support::{bundled_sets, floats};
        for set in bundled_sets() {
            for (key, weights) in [
                ("knn_uniform", Weights::Uniform),
                ("knn_distance", Weights::Distance),
            ] {
                let theirs = floats(&set.json[format!("{key}_predictions")]);
                let ours: Vec<f64> = if set.classify {
                    let (y, k) = set.classes();
                    let m = neighbours::fit(
                        &set.x,
                        set.p,
                        Labels::Classes {
                            y: &y,
                            n_classes: k,
                        },
                        &set.train,
                        5,
                        weights,
                    )
                    .unwrap();
                    let mut out = vec![0.0; k];
                    set.test
                        .iter()
                        .map(|&r| {
                            m.predict_proba(set.row(r), &mut out);
                            argmax(&out) as f64
                        })
                        .collect()
                } else {
                    let y = set.values();
                    let m =
                        neighbours::fit(&set.x, set.p, Labels::Values(&y), &set.train, 5, weights)
                            .unwrap();
                    set.test
                        .iter()
                        .map(|&r| m.predict_value(set.row(r)))
                        .collect()
                };
                let same = ours
                    .iter()
                    .zip(&theirs)
                    .filter(|(a, b)| (*a - *b).abs() <= 1e-9 * b.abs().max(1.0))
                    .count();
                assert_eq!(
                    same,
                    theirs.len(),
                    "{} {key}: predictions that differ",
                    set.name
                );
            }
        }
    }
}
