//! The report's pictures carry the numbers they show: element counts and `data-*` values are
//! checked against the metrics computed the usual way.

use serde_json::{json, Value};

use super::*;
use crate::common::frame::{Column, ColumnKind};
use crate::evaluation::scores;
use crate::pipeline::{prepare, TrainRequest};
use crate::prepare::options::TrainOptions;

/// Three classes from x (with noise from the row number), a number target, and a text column.
fn frame(n: usize) -> Frame {
    let mut x = Column::new("x", "double precision", ColumnKind::Float);
    let mut z = Column::new("z", "double precision", ColumnKind::Float);
    let mut g = Column::new("g", "text", ColumnKind::Text);
    let mut y = Column::new("y", "text", ColumnKind::Text);
    let mut v = Column::new("v", "double precision", ColumnKind::Float);
    for i in 0..n {
        let xi = (i % 30) as f64 + ((i * 7919) % 13) as f64 / 3.0;
        x.push_number(Some(xi));
        z.push_number(Some(((i * 31) % 17) as f64));
        g.push_text(Some(if i % 3 == 0 { "a" } else { "b" }));
        let class = if xi < 11.0 {
            "low"
        } else if xi < 22.0 {
            "mid"
        } else {
            "high"
        };
        y.push_text(Some(class));
        v.push_number(Some(2.0 * xi + ((i * 13) % 7) as f64));
    }
    Frame {
        columns: vec![x, z, g, y, v],
    }
}

fn train(f: &Frame, target: &str, algorithm: &str, features: &[&str]) -> StoredModel {
    let req = TrainRequest {
        target: Some(target.into()),
        algorithm: algorithm.into(),
        hyperparams: json!({}),
        options: TrainOptions::parse(&json!({"features": features, "dedup": false})).unwrap(),
    };
    let p = prepare(f, &req, &mut |_| {}).unwrap();
    let fitted = p.fit(&Progress::default()).unwrap();
    p.finish(fitted, json!({}), json!({})).model
}

fn row(name: &str) -> Value {
    json!({
        "name": name, "version": 2, "algorithm": "random_forest", "task": "classification",
        "target": "y", "target_type": "text", "deployed": true, "relation": "public.t",
        "row_counts": {"read": 300, "used": 300}, "split": {"method": "stratified", "train": 240, "test": 60, "seed": 42},
        "warnings": ["class imbalance <b>"],
        "metrics": {"objective": {"name": "balanced_accuracy", "better": "higher"},
                    "train": {"accuracy": 1.0, "balanced_accuracy": 1.0},
                    "test": {"accuracy": 0.9, "balanced_accuracy": 0.85},
                    "cv": {"mean": {"balanced_accuracy": 0.8}, "std": {"balanced_accuracy": 0.05}},
                    "baseline": {"accuracy": 0.33, "balanced_accuracy": 0.33}},
        "hyperparams": {"n_estimators": 100}
    })
}

fn measured(m: &StoredModel, f: &Frame) -> Measured {
    let outcome = measure(
        m,
        f,
        None,
        Which::All,
        &Budget::unlimited(),
        &Progress::default(),
    )
    .unwrap();
    let contributions = match &outcome {
        Outcome::Scored(s) => {
            contributions(m, f, s, &Budget::unlimited(), &Progress::default()).unwrap()
        }
        _ => None,
    };
    Measured {
        on: "relation t".into(),
        outcome,
        contributions,
    }
}

fn report<'a>(m: &'a StoredModel, row: &'a Value, measured: Option<Measured>) -> Report<'a> {
    Report {
        model: m,
        row,
        trials: Vec::new(),
        measured,
        drift: None,
        notes: vec!["a note".into()],
        generated_at: "2026-12-07 22:00".into(),
    }
}

