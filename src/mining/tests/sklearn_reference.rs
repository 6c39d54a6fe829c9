//! The mining core against scikit-learn's own numbers (tests/fixtures/sklearn_reference.json,
//! written by tests/fixtures/sklearn_reference.py).

use serde_json::Value;

use crate::mining::test_support::{accuracy, bundled_sets, floats, r2, usizes};
use crate::mining::{linear, metrics};

fn fixture() -> Value {
    serde_json::from_str(include_str!(
        "../../../tests/fixtures/sklearn_reference.json"
    ))
    .unwrap()
}

#[test]
fn classification_metrics_match_sklearn() {
    let f = fixture();
    for case in f["classification"].as_array().unwrap() {
        let n = case["n_classes"].as_u64().unwrap() as usize;
        let m = metrics::classification(&usizes(&case["actual"]), &usizes(&case["predicted"]), n);
        for (k, v) in case["expected"].as_object().unwrap() {
            let ours = m
                .get(k)
                .unwrap_or_else(|| panic!("{}: no {k}", case["name"]));
            assert!(
                (ours - v.as_f64().unwrap()).abs() < 1e-9,
                "{} {k}: ours {ours}, sklearn {v}",
                case["name"]
            );
        }
    }
}

#[test]
fn regression_metrics_match_sklearn() {
    let f = fixture();
    for case in f["regression"].as_array().unwrap() {
        let m = metrics::regression(&floats(&case["actual"]), &floats(&case["predicted"]));
        for (k, v) in case["expected"].as_object().unwrap() {
            assert!(
                (m[k] - v.as_f64().unwrap()).abs() < 1e-9,
                "{k}: ours {}, sklearn {v}",
                m[k]
            );
        }
    }
}

#[test]
fn least_squares_and_ridge_match_sklearn() {
    let f = fixture();
    for case in f["linear"].as_array().unwrap() {
        let (n, p) = (
            case["n"].as_u64().unwrap() as usize,
            case["p"].as_u64().unwrap() as usize,
        );
        let alpha = case["alpha"].as_f64().unwrap();
        let m = linear::fit(&floats(&case["x"]), n, p, &floats(&case["y"]), alpha, true).unwrap();
        for (ours, theirs) in m.coef.iter().zip(floats(&case["coef"])) {
            assert!(
                (ours - theirs).abs() < 1e-9,
                "alpha {alpha}: coef {ours} vs {theirs}"
            );
        }
        let b = case["intercept"].as_f64().unwrap();
        assert!(
            (m.intercept - b).abs() < 1e-9,
            "alpha {alpha}: intercept {} vs {b}",
            m.intercept
        );
    }
}

#[test]
fn binary_scores_match_sklearn() {
    use crate::mining::scores;
    let f = fixture();
    let c = &f["binary_scores"];
    let y: Vec<bool> = usizes(&c["actual"]).iter().map(|&v| v == 1).collect();
    let s = floats(&c["score"]);
    let auc = scores::roc_auc(&y, &s).unwrap();
    assert!(
        (auc - c["roc_auc"].as_f64().unwrap()).abs() < 1e-9,
        "auc {auc}"
    );
    let proba: Vec<f64> = s.iter().flat_map(|&p| [1.0 - p, p]).collect();
    let actual: Vec<usize> = y.iter().map(|&b| usize::from(b)).collect();
    let ll = scores::log_loss(&actual, &proba, 2);
    assert!(
        (ll - c["log_loss"].as_f64().unwrap()).abs() < 1e-9,
        "log_loss {ll}"
    );
    let roc = scores::roc_curve(&y, &s).unwrap();
    let (fpr, tpr) = (
        floats(&c["roc_curve"]["fpr"]),
        floats(&c["roc_curve"]["tpr"]),
    );
    let thr = c["roc_curve"]["thresholds"].as_array().unwrap();
    assert_eq!(roc.len(), fpr.len());
    for (i, (t, f, tp)) in roc.iter().enumerate() {
        assert!(
            (f - fpr[i]).abs() < 1e-12 && (tp - tpr[i]).abs() < 1e-12,
            "roc point {i}"
        );
        match thr[i].as_f64() {
            Some(v) => assert!((t - v).abs() < 1e-12),
            None => assert!(t.is_infinite()),
        }
    }
    let pr = scores::pr_curve(&y, &s);
    let (prec, rec, pthr) = (
        floats(&c["pr_curve"]["precision"]),
        floats(&c["pr_curve"]["recall"]),
        floats(&c["pr_curve"]["thresholds"]),
    );
    assert_eq!(pr.len(), prec.len());
    for (i, (t, p, r)) in pr.iter().enumerate() {
        assert!(
            (p - prec[i]).abs() < 1e-12 && (r - rec[i]).abs() < 1e-12,
            "pr point {i}"
        );
        assert_eq!(*t, pthr.get(i).copied());
    }
}

