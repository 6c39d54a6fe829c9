//! The estimators behind one trait: fitting them, and the fitted models that score a row.
//! Their hyperparameters are parsed in hyperparams.rs.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::boosting::{self, BoostParams, Boosted};
use super::dbscan::{self, DbscanModel, DbscanParams};
use super::elastic_net::{self, ElasticNetParams};
use super::error::{Error, Result};
use super::forest::{self, Forest, Progress};
use super::isolation::{self, IsolationForest, IsolationParams};
use super::kmeans::{self, KMeansModel, KMeansParams};
use super::knn::{self, KnnModel, Weights};
use super::linear::{self, LinearModel};
use super::logistic::{self, LogisticModel};
use super::mlp::{self, Mlp, MlpParams};
use super::model::argmax;
use super::naive_bayes::{self, NaiveBayes};
use super::pca::{self, PcaModel, PcaParams};
use super::rng::Rng;
use super::svm::{self, SvmModel, SvmParams};
use super::tree::{self, Labels, MaxFeatures, Tree, TreeParams};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Task {
    Classification,
    Regression,
    Clustering,
    Anomaly,
    /// Feature extraction (PCA).
    Decomposition,
}

impl Task {
    pub fn name(self) -> &'static str {
        match self {
            Task::Classification => "classification",
            Task::Regression => "regression",
            Task::Clustering => "clustering",
            Task::Anomaly => "anomaly",
            Task::Decomposition => "decomposition",
        }
    }

    /// Clustering, anomaly detection and decomposition learn without a target.
    pub fn is_supervised(self) -> bool {
        matches!(self, Task::Classification | Task::Regression)
    }

    /// The function that scores a model of this task.
    pub fn scoring_function(self) -> &'static str {
        match self {
            Task::Classification => "dm_predict, dm_predict_label or dm_predict_proba",
            Task::Regression => "dm_predict",
            Task::Clustering => "dm_cluster",
            Task::Anomaly => "dm_anomaly_score or dm_is_anomaly",
            Task::Decomposition => "dm_transform",
        }
    }
}

pub const ALGORITHMS: &[&str] = &[
    "auto",
    "linear_regression",
    "ridge",
    "lasso",
    "elastic_net",
    "logistic_regression",
    "decision_tree",
    "random_forest",
    "extra_trees",
    "gradient_boosting",
    "knn",
    "naive_bayes",
    "mlp",
    "svm",
    "svr",
    "kmeans",
    "dbscan",
    "isolation_forest",
    "pca",
];

/// The task of an algorithm that learns without a target.
pub fn unsupervised_task(algorithm: &str) -> Option<Task> {
    match algorithm {
        "kmeans" | "dbscan" => Some(Task::Clustering),
        "isolation_forest" => Some(Task::Anomaly),
        "pca" => Some(Task::Decomposition),
        _ => None,
    }
}

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
            Fitted::Tree(t) => t.leaf(x).first().copied().unwrap_or(f64::NAN),
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
                let leaf = t.leaf(x);
                out.iter_mut()
                    .zip(leaf.iter().chain(std::iter::repeat(&0.0)))
                    .for_each(|(o, v)| *o = *v);
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

/// An algorithm with its resolved hyperparameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Estimator {
    LinearRegression {
        fit_intercept: bool,
    },
    Ridge {
        alpha: f64,
        fit_intercept: bool,
    },
    LogisticRegression {
        c: f64,
        /// class_weight "balanced".
        #[serde(default)]
        balanced: bool,
    },
    DecisionTree {
        tree: TreeParams,
        max_features: MaxFeatures,
    },
    RandomForest {
        tree: TreeParams,
        n_estimators: usize,
        bootstrap: bool,
        max_features: MaxFeatures,
    },
    KMeans {
        n_clusters: usize,
        n_init: usize,
        max_iter: usize,
        tol: f64,
    },
    Dbscan(DbscanParams),
    IsolationForest(IsolationParams),
    Pca(PcaParams),
    GradientBoosting(BoostParams),
    ExtraTrees {
        tree: TreeParams,
        n_estimators: usize,
        bootstrap: bool,
        max_features: MaxFeatures,
    },
    ElasticNet(ElasticNetParams),
    Knn {
        n_neighbors: usize,
        weights: Weights,
    },
    NaiveBayes {
        var_smoothing: f64,
        alpha: f64,
    },
    Mlp(MlpParams),
    /// `svm` (classification) and `svr` (regression).
    Svm(SvmParams),
}

