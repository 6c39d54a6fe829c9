//! A fitted model of any algorithm, and how it scores one preprocessed row (or many, in
//! parallel). New variants go at the end: the stored bincode names a variant by its position.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::boosting::Boosted;
use super::dbscan::DbscanModel;
use super::forest::Forest;
use super::isolation::IsolationForest;
use super::kmeans::KMeansModel;
use super::knn::KnnModel;
use super::linear::LinearModel;
use super::logistic::LogisticModel;
use super::mlp::Mlp;
use super::model::argmax;
use super::naive_bayes::NaiveBayes;
use super::pca::PcaModel;
use super::svm::SvmModel;
use super::tree::Tree;

/// A fitted model: scores one preprocessed row.
pub trait Model {
    /// Regression: the value. Classification: not used.
    fn predict_value(&self, x: &[f64]) -> f64;
    /// Classification: class probabilities into `out` (len = number of classes).
    fn predict_proba(&self, x: &[f64], out: &mut [f64]);
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Fitted {
    Linear(LinearModel),
    Logistic(LogisticModel),
    Tree(Tree),
    Forest(Forest),
    KMeans(KMeansModel),
    Dbscan(DbscanModel),
    Isolation(IsolationForest),
    Pca(PcaModel),
    Boosted(Boosted),
    Knn(KnnModel),
    NaiveBayes(NaiveBayes),
    Mlp(Mlp),
    Svm(SvmModel),
}

impl Model for Fitted {
    fn predict_value(&self, x: &[f64]) -> f64 {
        match self {
            Fitted::Linear(m) => m.predict(x),
            Fitted::Tree(t) => t.leaf_at(x).map_or(f64::NAN, |at| t.leaf_output(at, 0)),
            Fitted::Forest(f) => {
                let mut out = [0.0];
                f.predict(x, &mut out);
                out[0]
            }
            Fitted::Boosted(b) => b.predict_value(x),
            Fitted::Knn(k) => k.predict_value(x),
            Fitted::Mlp(m) => m.predict_value(x),
            Fitted::Svm(m) => m.predict_value(x),
            Fitted::Logistic(_) | Fitted::NaiveBayes(_) => f64::NAN,
            Fitted::KMeans(_) | Fitted::Dbscan(_) | Fitted::Isolation(_) | Fitted::Pca(_) => {
                f64::NAN
            }
        }
    }

    fn predict_proba(&self, x: &[f64], out: &mut [f64]) {
        match self {
            Fitted::Logistic(m) => m.predict_proba(x, out),
            Fitted::Tree(t) => {
                out.iter_mut().for_each(|o| *o = 0.0);
                if let Some(at) = t.leaf_at(x) {
                    out.iter_mut()
                        .zip(t.leaf_outputs(at))
                        .for_each(|(o, v)| *o = v);
                }
            }
            Fitted::Forest(f) => f.predict(x, out),
            Fitted::Boosted(b) => b.predict_proba(x, out),
            Fitted::Knn(k) => k.predict_proba(x, out),
            Fitted::NaiveBayes(m) => m.predict_proba(x, out),
            Fitted::Mlp(m) => m.predict_proba(x, out),
            Fitted::Svm(m) => m.predict_proba(x, out),
            Fitted::Linear(_)
            | Fitted::KMeans(_)
            | Fitted::Dbscan(_)
            | Fitted::Isolation(_)
            | Fitted::Pca(_) => out.iter_mut().for_each(|o| *o = f64::NAN),
        }
    }
}

impl Fitted {
    /// The predicted class: the argmax of the probabilities, except for SVMs, which vote over
    /// their class pairs as scikit-learn's SVC.predict does (`out`: scratch, len = classes).
    pub fn predict_class(&self, x: &[f64], out: &mut [f64]) -> usize {
        match self {
            Fitted::Svm(m) => m.predict_class(x),
            Fitted::Logistic(m) if m.n_classes == 2 => m.predict_binary(x),
            _ => {
                self.predict_proba(x, out);
                argmax(out)
            }
        }
    }