#[test]
fn multiclass_scores_match_sklearn() {
    use crate::mining::scores;
    let f = fixture();
    let c = &f["multiclass_scores"];
    let (y, p) = (usizes(&c["actual"]), floats(&c["proba"]));
    let auc = scores::roc_auc_ovr(&y, &p, 3).unwrap();
    assert!(
        (auc - c["roc_auc_ovr"].as_f64().unwrap()).abs() < 1e-9,
        "auc {auc}"
    );
    let ll = scores::log_loss(&y, &p, 3);
    assert!(
        (ll - c["log_loss"].as_f64().unwrap()).abs() < 1e-9,
        "log_loss {ll}"
    );
}

#[test]
fn clustering_metrics_match_sklearn() {
    use crate::mining::cluster_metrics;
    let f = fixture();
    for c in f["clustering"].as_array().unwrap() {
        let x = floats(&c["x"]);
        let labels: Vec<i64> = c["labels"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_i64().unwrap())
            .collect();
        let r = cluster_metrics::report(&x, 2, &labels, 1);
        for k in ["silhouette", "davies_bouldin", "inertia"] {
            let (ours, theirs) = (r[k].as_f64().unwrap(), c[k].as_f64().unwrap());
            assert!(
                (ours - theirs).abs() < 1e-9,
                "{k}: ours {ours}, sklearn {theirs}"
            );
        }
    }
}

#[test]
fn kmeans_inertia_within_one_percent_of_sklearn() {
    use crate::mining::forest::Progress;
    use crate::mining::kmeans::{fit, KMeansParams};
    let f = fixture();
    let c = &f["kmeans"];
    let k = c["k"].as_i64().unwrap();
    let ours = fit(
        &floats(&c["x"]),
        3,
        &KMeansParams::parse(k, None).unwrap(),
        &Progress::default(),
    )
    .unwrap();
    let theirs = c["inertia"].as_f64().unwrap();
    assert!(
        ours.inertia <= theirs * 1.01,
        "ours {}, sklearn {theirs}",
        ours.inertia
    );
}

#[test]
fn fpgrowth_and_rules_match_mlxtend() {
    use crate::mining::assoc::{frequent_itemsets, rules, Baskets};
    use std::collections::HashMap;
    let f: Value = serde_json::from_str(include_str!(
        "../../../tests/fixtures/mlxtend_reference.json"
    ))
    .unwrap();
    let mut ids: HashMap<String, u32> = HashMap::new();
    let mut names: Vec<String> = Vec::new();
    let transactions: Vec<Vec<u32>> = f["baskets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            b.as_array()
                .unwrap()
                .iter()
                .map(|i| {
                    let s = i.as_str().unwrap().to_string();
                    *ids.entry(s.clone()).or_insert_with(|| {
                        names.push(s);
                        names.len() as u32 - 1
                    })
                })
                .collect()
        })
        .collect();
    let b = Baskets {
        transactions,
        items: names.clone(),
    };
    let label = |set: &[u32]| {
        let mut v: Vec<String> = set.iter().map(|&i| names[i as usize].clone()).collect();
        v.sort();
        v
    };
    let sets =
        frequent_itemsets(&b, f["min_support"].as_f64().unwrap(), None, &mut || Ok(())).unwrap();
    let ours: HashMap<Vec<String>, f64> =
        sets.iter().map(|s| (label(&s.items), s.support)).collect();
    let theirs = f["itemsets"].as_array().unwrap();
    assert_eq!(ours.len(), theirs.len(), "number of itemsets");
    for t in theirs {
        let key: Vec<String> = t[0]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect();
        let sup = ours
            .get(&key)
            .unwrap_or_else(|| panic!("missing itemset {key:?}"));
        assert!((sup - t[1].as_f64().unwrap()).abs() < 1e-9);
    }
    let r = rules(&sets, f["min_confidence"].as_f64().unwrap()).unwrap();
    let ours: HashMap<(Vec<String>, Vec<String>), [f64; 5]> = r
        .iter()
        .map(|r| {
            (
                (label(&r.antecedent), label(&r.consequent)),
                [r.support, r.confidence, r.lift, r.leverage, r.conviction],
            )
        })
        .collect();
    let theirs = f["rules"].as_array().unwrap();
    assert_eq!(ours.len(), theirs.len(), "number of rules");
    for t in theirs {
        let side = |v: &Value| -> Vec<String> {
            v.as_array()
                .unwrap()
                .iter()
                .map(|s| s.as_str().unwrap().to_string())
                .collect()
        };
        let m = ours
            .get(&(side(&t[0]), side(&t[1])))
            .unwrap_or_else(|| panic!("missing rule {t}"));
        for j in 0..5 {
            match t[2 + j].as_f64() {
                Some(v) => assert!(
                    (m[j] - v).abs() < 1e-9,
                    "rule {t} metric {j}: {} vs {v}",
                    m[j]
                ),
                None => assert!(
                    m[j].is_infinite(),
                    "rule {t}: conviction should be infinite"
                ),
            }
        }
    }
}

