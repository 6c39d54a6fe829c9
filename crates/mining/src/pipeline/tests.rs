//! Unit tests of the training pipeline; the topics with their own files are in tests/.

use super::*;
use crate::common::error::Result;
use crate::common::frame::{Column, ColumnKind, Frame};
use crate::common::progress::Progress;
use crate::model::fitted::Fitted;
use crate::prepare::options::TrainOptions;
use crate::prepare::preprocess::Raw;
use serde_json::json;
use serde_json::Value;
use supervised::prepare_rows;

fn frame(n: usize) -> Frame {
    let mut a = Column::new("a", "double precision", ColumnKind::Float);
    let mut b = Column::new("b", "text", ColumnKind::Text);
    let mut y = Column::new("y", "text", ColumnKind::Text);
    let mut v = Column::new("v", "double precision", ColumnKind::Float);
    for i in 0..n {
        let x = (i % 50) as f64;
        a.push_number(if i % 17 == 3 { None } else { Some(x) });
        b.push_text(Some(if i % 3 == 0 { "red" } else { "blue" }));
        y.push_text(Some(if x > 25.0 { "high" } else { "low" }));
        v.push_number(Some(2.0 * x + if i % 3 == 0 { 10.0 } else { 0.0 }));
    }
    Frame {
        columns: vec![a, b, y, v],
    }
}

fn run(frame: &Frame, target: &str, algorithm: &str, options: Value) -> Result<Outcome> {
    let req = TrainRequest {
        target: Some(target.into()),
        algorithm: algorithm.into(),
        hyperparams: json!({}),
        options: TrainOptions::parse(&options)?,
    };
    let p = prepare(frame, &req, &mut |_| {})?;
    let fitted = p.fit(&Progress::default())?;
    let metrics = json!({"train": p.measure(&fitted, &p.split.train, &Progress::default()).unwrap(), "test": p.measure(&fitted, &p.split.test, &Progress::default()).unwrap()});
    Ok(p.finish(fitted, metrics, json!({})))
}

#[test]
fn classifies_and_reports() {
    let f = frame(400);
    let out = run(&f, "y", "decision_tree", json!({"exclude": ["v"]})).unwrap();
    // 400 rows, 50 distinct (a, b, y) patterns... duplicates are dropped.
    let rows = &out.report["rows"];
    assert_eq!(rows["read"], 400);
    assert!(rows["duplicates"].as_u64().unwrap() > 0);
    assert_eq!(out.model.classes, vec!["high", "low"]);
    // Rows with a NULL "a" cannot be told apart; the rest can.
    assert!(
        out.report["metrics"]["test"]["accuracy"].as_f64().unwrap() > 0.75,
        "{}",
        out.report
    );
    assert!(out.report["metrics"]["test"]["f1"].as_f64().is_some());
    let mut buf = Vec::new();
    let c = out
        .model
        .predict_class(&[Raw::Num(40.0), Raw::Text("red")], &mut buf)
        .unwrap();
    assert_eq!(out.model.classes[c], "high");
}

#[test]
fn regresses_with_every_linear_learner() {
    let f = frame(300);
    for algo in [
        "linear_regression",
        "ridge",
        "random_forest",
        "decision_tree",
    ] {
        let out = run(&f, "v", algo, json!({"exclude": ["y"], "dedup": false})).unwrap();
        let r2 = out.report["metrics"]["test"]["r2"].as_f64().unwrap();
        assert!(r2 > 0.9, "{algo}: r2 {r2}");
    }
}

#[test]
fn logistic_regression_on_mixed_columns() {
    let f = frame(300);
    let out = run(
        &f,
        "y",
        "logistic_regression",
        json!({"exclude": ["v"], "dedup": false}),
    )
    .unwrap();
    assert!(out.report["metrics"]["test"]["accuracy"].as_f64().unwrap() > 0.85);
}

