//! Unit tests of `mining::evaluate`.

use serde_json::json;

use super::*;
use crate::mining::forest::Progress;
use crate::mining::frame::ColumnKind;
use crate::mining::options::TrainOptions;
use crate::mining::pipeline::{prepare, TrainRequest};

fn frame(n: usize) -> Frame {
    let mut x = Column::new("x", "double precision", ColumnKind::Float);
    let mut g = Column::new("g", "text", ColumnKind::Text);
    let mut y = Column::new("y", "text", ColumnKind::Text);
    for i in 0..n {
        x.push_number(Some((i % 20) as f64));
        g.push_text(Some(if i % 2 == 0 { "even" } else { "odd" }));
        y.push_text(Some(if i % 20 >= 10 { "hi" } else { "lo" }));
    }
    Frame {
        columns: vec![x, g, y],
    }
}

fn model(f: &Frame) -> StoredModel {
    let req = TrainRequest {
        target: Some("y".into()),
        algorithm: "logistic_regression".into(),
        hyperparams: json!({}),
        options: TrainOptions::parse(&json!({"features": ["x"], "dedup": false})).unwrap(),
    };
    let p = prepare(f, &req, &mut |_| {}).unwrap();
    let fitted = p.fit(&Progress::default()).unwrap();
    p.finish(fitted, json!({}), json!({})).model
}

#[test]
fn evaluates_a_frame_with_groups_and_unseen_labels() {
    let f = frame(200);
    let m = model(&f);
    let mut g = frame(40);
    g.columns[2].push_text(Some("new"));
    g.columns[0].push_number(Some(3.0));
    g.columns[1].push_text(Some("odd"));
    let s = score(&m, &g).unwrap();
    assert_eq!(s.names, vec!["hi", "lo", "new"]);
    let v = s.metrics();
    assert_eq!(v["rows"], 41);
    assert!(
        v.get("roc_auc").is_none(),
        "no AUC with a label the model never saw"
    );
    assert_eq!(v["per_class"]["new"]["support"], 1.0);
    let by = s.metrics_by(g.column("g").unwrap());
    assert_eq!(by["groups"].as_array().unwrap().len(), 2);
    assert_eq!(by["groups"][0]["group"], "even");
}

#[test]
fn binary_view_and_errors() {
    let f = frame(100);
    let m = model(&f);
    let s = score(&m, &f).unwrap();
    assert!(s.metrics()["roc_auc"].as_f64().unwrap() > 0.9);
    let (pos, _) = s.binary_view(None).unwrap();
    assert_eq!(pos.iter().filter(|&&p| p).count(), 50);
    assert!(s
        .binary_view(Some("zzz"))
        .unwrap_err()
        .message
        .contains("zzz"));
    let mut no_target = frame(5);
    no_target.columns.pop();
    assert!(score(&m, &no_target)
        .err()
        .map(|e| e.message)
        .unwrap_or_default()
        .contains("\"y\""));
}