/// gradient_boosting against HistGradientBoosting on breast_cancer, wine, digits and diabetes
/// (tests/fixtures/sklearn_datasets.py): same training rows, equivalent settings.
#[test]
fn gradient_boosting_within_one_point_of_sklearn() {
    use crate::mining::boosting::{self, BoostParams};
    use crate::mining::forest::Progress;
    use crate::mining::model::argmax;
    use crate::mining::tree::Labels;
    let params = BoostParams {
        n_iter_no_change: 0,
        ..BoostParams::default()
    };
    for set in bundled_sets() {
        let theirs = set.json["score"].as_f64().unwrap();
        let ours = if set.classify {
            let (y, k) = set.classes();
            let labels = Labels::Classes {
                y: &y,
                n_classes: k,
            };
            let m = boosting::fit(
                &set.x,
                set.p,
                labels,
                &set.train,
                &[],
                &params,
                0,
                &Progress::default(),
            )
            .unwrap();
            let mut out = vec![0.0; k];
            accuracy(&set.test, &y, |r| {
                m.predict_proba(set.row(r), &mut out);
                argmax(&out)
            })
        } else {
            let y = set.values();
            let m = boosting::fit(
                &set.x,
                set.p,
                Labels::Values(&y),
                &set.train,
                &[],
                &params,
                0,
                &Progress::default(),
            )
            .unwrap();
            r2(&set.test, &y, |r| m.predict_value(set.row(r)))
        };
        eprintln!("{}: ours {ours:.4}, scikit-learn {theirs:.4}", set.name);
        assert!(
            ours >= theirs - 0.01,
            "{}: ours {ours} vs scikit-learn {theirs}",
            set.name
        );
    }
}

/// random_forest and extra_trees (binned trees) against scikit-learn's RandomForest and
/// ExtraTrees (100 trees, defaults, mean of 3 seeds) on the same rows
/// (tests/fixtures/sklearn_datasets.py). Ours: mean of 3 seeds too.
#[test]
fn forests_within_one_point_of_sklearn() {
    use crate::mining::forest::{self, Progress};
    use crate::mining::model::argmax;
    use crate::mining::tree::{Criterion, Labels, TreeParams};
    for set in bundled_sets() {
        for (key, extra) in [("random_forest", false), ("extra_trees", true)] {
            let theirs = set.json[key].as_f64().unwrap();
            let params = TreeParams {
                max_depth: None,
                min_samples_split: 2,
                min_samples_leaf: 1,
                max_features: Some(if set.classify {
                    ((set.p as f64).sqrt() as usize).max(1)
                } else {
                    set.p
                }),
                criterion: if set.classify {
                    Criterion::Gini
                } else {
                    Criterion::SquaredError
                },
            };
            fn fit(
                set: &crate::mining::test_support::Set,
                labels: Labels,
                p: &TreeParams,
                extra: bool,
                seed: u64,
            ) -> forest::Forest {
                forest::fit(
                    &set.x,
                    set.p,
                    labels,
                    &set.train,
                    p,
                    100,
                    !extra,
                    extra,
                    seed,
                    &Progress::default(),
                )
                .unwrap()
            }
            let mut ours = 0.0;
            for seed in 0..3 {
                ours += if set.classify {
                    let (y, k) = set.classes();
                    let m = fit(
                        &set,
                        Labels::Classes {
                            y: &y,
                            n_classes: k,
                        },
                        &params,
                        extra,
                        seed,
                    );
                    let mut out = vec![0.0; k];
                    accuracy(&set.test, &y, |r| {
                        m.predict(set.row(r), &mut out);
                        argmax(&out)
                    })
                } else {
                    let y = set.values();
                    let m = fit(&set, Labels::Values(&y), &params, extra, seed);
                    let mut out = [0.0];
                    r2(&set.test, &y, |r| {
                        m.predict(set.row(r), &mut out);
                        out[0]
                    })
                } / 3.0;
            }
            eprintln!(
                "{} {key}: ours {ours:.4}, scikit-learn {theirs:.4}",
                set.name
            );
            assert!(
                ours >= theirs - 0.01,
                "{} {key}: ours {ours} vs scikit-learn {theirs}",
                set.name
            );
        }
    }
}