#[test]
fn bad_requests_are_clear_errors() {
    let f = frame(50);
    let e = |t: &str, a: &str, o: Value| {
        run(&f, t, a, o)
            .err()
            .map(|e| e.message)
            .unwrap_or_default()
    };
    assert!(e("nope", "random_forest", json!({})).contains("\"nope\""));
    assert!(e("y", "random_forest", json!({"features": ["zz"]})).contains("\"zz\""));
    assert!(e("y", "ridge", json!({})).contains("regression"));
    assert!(e("y", "random_forest", json!({"features": ["y"]})).contains("target"));
    assert!(e(
        "y",
        "random_forest",
        json!({"preprocess": {"v": {"scale": "none"}}, "exclude": ["v"]})
    )
    .contains("\"v\""));
    let mut g = frame(10);
    g.columns[2] = Column::new("y", "text", ColumnKind::Text);
    (0..10).for_each(|_| g.columns[2].push_text(Some("same")));
    assert!(run(&g, "y", "random_forest", json!({}))
        .err()
        .unwrap()
        .message
        .contains("single class"));
    assert!(run(&Frame::default(), "y", "random_forest", json!({})).is_err());
}

#[test]
fn nan_in_a_used_column_is_an_error_naming_it() {
    let mut f = frame(30);
    f.columns[0].push_number(Some(f64::NAN));
    for c in f.columns.iter_mut().skip(1) {
        c.push_number(Some(1.0));
    }
    let e = run(&f, "v", "ridge", json!({"exclude": ["y"]}))
        .err()
        .unwrap();
    assert!(
        e.message.contains("\"a\"") && e.message.contains("NaN"),
        "{}",
        e.message
    );
    // Not used: no error.
    assert!(run(&f, "v", "ridge", json!({"exclude": ["y", "a"]})).is_ok());
}

#[test]
fn time_split_tests_on_the_latest_rows() {
    let f = frame(100);
    let req = TrainRequest {
        target: Some("v".into()),
        algorithm: "linear_regression".into(),
        hyperparams: json!({}),
        options: TrainOptions::parse(&json!({"split": {"method": "time", "order_by": "a"}, "exclude": ["y"], "dedup": false})).unwrap(),
    };
    let p = prepare(&f, &req, &mut |_| {}).unwrap();
    // "a" orders the rows and is not a feature.
    assert_eq!(p.n_cols, 2);
    assert_eq!(p.split.test.len(), 20);
}

#[test]
fn same_seed_same_model() {
    let f = frame(200);
    let a = run(&f, "y", "random_forest", json!({"exclude": ["v"]})).unwrap();
    let b = run(&f, "y", "random_forest", json!({"exclude": ["v"]})).unwrap();
    assert_eq!(a.model.estimator, b.model.estimator);
    assert_eq!(a.report["fingerprint"], b.report["fingerprint"]);
}

fn run_unsupervised(
    frame: &Frame,
    algorithm: &str,
    hyperparams: Value,
    options: Value,
) -> Result<Outcome> {
    let req = TrainRequest {
        target: None,
        algorithm: algorithm.into(),
        hyperparams,
        options: TrainOptions::parse(&options)?,
    };
    let p = prepare(frame, &req, &mut |_| {})?;
    let fitted = p.fit(&Progress::default())?;
    let metrics =
        json!({"train": p.measure_json(&fitted, &p.split.train, &Progress::default()).unwrap()});
    Ok(p.finish(fitted, metrics, json!({})))
}

#[test]
fn unsupervised_learners_train_on_every_row_and_score() {
    let f = frame(300);
    let opts = json!({"exclude": ["y"]});
    let km = run_unsupervised(&f, "kmeans", json!({"n_clusters": 3}), opts.clone()).unwrap();
    let m = &km.report["metrics"]["train"];
    assert!(
        m["silhouette"].as_f64().is_some() && m["inertia"].as_f64().is_some(),
        "{m}"
    );
    assert_eq!(km.report["rows"]["read"], 300);
    let mut buf = Vec::new();
    let c = km
        .model
        .cluster(&[Raw::Num(3.0), Raw::Text("red"), Raw::Num(16.0)], &mut buf)
        .unwrap();
    assert!((0..3).contains(&c));
    assert!(km
        .model
        .predict_value(&[Raw::Num(3.0), Raw::Text("red"), Raw::Num(16.0)], &mut buf)
        .is_err());

    let db = run_unsupervised(
        &f,
        "dbscan",
        json!({"eps": 0.8, "min_samples": 4}),
        opts.clone(),
    )
    .unwrap();
    assert!(
        db.report["metrics"]["train"]["noise_fraction"]
            .as_f64()
            .is_some(),
        "{}",
        db.report
    );

    let iso = run_unsupervised(
        &f,
        "isolation_forest",
        json!({"contamination": 0.05}),
        opts.clone(),
    )
    .unwrap();
    let m = &iso.report["metrics"]["train"];
    let frac = m["anomaly_fraction"].as_f64().unwrap();
    assert!((0.0..=0.1).contains(&frac), "{m}");
    let (score, _) = iso
        .model
        .anomaly(&[Raw::Num(3.0), Raw::Text("red"), Raw::Num(16.0)], &mut buf)
        .unwrap();
    assert!(score > 0.0 && score <= 1.0);

    let pca = run_unsupervised(&f, "pca", json!({"n_components": 2}), opts.clone()).unwrap();
    let ratio = pca.report["metrics"]["train"]["explained_variance_ratio_total"]
        .as_f64()
        .unwrap();
    assert!(ratio > 0.5 && ratio <= 1.0 + 1e-12, "{}", pca.report);
    let t = pca
        .model
        .transform(&[Raw::Num(3.0), Raw::Text("red"), Raw::Num(16.0)], &mut buf)
        .unwrap();
    assert_eq!(t.len(), 2);
}

