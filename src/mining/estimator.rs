//! The estimators: the algorithms, their tasks, and fitting them into a `Fitted` model
//! (fitted.rs scores it). Their hyperparameters are parsed in hyperparams.rs.

use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use super::fitted::{Fitted, Model};

use super::binning::{self, Binned};
use super::boosting::{self, BoostParams};
use super::dbscan::{self, DbscanParams};
use super::elastic_net::{self, ElasticNetParams};
use super::error::{Error, Result};
use super::forest::{self, Progress};
use super::isolation::{self, IsolationParams};
use super::kmeans::{self, KMeansModel, KMeansParams};
use super::knn::{self, Weights};
use super::linear;
use super::logistic;
use super::mlp::{self, MlpParams};
use super::naive_bayes;
use super::pca::{self, PcaParams};
use super::rng::Rng;
use super::svm::{self, SvmParams};
use super::tree::{self, Labels, MaxFeatures, TreeParams};

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
    /// Row-major rows × n_cols; empty when the rows come binned.
    pub x: &'a [f64],
    /// The rows binned instead (trees and forests only: `Estimator::binning_seed`).
    pub binned: Option<&'a Binned>,
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

    /// For learners that can train on binned rows (trees and forests), the seed their binning
    /// uses: rows binned with it (`binning::bin` or `ColumnBinner`) give the model the dense
    /// rows would, without the matrix of floats.
    pub fn binning_seed(&self, seed: u64) -> Option<u64> {
        match self {
            Estimator::DecisionTree { .. } => Some(Rng::new(seed).next_u64()),
            Estimator::RandomForest { .. } | Estimator::ExtraTrees { .. } => Some(seed),
            _ => None,
        }
    }

    /// Fits on `data`. Runs on a pool thread: never touches Postgres.
    pub fn fit(&self, data: &TrainData, seed: u64, progress: &Progress) -> Result<Fitted> {
        let n = data.rows.len();
        let p = data.n_cols;
        if n == 0 {
            return Err(Error::data("no training rows"));
        }
        if data.binned.is_some() && self.binning_seed(seed).is_none() {
            return Err(Error::internal(
                "this learner needs its rows as floats, not binned",
            ));
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
                let mut rng = Rng::new(seed);
                Ok(Fitted::Tree(match data.binned {
                    Some(b) => {
                        // As tree::fit would have drawn its binning seed.
                        rng.next_u64();
                        tree::fit_binned(b, labels, data.rows, &params, &mut rng)
                    }
                    None => tree::fit(data.x, p, labels, data.rows, &params, &mut rng),
                }))
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
                let dense;
                let binned = match data.binned {
                    Some(b) => b,
                    None => {
                        dense = binning::bin(data.x, p, data.rows, binning::MAX_BINS, seed);
                        &dense
                    }
                };
                Ok(Fitted::Forest(forest::fit(
                    binned,
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
