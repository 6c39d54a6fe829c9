//! Tests of model bytes: round trips, damage, older formats and the fixtures of formats 2
//! and 3.

/// Bytes from the hex the fixtures store them as.
fn unhex(hex: &str) -> Vec<u8> {
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect()
}

use super::*;
use crate::common::budget::Budget;
use crate::common::frame::{Column, ColumnKind};
use crate::common::task::Task;
use crate::learners::linear::least_squares::LinearModel;
use crate::model::fitted::Fitted;
use crate::prepare::preprocess::{ColumnChoice, Defaults, Preprocessor, Raw, Scale, Unknown};

fn model() -> StoredModel {
    let mut c = Column::new("plan", "text", ColumnKind::Text);
    for v in ["a", "b", "a"] {
        c.push_text(Some(v));
    }
    let d = Defaults {
        missing_numbers: false,
        scale: Scale::None,
        unknown: Unknown::Ignore,
        max_categories: 10,
    };
    let (prep, _) = Preprocessor::fit(&[&c], &[0, 1, 2], &[ColumnChoice::default()], d).unwrap();
    StoredModel {
        task: Task::Regression,
        algorithm: "linear_regression".into(),
        target: "y".into(),
        target_type: "double precision".into(),
        target_kind: ColumnKind::Float,
        classes: vec![],
        prep,
        estimator: Fitted::Linear(LinearModel {
            coef: vec![1.0, 2.0],
            intercept: 0.5,
        }),
        class_numbers: Default::default(),
        threshold: None,
        intervals: None,
        calibration: None,
        background: None,
    }
}

#[test]
fn round_trip_gives_identical_predictions() {
    let m = model();
    let bytes = encode(&m).unwrap();
    let back = decode(&bytes).unwrap();
    let mut buf = Vec::new();
    for v in ["a", "b", "zzz"] {
        assert_eq!(
            m.predict_value(&[Raw::Text(v)], &mut buf).unwrap(),
            back.predict_value(&[Raw::Text(v)], &mut buf).unwrap()
        );
    }
    assert_eq!(
        back.predict_value(&[Raw::Text("b")], &mut buf).unwrap(),
        2.5
    );
    assert_eq!(header(&bytes).unwrap().1, "linear_regression");
}

#[test]
fn corrupt_bytes_are_errors_not_panics() {
    let bytes = encode(&model()).unwrap();
    assert_eq!(decode(b"hello").unwrap_err().kind, ErrorKind::Corrupt);
    assert_eq!(
        decode(&bytes[..bytes.len() - 3]).unwrap_err().kind,
        ErrorKind::Corrupt
    );
    let mut flipped = bytes.clone();
    for b in flipped.iter_mut().skip(30) {
        *b = 0xFF;
    }
    assert!(decode(&flipped).is_err());
    let mut newer = bytes.clone();
    newer[8] = 99;
    assert_eq!(decode(&newer).unwrap_err().kind, ErrorKind::NotSupported);
    // Every truncation is an error, never a panic.
    for cut in 0..bytes.len() {
        assert!(decode(&bytes[..cut]).is_err());
    }
}

/// Format 1 stored the body uncompressed: such models still load. Format 2 on is smaller for a
/// model with many numbers, and a damaged compressed body is an error (content checksum).
#[test]
fn older_format_loads_and_the_body_is_compressed() {
    let mut m = model();
    m.estimator = Fitted::Linear(LinearModel {
        coef: vec![0.25; 4000],
        intercept: 0.5,
    });
    let v2 = encode(&m).unwrap();
    let (version, _, start) = header(&v2).unwrap();
    assert_eq!(version, FORMAT_VERSION);
    let body = bincode::serde::encode_to_vec(&m, config()).unwrap();
    assert!(
        v2.len() - start < body.len() / 4,
        "{} vs {}",
        v2.len() - start,
        body.len()
    );
    let mut v1 = v2[..start].to_vec();
    v1[8..10].copy_from_slice(&1u16.to_le_bytes());
    v1.extend_from_slice(&body);
    // read: the model is a made-up shape (4,000 coefficients for two inputs).
    let (a, b) = (
        read(&v1, &Budget::unlimited()).unwrap(),
        read(&v2, &Budget::unlimited()).unwrap(),
    );
    assert_eq!(a.estimator, m.estimator);
    assert_eq!(b.estimator, m.estimator);
    // One byte changed inside the compressed body.
    let mut damaged = v2.clone();
    let at = start + (v2.len() - start) / 2;
    damaged[at] ^= 0x55;
    assert_eq!(decode(&damaged).unwrap_err().kind, ErrorKind::Corrupt);
}