#[test]
fn unsupervised_requests_reject_what_they_cannot_use() {
    let f = frame(40);
    let opts = json!({"exclude": ["y"]});
    let msg = |r: Result<Outcome>| r.err().map(|e| e.message).unwrap_or_default();
    assert!(msg(run(&f, "y", "kmeans", json!({}))).contains("without a target"));
    assert!(msg(run_unsupervised(
        &f,
        "kmeans",
        json!({"n_clusters": 41}),
        opts.clone()
    ))
    .contains("41"));
    assert!(msg(run_unsupervised(
        &f,
        "dbscan",
        json!({"eps": 0}),
        opts.clone()
    ))
    .contains("\"eps\""));
    assert!(msg(run_unsupervised(&f, "pca", json!({"k": 2}), opts.clone())).contains("\"k\""));
    assert!(msg(run_unsupervised(
        &f,
        "kmeans",
        json!({}),
        json!({"exclude": ["y"], "cv": 3})
    ))
    .contains("cv"));
    assert!(msg(run_unsupervised(
        &f,
        "isolation_forest",
        json!({"contamination": 0.7}),
        opts
    ))
    .contains("\"contamination\""));
}

#[test]
fn options_scale_sets_the_default_scaling() {
    let f = frame(200);
    let scale_of = |opts: Value| {
        let out = run(&f, "v", "ridge", opts).unwrap();
        out.model.prep.features[0].transform.clone()
    };
    // Ridge scales by default; options.scale = none keeps raw values, minmax maps to [0, 1].
    let standard = format!("{:?}", scale_of(json!({"exclude": ["y"]})));
    let none = format!("{:?}", scale_of(json!({"exclude": ["y"], "scale": "none"})));
    assert!(none.contains("center: 0.0, scale: 1.0"), "{none}");
    assert!(!standard.contains("center: 0.0, scale: 1.0"), "{standard}");
}

