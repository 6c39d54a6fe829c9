//! Tests across the tree learners: the comparisons with scikit-learn's forests and
//! HistGradientBoosting on its bundled data sets, and missing values (NaN in the matrix: NULLs
//! the preprocessing left to the learner): a bin of their own, a learned direction at each
//! split, the same direction at scoring time.

use crate::common::numeric::argmax;
use crate::common::progress::Progress;
use crate::common::rng::Rng;
use crate::common::task::Labels;
use crate::learners::trees::binning::{self, MISSING};
use crate::learners::trees::boosting::{self, BoostParams};
use crate::learners::trees::tree::{self, Criterion, TreeParams};
use crate::learners::trees::{cart, forest};
use crate::test_support::{accuracy, bundled_sets, r2};

/// x0 decides the class when present; when x0 is missing (30% of rows) the class is 1 — so a
/// model must send missing rows to the class-1 side, which no single imputed value does.
fn data(n: usize) -> (Vec<f64>, Vec<usize>) {
    let mut rng = Rng::new(9);
    let mut x = Vec::with_capacity(n * 2);
    let mut y = Vec::with_capacity(n);
    for _ in 0..n {
        let a = rng.unit();
        let noise = rng.unit();
        if rng.unit() < 0.3 {
            x.push(f64::NAN);
            y.push(1);
        } else {
            x.push(a);
            y.push(usize::from(a > 0.5));
        }
        x.push(noise);
    }
    (x, y)
}

fn accuracy_on(pred: impl Fn(&[f64]) -> usize, x: &[f64], y: &[usize], rows: &[usize]) -> f64 {
    rows.iter()
        .filter(|&&r| pred(&x[2 * r..2 * r + 2]) == y[r])
        .count() as f64
        / rows.len() as f64
}

#[test]
fn binning_puts_missing_in_its_own_bin() {
    let x = [1.0, f64::NAN, 3.0, 2.0];
    let b = binning::bin(&x, 1, &[0, 1, 2, 3], 255, 0);
    assert_eq!(b.column(0), &[0, MISSING, 2, 1]);
    assert_eq!(b.missing, vec![true]);
    assert_eq!(binning::bin_of(&b.edges[0], f64::NAN), MISSING);
}

#[test]
fn learners_route_missing_values() {
    let (x, y) = data(4000);
    let train: Vec<usize> = (0..3000).collect();
    let test: Vec<usize> = (3000..4000).collect();
    let missing_test: Vec<usize> = test
        .iter()
        .copied()
        .filter(|&r| x[2 * r].is_nan())
        .collect();
    assert!(missing_test.len() > 200);
    let labels = Labels::Classes {
        y: &y,
        n_classes: 2,
    };
    let b = boosting::fit(
        &x,
        2,
        labels,
        &train,
        &[],
        &BoostParams::default(),
        0,
        &Progress::default(),
    )
    .unwrap();
    let params = TreeParams {
        max_depth: None,
        min_samples_split: 2,
        min_samples_leaf: 1,
        max_features: None,
        criterion: Criterion::Gini,
    };
    let f = forest::tests::fit(
        &x,
        2,
        labels,
        &train,
        &params,
        30,
        true,
        false,
        0,
        &Progress::default(),
    )
    .unwrap();
    let e = forest::tests::fit(
        &x,
        2,
        labels,
        &train,
        &params,
        30,
        false,
        true,
        0,
        &Progress::default(),
    )
    .unwrap();
    let t = cart::fit(&x, 2, labels, &train, &params, &mut Rng::new(0));
    let mut out = [0.0; 2];
    let boosted = |row: &[f64]| {
        let mut o = [0.0; 2];
        b.predict_proba(row, &mut o);
        argmax(&o)
    };
    fn forest(m: &forest::Forest) -> impl Fn(&[f64]) -> usize + '_ {
        move |row: &[f64]| {
            let mut o = [0.0; 2];
            m.predict(row, &mut o);
            argmax(&o)
        }
    }
    let single = |row: &[f64]| argmax(&t.leaf_vec(row));
    for (name, acc_all, acc_missing) in [
        (
            "gradient_boosting",
            accuracy_on(boosted, &x, &y, &test),
            accuracy_on(boosted, &x, &y, &missing_test),
        ),
        (
            "random_forest",
            accuracy_on(forest(&f), &x, &y, &test),
            accuracy_on(forest(&f), &x, &y, &missing_test),
        ),
        (
            "extra_trees",
            accuracy_on(forest(&e), &x, &y, &test),
            accuracy_on(forest(&e), &x, &y, &missing_test),
        ),
        (
            "decision_tree",
            accuracy_on(single, &x, &y, &test),
            accuracy_on(single, &x, &y, &missing_test),
        ),
    ] {
        eprintln!("{name}: accuracy {acc_all:.3}, on missing rows {acc_missing:.3}");
        assert!(acc_missing == 1.0, "{name}: {acc_missing}");
        assert!(acc_all > 0.97, "{name}: {acc_all}");
    }
    // Explanations still add up on a row with a missing value.
    let row = [f64::NAN, 0.3];
    let (_, base, contrib) = f.contributions(&row, 2).unwrap();
    f.predict(&row, &mut out);
    assert!((base[1] + contrib[1] + contrib[3] - out[1]).abs() < 1e-9);
}