    /// What fitting decided that the hyperparameters did not say (boosting: the rounds kept by
    /// early stopping), for the training report.
    pub fn fit_summary(&self) -> Option<Value> {
        match self {
            Fitted::Mlp(m) => Some(serde_json::json!({ "epochs": m.epochs })),
            Fitted::Svm(m) => Some(serde_json::json!({ "support_vectors": m.n_support() })),
            Fitted::Boosted(b) => Some(serde_json::json!({
                "rounds": b.rounds,
                "rounds_run": b.rounds_run,
                "trees": b.trees.len(),
            })),
            _ => None,
        }
    }

    /// Clustering: the cluster of a preprocessed row (-1: noise); None for other models.
    pub fn cluster(&self, x: &[f64]) -> Option<i64> {
        match self {
            Fitted::KMeans(m) => Some(m.predict(x)),
            Fitted::Dbscan(m) => Some(m.predict(x)),
            _ => None,
        }
    }

    /// Anomaly detection: the score in (0, 1] and whether it is past the threshold.
    pub fn anomaly(&self, x: &[f64]) -> Option<(f64, bool)> {
        match self {
            Fitted::Isolation(f) => {
                let s = f.score(x);
                Some((s, s > f.threshold))
            }
            _ => None,
        }
    }

    /// Decomposition: the number of output components.
    pub fn n_outputs(&self) -> usize {
        match self {
            Fitted::Pca(m) => m.n_components(),
            _ => 0,
        }
    }

    /// Decomposition: the components of a preprocessed row into `out` (len = n_outputs).
    pub fn transform(&self, x: &[f64], out: &mut [f64]) {
        if let Fitted::Pca(m) = self {
            m.transform(x, out);
        }
    }

    /// Clusters of the given rows, in parallel.
    pub fn clusters_at(&self, x: &[f64], p: usize, rows: &[usize]) -> Vec<i64> {
        rows.par_iter()
            .map(|&r| self.cluster(&x[r * p..(r + 1) * p]).unwrap_or(-1))
            .collect()
    }

    /// Anomaly scores of the given rows, in parallel.
    pub fn anomaly_scores_at(&self, x: &[f64], p: usize, rows: &[usize]) -> Vec<f64> {
        rows.par_iter()
            .map(|&r| {
                self.anomaly(&x[r * p..(r + 1) * p])
                    .map_or(f64::NAN, |a| a.0)
            })
            .collect()
    }

    /// Components of the given rows (rows × n_outputs, row-major), in parallel.
    pub fn transforms_at(&self, x: &[f64], p: usize, rows: &[usize]) -> Vec<f64> {
        let k = self.n_outputs();
        rows.par_iter()
            .flat_map_iter(|&r| {
                let mut out = vec![0.0; k];
                self.transform(&x[r * p..(r + 1) * p], &mut out);
                out
            })
            .collect()
    }
    /// Regression values of the given rows of a row-major matrix with p columns, in parallel.
    pub fn values_at(&self, x: &[f64], p: usize, rows: &[usize]) -> Vec<f64> {
        rows.par_iter()
            .map(|&r| self.predict_value(&x[r * p..(r + 1) * p]))
            .collect()
    }

    /// Class probabilities (rows × k, row-major) of the given rows, in parallel.
    pub fn probas_at(&self, x: &[f64], p: usize, rows: &[usize], k: usize) -> Vec<f64> {
        rows.par_iter()
            .flat_map_iter(|&r| {
                let mut out = vec![0.0; k];
                self.predict_proba(&x[r * p..(r + 1) * p], &mut out);
                out
            })
            .collect()
    }

    /// Predicted class of the given rows (argmax of the probabilities), in parallel.
    pub fn classes_at(&self, x: &[f64], p: usize, rows: &[usize], k: usize) -> Vec<usize> {
        rows.par_iter()
            .map(|&r| {
                let mut out = vec![0.0; k];
                self.predict_class(&x[r * p..(r + 1) * p], &mut out)
            })
            .collect()
    }
}