/// Trees and forests train on rows binned a feature at a time (no matrix of floats): the
/// same model, metrics, prediction profile and leakage checks as from the dense rows.
#[test]
fn binned_rows_give_what_dense_rows_give() {
    let mut f = frame(3000);
    // A text column that gives the class away (one-hot: two columns of 0 and 1).
    let mut leak = Column::new("outcome", "text", ColumnKind::Text);
    for i in 0..3000 {
        leak.push_text(Some(if (i % 50) > 25 { "refund" } else { "none" }));
    }
    f.columns.push(leak);
    for (algorithm, target, hyperparams) in [
        ("decision_tree", "y", json!({})),
        ("random_forest", "y", json!({"n_estimators": 7})),
        ("extra_trees", "y", json!({"n_estimators": 5})),
        ("random_forest", "v", json!({"n_estimators": 4})),
    ] {
        let req = TrainRequest {
            target: Some(target.into()),
            algorithm: algorithm.into(),
            hyperparams,
            options: TrainOptions::parse(&json!({"dedup": false, "seed": 3})).unwrap(),
        };
        let binned = prepare_rows(&f, &req, &mut |_| {}, true).unwrap();
        let dense = prepare_rows(&f, &req, &mut |_| {}, false).unwrap();
        assert!(
            binned.binned.is_some() && binned.x.is_empty(),
            "{algorithm}"
        );
        assert!(dense.binned.is_none() && !dense.x.is_empty());
        let (a, b) = (
            binned.fit(&Progress::default()).unwrap(),
            dense.fit(&Progress::default()).unwrap(),
        );
        assert_eq!(a, b, "{algorithm} on {target}");
        assert_eq!(
            json!(binned
                .measure(&a, &binned.split.test, &Progress::default())
                .unwrap()),
            json!(dense
                .measure(&b, &dense.split.test, &Progress::default())
                .unwrap())
        );
        let (metrics, profile) = binned.measure_train(&a, &Progress::default()).unwrap();
        assert_eq!(
            (metrics.clone(), profile.clone()),
            dense.measure_train(&b, &Progress::default()).unwrap()
        );
        // The training rows are measured by their labels only (no probability metrics).
        let mut on_train = dense
            .measure(&b, &dense.split.train, &Progress::default())
            .unwrap();
        on_train.retain(|k, _| !["log_loss", "roc_auc", "pr_auc", "brier"].contains(&k.as_str()));
        assert_eq!(metrics, json!(on_train));
        assert!(profile.is_object() && metrics.is_object());
        let suspects = binned.leakage_suspects(&Progress::default()).unwrap();
        assert_eq!(
            suspects,
            dense.leakage_suspects(&Progress::default()).unwrap()
        );
        assert_eq!(
            suspects.iter().any(|s| s.contains("\"outcome\"")),
            target == "y",
            "{suspects:?}"
        );
    }
    // Not with cross-validation (folds refit the preprocessing on dense rows).
    let req = TrainRequest {
        target: Some("y".into()),
        algorithm: "random_forest".into(),
        hyperparams: json!({"n_estimators": 3}),
        options: TrainOptions::parse(&json!({"cv": 3})).unwrap(),
    };
    assert!(prepare(&f, &req, &mut |_| {}).unwrap().binned.is_none());
}

/// Measuring a forest scores its rows a layout of 16 trees at a time: the outputs are the
/// forest's own, bit for bit, from dense and from binned rows, and so are the classes.
#[test]
fn forests_are_measured_as_they_predict() {
    let f = frame(3000);
    for (target, k) in [("y", 2), ("v", 1)] {
        let req = TrainRequest {
            target: Some(target.into()),
            algorithm: "random_forest".into(),
            hyperparams: json!({"n_estimators": 37}),
            options: TrainOptions::parse(&json!({"dedup": false})).unwrap(),
        };
        let binned = prepare_rows(&f, &req, &mut |_| {}, true).unwrap();
        let dense = prepare_rows(&f, &req, &mut |_| {}, false).unwrap();
        let fitted = dense.fit(&Progress::default()).unwrap();
        let Fitted::Forest(forest) = &fitted else {
            panic!("not a forest")
        };
        let rows: Vec<usize> = (0..dense.x.len() / dense.n_cols).rev().collect();
        let p = dense.n_cols;
        let mut want = Vec::new();
        for &r in &rows {
            let mut o = vec![0.0; k];
            forest.predict_plain(&dense.x[r * p..(r + 1) * p], &mut o);
            want.extend(o);
        }
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        let go = Progress::default();
        let from_dense = encoded::Source::Dense(&dense.x, p)
            .forest_outputs(forest, &rows, &go)
            .unwrap();
        let from_bins = binned.source().forest_outputs(forest, &rows, &go).unwrap();
        // A cancelled job stops measuring (the statement's cancel ERROR is what the user sees).
        let stopped = Progress::default();
        stopped
            .cancel
            .store(true, std::sync::atomic::Ordering::Relaxed);
        assert!(binned
            .source()
            .forest_outputs(forest, &rows, &stopped)
            .is_err());
        assert!(fitted_stops(forest, &dense.x, p, &rows, &stopped));
        assert_eq!(bits(&from_dense), bits(&want));
        assert_eq!(bits(&from_bins), bits(&want));
        if k == 2 {
            assert_eq!(
                binned
                    .source()
                    .classes_at(&fitted, &rows, 2, &Progress::default())
                    .unwrap(),
                fitted
                    .classes_at(&dense.x, p, &rows, 2, &Progress::default())
                    .unwrap()
            );
        } else {
            assert_eq!(
                bits(
                    &binned
                        .source()
                        .values_at(&fitted, &rows, &Progress::default())
                        .unwrap()
                ),
                bits(
                    &fitted
                        .values_at(&dense.x, p, &rows, &Progress::default())
                        .unwrap()
                )
            );
        }
    }
}