/// A value missing at scoring time under a split that saw no missing rows follows the larger
/// child (as scikit-learn); predictions of complete rows do not depend on it.
#[test]
fn unseen_missing_follows_the_larger_child() {
    let (mut x, y) = data(1000);
    for v in x.iter_mut() {
        if v.is_nan() {
            *v = 0.75;
        }
    }
    let rows: Vec<usize> = (0..1000).collect();
    let labels = Labels::Classes {
        y: &y,
        n_classes: 2,
    };
    let params = TreeParams {
        max_depth: Some(1),
        min_samples_split: 2,
        min_samples_leaf: 1,
        max_features: None,
        criterion: Criterion::Gini,
    };
    let t = cart::fit(&x, 2, labels, &rows, &params, &mut Rng::new(0));
    let root = t.nodes[0];
    let f = tree::split_feature(root.feature);
    let left = rows
        .iter()
        .filter(|&&r| x[r * 2 + f] <= root.threshold)
        .count();
    let larger_is_left = 2 * left > rows.len();
    assert_eq!(root.feature & tree::MISSING_LEFT != 0, larger_is_left);
    let mut row = [0.2, 0.5];
    row[f] = f64::NAN;
    let child = if larger_is_left {
        root.left
    } else {
        root.right()
    } as usize;
    let at = t.nodes[child].left as usize;
    assert_eq!(
        t.leaf_vec(&row),
        [t.leaf_output(at, 0), t.leaf_output(at, 1)]
    );
}

