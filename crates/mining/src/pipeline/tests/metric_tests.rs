//! Unit tests of options.metric through the pipeline: the search ranks by it in its direction,
//! and a run's metrics carry the objective and the baseline's scores.

use crate::common::frame::{Column, ColumnKind, Frame};
use crate::common::progress::Progress;
use crate::pipeline::*;
use crate::prepare::options::TrainOptions;
use serde_json::{json, Value};

fn frame(n: usize) -> Frame {
    let mut a = Column::new("a", "double precision", ColumnKind::Float);
    let mut b = Column::new("b", "double precision", ColumnKind::Float);
    let mut y = Column::new("y", "text", ColumnKind::Text);
    let mut v = Column::new("v", "double precision", ColumnKind::Float);
    for i in 0..n {
        let x = (i * 37 % 101) as f64;
        a.push_number(Some(x));
        b.push_number(Some((i * 13 % 7) as f64));
        y.push_text(Some(if x > 80.0 { "yes" } else { "no" }));
        v.push_number(Some(3.0 * x + (i * 13 % 7) as f64));
    }
    Frame {
        columns: vec![a, b, y, v],
    }
}

fn prepared(target: &str, options: Value) -> Prepared {
    let req = TrainRequest {
        target: Some(target.into()),
        algorithm: "decision_tree".into(),
        hyperparams: json!({}),
        options: TrainOptions::parse(&options).unwrap(),
    };
    prepare(&frame(600), &req, &mut |_| {}).unwrap()
}

#[test]
fn a_search_ranks_by_the_chosen_metric_in_its_direction() {
    let search = json!({"method": "grid", "params": {"max_depth": [1, 2, 10]}, "folds": 3});
    for metric in ["mae", "r2"] {
        let p = prepared(
            "v",
            json!({"exclude": ["y"], "metric": metric, "search": search}),
        );
        let s = p.search(&Progress::default()).unwrap().unwrap();
        let means: Vec<f64> = s.trials.iter().map(|t| t.mean).collect();
        let best = means[s.best];
        let lower = metric == "mae";
        assert!(
            means
                .iter()
                .all(|&m| if lower { best <= m } else { best >= m }),
            "{metric}: {means:?}, chose {}",
            s.best
        );
        // Both pick the deepest tree here: a good fit has the lowest error and the highest r2.
        assert_eq!(s.trials[s.best].params["max_depth"], 10, "{metric}");
    }
}

#[test]
fn a_run_reports_its_objective_and_the_baseline() {
    let p = prepared("y", json!({"exclude": ["v"]}));
    let f = p.fit_and_measure(&Progress::default()).unwrap();
    let m = &f.metrics;
    assert_eq!(
        m["objective"],
        json!({"name": "balanced_accuracy", "better": "higher"})
    );
    // Always the majority class: balanced accuracy 1/2, recall of "yes" 0.
    assert_eq!(m["baseline"]["balanced_accuracy"], json!(0.5));
    assert_eq!(m["baseline"]["recall"], json!(0.0));
    assert!(
        m["test"]["balanced_accuracy"].as_f64().unwrap() > 0.9,
        "{m}"
    );
    // The test rows' probability metrics, and the baseline's from the training rows' class
    // shares: roc_auc 0.5, pr_auc the positive share, log_loss their entropy.
    for k in ["roc_auc", "pr_auc", "log_loss", "brier"] {
        assert!(
            m["test"][k].is_number() && m["baseline"][k].is_number(),
            "{k}: {m}"
        );
    }
    assert_eq!(m["baseline"]["roc_auc"], json!(0.5));
    let share = m["baseline"]["pr_auc"].as_f64().unwrap();
    assert!(share > 0.1 && share < 0.3, "{share}");
    assert!(m["test"]["log_loss"].as_f64().unwrap() < m["baseline"]["log_loss"].as_f64().unwrap());
    // Cross-validated probability metrics too, and a search can rank by them.
    let p = prepared(
        "y",
        json!({"exclude": ["v"], "metric": "log_loss", "cv": 3}),
    );
    let cv = p
        .cross_validate(&p.estimator, &Progress::default())
        .unwrap()
        .unwrap();
    assert!(
        cv["mean"]["log_loss"].is_number() && cv["mean"]["roc_auc"].is_number(),
        "{cv}"
    );
    let p = prepared("v", json!({"exclude": ["y"], "metric": "rmse"}));
    let f = p.fit_and_measure(&Progress::default()).unwrap();
    assert_eq!(f.metrics["objective"]["better"], "lower");
    // Always the mean: r2 at most 0 on the test rows, an rmse near the target's spread.
    assert!(f.metrics["baseline"]["r2"].as_f64().unwrap() <= 0.0);
    assert!(
        f.metrics["baseline"]["rmse"].as_f64().unwrap()
            > 10.0 * f.metrics["test"]["rmse"].as_f64().unwrap()
    );
}

