//! Unit tests of `mining::model_format`.

use super::*;
use crate::mining::estimator::{Fitted, Task};
use crate::mining::frame::{Column, ColumnKind};
use crate::mining::linear::LinearModel;
use crate::mining::preprocess::{ColumnChoice, Defaults, Preprocessor, Raw, Scale, Unknown};

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
    let (a, b) = (decode(&v1).unwrap(), decode(&v2).unwrap());
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
    use crate::mining::tree::{Tree, LEAF};
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
    let read = |t: &OldTree| {
        let bytes = bincode::serde::encode_to_vec(t, config()).unwrap();
        let _format = Reading::new(2);
        bincode::serde::decode_from_slice::<Tree, _>(&bytes, config()).map(|d| d.0)
    };
    let t = read(&old(2)).unwrap();
    assert_eq!(reading_format(), FORMAT_VERSION);
    assert_eq!(t.leaf_vec(&[1.0]), &[0.9, 0.1]);
    assert_eq!(t.leaf_vec(&[2.0]), &[0.2, 0.8]);
    let (mut base, mut contrib) = (vec![0.0; 2], vec![0.0; 2]);
    assert!(t.explain(&[1.0], &mut base, &mut contrib));
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
    use crate::mining::fitted::Model;
    let doc: serde_json::Value =
        serde_json::from_str(include_str!("../../../tests/fixtures/model_format_2.json")).unwrap();
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
    let floats = |v: &serde_json::Value| -> Vec<f64> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap())
            .collect()
    };
    let models = doc["models"].as_array().unwrap();
    assert_eq!(models.len(), 3);
    for m in models {
        let hex = m["bytes"].as_str().unwrap();
        let bytes: Vec<u8> = (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
            .collect();
        assert_eq!(header(&bytes).unwrap().0, 2);
        let model = decode(&bytes).unwrap();
        assert_eq!(model.algorithm, m["algorithm"].as_str().unwrap());
        model.prepare_scoring();
        if let Fitted::Forest(f) = &model.estimator {
            assert!(f.packed.built().is_some());
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
            let (base, contrib) = match &model.estimator {
                Fitted::Forest(f) => f.explain(x, p).unwrap(),
                Fitted::Tree(t) => {
                    let (mut b, mut c) = (vec![0.0; want.len()], vec![0.0; p * want.len()]);
                    assert!(t.explain(x, &mut b, &mut c));
                    (b, c)
                }
                _ => unreachable!(),
            };
            assert_eq!(base, floats(&explained[0]));
            assert_eq!(contrib, floats(&explained[1]));
        }
    }
}
