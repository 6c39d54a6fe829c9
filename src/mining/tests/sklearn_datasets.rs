//! The learners against scikit-learn on its bundled data sets (iris, breast_cancer, wine, digits,
//! diabetes) with the training rows and reference numbers of
//! tests/fixtures/sklearn_datasets.json (written by tests/fixtures/sklearn_datasets.py).

use crate::mining::test_support::{accuracy, bundled_sets, floats, r2, usizes};

/// gradient_boosting against HistGradientBoosting on iris, breast_cancer, wine, digits and diabetes
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
    use crate::mining::tree::{Labels, TreeParams};
    for set in bundled_sets() {
        for (key, extra) in [("random_forest", false), ("extra_trees", true)] {
            let theirs = set.json[key].as_f64().unwrap();
            let params = set.forest_params();
            fn fit(
                set: &crate::mining::test_support::Set,
                labels: Labels,
                p: &TreeParams,
                extra: bool,
                seed: u64,
            ) -> forest::Forest {
                forest::tests::fit(
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