/// Trees of formats 1 and 2 (24-byte nodes with both children, every node's output) are read
/// into the current layout: the same leaves, and still explained from their node outputs. A
/// tree laid out as no pg_mining grew one is refused, not guessed at.
#[test]
fn format_2_trees_are_converted() {
    use crate::learners::trees::tree::{Tree, LEAF};
    #[derive(serde::Serialize)]
    struct OldNode {
        feature: u32,
        threshold: f64,
        left: u32,
        right: u32,
    }
    #[derive(serde::Serialize)]
    struct OldTree {
        nodes: Vec<OldNode>,
        values: Vec<f64>,
        width: usize,
        gain: Vec<f64>,
    }
    let leaf = |at: u32| OldNode {
        feature: LEAF,
        threshold: 0.0,
        left: at,
        right: 0,
    };
    let old = |right: u32| OldTree {
        nodes: vec![
            OldNode {
                feature: 0,
                threshold: 1.5,
                left: 1,
                right,
            },
            leaf(2),
            leaf(4),
        ],
        values: vec![0.5, 0.5, 0.9, 0.1, 0.2, 0.8],
        width: 2,
        gain: vec![0.3],
    };
    let read = |t: &OldTree| -> std::result::Result<Tree, String> {
        let bytes = bincode::serde::encode_to_vec(t, config()).unwrap();
        let (old, _): (crate::model::format_legacy::Tree, usize) =
            bincode::serde::decode_from_slice(&bytes, config()).map_err(|e| e.to_string())?;
        old.convert()
    };
    let t = read(&old(2)).unwrap();
    assert_eq!(t.leaf_vec(&[1.0]), &[0.9, 0.1]);
    assert_eq!(t.leaf_vec(&[2.0]), &[0.2, 0.8]);
    let (mut base, mut contrib) = (vec![0.0; 2], vec![0.0; 2]);
    assert!(t.add_path_contributions(&[1.0], &mut base, &mut contrib));
    assert_eq!(base, [0.5, 0.5]);
    assert!((contrib[0] - 0.4).abs() < 1e-12 && (contrib[1] + 0.4).abs() < 1e-12);
    // The right child not next to the left one.
    assert!(read(&old(1)).is_err());
    // Read as the current format, the same bytes are not a tree.
    let bytes = bincode::serde::encode_to_vec(old(2), config()).unwrap();
    assert!(bincode::serde::decode_from_slice::<Tree, _>(&bytes, config()).is_err());
}

/// Models pg_mining stored in format 2 (tests/fixtures/model_format_2.json, written at commit
/// 2c2c44b by tests/fixtures/model_format_2_writer.rs: a decision tree, a random forest and an
/// extra-trees regressor, with their outputs and explanations of 40 probe rows, missing values
/// among them) load, predict bit for bit as they did — on the stored trees and in the forest
/// scoring layout — and explain as they did.
#[test]
fn format_2_models_score_and_explain_as_they_did() {
    let doc: serde_json::Value = crate::test_support::fixture("model_format_2.json");
    let p = doc["features"].as_u64().unwrap() as usize;
    let probes: Vec<Vec<f64>> = doc["probes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r.as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_f64().unwrap_or(f64::NAN))
                .collect()
        })
        .collect();
    let floats = crate::test_support::floats;
    let models = doc["models"].as_array().unwrap();
    assert_eq!(models.len(), 3);
    for m in models {
        let hex = m["bytes"].as_str().unwrap();
        let bytes = unhex(hex);
        assert_eq!(header(&bytes).unwrap().0, 2);
        // The writer put the trees into a regression model of one text input: the trees
        // alone are checked, with their own shape (three columns; three classes or a value).
        let model = read(&bytes, &Budget::unlimited()).unwrap();
        let outputs = if m["algorithm"] == "extra_trees" {
            1
        } else {
            3
        };
        let shape = crate::learners::Shape { inputs: p, outputs };
        model.estimator.model().validate(shape).unwrap();
        assert_eq!(model.algorithm, m["algorithm"].as_str().unwrap());
        model.prepare_scoring();
        if let Fitted::Forest(f) = &model.estimator {
            assert!(f.layout.built().is_some());
        }
        for ((x, want), explained) in probes
            .iter()
            .zip(m["outputs"].as_array().unwrap())
            .zip(m["explained"].as_array().unwrap())
        {
            let want = floats(want);
            let mut got = vec![0.0; want.len()];
            if want.len() == 1 {
                got[0] = model.estimator.predict_value(x);
            } else {
                model.estimator.predict_proba(x, &mut got);
            }
            assert_eq!(got, want, "{} on {x:?}", model.algorithm);
            if let Fitted::Forest(f) = &model.estimator {
                f.predict_plain(x, &mut got);
                assert_eq!(got, want, "{} on {x:?}, stored trees", model.algorithm);
            }
            // The path-based contributions the fixture recorded (dm_explain now gives SHAP
            // values where the trees keep their covers).
            let (base, contrib) = match &model.estimator {
                Fitted::Forest(f) => {
                    let (mut b, mut c) = (vec![0.0; want.len()], vec![0.0; p * want.len()]);
                    for t in &f.trees {
                        assert!(t.add_path_contributions(x, &mut b, &mut c));
                    }
                    let n = f.trees.len() as f64;
                    b.iter_mut().chain(c.iter_mut()).for_each(|v| *v /= n);
                    (b, c)
                }
                Fitted::Tree(t) => {
                    let (mut b, mut c) = (vec![0.0; want.len()], vec![0.0; p * want.len()]);
                    assert!(t.add_path_contributions(x, &mut b, &mut c));
                    (b, c)
                }
                _ => unreachable!(),
            };
            assert_eq!(base, floats(&explained[0]));
            assert_eq!(contrib, floats(&explained[1]));
        }
    }
}

