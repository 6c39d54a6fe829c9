//! Explanations of linear and sampled models: base + contributions = the output, linear
//! contributions are coefficient × (value − training mean) exactly, and sampled ones come
//! close to the exact Shapley values over the same background rows (all 2^p coalitions).

use serde_json::{json, Value};

use crate::common::frame::{Column, ColumnKind, Frame};
use crate::common::progress::Progress;
use crate::model::stored::StoredModel;
use crate::pipeline::{prepare, TrainRequest};
use crate::prepare::options::TrainOptions;
use crate::prepare::preprocess::Raw;

/// a, b, c numbers and a text column d; y a class from a, b and d; v a value.
fn frame(n: usize) -> Frame {
    let mut a = Column::new("a", "double precision", ColumnKind::Float);
    let mut b = Column::new("b", "double precision", ColumnKind::Float);
    let mut c = Column::new("c", "double precision", ColumnKind::Float);
    let mut d = Column::new("d", "text", ColumnKind::Text);
    let mut y = Column::new("y", "text", ColumnKind::Text);
    let mut v = Column::new("v", "double precision", ColumnKind::Float);
    for i in 0..n {
        let (ai, bi, ci) = (
            (i % 17) as f64,
            ((i * 7) % 23) as f64,
            ((i * 13) % 11) as f64,
        );
        let di = ["x", "y", "z"][i % 3];
        a.push_number(Some(ai));
        b.push_number(Some(bi));
        c.push_number(Some(ci));
        d.push_text(Some(di));
        let score = ai + 0.5 * bi + if di == "z" { 6.0 } else { 0.0 };
        y.push_text(Some(if score > 14.0 { "yes" } else { "no" }));
        v.push_number(Some(
            3.0 * ai - 2.0 * bi + ci + if di == "y" { 5.0 } else { 0.0 },
        ));
    }
    Frame {
        columns: vec![a, b, c, d, y, v],
    }
}

fn train(target: &str, algorithm: &str) -> StoredModel {
    let req = TrainRequest {
        target: Some(target.into()),
        algorithm: algorithm.into(),
        hyperparams: json!({}),
        options: TrainOptions::parse(&json!({"features": ["a", "b", "c", "d"], "dedup": false}))
            .unwrap(),
    };
    let f = frame(400);
    let p = prepare(&f, &req, &mut |_| {}).unwrap();
    let fitted = p.fit(&Progress::default()).unwrap();
    p.finish(fitted, json!({}), json!({})).model
}

const ROW: [Raw; 4] = [Raw::Num(9.0), Raw::Num(4.0), Raw::Num(2.0), Raw::Text("z")];

fn contributions(e: &Value) -> Vec<(String, f64)> {
    e["contributions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["feature"].as_str().unwrap().to_string(),
                c["contribution"].as_f64().unwrap(),
            )
        })
        .collect()
}

fn sum(e: &Value) -> f64 {
    e["base"].as_f64().unwrap() + contributions(e).iter().map(|c| c.1).sum::<f64>()
}

#[test]
fn linear_contributions_are_exact() {
    for algorithm in ["linear_regression", "ridge", "lasso"] {
        let m = train("v", algorithm);
        let mut buf = Vec::new();
        let e = m.explain(&ROW, &mut buf, None).unwrap();
        assert_eq!(e["method"], "linear");
        let value = m.value_of(&buf).unwrap();
        assert!((sum(&e) - value).abs() < 1e-9, "{algorithm}");
        assert!((e["value"].as_f64().unwrap() - value).abs() < 1e-9);
        // coefficient × (value − mean), one-hot columns summed into d.
        let Some(crate::model::fitted::Fitted::Linear(l)) = Some(&m.estimator) else {
            panic!("linear")
        };
        let means = &m.background.as_ref().unwrap().means;
        let d: f64 = (3..buf.len())
            .map(|j| l.coef[j] * (buf[j] - means[j]))
            .sum();
        let got: Vec<(String, f64)> = contributions(&e);
        let of = |n: &str| got.iter().find(|c| c.0 == n).unwrap().1;
        assert!((of("d") - d).abs() < 1e-12, "{algorithm}");
        assert!((of("a") - l.coef[0] * (buf[0] - means[0])).abs() < 1e-12);
    }
}

#[test]
fn logistic_explains_the_log_odds() {
    let m = train("y", "logistic_regression");
    let mut buf = Vec::new();
    let e = m.explain(&ROW, &mut buf, None).unwrap();
    assert_eq!(e["method"], "linear");
    let log_odds = e["log_odds"].as_f64().unwrap();
    assert!((sum(&e) - log_odds).abs() < 1e-9);
    let p = m.proba_of(&buf).unwrap()[1];
    assert!((e["probability"].as_f64().unwrap() - p).abs() < 1e-12);
}