/// The bundled sets with 20% of their values removed (tests/fixtures/sklearn_missing.py):
/// gradient_boosting against HistGradientBoosting within a point (or better); random_forest
/// (mean of 10 seeds) against RandomForest (3 seeds) within two: scikit-learn's forest cuts at
/// every distinct value, ours at 255 quantile bins, and with missing values that costs
/// breast_cancer 1.1 points (0.925 vs 0.936 over 10 seeds each; equal without missing values).
#[test]
fn missing_values_within_one_point_of_sklearn() {
    use crate::test_support::{accuracy, bundled_sets, r2, usizes};
    let refs: serde_json::Value = crate::test_support::fixture("sklearn_missing.json");
    let boost = BoostParams {
        n_iter_no_change: 0,
        ..BoostParams::default()
    };
    for set in bundled_sets() {
        let theirs = &refs["sets"][&set.name];
        let mut x = set.x.clone();
        for i in usizes(&theirs["removed"]) {
            x[i] = f64::NAN;
        }
        let row = |r: usize| &x[r * set.p..(r + 1) * set.p];
        let params = set.forest_params();
        let fit_boost = |labels: Labels| {
            boosting::fit(
                &x,
                set.p,
                labels,
                &set.train,
                &[],
                &boost,
                0,
                &Progress::default(),
            )
            .unwrap()
        };
        let fit_forest = |labels: Labels, seed: u64| {
            let progress = Progress::default();
            forest::tests::fit(
                &x, set.p, labels, &set.train, &params, 100, true, false, seed, &progress,
            )
            .unwrap()
        };
        // Mean over 10 seeds of a forest's test score.
        let mean_of_forests = |labels: Labels, score: &dyn Fn(&forest::Forest) -> f64| {
            (0..10)
                .map(|seed| score(&fit_forest(labels, seed)))
                .sum::<f64>()
                / 10.0
        };
        let (gb, rf) = if set.classify {
            let (y, k) = set.classes();
            let labels = Labels::Classes {
                y: &y,
                n_classes: k,
            };
            let m = fit_boost(labels);
            let mut out = vec![0.0; k];
            let gb = accuracy(&set.test, &y, |r| {
                m.predict_proba(row(r), &mut out);
                argmax(&out)
            });
            let rf = mean_of_forests(labels, &|f| {
                let mut out = vec![0.0; k];
                accuracy(&set.test, &y, |r| {
                    f.predict(row(r), &mut out);
                    argmax(&out)
                })
            });
            (gb, rf)
        } else {
            let y = set.values();
            let m = fit_boost(Labels::Values(&y));
            let gb = r2(&set.test, &y, |r| m.predict_value(row(r)));
            let rf = mean_of_forests(Labels::Values(&y), &|f| {
                r2(&set.test, &y, |r| {
                    let mut o = [0.0];
                    f.predict(row(r), &mut o);
                    o[0]
                })
            });
            (gb, rf)
        };
        for (name, ours) in [("gradient_boosting", gb), ("random_forest", rf)] {
            let reference = theirs[name].as_f64().unwrap();
            eprintln!(
                "{} {name} with 20% missing: ours {ours:.4}, scikit-learn {reference:.4}",
                set.name
            );
            let slack = if name == "random_forest" { 0.02 } else { 0.01 };
            assert!(
                ours >= reference - slack,
                "{} {name}: {ours} vs {reference}",
                set.name
            );
        }
    }
}

/// gradient_boosting against HistGradientBoosting on iris, breast_cancer, wine, digits and diabetes
/// (tests/fixtures/sklearn_datasets.py): same training rows, equivalent settings.
#[test]
fn gradient_boosting_within_one_point_of_sklearn() {
    use crate::common::numeric::argmax;
    use crate::common::progress::Progress;
    use crate::common::task::Labels;
    use crate::learners::trees::boosting::{self, BoostParams};
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
    use crate::common::numeric::argmax;
    use crate::common::progress::Progress;
    use crate::common::task::Labels;
    use crate::learners::trees::forest;
    use crate::learners::trees::tree::TreeParams;
    for set in bundled_sets() {
        for (key, extra) in [("random_forest", false), ("extra_trees", true)] {
            let theirs = set.json[key].as_f64().unwrap();
            let params = set.forest_params();
            fn fit(
                set: &crate::test_support::Set,
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

#[test]
fn boosting_trees_beyond_the_budget_are_an_error() {
    let x: Vec<f64> = (0..3000).map(|i| ((i * 37) % 1000) as f64).collect();
    let y: Vec<f64> = x.iter().map(|v| (v * 0.37).sin()).collect();
    let rows: Vec<usize> = (0..3000).collect();
    let params = BoostParams {
        n_estimators: 1000,
        n_iter_no_change: 0,
        ..BoostParams::default()
    };
    let fit = |budget: &crate::common::budget::Budget| {
        boosting::fit_within(
            &x,
            1,
            Labels::Values(&y),
            (&rows, &[]),
            &params,
            None,
            0,
            &Progress::default(),
            budget,
        )
    };
    let e = fit(&crate::common::budget::Budget::of_bytes(64 << 10)).unwrap_err();
    assert_eq!(e.kind, crate::common::error::ErrorKind::OutOfMemory);
    assert!(
        e.message
            .starts_with("growing the boosting trees needs about"),
        "{}",
        e.message
    );
    assert!(fit(&crate::common::budget::Budget::of_bytes(64 << 20)).is_ok());
}