#[test]
fn guards_error_stops_a_leaky_run_that_warn_stores() {
    // y is a > 80: the column a alone predicts it, the leakage guard fires.
    let warned = prepared("y", json!({"exclude": ["v"]}))
        .fit_and_measure(&Progress::default())
        .unwrap();
    assert!(
        warned
            .suspects
            .iter()
            .any(|s| s.contains("leakage suspect")),
        "{:?}",
        warned.suspects
    );
    let stopped = prepared("y", json!({"exclude": ["v"], "guards": "error"}))
        .fit_and_measure(&Progress::default());
    match stopped {
        Err(e) => assert!(
            e.message
                .starts_with("guard \"leakage\" stopped the training: "),
            "{}",
            e.message
        ),
        Ok(_) => panic!("the leakage guard did not stop the run"),
    }
    let e = TrainOptions::parse(&json!({"guards": "block"})).unwrap_err();
    assert!(e.message.contains("guards"), "{}", e.message);
}

fn logistic(options: Value) -> Prepared {
    let req = TrainRequest {
        target: Some("y".into()),
        algorithm: "logistic_regression".into(),
        hyperparams: json!({}),
        options: TrainOptions::parse(&options).unwrap(),
    };
    prepare(&frame(600), &req, &mut |_| {}).unwrap()
}

#[test]
fn a_threshold_is_chosen_off_the_test_rows_and_measured_at() {
    let fit = |options: Value| {
        logistic(options)
            .fit_and_measure(&Progress::default())
            .unwrap()
            .metrics
    };
    let given = fit(json!({"exclude": ["v", "b"], "threshold": 0.9}));
    assert_eq!(
        given["threshold"],
        json!({"value": 0.9, "rule": 0.9, "tuned_on": "given"})
    );
    let low = fit(json!({"exclude": ["v", "b"], "threshold": 0.02}));
    // A lower threshold calls more rows positive: here every positive at 0.02, none at 0.9;
    // the probability metrics do not depend on it.
    let r = |m: &Value| m["test"]["recall"].as_f64().unwrap();
    assert_eq!((r(&low), r(&given)), (1.0, 0.0), "{low} vs {given}");
    assert_eq!(low["test"]["roc_auc"], given["test"]["roc_auc"]);
    let oof = fit(json!({"exclude": ["v", "b"], "threshold": {"recall": 0.99}}));
    assert_eq!(
        oof["threshold"]["tuned_on"],
        "out-of-fold predictions of the training rows (3 folds)"
    );
    assert!(oof["threshold"]["value"].as_f64().unwrap() < 0.5, "{oof}");
    let valid = fit(
        json!({"exclude": ["v", "b"], "threshold": {"optimize": "f1"}, "split": {"validation_size": 0.2}}),
    );
    assert_eq!(valid["threshold"]["tuned_on"], "the validation rows");
    // Not for more than two classes, nor for a regression.
    let req = |target: &str| TrainRequest {
        target: Some(target.into()),
        algorithm: "decision_tree".into(),
        hyperparams: json!({}),
        options: TrainOptions::parse(&json!({"threshold": 0.5})).unwrap(),
    };
    let e = prepare(&frame(100), &req("v"), &mut |_| {}).err().unwrap();
    assert!(
        e.message.contains("is for a classification of two classes"),
        "{}",
        e.message
    );
}
