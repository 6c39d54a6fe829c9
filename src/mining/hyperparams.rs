//! Hyperparameters: the keys each algorithm accepts, their defaults (scikit-learn's) and
//! checks, parsed from the jsonb given to dm_train into an `Estimator`. Every bad value is an
//! ERROR that names the key and what it must be.

use serde_json::{Map, Value};

use super::boosting::BoostParams;
use super::dbscan::DbscanParams;
use super::elastic_net::ElasticNetParams;
use super::error::{Error, Result};
use super::estimator::{Estimator, Task, ALGORITHMS};
use super::isolation::{IsolationParams, MaxSamples};
use super::knn::Weights;
use super::mlp::{Activation, MlpParams};
use super::pca::{Components, PcaParams};
use super::svm::{Gamma, KernelName, SvmParams};
use super::tree::{Criterion, MaxFeatures, TreeParams};

fn allowed_keys(algorithm: &str) -> &'static [&'static str] {
    match algorithm {
        "linear_regression" => &["fit_intercept"],
        "ridge" => &["alpha", "fit_intercept"],
        "lasso" => &["alpha", "fit_intercept", "max_iter", "tol"],
        "elastic_net" => &["alpha", "l1_ratio", "fit_intercept", "max_iter", "tol"],
        "logistic_regression" => &["C", "class_weight"],
        "decision_tree" => &[
            "max_depth",
            "min_samples_split",
            "min_samples_leaf",
            "criterion",
            "max_features",
        ],
        "random_forest" | "extra_trees" => &[
            "n_estimators",
            "max_depth",
            "min_samples_split",
            "min_samples_leaf",
            "criterion",
            "max_features",
            "bootstrap",
        ],
        "kmeans" => &["n_clusters", "n_init", "max_iter", "tol"],
        "dbscan" => &["eps", "min_samples"],
        "isolation_forest" => &[
            "n_estimators",
            "max_samples",
            "contamination",
            "max_features",
        ],
        "pca" => &["n_components", "whiten"],
        "knn" => &["n_neighbors", "weights"],
        "svm" => &[
            "kernel",
            "C",
            "gamma",
            "degree",
            "coef0",
            "tol",
            "class_weight",
            "probability",
            "cache_size",
            "max_train_rows",
        ],
        "svr" => &[
            "kernel",
            "C",
            "gamma",
            "degree",
            "coef0",
            "tol",
            "epsilon",
            "cache_size",
            "max_train_rows",
        ],
        "naive_bayes" => &["var_smoothing", "alpha"],
        "mlp" => &[
            "hidden_layer_sizes",
            "activation",
            "alpha",
            "learning_rate_init",
            "batch_size",
            "max_iter",
            "tol",
            "n_iter_no_change",
        ],
        "gradient_boosting" => &[
            "n_estimators",
            "learning_rate",
            "num_leaves",
            "max_depth",
            "min_samples_leaf",
            "l2_regularization",
            "subsample",
            "max_bins",
            "n_iter_no_change",
        ],
        _ => &[],
    }
}

struct Params<'a> {
    algorithm: &'a str,
    map: &'a Map<String, Value>,
}

