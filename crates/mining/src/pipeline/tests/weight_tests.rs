//! Unit tests of options.weight_column through the pipeline: every learner that takes sample
//! weights follows the weighted rows, NULL weights drop rows, and the bad uses are errors.

use crate::common::frame::{Column, ColumnKind, Frame};
use crate::common::progress::Progress;
use crate::pipeline::*;
use crate::prepare::options::TrainOptions;
use crate::prepare::preprocess::Raw;
use serde_json::{json, Value};

/// 500 rows of x in [0, 37): y is "high" above 18 on the 40% of rows that weigh 1 and the
/// opposite on the 60% that weigh 0, so unweighted learners learn the flipped labels. Every 50th
/// row's weight is NULL; v is 3x + 1 on the weighted rows and -3x on the others; t is text.
fn table() -> Frame {
    let mut x = Column::new("x", "double precision", ColumnKind::Float);
    let mut y = Column::new("y", "text", ColumnKind::Text);
    let mut v = Column::new("v", "double precision", ColumnKind::Float);
    let mut w = Column::new("w", "double precision", ColumnKind::Float);
    let mut t = Column::new("t", "text", ColumnKind::Text);
    for i in 0..500usize {
        let xi = (i % 37) as f64;
        let counts = i % 5 < 2;
        let high = (xi > 18.0) == counts;
        x.push_number(Some(xi));
        y.push_text(Some(if high { "high" } else { "low" }));
        v.push_number(Some(if counts { 3.0 * xi + 1.0 } else { -3.0 * xi }));
        w.push_number(match (i % 50 == 7, counts) {
            (true, _) => None,
            (false, true) => Some(1.0),
            (false, false) => Some(0.0),
        });
        t.push_text(Some(if i % 2 == 0 { "a" } else { "b" }));
    }
    Frame {
        columns: vec![x, y, v, w, t],
    }
}

use super::run as train;

fn label(out: &Outcome, x: f64) -> String {
    let mut buf = Vec::new();
    let c = out.model.predict_class(&[Raw::Num(x)], &mut buf).unwrap();
    out.model.classes[c].clone()
}

#[test]
fn every_weighted_classifier_follows_the_weighted_rows() {
    let f = table();
    let options = json!({"features": ["x"], "dedup": false, "weight_column": "w"});
    for algorithm in [
        "decision_tree",
        "random_forest",
        "extra_trees",
        "gradient_boosting",
        "logistic_regression",
        "naive_bayes",
        "svm",
        "mlp",
    ] {
        let plain = train(
            &f,
            "y",
            algorithm,
            json!({"features": ["x"], "dedup": false}),
        )
        .unwrap();
        let weighted = train(&f, "y", algorithm, options.clone()).unwrap();
        assert_eq!(label(&plain, 34.0), "low", "{algorithm} unweighted");
        assert_eq!(label(&weighted, 34.0), "high", "{algorithm} weighted");
        assert_eq!(label(&weighted, 2.0), "low", "{algorithm} weighted");
        let rows = &weighted.report["rows"];
        assert_eq!(rows["weight_column"], "w");
        assert_eq!(rows["null_weight"], 10, "{algorithm}");
        assert_eq!(rows["used"], 490);
        // About 40% of the training rows weigh 1, the rest 0.
        let total = rows["train_weight"].as_f64().unwrap();
        assert!((120.0..200.0).contains(&total), "{total}");
        assert!(plain.report["rows"].get("null_weight").is_none());
    }
}

#[test]
fn every_weighted_regressor_follows_the_weighted_rows() {
    let f = table();
    for algorithm in [
        "linear_regression",
        "ridge",
        "lasso",
        "elastic_net",
        "decision_tree",
        "random_forest",
        "gradient_boosting",
        "svr",
        "mlp",
    ] {
        let options = json!({"features": ["x"], "dedup": false, "weight_column": "w"});
        let out = train(&f, "v", algorithm, options).unwrap();
        let mut buf = Vec::new();
        let at = out
            .model
            .predict_value(&[Raw::Num(30.0)], &mut buf)
            .unwrap();
        // 91 on the weighted rows; -90 on the others, and about -18 unweighted.
        assert!(at > 60.0, "{algorithm}: {at}");
    }
}

fn msg_of(r: crate::common::error::Result<Outcome>) -> String {
    match r {
        Ok(_) => panic!("the run should fail"),
        Err(e) => e.message,
    }
}

#[test]
fn bad_weight_columns_are_errors_naming_them() {
    let f = table();
    let msg = |target: &str, algorithm: &str, options: Value| {
        msg_of(train(&f, target, algorithm, options))
    };
    let o = json!({"features": ["x"], "weight_column": "w"});
    assert!(msg("y", "knn", o.clone()).contains("knn takes no sample weights"));
    assert!(msg("y", "decision_tree", json!({"weight_column": "t"}))
        .contains("weight_column \"t\" must be numeric"));
    assert!(msg("v", "ridge", json!({"weight_column": "v"}))
        .contains("cannot also be the weight column"));
    assert!(msg(
        "y",
        "ridge",
        json!({"features": ["x", "w"], "weight_column": "w"})
    )
    .contains("the weight column \"w\" cannot also be a feature"));
    assert!(msg("y", "ridge", json!({"weight_column": "nope"}))
        .contains("weight column \"nope\" does not exist"));
    assert!(TrainOptions::parse(&json!({"weight_column": 3}))
        .unwrap_err()
        .message
        .contains("option \"weight_column\" must be the name of a numeric column"));

    let mut negative = table();
    if let crate::common::frame::ColumnData::Numeric(w) = &mut negative.columns[3].data {
        w[4] = -1.5;
    }
    let e = msg_of(train(&negative, "y", "decision_tree", o.clone()));
    assert!(e.contains("negative in 1 row (the first: -1.5)"), "{e}");

    let mut zero = table();
    if let crate::common::frame::ColumnData::Numeric(w) = &mut zero.columns[3].data {
        w.iter_mut()
            .for_each(|v| *v = if v.is_nan() { *v } else { 0.0 });
    }
    let e = msg_of(train(&zero, "y", "decision_tree", o.clone()));
    assert!(e.contains("every training row has weight 0"), "{e}");

    let req = TrainRequest {
        target: None,
        algorithm: "kmeans".into(),
        hyperparams: json!({}),
        options: TrainOptions::parse(&json!({"weight_column": "w", "features": ["x"]})).unwrap(),
    };
    let e = prepare(&f, &req, &mut |_| {}).err().unwrap();
    assert!(
        e.message.contains("kmeans takes no sample weights"),
        "{}",
        e.message
    );
}

/// auto leaves out the learners without sample weights (k-NN) and says so.
#[test]
fn auto_skips_learners_without_sample_weights() {
    let f = table();
    let req = TrainRequest {
        target: Some("y".into()),
        algorithm: "auto".into(),
        hyperparams: json!({}),
        options: TrainOptions::parse(
            &json!({"features": ["x"], "dedup": false, "weight_column": "w", "cv": 3}),
        )
        .unwrap(),
    };
    let choice = auto::choose(&f, &req, &Progress::default()).unwrap();
    assert!(
        choice
            .skipped
            .iter()
            .any(|(a, why)| *a == "knn" && why == "takes no sample weights"),
        "{:?}",
        choice.skipped
    );
    assert!(choice.tried.iter().all(|t| t.algorithm != "knn"));
    assert!(choice.tried.len() >= 3);
}
