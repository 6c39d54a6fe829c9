//! Unit tests of `auto` on scikit-learn's bundled sets (tests/fixtures/sklearn_datasets.json):
//! the test score of the learner auto chooses by cross-validation on the training rows, against
//! the best family chosen in hindsight, averaged over five splits (issue 18, item 13). The goal
//! is within 1 point; today it is within 2.5 (iris and wine, ~120 training rows, trail the SVM
//! by 2 points: their cross-validation cannot tell the families apart), and the test guards that.
//! auto's score is its winner's, trained with the winner's hyperparameters.

use crate::common::frame::{Column, ColumnKind, Frame};
use crate::common::progress::Progress;
use crate::pipeline::*;
use crate::prepare::options::TrainOptions;
use serde_json::{json, Value};

fn frame(set: &crate::test_support::Set) -> Frame {
    let n = set.x.len() / set.p;
    let mut columns: Vec<Column> = (0..set.p)
        .map(|j| {
            let mut c = Column::new(format!("f{j}"), "double precision", ColumnKind::Float);
            (0..n).for_each(|r| c.push_number(Some(set.x[r * set.p + j])));
            c
        })
        .collect();
    let mut y = if set.classify {
        Column::new("y", "text", ColumnKind::Text)
    } else {
        Column::new("y", "double precision", ColumnKind::Float)
    };
    let ys = crate::test_support::floats(&set.json["y"]);
    for v in ys {
        if set.classify {
            y.push_text(Some(&format!("c{v}")));
        } else {
            y.push_number(Some(v));
        }
    }
    columns.push(y);
    Frame { columns }
}

fn request(algorithm: &str, hyperparams: Value, seed: u64) -> TrainRequest {
    TrainRequest {
        target: Some("y".into()),
        algorithm: algorithm.into(),
        hyperparams,
        options: TrainOptions::parse(&json!({"time_budget_s": 600, "seed": seed})).unwrap(),
    }
}

/// Averaged over five seeds (five splits; one test split of 30 rows is too small to rank
/// learners by): the test score of auto's choice against the best family's.
#[test]
fn auto_is_near_the_best_family_in_hindsight() {
    let mut short = Vec::new();
    for set in crate::test_support::bundled_sets() {
        if set.name == "digits" {
            continue; // 64 features, 1,797 rows: the slowest; the others make the point.
        }
        let f = frame(&set);
        let seeds = 1..=5u64;
        let mut auto_total = 0.0;
        let mut family: std::collections::BTreeMap<&str, f64> = Default::default();
        let mut picks = Vec::new();
        let test_score = |algorithm: &str, hyper: &Value, seed| {
            let p = prepare(&f, &request(algorithm, hyper.clone(), seed), &mut |_| {}).unwrap();
            let fitting = p.fit_and_measure(&Progress::default()).unwrap();
            fitting.metrics["test"][p.objective().name]
                .as_f64()
                .unwrap()
        };
        for seed in seeds.clone() {
            let req = request("auto", json!({}), seed);
            let choice = auto::choose(&f, &req, &Progress::default()).unwrap();
            // Every family with its defaults, and auto's choice with its hyperparameters.
            for t in choice.tried.iter().filter(|t| t.hyperparams == json!({})) {
                *family.entry(t.algorithm).or_default() +=
                    test_score(t.algorithm, &t.hyperparams, seed);
            }
            auto_total += test_score(choice.winner, &choice.hyperparams, seed);
            picks.push(format!("{} {}", choice.winner, choice.hyperparams));
        }
        let n = seeds.count() as f64;
        let (best_name, best) =
            family
                .iter()
                .map(|(a, s)| (*a, s / n))
                .fold(
                    ("", f64::NEG_INFINITY),
                    |b, x| if x.1 > b.1 { x } else { b },
                );
        let auto_mean = auto_total / n;
        eprintln!("{}: auto {auto_mean:.4} (picked {picks:?}); best family {best_name} {best:.4}; all {:?}",
                  set.name, family.iter().map(|(a, s)| (*a, s / n)).collect::<Vec<_>>());
        if auto_mean < best - 0.025 {
            short.push(format!(
                "{}: auto {auto_mean:.4}, {best_name} {best:.4}",
                set.name
            ));
        }
    }
    assert!(short.is_empty(), "{short:?}");
}