/// knn against KNeighborsClassifier/Regressor (5 neighbours, brute force, uniform and distance
/// weights) on the raw features of the bundled data sets: the same prediction for every test
/// row.
#[test]
fn knn_matches_sklearn() {
    use crate::mining::knn::{self, Weights};
    use crate::mining::model::argmax;
    use crate::mining::tree::Labels;
    for set in bundled_sets() {
        for (key, weights) in [
            ("knn_uniform", Weights::Uniform),
            ("knn_distance", Weights::Distance),
        ] {
            let theirs = floats(&set.json[format!("{key}_predictions")]);
            let ours: Vec<f64> = if set.classify {
                let (y, k) = set.classes();
                let m = knn::fit(
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
                    knn::fit(&set.x, set.p, Labels::Values(&y), &set.train, 5, weights).unwrap();
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

/// naive_bayes on numeric data is GaussianNB: the same prediction for every test row of the
/// bundled classification sets, and the same probabilities for the first rows.
#[test]
fn gaussian_nb_matches_sklearn() {
    use crate::mining::model::argmax;
    use crate::mining::naive_bayes;
    for set in bundled_sets().into_iter().filter(|s| s.classify) {
        let (y, k) = set.classes();
        let m = naive_bayes::fit(&set.x, set.p, &y, k, &set.train, &[], 1e-9, 1.0).unwrap();
        let mut out = vec![0.0; k];
        let ours: Vec<usize> = set
            .test
            .iter()
            .map(|&r| {
                m.predict_proba(set.row(r), &mut out);
                argmax(&out)
            })
            .collect();
        assert_eq!(
            ours,
            usizes(&set.json["gaussian_nb_predictions"]),
            "{}",
            set.name
        );
        let theirs = floats(&set.json["gaussian_nb_proba_first"]);
        for (i, &r) in set.test.iter().take(5).enumerate() {
            m.predict_proba(set.row(r), &mut out);
            for c in 0..k {
                assert!(
                    (out[c] - theirs[i * k + c]).abs() < 1e-7,
                    "{} row {r} class {c}",
                    set.name
                );
            }
        }
    }
}

/// mlp against MLPClassifier/MLPRegressor (one hidden layer of 100, relu, Adam, defaults) on
/// standard-scaled inputs, mean of 3 seeds each, on the bundled data sets (regression: up to
/// 2000 epochs on both sides).
#[test]
fn mlp_within_one_point_of_sklearn() {
    use crate::mining::mlp::{self, Activation, MlpParams};
    use crate::mining::model::argmax;
    use crate::mining::tree::Labels;
    let params = MlpParams {
        hidden: vec![100],
        activation: Activation::Relu,
        alpha: 1e-4,
        learning_rate: 1e-3,
        batch_size: None,
        max_iter: 200,
        tol: 1e-4,
        n_iter_no_change: 10,
    };
    for mut set in bundled_sets() {
        // StandardScaler fitted on the training rows.
        let (p, n) = (set.p, set.x.len() / set.p);
        for j in 0..p {
            let col = |r: usize| set.x[r * p + j];
            let m = set.train.iter().map(|&r| col(r)).sum::<f64>() / set.train.len() as f64;
            let var = set.train.iter().map(|&r| (col(r) - m).powi(2)).sum::<f64>()
                / set.train.len() as f64;
            let sd = if var > 0.0 { var.sqrt() } else { 1.0 };
            for r in 0..n {
                set.x[r * p + j] = (set.x[r * p + j] - m) / sd;
            }
        }
        let theirs = set.json["mlp"].as_f64().unwrap();
        let mut ours = 0.0;
        for seed in 0..3 {
            ours += if set.classify {
                let (y, k) = set.classes();
                let m = mlp::fit(
                    &set.x,
                    p,
                    Labels::Classes {
                        y: &y,
                        n_classes: k,
                    },
                    &set.train,
                    &[],
                    &params,
                    seed,
                    &|| false,
                )
                .unwrap();
                let mut out = vec![0.0; k];
                accuracy(&set.test, &y, |r| {
                    m.predict_proba(set.row(r), &mut out);
                    argmax(&out)
                })
            } else {
                let y = set.values();
                let long = MlpParams {
                    max_iter: 2000,
                    ..params.clone()
                };
                let m = mlp::fit(
                    &set.x,
                    p,
                    Labels::Values(&y),
                    &set.train,
                    &[],
                    &long,
                    seed,
                    &|| false,
                )
                .unwrap();
                r2(&set.test, &y, |r| m.predict_value(set.row(r)))
            } / 3.0;
        }
        eprintln!("{} mlp: ours {ours:.4}, scikit-learn {theirs:.4}", set.name);
        assert!(
            ours >= theirs - 0.01,
            "{}: ours {ours} vs scikit-learn {theirs}",
            set.name
        );
    }
}