/// What would not fit in the memory budget is an ERROR naming the step, before it is
/// allocated: the encoded rows of a text column with many categories (max_categories 10000
/// once asked for 16 GB and aborted the server), a network of four 10,000-unit layers.
#[test]
fn the_memory_budget_refuses_before_allocating() {
    use crate::common::budget::Budget;
    use crate::common::error::ErrorKind;
    let n = 3000;
    let mut a = Column::new("a", "text", ColumnKind::Text);
    let mut y = Column::new("y", "double precision", ColumnKind::Float);
    for i in 0..n {
        a.push_text(Some(&format!("level{i}")));
        y.push_number(Some((i % 10) as f64));
    }
    let f = Frame {
        columns: vec![a, y],
    };
    let train = |algorithm: &str, hyper: Value, budget: Budget| {
        let mut options =
            TrainOptions::parse(&json!({"max_categories": 10000, "dedup": false})).unwrap();
        options.memory = budget;
        let req = TrainRequest {
            target: Some("y".into()),
            algorithm: algorithm.into(),
            hyperparams: hyper,
            options,
        };
        prepare(&f, &req, &mut |_| {}).and_then(|p| p.fit(&Progress::default()).map(|_| ()))
    };
    // 3,000 rows × 2,400 one-hot columns × 8 bytes = 55 MB.
    let e = train("ridge", json!({}), Budget::of_bytes(16 << 20)).unwrap_err();
    assert_eq!(e.kind, ErrorKind::OutOfMemory);
    assert!(
        e.message
            .starts_with("encoding the training rows needs about 55 MB"),
        "{}",
        e.message
    );
    // Binned for a tree: a byte per value, 6.9 MB, fits.
    assert!(train(
        "decision_tree",
        json!({"max_depth": 2}),
        Budget::of_bytes(16 << 20)
    )
    .is_ok());
    let e = train(
        "mlp",
        json!({"hidden_layer_sizes": [10000, 10000, 10000, 10000]}),
        Budget::of_bytes(1 << 30),
    )
    .unwrap_err();
    assert!(
        e.message
            .starts_with("the network's weights, optimizer state and batches needs about"),
        "{}",
        e.message
    );
}

#[test]
fn a_cancelled_run_stops_preparing() {
    let mut a = Column::new("a", "double precision", ColumnKind::Float);
    let mut y = Column::new("y", "double precision", ColumnKind::Float);
    for i in 0..200 {
        a.push_number(Some(i as f64));
        y.push_number(Some((i % 7) as f64));
    }
    let f = Frame {
        columns: vec![a, y],
    };
    for (algorithm, target) in [("linear_regression", Some("y")), ("kmeans", None)] {
        let req = |cancelled: bool| {
            let options = TrainOptions::default();
            options
                .cancel
                .0
                .store(cancelled, std::sync::atomic::Ordering::Relaxed);
            TrainRequest {
                target: target.map(String::from),
                algorithm: algorithm.into(),
                hyperparams: json!({}),
                options,
            }
        };
        assert!(prepare(&f, &req(false), &mut |_| {}).is_ok(), "{algorithm}");
        let Err(e) = prepare(&f, &req(true), &mut |_| {}) else {
            panic!("{algorithm}: prepared although cancelled")
        };
        assert!(
            e.message.contains("cancelled"),
            "{algorithm}: {}",
            e.message
        );
    }
}

/// Whether every parallel scoring of many rows refuses to go on once cancelled.
fn fitted_stops(
    forest: &crate::learners::trees::forest::Forest,
    x: &[f64],
    p: usize,
    rows: &[usize],
    stop: &Progress,
) -> bool {
    let f = Fitted::Forest(forest.clone());
    f.values_at(x, p, rows, stop).is_err()
        && f.probas_at(x, p, rows, 2, stop).is_err()
        && f.classes_at(x, p, rows, 2, stop).is_err()
}

mod auto_tests;
mod calibration_tests;
mod metric_tests;
mod split_tests;
mod weight_tests;