/// The values of attribute `attr` of the elements with `class="{class}"`.
fn attr_values(svg: &str, class: &str, attr: &str) -> Vec<String> {
    svg.split(&format!(r#"class="{class}""#))
        .skip(1)
        .filter_map(|rest| {
            let tag = rest.split('>').next()?;
            let start = tag.find(&format!(r#"{attr}=""#))? + attr.len() + 2;
            Some(tag[start..].split('"').next()?.to_string())
        })
        .collect()
}

#[test]
fn a_confusion_matrix_has_a_cell_per_pair_holding_its_count() {
    let f = frame(300);
    let m = train(&f, "y", "decision_tree", &["x", "z"]);
    let r = report(&m, &Value::Null, Some(measured(&m, &f)));
    let svg = draw(&r, "confusion_matrix", None).unwrap();
    let Some(Outcome::Scored(s)) = r.measured.as_ref().map(|m| &m.outcome) else {
        panic!("scored")
    };
    let counts: Vec<u64> = attr_values(&svg, "cell", "data-count")
        .iter()
        .map(|c| c.parse().unwrap())
        .collect();
    assert_eq!(counts.len(), 9);
    let conf = s.confusion();
    let expected: Vec<u64> = (0..3)
        .flat_map(|a| (0..3).map(move |p| (a, p)))
        .map(|(a, p)| conf.get(a, p) as u64)
        .collect();
    assert_eq!(counts, expected);
    assert_eq!(counts.iter().sum::<u64>(), 300);
}

#[test]
fn curves_carry_the_areas_the_metrics_report() {
    let f = frame(300);
    let m = train(&f, "y", "logistic_regression", &["x", "z"]);
    let r = report(&m, &Value::Null, Some(measured(&m, &f)));
    let Some(Outcome::Scored(s)) = r.measured.as_ref().map(|m| &m.outcome) else {
        panic!("scored")
    };
    let roc = draw(&r, "roc", None).unwrap();
    let aucs: Vec<f64> = attr_values(&roc, "curve", "data-auc")
        .iter()
        .map(|a| a.parse().unwrap())
        .collect();
    assert_eq!(aucs.len(), 3, "one curve per class against the rest");
    for (c, auc) in aucs.iter().enumerate() {
        let pos: Vec<bool> = s.actual.iter().map(|&a| a == c).collect();
        let score: Vec<f64> = s.proba.chunks_exact(3).map(|r| r[c]).collect();
        assert_eq!(*auc, scores::roc_auc(&pos, &score).unwrap());
    }
    let pr = draw(&r, "pr", None).unwrap();
    assert_eq!(attr_values(&pr, "curve", "data-ap").len(), 3);
    for name in [
        "calibration",
        "gain",
        "probability_histogram",
        "feature_importance",
        "contributions",
    ] {
        let svg = draw(&r, name, None).unwrap_or_else(|| panic!("{name}"));
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"), "{name}");
    }
    // The histogram counts every row once.
    let hist = draw(&r, "probability_histogram", None).unwrap();
    let total: u64 = attr_values(&hist, "bar", "data-count")
        .iter()
        .map(|c| c.parse::<u64>().unwrap())
        .sum();
    assert_eq!(total, 300);
    assert!(draw(&r, "predicted_vs_actual", None).is_none());
}

#[test]
fn a_regression_gets_its_scatter_and_residuals() {
    let f = frame(5000);
    let m = train(&f, "v", "linear_regression", &["x"]);
    let r = report(&m, &Value::Null, Some(measured(&m, &f)));
    let svg = draw(&r, "predicted_vs_actual", None).unwrap();
    assert_eq!(
        svg.matches("<circle").count(),
        regression::MAX_POINTS,
        "sampled"
    );
    assert!(svg.contains("of 5000 rows shown"));
    let hist = draw(&r, "residual_histogram", None).unwrap();
    let total: u64 = attr_values(&hist, "bar", "data-count")
        .iter()
        .map(|c| c.parse::<u64>().unwrap())
        .sum();
    assert_eq!(total, 5000);
    assert!(draw(&r, "residuals_vs_predicted", None).is_some());
    assert!(draw(&r, "roc", None).is_none());
    // A linear model's importance: the one feature has it all.
    let imp = draw(&r, "feature_importance", None).unwrap();
    assert_eq!(attr_values(&imp, "bar", "data-name"), vec!["x"]);
}

#[test]
fn the_page_is_whole_and_escapes_what_it_shows() {
    let f = frame(300);
    let m = train(&f, "y", "random_forest", &["x", "z", "g"]);
    let row = row("churn");
    let r = report(&m, &row, Some(measured(&m, &f)));
    let html = page::page(&r);
    assert!(html.starts_with("<!DOCTYPE html>") && html.trim_end().ends_with("</html>"));
    assert!(
        html.contains("class imbalance &lt;b&gt;"),
        "warnings escaped"
    );
    assert!(!html.contains("<script"), "no script");
    assert!(
        !html.contains("http://")
            || html.matches("http://").count()
                == html.matches("xmlns=\"http://www.w3.org/2000/svg\"").count(),
        "no fetch"
    );
    assert!(html.contains(r#"<tr class="objective" data-metric="balanced_accuracy">"#));
    for chart in [
        "confusion_matrix",
        "roc",
        "pr",
        "calibration",
        "gain",
        "probability_histogram",
        "feature_importance",
        "contributions",
    ] {
        assert!(
            html.contains(&format!(r#"<figure data-chart="{chart}">"#)),
            "{chart}"
        );
    }
    assert_eq!(html.matches("<svg").count(), html.matches("</svg>").count());
    assert!(html.contains("a note"));
}

#[test]
fn standalone_charts_say_what_they_need() {
    let f = frame(300);
    let m = train(&f, "y", "decision_tree", &["x"]);
    let row = row("churn");
    let without = report(&m, &row, None);
    let e = standalone(&without, "roc").unwrap_err();
    assert!(
        e.message.contains("needs a classification model and rows"),
        "{}",
        e.message
    );
    let e = standalone(&without, "pie").unwrap_err();
    assert!(
        e.message.contains("is not one of: confusion_matrix, roc"),
        "{}",
        e.message
    );
    let svg = standalone(&without, "feature_importance").unwrap();
    assert!(svg.contains("<style>") && svg.contains("Feature importance: churn@2"));
    let with = report(&m, &row, Some(measured(&m, &f)));
    assert!(standalone(&with, "roc")
        .unwrap()
        .contains("ROC curve: churn@2 on relation t"));
}

#[test]
fn clusters_and_anomalies_are_counted() {
    let f = frame(400);
    let req = |algorithm: &str| TrainRequest {
        target: None,
        algorithm: algorithm.into(),
        hyperparams: json!({}),
        options: TrainOptions::parse(&json!({"features": ["x", "z"], "dedup": false})).unwrap(),
    };
    for (algorithm, chart) in [
        ("kmeans", "cluster_sizes"),
        ("isolation_forest", "anomaly_scores"),
    ] {
        let p = prepare(&f, &req(algorithm), &mut |_| {}).unwrap();
        let fitted = p.fit(&Progress::default()).unwrap();
        let m = p.finish(fitted, json!({}), json!({})).model;
        let r = report(&m, &Value::Null, Some(measured(&m, &f)));
        let svg = draw(&r, chart, None).unwrap();
        let attr = if chart == "cluster_sizes" {
            "data-value"
        } else {
            "data-count"
        };
        let total: f64 = attr_values(&svg, "bar", attr)
            .iter()
            .map(|c| c.parse::<f64>().unwrap())
            .sum();
        assert_eq!(total, 400.0, "{algorithm}");
    }
}

#[test]
fn trials_mark_the_chosen_one() {
    let f = frame(300);
    let m = train(&f, "y", "decision_tree", &["x"]);
    let row = row("s");
    let mut r = report(&m, &row, None);
    r.trials = model::trials(&[
        json!({"trial": 2, "params": {"max_depth": 8}, "mean_score": 0.99, "std_score": 0.01, "chosen": true}),
        json!({"trial": 1, "params": {"max_depth": 1}, "mean_score": 0.88, "std_score": 0.03, "chosen": false}),
    ]);
    let svg = draw(&r, "trials", None).unwrap();
    assert_eq!(
        attr_values(&svg, "trial", "data-chosen"),
        vec!["false", "true"]
    );
    assert!(svg.contains("balanced_accuracy"));
}

#[test]
fn contributions_average_the_explanations() {
    let f = frame(300);
    let m = train(&f, "y", "random_forest", &["x", "z", "g"]);
    let r = report(&m, &Value::Null, Some(measured(&m, &f)));
    let c = r.measured.as_ref().unwrap().contributions.as_ref().unwrap();
    assert_eq!((c.method, c.rows), ("tree_shap", 200));
    // x decides the class: it carries most of the explanation.
    let of = |n: &str| c.values.iter().find(|v| v.0 == n).unwrap().1;
    assert!(
        of("x") > 5.0 * of("z") && of("x") > 5.0 * of("g"),
        "{:?}",
        c.values
    );
    let svg = draw(&r, "contributions", None).unwrap();
    assert!(svg.contains(r#"data-chart="contributions""#) && svg.contains("tree_shap, 200 rows"));
    // A sampled model explains fewer rows.
    let k = train(&f, "y", "knn", &["x", "z"]);
    let r = report(&k, &Value::Null, Some(measured(&k, &f)));
    let c = r.measured.as_ref().unwrap().contributions.as_ref().unwrap();
    assert_eq!(
        (c.method, c.rows),
        ("sampling", crate::model::explain::SUMMARY_ROWS_SAMPLED)
    );
}

#[test]
fn learning_curves_show_every_round_and_the_one_kept() {
    let f = frame(600);
    let req = TrainRequest {
        target: Some("v".into()),
        algorithm: "gradient_boosting".into(),
        hyperparams: json!({"n_estimators": 300, "n_iter_no_change": 5, "learning_rate": 0.5}),
        options: TrainOptions::parse(
            &json!({"features": ["x", "z"], "dedup": false, "split": {"validation_size": 0.2}}),
        )
        .unwrap(),
    };
    let p = prepare(&f, &req, &mut |_| {}).unwrap();
    let fitted = p.fit(&Progress::default()).unwrap();
    let fit = fitted.fit_summary().unwrap();
    let run = fit["rounds_run"].as_u64().unwrap() as usize;
    assert_eq!(fit["curve"]["train_loss"].as_array().unwrap().len(), run);
    assert_eq!(
        fit["curve"]["validation_loss"].as_array().unwrap().len(),
        run
    );
    let m = p.finish(fitted, json!({}), json!({})).model;
    let row = json!({"name": "b", "version": 1, "metrics": {"fit": fit}});
    let r = report(&m, &row, None);
    let svg = draw(&r, "learning_curve", None).unwrap();
    assert_eq!(
        attr_values(&svg, "curve", "data-points"),
        vec![run.to_string(), run.to_string()]
    );
    if fit["rounds"].as_u64().unwrap() < run as u64 {
        assert!(svg.contains(r#"class="kept""#));
    }
    // The training loss falls.
    let losses: Vec<f64> = fit["curve"]["train_loss"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert!(losses[losses.len() - 1] < losses[0]);
    // Without a curve (a model trained before them): no chart.
    let bare = json!({"name": "b", "version": 1, "metrics": {"fit": {"rounds": 3}}});
    assert!(draw(&report(&m, &bare, None), "learning_curve", None).is_none());
}

#[test]
fn an_mlp_keeps_its_loss_per_epoch() {
    let f = frame(300);
    let m = train(&f, "y", "mlp", &["x", "z"]);
    let req = TrainRequest {
        target: Some("y".into()),
        algorithm: "mlp".into(),
        hyperparams: json!({"max_iter": 30}),
        options: TrainOptions::parse(&json!({"features": ["x", "z"], "dedup": false})).unwrap(),
    };
    let p = prepare(&f, &req, &mut |_| {}).unwrap();
    let fit = p.fit(&Progress::default()).unwrap().fit_summary().unwrap();
    let epochs = fit["epochs"].as_u64().unwrap() as usize;
    assert_eq!(fit["curve"]["train_loss"].as_array().unwrap().len(), epochs);
    let row = json!({"name": "n", "version": 1, "metrics": {"fit": fit}});
    let r = report(&m, &row, None);
    let svg = draw(&r, "learning_curve", None).unwrap();
    assert!(svg.contains(">epoch<"), "the x axis counts epochs");
    assert_eq!(
        attr_values(&svg, "curve", "data-points"),
        vec![epochs.to_string()]
    );
}

#[test]
fn times_read_as_people_write_them() {
    assert_eq!(
        page::when("2026-12-07T23:26:42.210336+00:00"),
        "2026-12-07 23:26:42 UTC"
    );
    assert_eq!(
        page::when("2026-12-07T23:26:42+01:00"),
        "2026-12-07 23:26:42 +01:00"
    );
    assert_eq!(page::when("soon"), "soon");
}