/// Models the main of 4e080e4 stored in format 3, one per algorithm
/// (tests/fixtures/model_format_3.json, written by tests/fixtures/model_format_3_writer.rs
/// before the mining core moved into this crate), load and score bit for bit as they did:
/// probabilities and classes, values, clusters, anomaly scores and flags, components,
/// explanations and feature importance, on probe rows with NULLs and unseen categories.
#[test]
fn format_3_models_of_every_algorithm_score_as_they_did() {
    use crate::common::task::Task;
    use crate::model::registry;
    let doc = crate::test_support::fixture("model_format_3.json");
    let bits = |v: &serde_json::Value| {
        f64::from_bits(u64::from_str_radix(v.as_str().unwrap(), 16).unwrap())
    };
    let hexes = |v: &serde_json::Value| -> Vec<u64> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|x| bits(x).to_bits())
            .collect()
    };
    let (names, probes) = crate::test_support::format3_probes(&doc);
    let models = doc["models"].as_array().unwrap();
    // Every registered algorithm has a stored model in the fixture.
    let stored: Vec<&str> = models
        .iter()
        .map(|m| m["algorithm"].as_str().unwrap())
        .collect();
    assert_eq!(stored, registry::names()[1..].to_vec());
    for m in models {
        let hex = m["bytes"].as_str().unwrap();
        let bytes = unhex(hex);
        assert_eq!(header(&bytes).unwrap().0, 3);
        let model = decode(&bytes).unwrap();
        let algorithm = m["algorithm"].as_str().unwrap();
        assert_eq!(model.algorithm, algorithm);
        assert_eq!(model.task.name(), m["task"].as_str().unwrap());
        model.prepare_scoring();
        let mut buf = Vec::new();
        for (probe, want) in probes.iter().zip(m["scored"].as_array().unwrap()) {
            let raw: Vec<Raw> = model
                .feature_names()
                .map(|f| {
                    let at = names.iter().position(|n| *n == f).unwrap();
                    match (&probe[at], f) {
                        (None, _) => Raw::Null,
                        (Some(t), "b") => Raw::Text(t),
                        (Some(t), _) => Raw::Num(t.parse().unwrap()),
                    }
                })
                .collect();
            let what = format!("{algorithm} on {probe:?}");
            match model.task {
                Task::Classification => {
                    let p: Vec<u64> = model
                        .predict_proba(&raw, &mut buf)
                        .unwrap()
                        .iter()
                        .map(|x| x.to_bits())
                        .collect();
                    assert_eq!(p, hexes(&want["proba"]), "{what}");
                    assert_eq!(
                        model.predict_class(&raw, &mut buf).unwrap() as u64,
                        want["class"].as_u64().unwrap(),
                        "{what}"
                    );
                }
                Task::Regression => {
                    assert_eq!(
                        model.predict_value(&raw, &mut buf).unwrap().to_bits(),
                        bits(&want["value"]).to_bits(),
                        "{what}"
                    );
                }
                Task::Clustering => {
                    assert_eq!(
                        model.cluster(&raw, &mut buf).unwrap(),
                        want["cluster"].as_i64().unwrap(),
                        "{what}"
                    );
                }
                Task::Anomaly => {
                    let (s, flag) = model.anomaly(&raw, &mut buf).unwrap();
                    assert_eq!(s.to_bits(), bits(&want["score"]).to_bits(), "{what}");
                    assert_eq!(flag, want["anomaly"].as_bool().unwrap(), "{what}");
                }
                Task::Decomposition => {
                    let c: Vec<u64> = model
                        .transform(&raw, &mut buf)
                        .unwrap()
                        .iter()
                        .map(|x| x.to_bits())
                        .collect();
                    assert_eq!(c, hexes(&want["components"]), "{what}");
                }
            }
            match want.get("explain") {
                Some(e) => {
                    let mut got = model.explain(&raw, &mut buf, None).unwrap();
                    let method = got.as_object_mut().unwrap().remove("method").unwrap();
                    if method == "tree_shap" {
                        // Recorded as path contributions, now SHAP values: the same base and
                        // outputs, the contributions of the same features adding up alike.
                        assert_eq!(totals(&got), totals(e), "{what}");
                    } else {
                        assert_eq!(method, "path", "{what}");
                        assert_eq!(&got, e, "{what}");
                    }
                }
                None => assert!(model.explain(&raw, &mut buf, None).is_err(), "{what}"),
            }
        }
        match m["importance"].as_array() {
            Some(want) => {
                let got = model.feature_importance().unwrap();
                assert_eq!(got.len(), want.len());
                for ((f, share, splits), w) in got.iter().zip(want) {
                    assert_eq!(
                        (f.as_str(), share.to_bits(), *splits),
                        (
                            w[0].as_str().unwrap(),
                            bits(&w[1]).to_bits(),
                            w[2].as_u64().unwrap()
                        ),
                        "{algorithm}"
                    );
                }
            }
            None => assert!(model.feature_importance().is_err()),
        }
        // Written again, the model reads back the same.
        let again = decode(&encode(&model).unwrap()).unwrap();
        assert_eq!(again.estimator, model.estimator, "{algorithm}");
    }
}

