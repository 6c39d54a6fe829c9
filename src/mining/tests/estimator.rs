//! Unit tests of `mining::estimator`.

use super::*;
use crate::mining::tree::Criterion;
use serde_json::json;

#[test]
fn unknown_keys_and_bad_values_name_the_key() {
    let e = Estimator::from_params(
        "random_forest",
        Task::Classification,
        &json!({"n_trees": 5}),
    )
    .unwrap_err();
    assert!(e.message.contains("\"n_trees\""), "{}", e.message);
    let e = Estimator::from_params(
        "logistic_regression",
        Task::Classification,
        &json!({"C": 0}),
    )
    .unwrap_err();
    assert!(e.message.contains("\"C\""), "{}", e.message);
    let e = Estimator::from_params("nope", Task::Regression, &json!({})).unwrap_err();
    assert!(e.message.contains("nope"));
    let e = Estimator::from_params("ridge", Task::Classification, &json!({})).unwrap_err();
    assert!(e.message.contains("regression"));
    assert!(Estimator::from_params("ridge", Task::Regression, &json!([1])).is_err());
}

#[test]
fn defaults_follow_scikit_learn() {
    match Estimator::from_params("random_forest", Task::Classification, &json!({})).unwrap() {
        Estimator::RandomForest {
            n_estimators,
            bootstrap,
            max_features,
            tree,
        } => {
            assert_eq!(
                (n_estimators, bootstrap, max_features),
                (100, true, MaxFeatures::Sqrt)
            );
            assert_eq!(tree.criterion, Criterion::Gini);
            assert_eq!(
                (
                    tree.min_samples_split,
                    tree.min_samples_leaf,
                    tree.max_depth
                ),
                (2, 1, None)
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(MaxFeatures::Sqrt.resolve(20), 4);
    assert_eq!(MaxFeatures::Fraction(0.5).resolve(9), 4);
}

#[test]
fn decision_tree_takes_relative_max_features() {
    let e = Estimator::from_params(
        "decision_tree",
        Task::Regression,
        &json!({"max_features": 0.5}),
    )
    .unwrap();
    assert!(
        matches!(e, Estimator::DecisionTree { max_features: MaxFeatures::Fraction(f), .. } if f == 0.5)
    );
}