/// Data handed to `fit`: a row-major matrix and the labels.
pub struct TrainData<'a> {
    pub x: &'a [f64],
    pub n_cols: usize,
    pub rows: &'a [usize],
    /// Rows for early stopping (learners that use them); may be empty.
    pub validation: &'a [usize],
    /// One-hot encoded text columns as (first column, width), for learners that treat a
    /// category as one feature (naive Bayes).
    pub one_hot: &'a [(usize, usize)],
    pub labels: Labels<'a>,
}

/// The algorithm `auto` stands for, per task.
pub fn auto_algorithm(task: Task) -> &'static str {
    let _ = task;
    "random_forest"
}

/// A leaf must be able to hold min_samples_leaf of the training rows.
fn leaf_fits(tree: &TreeParams, rows: usize) -> Result<()> {
    if tree.min_samples_leaf > rows {
        return Err(Error::param(format!(
            "hyperparameter \"min_samples_leaf\" is {} but there are only {rows} training rows",
            tree.min_samples_leaf
        )));
    }
    Ok(())
}

impl Estimator {
    /// The hyperparameters as JSON, every default filled in (stored with the model).
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    /// Fits on `data`. Runs on a pool thread: never touches Postgres.
    pub fn fit(&self, data: &TrainData, seed: u64, progress: &Progress) -> Result<Fitted> {
        let n = data.rows.len();
        let p = data.n_cols;
        if n == 0 {
            return Err(Error::data("no training rows"));
        }
        // Linear learners take the training rows as a dense block.
        let gather = || -> Vec<f64> {
            let mut out = Vec::with_capacity(n * p);
            for &r in data.rows {
                out.extend_from_slice(&data.x[r * p..(r + 1) * p]);
            }
            out
        };
        match (self, data.labels) {
            (Estimator::LinearRegression { fit_intercept }, Labels::Values(y)) => {
                let ys: Vec<f64> = data.rows.iter().map(|&r| y[r]).collect();
                Ok(Fitted::Linear(linear::fit(
                    &gather(),
                    n,
                    p,
                    &ys,
                    0.0,
                    *fit_intercept,
                )?))
            }
            (
                Estimator::Ridge {
                    alpha,
                    fit_intercept,
                },
                Labels::Values(y),
            ) => {
                let ys: Vec<f64> = data.rows.iter().map(|&r| y[r]).collect();
                Ok(Fitted::Linear(linear::fit(
                    &gather(),
                    n,
                    p,
                    &ys,
                    *alpha,
                    *fit_intercept,
                )?))
            }
            (
                Estimator::Knn {
                    n_neighbors,
                    weights,
                },
                labels,
            ) => Ok(Fitted::Knn(knn::fit(
                data.x,
                p,
                labels,
                data.rows,
                *n_neighbors,
                *weights,
            )?)),
            (
                Estimator::NaiveBayes {
                    var_smoothing,
                    alpha,
                },
                Labels::Classes { y, n_classes },
            ) => Ok(Fitted::NaiveBayes(naive_bayes::fit(
                data.x,
                p,
                y,
                n_classes,
                data.rows,
                data.one_hot,
                *var_smoothing,
                *alpha,
            )?)),
            (Estimator::Mlp(params), labels) => {
                let cancel = || progress.cancel.load(std::sync::atomic::Ordering::Relaxed);
                Ok(Fitted::Mlp(mlp::fit(
                    data.x,
                    p,
                    labels,
                    data.rows,
                    data.validation,
                    params,
                    seed,
                    &cancel,
                )?))
            }
            (Estimator::Svm(params), labels) => {
                let cancel = || progress.cancel.load(std::sync::atomic::Ordering::Relaxed);
                Ok(Fitted::Svm(svm::fit(
                    data.x, p, labels, data.rows, params, seed, &cancel,
                )?))
            }
            (Estimator::ElasticNet(params), Labels::Values(y)) => {
                let ys: Vec<f64> = data.rows.iter().map(|&r| y[r]).collect();
                let cancel = || progress.cancel.load(std::sync::atomic::Ordering::Relaxed);
                let (model, _) = elastic_net::fit(&gather(), n, p, &ys, params, &cancel)?;
                Ok(Fitted::Linear(model))
            }
            (Estimator::LogisticRegression { c, balanced }, Labels::Classes { y, n_classes }) => {
                let ys: Vec<usize> = data.rows.iter().map(|&r| y[r]).collect();
                let weights = balanced.then(|| logistic::balanced_weights(&ys, n_classes));
                Ok(Fitted::Logistic(logistic::fit(
                    &gather(),
                    n,
                    p,
                    &ys,
                    n_classes,
                    *c,
                    weights.as_deref(),
                )?))
            }
            (Estimator::DecisionTree { tree, max_features }, labels) => {
                leaf_fits(tree, n)?;
                let mut params = tree.clone();
                params.max_features = Some(max_features.resolve(p));
                Ok(Fitted::Tree(tree::fit(
                    data.x,
                    p,
                    labels,
                    data.rows,
                    &params,
                    &mut Rng::new(seed),
                )))
            }
            (
                Estimator::RandomForest {
                    tree,
                    n_estimators,
                    bootstrap,
                    max_features,
                }
                | Estimator::ExtraTrees {
                    tree,
                    n_estimators,
                    bootstrap,
                    max_features,
                },
                labels,
            ) => {
                leaf_fits(tree, n)?;
                let mut params = tree.clone();
                params.max_features = Some(max_features.resolve(p));
                let extra = matches!(self, Estimator::ExtraTrees { .. });
                Ok(Fitted::Forest(forest::fit(
                    data.x,
                    p,
                    labels,
                    data.rows,
                    &params,
                    *n_estimators,
                    *bootstrap,
                    extra,
                    seed,
                    progress,
                )?))
            }
            (Estimator::GradientBoosting(params), labels) => Ok(Fitted::Boosted(boosting::fit(
                data.x,
                p,
                labels,
                data.rows,
                data.validation,
                params,
                seed,
                progress,
            )?)),
            _ => Err(Error::internal("estimator and labels do not match")),
        }
    }

