//! The registry: every algorithm dm_train knows, one line each. Parsing, validation, error
//! messages, `auto`'s candidates and the docs' hyperparameter tables read these entries, so
//! nothing else lists algorithm names. To add an algorithm, see the crate's top-level doc.

use std::sync::Arc;

use serde_json::Value;

use crate::common::error::{Error, Result};
use crate::common::task::Task;
use crate::learners::spec::Hyper;
use crate::learners::{anomaly, cluster, decomposition, knn, linear, mlp, naive_bayes, svm, trees};
use crate::learners::{Algorithm, Auto, Entry, Learner};
use crate::model::estimator::{Estimator, Fit};
use crate::model::fitted::Fitted;

/// An entry of any family, as the registry holds it.
pub trait Registered: Sync {
    fn algorithm(&self) -> &Algorithm;
    fn learner(&self, hyper: &Hyper, task: Task) -> Result<Arc<dyn Fit>>;
}

impl<L: Learner> Registered for Entry<L>
where
    L::Model: Into<Fitted>,
{
    fn algorithm(&self) -> &Algorithm {
        &self.algorithm
    }

    fn learner(&self, hyper: &Hyper, task: Task) -> Result<Arc<dyn Fit>> {
        Ok(Arc::new((self.build)(hyper, task)?))
    }
}

/// Every algorithm, in the order messages and docs list them.
pub static ALGORITHMS: &[&dyn Registered] = &[
    &linear::LINEAR_REGRESSION,
    &linear::RIDGE,
    &linear::LASSO,
    &linear::ELASTIC_NET,
    &linear::LOGISTIC_REGRESSION,
    &trees::DECISION_TREE,
    &trees::RANDOM_FOREST,
    &trees::EXTRA_TREES,
    &trees::GRADIENT_BOOSTING,
    &knn::KNN,
    &naive_bayes::NAIVE_BAYES,
    &mlp::MLP,
    &svm::SVM,
    &svm::SVR,
    &cluster::KMEANS,
    &cluster::DBSCAN,
    &anomaly::ISOLATION_FOREST,
    &decomposition::PCA,
];

/// What dm_train's `algorithm` argument may be: `auto` and every registered name.
pub fn names() -> Vec<&'static str> {
    std::iter::once("auto")
        .chain(ALGORITHMS.iter().map(|e| e.algorithm().name))
        .collect()
}

pub fn find(name: &str) -> Option<&'static dyn Registered> {
    ALGORITHMS
        .iter()
        .copied()
        .find(|e| e.algorithm().name == name)
}

/// An error for a name that is neither `auto` nor registered.
pub fn check_name(name: &str) -> Result<()> {
    if name == "auto" || find(name).is_some() {
        Ok(())
    } else {
        Err(Error::param(format!(
            "unknown algorithm \"{name}\"; known algorithms: {}",
            names().join(", ")
        )))
    }
}

/// The task of an algorithm that learns without a target.
pub fn unsupervised_task(name: &str) -> Option<Task> {
    let tasks = find(name)?.algorithm().tasks;
    match tasks {
        [t] if !t.is_supervised() => Some(*t),
        _ => None,
    }
}

/// What `auto` compares for a supervised task, cheapest first: (algorithm, row cap).
pub fn auto_candidates(task: Task) -> Vec<AutoCandidate> {
    let mut c: Vec<(u8, AutoCandidate)> = ALGORITHMS
        .iter()
        .filter_map(|e| {
            let a = e.algorithm();
            match a.auto {
                Auto::Candidate {
                    cost,
                    max_rows,
                    around,
                } if a.tasks.contains(&task) => Some((
                    cost,
                    AutoCandidate {
                        name: a.name,
                        max_rows,
                        around,
                    },
                )),
                _ => None,
            }
        })
        .collect();
    c.sort_by_key(|(cost, _)| *cost);
    c.into_iter().map(|(_, candidate)| candidate).collect()
}

/// A candidate of `auto`, as its registry entry declares it.
#[derive(Debug, Clone, Copy)]
pub struct AutoCandidate {
    pub name: &'static str,
    /// Past this many training rows it is not tried.
    pub max_rows: Option<usize>,
    /// Hyperparameter settings near the defaults (JSON objects), tried when the family is
    /// among the best.
    pub around: &'static [&'static str],
}

/// What `auto` means for a task without a target.
pub fn task_default(task: Task) -> Option<&'static str> {
    ALGORITHMS
        .iter()
        .map(|e| e.algorithm())
        .find(|a| a.auto == Auto::TaskDefault && a.tasks.contains(&task))
        .map(|a| a.name)
}