/// Each kind of fitted model is stored under its own tag, whatever the order of the enum.
#[test]
fn fitted_kinds_keep_their_tags() {
    use crate::model::fitted::tag;
    let doc = crate::test_support::fixture("model_format_3.json");
    let mut seen = std::collections::BTreeMap::new();
    for m in doc["models"].as_array().unwrap() {
        let hex = m["bytes"].as_str().unwrap();
        let bytes = unhex(hex);
        let model = decode(&bytes).unwrap();
        let t = model.estimator.tag();
        // bincode writes the tag first (a one-byte varint below 251).
        let body = bincode::serde::encode_to_vec(&model.estimator, config()).unwrap();
        assert_eq!(u32::from(body[0]), t);
        seen.insert(m["algorithm"].as_str().unwrap().to_string(), t);
    }
    let want = [
        ("linear_regression", tag::LINEAR),
        ("ridge", tag::LINEAR),
        ("lasso", tag::LINEAR),
        ("elastic_net", tag::LINEAR),
        ("logistic_regression", tag::LOGISTIC),
        ("decision_tree", tag::TREE),
        ("random_forest", tag::FOREST),
        ("extra_trees", tag::FOREST),
        ("gradient_boosting", tag::BOOSTED),
        ("knn", tag::KNN),
        ("naive_bayes", tag::NAIVE_BAYES),
        ("mlp", tag::MLP),
        ("svm", tag::SVM),
        ("svr", tag::SVM),
        ("kmeans", tag::KMEANS),
        ("dbscan", tag::DBSCAN),
        ("isolation_forest", tag::ISOLATION),
        ("pca", tag::PCA),
    ];
    for (algorithm, t) in want {
        assert_eq!(seen[algorithm], t, "{algorithm}");
    }
    assert_eq!((tag::LINEAR, tag::FOREST, tag::SVM), (0, 3, 12));
}

/// A model whose body would not fit the memory budget is refused before it is decompressed.
#[test]
fn loading_a_model_is_checked_against_the_budget() {
    let mut m = model();
    m.estimator = Fitted::Linear(LinearModel {
        coef: vec![0.25; 200_000],
        intercept: 0.5,
    });
    let bytes = encode(&m).unwrap();
    let e = decode_within(&bytes, &Budget::of_bytes(1 << 20)).unwrap_err();
    assert_eq!(e.kind, ErrorKind::OutOfMemory);
    assert!(e.message.starts_with("loading the model"), "{}", e.message);
    // Within budget it reads (the made-up shape fails validation, not the budget).
    assert_eq!(
        decode_within(&bytes, &Budget::of_bytes(16 << 20))
            .unwrap_err()
            .kind,
        ErrorKind::Corrupt
    );
}

/// An explanation with each contributions list replaced by its features (sorted) and its sum,
/// every number rounded to 1e-9.
fn totals(e: &serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match e {
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, v)| {
                    let v = match (k.as_str(), v.as_array()) {
                        ("contributions", Some(list)) => {
                            let mut names: Vec<&str> = list
                                .iter()
                                .map(|c| c["feature"].as_str().unwrap())
                                .collect();
                            names.sort_unstable();
                            let sum: f64 = list
                                .iter()
                                .map(|c| c["contribution"].as_f64().unwrap())
                                .sum();
                            serde_json::json!({"features": names, "sum": (sum * 1e9).round() / 1e9})
                        }
                        _ => totals(v),
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(totals).collect()),
        Value::Number(n) => serde_json::json!((n.as_f64().unwrap() * 1e9).round() / 1e9),
        other => other.clone(),
    }
}
