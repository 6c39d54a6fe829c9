//! Unit tests of the group split and of duplicates kept on one side, through the pipeline.

use crate::common::frame::{Column, ColumnKind, Frame};
use crate::common::progress::Progress;
use crate::pipeline::*;
use crate::prepare::options::TrainOptions;
use serde_json::{json, Value};

/// 150 customers with 2 to 5 rows each; every customer has a feature value of its own and a
/// label of its own (by a hash: nothing to learn across customers), so a model that memorises
/// customers looks perfect on rows of customers it saw and is a coin toss on new ones.
fn customers() -> Frame {
    let mut id = Column::new("customer_id", "integer", ColumnKind::Integer);
    let mut f = Column::new("f", "double precision", ColumnKind::Float);
    let mut n = Column::new("noise", "double precision", ColumnKind::Float);
    let mut y = Column::new("y", "text", ColumnKind::Text);
    let mut r = 0usize;
    for c in 0..150usize {
        let h = crate::common::frame::mix(c as u64 + 17);
        for _ in 0..(2 + c % 4) {
            id.push_number(Some(c as f64));
            f.push_number(Some((h % 10_007) as f64));
            n.push_number(Some((r * 7919 % 13) as f64));
            y.push_text(Some(if h.is_multiple_of(2) { "yes" } else { "no" }));
            r += 1;
        }
    }
    Frame {
        columns: vec![id, f, n, y],
    }
}

fn prepared(frame: &Frame, options: Value) -> crate::common::error::Result<Prepared> {
    let req = TrainRequest {
        target: Some("y".into()),
        algorithm: "decision_tree".into(),
        hyperparams: json!({}),
        options: TrainOptions::parse(&options)?,
    };
    prepare(frame, &req, &mut |_| {})
}

fn test_accuracy(p: &Prepared) -> f64 {
    let fitted = p.fit(&Progress::default()).unwrap();
    let m = p
        .measure(&fitted, &p.split.test, &Progress::default())
        .unwrap();
    m["accuracy"]
}

fn customer_of(frame: &Frame, rows: &[usize]) -> std::collections::HashSet<u64> {
    rows.iter()
        .map(|&r| frame.columns[0].cell_hash(r))
        .collect()
}

#[test]
fn a_group_split_keeps_customers_apart_and_tells_the_truth() {
    let f = customers();
    // dedup off: a customer's rows are copies (the noise column tells some apart).
    let random = prepared(
        &f,
        json!({"dedup": false, "exclude": ["customer_id"], "split": {"method": "random"}}),
    )
    .unwrap();
    let grouped = prepared(
        &f,
        json!({"dedup": false, "split": {"group_by": "customer_id"}}),
    )
    .unwrap();
    // The group column is no feature.
    assert_eq!(grouped.prep.output_names(), vec!["f", "noise"]);
    let (train, test) = (
        customer_of(&f, &grouped.split.train),
        customer_of(&f, &grouped.split.test),
    );
    assert!(train.is_disjoint(&test), "a customer on both sides");
    assert!(
        customer_of(&f, &random.split.train)
            .intersection(&customer_of(&f, &random.split.test))
            .count()
            > 10
    );
    let (seen, unseen) = (test_accuracy(&random), test_accuracy(&grouped));
    assert!(seen > 0.8, "rows of seen customers: {seen}");
    assert!(unseen < 0.7, "rows of new customers: {unseen}");
    assert_eq!(grouped.report["split"]["groups"], json!(150));
    assert_eq!(grouped.report["split"]["method"], json!("group"));
    // Folds of a search keep customers apart too: cv on the training rows scores new customers.
    let cv = prepared(
        &f,
        json!({"dedup": false, "cv": 3, "split": {"group_by": "customer_id"}}),
    )
    .unwrap();
    for fold in cv.folds(3).unwrap() {
        let held = customer_of(&f, &fold);
        let rest: Vec<usize> = cv
            .split
            .train
            .iter()
            .copied()
            .filter(|r| !fold.contains(r))
            .collect();
        assert!(held.is_disjoint(&customer_of(&f, &rest)));
    }
}

#[test]
fn copies_stay_on_one_side_when_duplicates_are_kept() {
    let f = customers();
    let p = prepared(&f, json!({"dedup": false, "exclude": ["customer_id", "noise"], "split": {"method": "stratified"}})).unwrap();
    // Every customer's rows are copies over (f, y): none on both sides.
    assert!(customer_of(&f, &p.split.train).is_disjoint(&customer_of(&f, &p.split.test)));
    assert!(test_accuracy(&p) < 0.7);
}

#[test]
fn group_options_are_checked() {
    let f = customers();
    let msg = |o: Value| prepared(&f, o).err().map(|e| e.message).unwrap_or_default();
    assert!(msg(json!({"split": {"method": "group"}})).contains("needs \"group_by\""));
    assert!(
        msg(json!({"split": {"group_by": "customer_id", "method": "time", "order_by": "f"}}))
            .contains("cannot be combined")
    );
    assert!(msg(json!({"split": {"group_by": "nope"}}))
        .contains("split.group_by column \"nope\" does not exist"));
    assert!(msg(json!({"split": {"group_by": "y", "test_size": 0.3}})).contains("only 2 groups"));
}