/// The algorithm `name` with `hyperparams` parsed and validated for `task`.
pub fn estimator(name: &str, task: Task, hyperparams: &Value) -> Result<Estimator> {
    crate::learners::spec::object(hyperparams)?;
    check_name(name)?;
    let Some(entry) = find(name) else {
        return Err(Error::param(format!(
            "algorithm \"{name}\" needs a task to resolve"
        )));
    };
    let algorithm: &'static Algorithm = entry.algorithm();
    // Unknown keys first, then the task, then the values.
    crate::learners::spec::check_keys(algorithm.name, algorithm.params, hyperparams)?;
    check_task(algorithm, task)?;
    let hyper = Hyper::parse(algorithm.name, algorithm.params, task, hyperparams)?;
    let learner = entry.learner(&hyper, task)?;
    Ok(Estimator::new(algorithm, learner))
}

/// The algorithm that does for `task` what `name` does for the other supervised task.
fn counterpart(name: &str, task: Task) -> Option<&'static str> {
    match (name, task) {
        ("svm", Task::Regression) => Some("svr"),
        ("svr", Task::Classification) => Some("svm"),
        ("logistic_regression", Task::Regression) => {
            Some("linear_regression, ridge, lasso or elastic_net")
        }
        ("linear_regression" | "ridge" | "lasso" | "elastic_net", Task::Classification) => {
            Some("logistic_regression")
        }
        _ => None,
    }
}