impl Params<'_> {
    fn need_target(&self, task: Task) -> Result<()> {
        if task.is_supervised() {
            Ok(())
        } else {
            Err(Error::param(format!(
                "{} needs a target (classification or regression); this is a {} task",
                self.algorithm,
                task.name()
            )))
        }
    }
    /// random_forest / extra_trees: tree parameters, n_estimators, bootstrap, max_features
    /// (sqrt for classification, all for regression, as scikit-learn).
    fn forest(
        &self,
        task: Task,
        bootstrap: bool,
    ) -> Result<(TreeParams, usize, bool, MaxFeatures)> {
        let default = match task {
            Task::Classification => MaxFeatures::Sqrt,
            _ => MaxFeatures::All,
        };
        Ok((
            self.tree(task)?,
            self.usize_or("n_estimators", 100, 1, 10_000)?,
            self.bool_or("bootstrap", bootstrap)?,
            self.max_features(default)?,
        ))
    }
    fn bad(&self, key: &str, want: &str) -> Error {
        Error::param(format!(
            "hyperparameter \"{key}\" of {} must be {want}; got {}",
            self.algorithm,
            self.map
                .get(key)
                .map_or("nothing".into(), |v| v.to_string())
        ))
    }
    fn f64_or(
        &self,
        key: &str,
        default: f64,
        check: impl Fn(f64) -> bool,
        want: &str,
    ) -> Result<f64> {
        match self.map.get(key) {
            None => Ok(default),
            Some(v) => v
                .as_f64()
                .filter(|x| x.is_finite() && check(*x))
                .ok_or_else(|| self.bad(key, want)),
        }
    }
    fn usize_or(&self, key: &str, default: usize, min: usize, max: usize) -> Result<usize> {
        match self.map.get(key) {
            None => Ok(default),
            Some(v) => v
                .as_u64()
                .map(|x| x as usize)
                .filter(|x| (min..=max).contains(x))
                .ok_or_else(|| self.bad(key, &format!("an integer in [{min}, {max}]"))),
        }
    }
    fn bool_or(&self, key: &str, default: bool) -> Result<bool> {
        match self.map.get(key) {
            None => Ok(default),
            Some(v) => v.as_bool().ok_or_else(|| self.bad(key, "true or false")),
        }
    }
    fn max_depth(&self) -> Result<Option<usize>> {
        match self.map.get("max_depth") {
            None | Some(Value::Null) => Ok(None),
            Some(v) => v
                .as_u64()
                .filter(|&d| (1..=1000).contains(&d))
                .map(|d| Some(d as usize))
                .ok_or_else(|| self.bad("max_depth", "null or an integer in [1, 1000]")),
        }
    }
    fn max_features(&self, default: MaxFeatures) -> Result<MaxFeatures> {
        let want = "\"sqrt\", \"log2\", null (all), an integer ≥ 1 or a fraction in (0, 1]";
        match self.map.get("max_features") {
            None => Ok(default),
            Some(Value::Null) => Ok(MaxFeatures::All),
            Some(Value::String(s)) if s == "sqrt" => Ok(MaxFeatures::Sqrt),
            Some(Value::String(s)) if s == "log2" => Ok(MaxFeatures::Log2),
            Some(v) if v.is_u64() => match v.as_u64() {
                Some(k) if k >= 1 => Ok(MaxFeatures::Count(k as usize)),
                _ => Err(self.bad("max_features", want)),
            },
            Some(v) => match v.as_f64() {
                Some(f) if f > 0.0 && f <= 1.0 => Ok(MaxFeatures::Fraction(f)),
                _ => Err(self.bad("max_features", want)),
            },
        }
    }
    fn max_samples(&self) -> Result<MaxSamples> {
        let want = "\"auto\", an integer ≥ 1 or a fraction in (0, 1]";
        match self.map.get("max_samples") {
            None => Ok(MaxSamples::Auto),
            Some(Value::String(s)) if s == "auto" => Ok(MaxSamples::Auto),
            Some(v) if v.is_u64() => match v.as_u64() {
                Some(k) if k >= 1 => Ok(MaxSamples::Count(k as usize)),
                _ => Err(self.bad("max_samples", want)),
            },
            Some(v) => match v.as_f64() {
                Some(f) if f > 0.0 && f <= 1.0 => Ok(MaxSamples::Fraction(f)),
                _ => Err(self.bad("max_samples", want)),
            },
        }
    }
    fn contamination(&self) -> Result<Option<f64>> {
        match self.map.get("contamination") {
            None => Ok(None),
            Some(Value::String(s)) if s == "auto" => Ok(None),
            Some(v) => v
                .as_f64()
                .filter(|c| *c > 0.0 && *c <= 0.5)
                .map(Some)
                .ok_or_else(|| self.bad("contamination", "\"auto\" or a fraction in (0, 0.5]")),
        }
    }
    fn n_components(&self) -> Result<Components> {
        let want = "null (all), an integer ≥ 1 or a fraction of variance in (0, 1)";
        match self.map.get("n_components") {
            None | Some(Value::Null) => Ok(Components::All),
            Some(v) if v.is_u64() => match v.as_u64() {
                Some(k) if k >= 1 => Ok(Components::Count(k as usize)),
                _ => Err(self.bad("n_components", want)),
            },
            Some(v) => match v.as_f64() {
                Some(f) if f > 0.0 && f < 1.0 => Ok(Components::Variance(f)),
                _ => Err(self.bad("n_components", want)),
            },
        }
    }
    /// class_weight: null (every class 1) or "balanced" (n / (classes × class rows)).
    fn balanced(&self) -> Result<bool> {
        match self.map.get("class_weight") {
            None | Some(Value::Null) => Ok(false),
            Some(Value::String(s)) if s == "balanced" => Ok(true),
            Some(_) => Err(self.bad("class_weight", "null or \"balanced\"")),
        }
    }
    /// svm / svr: kernel, C, gamma, degree, coef0, tol, epsilon, cache and row cap.
    fn svm(&self) -> Result<SvmParams> {
        let d = SvmParams::default();
        let kernel = match self.map.get("kernel") {
            None => KernelName::Rbf,
            Some(Value::String(k)) if k == "rbf" => KernelName::Rbf,
            Some(Value::String(k)) if k == "linear" => KernelName::Linear,
            Some(Value::String(k)) if k == "poly" => KernelName::Poly,
            Some(Value::String(k)) if k == "sigmoid" => KernelName::Sigmoid,
            Some(_) => {
                return Err(self.bad(
                    "kernel",
                    "one of \"rbf\", \"linear\", \"poly\", \"sigmoid\"",
                ))
            }
        };
        let want = "\"scale\", \"auto\" or a number > 0";
        let gamma = match self.map.get("gamma") {
            None => Gamma::Scale,
            Some(Value::String(g)) if g == "scale" => Gamma::Scale,
            Some(Value::String(g)) if g == "auto" => Gamma::Auto,
            Some(v) => match v.as_f64() {
                Some(g) if g > 0.0 && g.is_finite() => Gamma::Value(g),
                _ => return Err(self.bad("gamma", want)),
            },
        };
        Ok(SvmParams {
            kernel,
            c: self.f64_or("C", d.c, |c| c > 0.0, "a number > 0")?,
            gamma,
            degree: self.usize_or("degree", 3, 1, 10)? as u32,
            coef0: self.f64_or("coef0", 0.0, |_| true, "a number")?,
            tol: self.f64_or("tol", d.tol, |t| t > 0.0, "a number > 0")?,
            epsilon: self.f64_or("epsilon", d.epsilon, |e| e >= 0.0, "a number ≥ 0")?,
            balanced: self.balanced()?,
            probability: self.bool_or("probability", true)?,
            cache_mb: self.usize_or("cache_size", d.cache_mb, 1, 65_536)?,
            max_train_rows: self.usize_or("max_train_rows", d.max_train_rows, 1, usize::MAX)?,
        })
    }
    fn tree(&self, task: Task) -> Result<TreeParams> {
        let criterion = match (task, self.map.get("criterion")) {
            (Task::Classification, None) => Criterion::Gini,
            (Task::Regression, None) => Criterion::SquaredError,
            (Task::Classification, Some(Value::String(s))) if s == "gini" => Criterion::Gini,
            (Task::Classification, Some(Value::String(s))) if s == "entropy" || s == "log_loss" => {
                Criterion::Entropy
            }
            (Task::Regression, Some(Value::String(s))) if s == "squared_error" => {
                Criterion::SquaredError
            }
            (Task::Classification, _) => {
                return Err(self.bad("criterion", "\"gini\" or \"entropy\""))
            }
            (Task::Regression, _) => return Err(self.bad("criterion", "\"squared_error\"")),
            (_, _) => {
                return Err(Error::param(format!(
                    "{} needs a target (classification or regression)",
                    self.algorithm
                )))
            }
        };
        Ok(TreeParams {
            max_depth: self.max_depth()?,
            min_samples_split: self.usize_or("min_samples_split", 2, 2, usize::MAX)?,
            min_samples_leaf: self.usize_or("min_samples_leaf", 1, 1, usize::MAX)?,
            max_features: None,
            criterion,
        })
    }
}