#[test]
fn folds_are_sized_to_the_data_and_ties_go_to_the_cheaper_learner() {
    assert_eq!(auto::folds_for(None, 500), (5, 3));
    assert_eq!(auto::folds_for(None, 5_000), (5, 1));
    assert_eq!(auto::folds_for(None, 50_000), (3, 1));
    assert_eq!(auto::folds_for(Some(4), 50), (4, 1));
    let t = |algorithm, mean, std| auto::Tried {
        algorithm,
        hyperparams: json!({}),
        mean,
        std,
        seconds: 0.0,
    };
    let higher = crate::evaluation::objective::Objective::choose(
        crate::common::task::Task::Classification,
        None,
        2,
    )
    .unwrap();
    // 16 folds: se = 0.04 / 4 = 0.01. naive_bayes is within it of svm's best; knn is not.
    let tried = [
        t("naive_bayes", 0.951, 0.02),
        t("knn", 0.95, 0.02),
        t("svm", 0.96, 0.04),
    ];
    assert_eq!(auto::pick(&tried, higher, 16), Some((0, 2)));
    let tried = [t("naive_bayes", 0.90, 0.02), t("svm", 0.96, 0.04)];
    assert_eq!(auto::pick(&tried, higher, 16), Some((1, 1)));
    let lower = crate::evaluation::objective::Objective::choose(
        crate::common::task::Task::Regression,
        Some("rmse"),
        0,
    )
    .unwrap();
    let tried = [t("ridge", 10.4, 2.0), t("gradient_boosting", 10.0, 2.0)];
    assert_eq!(auto::pick(&tried, lower, 16), Some((0, 1)));
    assert_eq!(auto::pick(&[t("knn", f64::NAN, f64::NAN)], higher, 5), None);
}

/// Above SEARCH_FROM_ROWS training rows the two best families are tried again with the settings
/// their registry entries declare near the defaults; below it only the defaults are compared.
/// The winner's hyperparameters are those of a tried candidate and go into the record.
#[test]
fn settings_near_the_defaults_are_tried_on_large_sets_only() {
    let table = |n: usize| {
        let mut rng = crate::common::rng::Rng::new(11);
        let mut a = Column::new("a", "double precision", ColumnKind::Float);
        let mut b = Column::new("b", "double precision", ColumnKind::Float);
        let mut y = Column::new("y", "text", ColumnKind::Text);
        for _ in 0..n {
            let (u, v) = (rng.unit() * 4.0 - 2.0, rng.unit() * 4.0 - 2.0);
            a.push_number(Some(u));
            b.push_number(Some(v));
            let noisy = u * u + v + rng.unit() - 0.5 > 1.0;
            y.push_text(Some(if noisy { "yes" } else { "no" }));
        }
        Frame {
            columns: vec![a, b, y],
        }
    };
    let request = |cv| TrainRequest {
        target: Some("y".into()),
        algorithm: "auto".into(),
        hyperparams: json!({}),
        options: TrainOptions::parse(&json!({"cv": cv, "time_budget_s": 600})).unwrap(),
    };
    let rows = auto::SEARCH_FROM_ROWS * 5 / 4 + 200; // 80% of them train
    let large = auto::choose(&table(rows), &request(3), &Progress::default()).unwrap();
    let near: Vec<&auto::Tried> = large
        .tried
        .iter()
        .filter(|t| t.hyperparams != json!({}))
        .collect();
    let families: std::collections::BTreeSet<&str> = near.iter().map(|t| t.algorithm).collect();
    assert_eq!(families.len(), 2, "{:?}", large.tried);
    for family in &families {
        let declared =
            crate::model::registry::auto_candidates(crate::common::task::Task::Classification)
                .into_iter()
                .find(|c| c.name == *family)
                .unwrap()
                .around
                .len();
        assert_eq!(
            near.iter().filter(|t| t.algorithm == *family).count(),
            declared
        );
    }
    assert!(large
        .tried
        .iter()
        .any(|t| t.algorithm == large.winner && t.hyperparams == large.hyperparams));
    assert_eq!(large.to_json()["hyperparams"], large.hyperparams);

    let small = auto::choose(&table(300), &request(3), &Progress::default()).unwrap();
    assert!(small.tried.iter().all(|t| t.hyperparams == json!({})));
    assert_eq!(small.hyperparams, json!({}));
}