fn check_task(a: &Algorithm, task: Task) -> Result<()> {
    if a.tasks.contains(&task) {
        return Ok(());
    }
    let message = match a.tasks {
        [only] => format!(
            "{} is for {}; this is a {} task{}",
            a.name,
            only.name(),
            task.name(),
            counterpart(a.name, task).map_or(String::new(), |c| format!(": use {c}"))
        ),
        _ => format!(
            "{} needs a target (classification or regression); this is a {} task",
            a.name,
            task.name()
        ),
    };
    Err(Error::param(message))
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::*;
    use crate::common::error::ErrorKind;
    use crate::learners::spec::{Bound, Form, Param};

    /// Every algorithm dm_train knows, in the order messages list them. Adding one means
    /// adding it here too (and to the format-3 fixture when it has a new kind of model).
    #[test]
    fn the_registry_lists_every_algorithm_once() {
        assert_eq!(
            names(),
            [
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
            ]
        );
        let mut seen = std::collections::HashSet::new();
        for e in ALGORITHMS {
            let a = e.algorithm();
            assert!(seen.insert(a.name), "{} twice", a.name);
            assert!(!a.tasks.is_empty() && !a.summary.is_empty(), "{}", a.name);
            assert!(
                a.params.iter().all(|g| !g.is_empty()),
                "{}: an empty group",
                a.name
            );
            for p in a.params.iter().flat_map(|g| g.iter()) {
                assert!(
                    !p.want.is_empty() && !p.about.is_empty(),
                    "{}: {}",
                    a.name,
                    p.key
                );
                assert!(
                    p.task.is_none_or(|t| a.tasks.contains(&t)),
                    "{}: {}",
                    a.name,
                    p.key
                );
            }
        }
        let e = check_name("deep_magic").unwrap_err();
        assert!(e.message.starts_with(
            "unknown algorithm \"deep_magic\"; known algorithms: auto, linear_regression"
        ));
    }

    /// A JSON value of each declared form that the form accepts.
    fn sample(f: &Form) -> Value {
        match *f {
            Form::Null => Value::Null,
            Form::Bool => json!(false),
            Form::Word(words) => json!(words[0]),
            Form::Int { min, max } => json!(min.max(1).min(max)),
            Form::Number { low, high } => {
                let lo = match low {
                    Bound::Unbounded => 0.0,
                    Bound::Open(b) | Bound::Closed(b) => b,
                };
                let hi = match high {
                    Bound::Unbounded => lo + 2.0,
                    Bound::Open(b) | Bound::Closed(b) => b,
                };
                json!((lo + hi) / 2.0)
            }
            Form::IntList { min, .. } => json!([min]),
            Form::WeightMap { .. } => json!({"a": 2.0}),
        }
    }

    /// Values just outside each declared form (and of no form at all).
    fn outside(f: &Form) -> Vec<Value> {
        match *f {
            Form::Null | Form::Bool => vec![json!("maybe")],
            Form::Word(_) => vec![json!("no_such_word"), json!(7)],
            Form::Int { min, max } => {
                let mut v = vec![json!(min as f64 + 0.5), json!(-1)];
                if min > 0 {
                    v.push(json!(min - 1));
                }
                if max < u64::MAX {
                    v.push(json!(max + 1));
                }
                v
            }
            Form::Number { low, high } => {
                let mut v = vec![json!("1")];
                match low {
                    Bound::Open(b) => v.extend([json!(b), json!(b - 1.0)]),
                    Bound::Closed(b) => v.push(json!(b - 1.0)),
                    Bound::Unbounded => {}
                }
                match high {
                    Bound::Open(b) => v.extend([json!(b), json!(b + 1.0)]),
                    Bound::Closed(b) => v.push(json!(b + 1.0)),
                    Bound::Unbounded => {}
                }
                v
            }
            Form::IntList { min, max, max_len } => {
                let mut v = vec![json!([]), json!(vec![min; max_len + 1]), json!([1.5])];
                if min > 0 {
                    v.push(json!([min - 1]));
                }
                if max < u64::MAX {
                    v.push(json!([max + 1]));
                }
                v
            }
            Form::WeightMap { .. } => vec![json!({}), json!({"a": 0}), json!({"a": "2"})],
        }
    }

    fn params_of(a: &Algorithm, task: Task) -> Vec<&'static Param> {
        crate::learners::spec::params_for(a.params, task)
    }

    /// Every declared key parses (each of its forms, and its default written out), and every
    /// value outside its forms is rejected with a message naming the key and the algorithm.
    #[test]
    fn every_key_parses_and_every_bad_value_names_its_key() {
        for e in ALGORITHMS {
            let a = e.algorithm();
            for &task in a.tasks {
                let defaults = estimator(a.name, task, &json!({})).unwrap();
                assert!(defaults.to_json().get(a.stored_as).is_some(), "{}", a.name);
                for p in params_of(a, task) {
                    for f in p.forms {
                        let v = sample(f);
                        let got = estimator(a.name, task, &json!({ p.key: v }));
                        assert!(got.is_ok(), "{} {}: {v} → {:?}", a.name, p.key, got.err());
                    }
                    for bad in p.forms.iter().flat_map(outside) {
                        if p.accept(&bad).is_some() {
                            continue;
                        }
                        let e = estimator(a.name, task, &json!({ p.key: bad })).unwrap_err();
                        assert_eq!(e.kind, ErrorKind::InvalidParameter);
                        let start = format!(
                            "hyperparameter \"{}\" of {} must be {}; got ",
                            p.key, a.name, p.want
                        );
                        assert!(
                            e.message.starts_with(&start),
                            "{} {} {bad}: {}",
                            a.name,
                            p.key,
                            e.message
                        );
                    }
                    let e =
                        estimator(a.name, task, &json!({ p.key: {"nested": [1]} })).unwrap_err();
                    assert!(
                        e.message.contains(&format!("\"{}\"", p.key)),
                        "{}",
                        e.message
                    );
                }
                let e = estimator(a.name, task, &json!({"no_such_key": 1})).unwrap_err();
                assert!(e.message.starts_with(&format!(
                    "unknown hyperparameter \"no_such_key\" for {}; allowed: ",
                    a.name
                )));
            }
            for task in Task::ALL.into_iter().filter(|t| !a.tasks.contains(t)) {
                let e = estimator(a.name, task, &json!({})).unwrap_err();
                assert!(e.message.contains(task.name()), "{}: {}", a.name, e.message);
            }
        }
    }

    /// The defaults are scikit-learn's, stored under the same keys as before the registry.
    #[test]
    fn defaults_follow_scikit_learn() {
        let rf = estimator("random_forest", Task::Classification, &json!({}))
            .unwrap()
            .to_json();
        assert_eq!(
            rf,
            json!({"RandomForest": {"tree": {"max_depth": null, "min_samples_split": 2, "min_samples_leaf": 1,
                                              "max_features": null, "criterion": "Gini"},
                                     "n_estimators": 100, "bootstrap": true, "max_features": "Sqrt"}})
        );
        let et = estimator("extra_trees", Task::Regression, &json!({}))
            .unwrap()
            .to_json();
        assert_eq!(et["ExtraTrees"]["max_features"], "All");
        assert_eq!(et["ExtraTrees"]["bootstrap"], false);
        assert_eq!(et["ExtraTrees"]["tree"]["criterion"], "SquaredError");
        let dt = estimator(
            "decision_tree",
            Task::Regression,
            &json!({"max_features": 0.5}),
        )
        .unwrap()
        .to_json();
        assert_eq!(dt["DecisionTree"]["max_features"], json!({"Fraction": 0.5}));
        let svm = estimator("svm", Task::Classification, &json!({"C": 10}))
            .unwrap()
            .to_json();
        assert_eq!(
            svm,
            json!({"Svm": {"c": 10.0, "tol": 0.001, "coef0": 0.0, "gamma": "Scale", "degree": 3, "kernel": "Rbf",
                           "epsilon": 0.1, "balanced": false, "cache_mb": 200, "probability": true,
                           "max_train_rows": 50000}})
        );
        use crate::learners::trees::tree::MaxFeatures;
        assert_eq!(MaxFeatures::Sqrt.resolve(20), 4);
        assert_eq!(MaxFeatures::Fraction(0.5).resolve(9), 4);
    }

    #[test]
    fn auto_tries_the_cheap_learners_first() {
        let names = |t| {
            auto_candidates(t)
                .into_iter()
                .map(|c| c.name)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            names(Task::Classification),
            [
                "naive_bayes",
                "logistic_regression",
                "gradient_boosting",
                "random_forest",
                "knn",
                "svm"
            ]
        );
        assert_eq!(
            names(Task::Regression),
            ["ridge", "gradient_boosting", "random_forest", "knn", "svr"]
        );
        let last = auto_candidates(Task::Classification).last().copied();
        assert_eq!(
            last.map(|c| (c.name, c.max_rows)),
            Some(("svm", Some(10_000)))
        );
        assert_eq!(task_default(Task::Clustering), Some("kmeans"));
        assert_eq!(task_default(Task::Anomaly), Some("isolation_forest"));
        assert_eq!(task_default(Task::Decomposition), Some("pca"));
        assert_eq!(unsupervised_task("dbscan"), Some(Task::Clustering));
        assert_eq!(unsupervised_task("ridge"), None);
    }

    /// Every setting a candidate declares near its defaults is a JSON object of keys that
    /// candidate accepts for the task, and differs from the defaults.
    #[test]
    fn every_auto_neighbour_is_a_valid_setting() {
        for task in [Task::Classification, Task::Regression] {
            for c in auto_candidates(task) {
                let plain = estimator(c.name, task, &json!({})).unwrap().to_json();
                assert!(!c.around.is_empty(), "{} declares no neighbours", c.name);
                for text in c.around {
                    let hyper: Value = serde_json::from_str(text)
                        .unwrap_or_else(|e| panic!("{}: {text}: {e}", c.name));
                    let e = estimator(c.name, task, &hyper)
                        .unwrap_or_else(|e| panic!("{} {text}: {}", c.name, e.message));
                    assert_ne!(e.to_json(), plain, "{} {text} is the default", c.name);
                }
            }
        }
    }

    #[test]
    fn tasks_and_shapes_are_checked_before_values() {
        let e = estimator("ridge", Task::Classification, &json!({"alpha": -1})).unwrap_err();
        assert_eq!(
            e.message,
            "ridge is for regression; this is a classification task: use logistic_regression"
        );
        let e = estimator("svm", Task::Regression, &json!({})).unwrap_err();
        assert_eq!(
            e.message,
            "svm is for classification; this is a regression task: use svr"
        );
        let e = estimator("decision_tree", Task::Clustering, &json!({})).unwrap_err();
        assert_eq!(e.message, "decision_tree needs a target (classification or regression); this is a clustering task");
        let e = estimator("lasso", Task::Regression, &json!({"l1_ratio": 0.5})).unwrap_err();
        assert_eq!(e.message, "unknown hyperparameter \"l1_ratio\" for lasso; allowed: alpha, fit_intercept, max_iter, tol");
        assert!(estimator("ridge", Task::Regression, &json!([1])).is_err());
        let e = estimator(
            "random_forest",
            Task::Regression,
            &json!({"criterion": "gini"}),
        )
        .unwrap_err();
        assert_eq!(
            e.message,
            "hyperparameter \"criterion\" of random_forest must be \"squared_error\"; got \"gini\""
        );
    }

    /// dm.models.hyperparams keeps the shape it had before the registry, for every algorithm
    /// and task (tests/fixtures/stored_hyperparams.json, written at commit 4e080e4), and the
    /// same algorithms serve the same tasks.
    #[test]
    fn stored_hyperparameters_keep_their_shape() {
        let doc = crate::test_support::fixture("stored_hyperparams.json");
        let want = doc["hyperparams"].as_object().unwrap();
        let mut got = serde_json::Map::new();
        for e in ALGORITHMS {
            for t in Task::ALL {
                if let Ok(est) = estimator(e.algorithm().name, t, &json!({})) {
                    got.insert(
                        format!("{}/{}", e.algorithm().name, t.name()),
                        est.to_json(),
                    );
                }
            }
        }
        assert_eq!(&got, want);
    }
}