impl Estimator {
    /// Parses and validates hyperparameters; unknown keys are errors that name the key.
    pub fn from_params(algorithm: &str, task: Task, hyperparams: &Value) -> Result<Estimator> {
        let empty = Map::new();
        let map = match hyperparams {
            Value::Object(m) => m,
            Value::Null => &empty,
            other => {
                return Err(Error::param(format!(
                    "hyperparams must be a JSON object; got {other}"
                )))
            }
        };
        if !ALGORITHMS.contains(&algorithm) {
            return Err(Error::param(format!(
                "unknown algorithm \"{algorithm}\"; known algorithms: {}",
                ALGORITHMS.join(", ")
            )));
        }
        let allowed = allowed_keys(algorithm);
        if let Some(k) = map.keys().find(|k| !allowed.contains(&k.as_str())) {
            return Err(Error::param(format!(
                "unknown hyperparameter \"{k}\" for {algorithm}; allowed: {}",
                allowed.join(", ")
            )));
        }
        let p = Params { algorithm, map };
        let need = |t: Task| -> Result<()> {
            if t != task {
                Err(Error::param(format!(
                    "{algorithm} is for {}; this is a {} task",
                    t.name(),
                    task.name()
                )))
            } else {
                Ok(())
            }
        };
        Ok(match algorithm {
            "linear_regression" => {
                need(Task::Regression)?;
                Estimator::LinearRegression {
                    fit_intercept: p.bool_or("fit_intercept", true)?,
                }
            }
            "ridge" => {
                need(Task::Regression)?;
                Estimator::Ridge {
                    alpha: p.f64_or("alpha", 1.0, |a| a >= 0.0, "a number ≥ 0")?,
                    fit_intercept: p.bool_or("fit_intercept", true)?,
                }
            }
            "mlp" => {
                p.need_target(task)?;
                let want = "a list of layer sizes (integers in [1, 10000]), e.g. [100] or [64, 32]";
                let hidden = match map.get("hidden_layer_sizes") {
                    None => vec![100],
                    Some(Value::Array(a)) if !a.is_empty() && a.len() <= 10 => a
                        .iter()
                        .map(|v| {
                            v.as_u64()
                                .filter(|k| (1..=10_000).contains(k))
                                .map(|k| k as usize)
                                .ok_or_else(|| p.bad("hidden_layer_sizes", want))
                        })
                        .collect::<Result<Vec<usize>>>()?,
                    Some(_) => return Err(p.bad("hidden_layer_sizes", want)),
                };
                Estimator::Mlp(MlpParams {
                    hidden,
                    activation: match map.get("activation") {
                        None => Activation::Relu,
                        Some(Value::String(a)) if a == "relu" => Activation::Relu,
                        Some(Value::String(a)) if a == "tanh" => Activation::Tanh,
                        Some(_) => return Err(p.bad("activation", "\"relu\" or \"tanh\"")),
                    },
                    alpha: p.f64_or("alpha", 1e-4, |a| a >= 0.0, "a number ≥ 0")?,
                    learning_rate: p.f64_or(
                        "learning_rate_init",
                        1e-3,
                        |l| l > 0.0 && l <= 10.0,
                        "a number in (0, 10]",
                    )?,
                    batch_size: match map.get("batch_size") {
                        None | Some(Value::Null) => None,
                        Some(_) => Some(p.usize_or("batch_size", 200, 1, 1_000_000)?),
                    },
                    max_iter: p.usize_or("max_iter", 200, 1, 100_000)?,
                    tol: p.f64_or("tol", 1e-4, |t| t >= 0.0, "a number ≥ 0")?,
                    n_iter_no_change: p.usize_or("n_iter_no_change", 10, 1, 100_000)?,
                })
            }
            "naive_bayes" => {
                need(Task::Classification)?;
                Estimator::NaiveBayes {
                    var_smoothing: p.f64_or("var_smoothing", 1e-9, |v| v >= 0.0, "a number ≥ 0")?,
                    alpha: p.f64_or("alpha", 1.0, |a| a > 0.0, "a number > 0")?,
                }
            }
            "knn" => {
                p.need_target(task)?;
                Estimator::Knn {
                    n_neighbors: p.usize_or("n_neighbors", 5, 1, 100_000)?,
                    weights: match map.get("weights") {
                        None => Weights::Uniform,
                        Some(Value::String(w)) if w == "uniform" => Weights::Uniform,
                        Some(Value::String(w)) if w == "distance" => Weights::Distance,
                        Some(_) => return Err(p.bad("weights", "\"uniform\" or \"distance\"")),
                    },
                }
            }
            "svm" => {
                need(Task::Classification)?;
                Estimator::Svm(p.svm()?)
            }
            "svr" => {
                need(Task::Regression)?;
                Estimator::Svm(p.svm()?)
            }
            "lasso" | "elastic_net" => {
                need(Task::Regression)?;
                Estimator::ElasticNet(ElasticNetParams {
                    alpha: p.f64_or("alpha", 1.0, |a| a > 0.0, "a number > 0")?,
                    l1_ratio: if algorithm == "lasso" {
                        1.0
                    } else {
                        p.f64_or(
                            "l1_ratio",
                            0.5,
                            |r| (0.0..=1.0).contains(&r),
                            "a number in [0, 1]",
                        )?
                    },
                    fit_intercept: p.bool_or("fit_intercept", true)?,
                    max_iter: p.usize_or("max_iter", 1000, 1, 1_000_000)?,
                    tol: p.f64_or("tol", 1e-4, |t| t > 0.0, "a number > 0")?,
                })
            }
            "logistic_regression" => {
                need(Task::Classification)?;
                Estimator::LogisticRegression {
                    c: p.f64_or("C", 1.0, |c| c > 0.0, "a number > 0")?,
                    balanced: p.balanced()?,
                }
            }
            "decision_tree" => Estimator::DecisionTree {
                tree: p.tree(task)?,
                max_features: p.max_features(MaxFeatures::All)?,
            },
            "random_forest" => {
                let (tree, n_estimators, bootstrap, max_features) = p.forest(task, true)?;
                Estimator::RandomForest {
                    tree,
                    n_estimators,
                    bootstrap,
                    max_features,
                }
            }
            "extra_trees" => {
                let (tree, n_estimators, bootstrap, max_features) = p.forest(task, false)?;
                Estimator::ExtraTrees {
                    tree,
                    n_estimators,
                    bootstrap,
                    max_features,
                }
            }
            "gradient_boosting" => {
                p.need_target(task)?;
                Estimator::GradientBoosting(BoostParams {
                    n_estimators: p.usize_or("n_estimators", 100, 1, 100_000)?,
                    learning_rate: p.f64_or(
                        "learning_rate",
                        0.1,
                        |l| l > 0.0 && l <= 10.0,
                        "a number in (0, 10]",
                    )?,
                    num_leaves: p.usize_or("num_leaves", 31, 2, 65_536)?,
                    max_depth: p.max_depth()?,
                    min_samples_leaf: p.usize_or("min_samples_leaf", 20, 1, usize::MAX)?,
                    l2_regularization: p.f64_or(
                        "l2_regularization",
                        0.0,
                        |l| l >= 0.0,
                        "a number ≥ 0",
                    )?,
                    subsample: p.f64_or(
                        "subsample",
                        1.0,
                        |f| f > 0.0 && f <= 1.0,
                        "a fraction in (0, 1]",
                    )?,
                    max_bins: p.usize_or("max_bins", 255, 2, 255)?,
                    n_iter_no_change: p.usize_or("n_iter_no_change", 10, 0, 100_000)?,
                })
            }
            "kmeans" => {
                need(Task::Clustering)?;
                Estimator::KMeans {
                    n_clusters: p.usize_or("n_clusters", 8, 1, 100_000)?,
                    n_init: p.usize_or("n_init", 10, 1, 1000)?,
                    max_iter: p.usize_or("max_iter", 300, 1, 100_000)?,
                    tol: p.f64_or("tol", 1e-4, |t| t >= 0.0, "a number ≥ 0")?,
                }
            }
            "dbscan" => {
                need(Task::Clustering)?;
                Estimator::Dbscan(DbscanParams {
                    eps: p.f64_or("eps", 0.5, |e| e > 0.0, "a number > 0")?,
                    min_samples: p.usize_or("min_samples", 5, 1, 1_000_000)?,
                })
            }
            "isolation_forest" => {
                need(Task::Anomaly)?;
                Estimator::IsolationForest(IsolationParams {
                    n_estimators: p.usize_or("n_estimators", 100, 1, 10_000)?,
                    max_samples: p.max_samples()?,
                    contamination: p.contamination()?,
                    max_features: p.f64_or(
                        "max_features",
                        1.0,
                        |f| f > 0.0 && f <= 1.0,
                        "a fraction in (0, 1]",
                    )?,
                })
            }
            "pca" => {
                need(Task::Decomposition)?;
                Estimator::Pca(PcaParams {
                    n_components: p.n_components()?,
                    whiten: p.bool_or("whiten", false)?,
                })
            }
            _ => {
                return Err(Error::param(format!(
                    "algorithm \"{algorithm}\" needs a task to resolve"
                )))
            }
        })
    }
}