    /// Fits an algorithm that learns without a target on the given rows. Runs on a pool thread.
    pub fn fit_unsupervised(
        &self,
        x: &[f64],
        p: usize,
        rows: &[usize],
        seed: u64,
        progress: &Progress,
    ) -> Result<Fitted> {
        if rows.is_empty() {
            return Err(Error::data("no training rows"));
        }
        let gather = || -> Vec<f64> {
            let mut out = Vec::with_capacity(rows.len() * p);
            for &r in rows {
                out.extend_from_slice(&x[r * p..(r + 1) * p]);
            }
            out
        };
        match self {
            Estimator::KMeans {
                n_clusters,
                n_init,
                max_iter,
                tol,
            } => {
                if *n_clusters > rows.len() {
                    return Err(Error::param(format!(
                        "hyperparameter \"n_clusters\" is {n_clusters} but there are only {} training rows",
                        rows.len()
                    )));
                }
                let params = KMeansParams {
                    k: *n_clusters,
                    n_init: *n_init,
                    max_iter: *max_iter,
                    tol: *tol,
                    seed,
                };
                let fit = kmeans::fit(&gather(), p, &params, progress)?;
                Ok(Fitted::KMeans(KMeansModel {
                    d: p,
                    centroids: fit.centroids,
                }))
            }
            Estimator::Dbscan(params) => {
                let (model, _) = dbscan::fit(&gather(), p, params, progress)?;
                Ok(Fitted::Dbscan(model))
            }
            Estimator::IsolationForest(params) => Ok(Fitted::Isolation(isolation::fit(
                x, p, rows, params, seed, progress,
            )?)),
            Estimator::Pca(params) => Ok(Fitted::Pca(pca::fit(x, p, rows, params, progress)?)),
            _ => Err(Error::internal("a supervised estimator needs labels")),
        }
    }

    /// Units of work `fit` reports through Progress::done (trees), for progress messages.
    pub fn work_units(&self) -> usize {
        match self {
            Estimator::RandomForest { n_estimators, .. }
            | Estimator::ExtraTrees { n_estimators, .. } => *n_estimators,
            Estimator::IsolationForest(p) => p.n_estimators,
            Estimator::GradientBoosting(p) => p.n_estimators,
            Estimator::KMeans { n_init, .. } => *n_init,
            _ => 0,
        }
    }
}

#[cfg(test)]
#[path = "tests/estimator.rs"]
mod tests;