/// The exact Shapley values of output `class` over the background rows: v(S) = the mean output
/// with the features in S from the row and the rest from each background row.
fn exact(m: &StoredModel, x: &[f64], class: usize) -> (f64, Vec<f64>) {
    let ranges = m.feature_ranges();
    let g = ranges.len();
    let bg = &m.background.as_ref().unwrap().rows;
    let value = |mask: usize| -> f64 {
        bg.iter()
            .map(|z| {
                let mut cur = z.clone();
                for (j, r) in ranges.iter().enumerate() {
                    if mask & (1 << j) != 0 {
                        cur[r.clone()].copy_from_slice(&x[r.clone()]);
                    }
                }
                if m.classes.is_empty() {
                    m.value_of(&cur).unwrap()
                } else {
                    m.proba_of(&cur).unwrap()[class]
                }
            })
            .sum::<f64>()
            / bg.len() as f64
    };
    let v: Vec<f64> = (0..1usize << g).map(value).collect();
    let fact = |n: usize| (1..=n).product::<usize>() as f64;
    let phi = (0..g)
        .map(|j| {
            (0..1usize << g)
                .filter(|s| s & (1 << j) == 0)
                .map(|s| {
                    let size = s.count_ones() as usize;
                    fact(size) * fact(g - size - 1) / fact(g) * (v[s | (1 << j)] - v[s])
                })
                .sum()
        })
        .collect();
    (v[0], phi)
}

#[test]
fn sampled_values_add_up_and_come_close_to_exact_shapley() {
    for (target, algorithm, tolerance) in [
        // Measured here: at most 0.011 (probabilities), 0.17 (knn values of about ±12), 0.002 (svr).
        ("y", "knn", 0.02),
        ("y", "naive_bayes", 0.02),
        ("y", "mlp", 0.02),
        ("v", "knn", 0.25),
        ("v", "svr", 0.02),
    ] {
        let m = train(target, algorithm);
        let mut buf = Vec::new();
        let e = m.explain(&ROW, &mut buf, None).unwrap();
        assert_eq!(e["method"], "sampling", "{algorithm}");
        let (out, class) = if target == "v" {
            (m.value_of(&buf).unwrap(), 0)
        } else {
            (m.proba_of(&buf).unwrap()[1], 1)
        };
        assert!(
            (sum(&e) - out).abs() < 1e-9,
            "{algorithm}: base + contributions = output"
        );
        let (base, phi) = exact(&m, &buf, class);
        assert!(
            (e["base"].as_f64().unwrap() - base).abs() < 1e-9,
            "{algorithm}: base"
        );
        let got = contributions(&e);
        for (name, want) in ["a", "b", "c", "d"].iter().zip(&phi) {
            let have = got.iter().find(|c| c.0 == *name).unwrap().1;
            assert!(
                (have - want).abs() < tolerance,
                "{algorithm} {name}: sampled {have}, exact {want}"
            );
        }
        // The same row explains the same way every time.
        assert_eq!(e, m.explain(&ROW, &mut buf, None).unwrap());
        assert_eq!(e["permutations"], 2 * 100 * (super::pairs_for(4) / 100));
    }
}

#[test]
fn top_k_keeps_the_largest_with_their_values() {
    let m = train("v", "linear_regression");
    let mut buf = Vec::new();
    let all = contributions(&m.explain(&ROW, &mut buf, None).unwrap());
    let top = m.explain(&ROW, &mut buf, Some(2)).unwrap();
    let list = top["contributions"].as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["feature"], all[0].0.as_str());
    assert_eq!(list[1]["feature"], all[1].0.as_str());
    let value_of = |n: &str| match n {
        "a" => json!(9.0),
        "b" => json!(4.0),
        "c" => json!(2.0),
        _ => json!("z"),
    };
    assert_eq!(list[0]["value"], value_of(all[0].0.as_str()));
}

#[test]
fn models_without_a_background_ask_for_a_retrain() {
    let mut m = train("y", "knn");
    m.background = None;
    let e = m.explain(&ROW, &mut Vec::new(), None).unwrap_err();
    assert!(e.message.contains("retrain it to explain"), "{}", e.message);
}

#[test]
fn attributions_rank_one_output() {
    let m = train("y", "logistic_regression");
    let mut buf = Vec::new();
    let e = m.explain(&ROW, &mut buf, None).unwrap();
    let (class, rows) = m.attributions(&ROW, &mut buf, 3).unwrap();
    assert_eq!(class.as_deref(), Some("yes"));
    assert_eq!(rows.len(), 3);
    let all = contributions(&e);
    for (i, (rank, feature, _, v)) in rows.iter().enumerate() {
        assert_eq!(
            (*rank, feature.as_str(), *v),
            (i as i32 + 1, all[i].0.as_str(), all[i].1)
        );
    }
    if let Some(d) = rows.iter().find(|r| r.1 == "d") {
        assert_eq!(d.2.as_deref(), Some("z"));
    }
}
