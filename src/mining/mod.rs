//! The mining core: pure Rust, no Postgres bindings. Everything here is tested with plain #[test].

pub mod accumulate;
pub mod assoc;
pub mod binning;
pub mod boosting;
pub mod cluster_metrics;
pub mod columns;
pub mod dbscan;
pub mod derived;
pub mod drift;
pub mod elastic_net;
pub mod error;
pub mod estimator;
pub mod evaluate;
pub mod fitted;
pub mod forest;
pub mod forest_scoring;
pub mod frame;
pub mod hist_forest;
pub mod hist_tree;
pub mod hyperparams;
pub mod isolation;
pub mod kmeans;
pub mod knn;
pub mod knn_index;
pub mod linear;
pub mod logistic;
pub mod metrics;
pub mod mlp;
pub mod model;
pub mod model_format;
pub mod naive_bayes;
pub mod options;
pub mod pca;
pub mod pipeline;
pub mod platt;
pub mod preprocess;
pub mod quality;
pub mod rng;
pub mod rows;
pub mod scores;
pub mod smo;
pub mod split;
pub mod svm;
pub mod tree;
pub mod tuning;

#[cfg(test)]
#[path = "tests/sklearn_reference.rs"]
mod sklearn_reference;

#[cfg(test)]
#[path = "tests/sklearn_datasets.rs"]
mod sklearn_datasets;

#[cfg(test)]
#[path = "tests/support.rs"]
pub(crate) mod test_support;

#[cfg(test)]
#[path = "tests/missing.rs"]
mod missing;
