//! The preprocessing an algorithm gets unless the options say otherwise: standard scaling for the
//! learners that compare distances or weights, missing numbers left to the tree learners.

use super::super::options::TrainOptions;
use super::super::preprocess::{Defaults, Scale};

/// Learners that route missing numbers themselves (binned trees); the others get imputed values.
pub(super) fn handles_missing(algorithm: &str) -> bool {
    matches!(
        algorithm,
        "decision_tree" | "random_forest" | "extra_trees" | "gradient_boosting"
    )
}

pub(super) fn scaled_by_default(algorithm: &str) -> bool {
    matches!(
        algorithm,
        "linear_regression"
            | "ridge"
            | "lasso"
            | "elastic_net"
            | "logistic_regression"
            | "knn"
            | "mlp"
            | "svm"
            | "svr"
    )
}

/// The preprocessing defaults for `algorithm` under `opts`.
pub(super) fn for_algorithm(algorithm: &str, opts: &TrainOptions) -> Defaults {
    Defaults {
        scale: opts.scale.unwrap_or(if scaled_by_default(algorithm) {
            Scale::Standard
        } else {
            Scale::None
        }),
        missing_numbers: handles_missing(algorithm),
        unknown: opts.unknown,
        max_categories: opts.max_categories,
    }
}
