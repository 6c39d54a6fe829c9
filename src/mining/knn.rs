//! k-nearest neighbours (scikit-learn's KNeighborsClassifier / KNeighborsRegressor with the
//! euclidean metric): the model keeps its training rows (the preprocessed matrix, row-major)
//! and their labels; a row is scored by brute force over them. Uniform weights vote or average;
//! distance weights use 1/d, and rows at distance 0 take all the weight, as scikit-learn does.

use serde::{Deserialize, Serialize};

use super::derived::Derived;
use super::error::{Error, Result};
use super::kmeans::sq;
use super::knn_index::{self, Packed};
use super::tree::Labels;

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
    pub index: Derived<Packed>,
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
            let packed = self.index.get(|| Packed::new(&self.x, p));
            if let Some(c) = packed.and_then(|ix| ix.candidates(q, k)) {
                return knn_index::exact(&self.x, p, q, k, &c);
            }
        }
        let q = &q[..self.p];
        for (i, row) in self.x.chunks_exact(p).enumerate() {
            let d = sq(row, q);
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
#[path = "tests/knn.rs"]
mod tests;
