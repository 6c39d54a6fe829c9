//! Damaged model bytes never crash, hang or panic: the stored models of every algorithm
//! (tests/fixtures/model_format_3.json) with bytes flipped, overwritten, cut, inserted or
//! spliced from another model, seeded, thousands of cases. Each case either loads and then
//! scores every probe row with every scoring function (and explains, ranks features, lists
//! coefficients), or is an error; none panics, and none takes more than a second.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::{Duration, Instant};

use super::format::{decode, framed_for_tests};
use crate::common::rng::Rng;
use crate::common::task::Task;
use crate::model::stored::StoredModel;
use crate::prepare::preprocess::Raw;

fn unhex(hex: &str) -> Vec<u8> {
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect()
}

/// Everything a loaded model can be asked, on every probe row.
fn use_it(m: &StoredModel, probes: &[Vec<Option<String>>], names: &[&str]) {
    m.prepare_scoring();
    let mut buf = Vec::new();
    for probe in probes {
        let raw: Vec<Raw> = m
            .feature_names()
            .map(|f| {
                match names
                    .iter()
                    .position(|n| *n == f)
                    .and_then(|i| probe[i].as_deref())
                {
                    None => Raw::Null,
                    Some(t) if f == "b" => Raw::Text(t),
                    Some(t) => Raw::Num(t.parse().unwrap_or(0.0)),
                }
            })
            .collect();
        let _ = m.predict_proba(&raw, &mut buf);
        let _ = m.predict_class(&raw, &mut buf);
        let _ = m.predict_value(&raw, &mut buf);
        let _ = m.cluster(&raw, &mut buf);
        let _ = m.anomaly(&raw, &mut buf);
        let _ = m.transform(&raw, &mut buf);
        let _ = m.explain(&raw, &mut buf, None);
        if m.task == Task::Classification {
            if let Ok(c) = m.predict_class(&raw, &mut buf) {
                let _ = m.class_number(c);
            }
        }
    }
    let _ = m.feature_importance();
    let _ = m.coefficients();
}

/// One damaged copy of `body` (the uncompressed model), by case number.
fn damage(body: &[u8], other: &[u8], rng: &mut Rng) -> Vec<u8> {
    let mut b = body.to_vec();
    let at = |rng: &mut Rng, len: usize| rng.below(len.max(1));
    match rng.below(6) {
        0 => {
            for _ in 0..1 + rng.below(3) {
                let i = at(rng, b.len());
                b[i] ^= 1 << rng.below(8);
            }
        }
        1 => {
            let i = at(rng, b.len());
            b[i] = [0x00, 0xFF, 0xFE, 0xFD, 0xFC, 0xFB, 0x7F, 0x80][rng.below(8)];
        }
        2 => b.truncate(at(rng, b.len())),
        3 => {
            let i = at(rng, b.len());
            let extra: Vec<u8> = (0..1 + rng.below(8))
                .map(|_| rng.below(256) as u8)
                .collect();
            b.splice(i..i, extra);
        }
        4 => {
            // A run of another model's bytes in place of a run of this one's.
            let i = at(rng, b.len());
            let n = 1 + rng.below(32);
            let j = at(rng, other.len());
            let piece = &other[j..(j + n).min(other.len())];
            let end = (i + piece.len()).min(b.len());
            b.splice(i..end, piece.iter().copied());
        }
        _ => {
            // A varint length or index made huge.
            let i = at(rng, b.len());
            let big = [0xFD, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F];
            let end = (i + 1).min(b.len());
            b.splice(i..end, big[..1 + rng.below(big.len())].iter().copied());
        }
    }
    b
}

#[test]
fn damaged_models_of_every_algorithm_load_or_fail_cleanly() {
    let doc = crate::test_support::fixture("model_format_3.json");
    let (names, probes) = crate::test_support::format3_probes(&doc);
    let models: Vec<(String, Vec<u8>)> = doc["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            let model = decode(&unhex(m["bytes"].as_str().unwrap())).unwrap();
            let body = super::format::body_for_tests(&model);
            (model.algorithm.clone(), body)
        })
        .collect();
    let mut rng = Rng::new(20261202);
    let (mut loaded, mut refused, mut cases) = (0, 0, 0);
    let per_model = 400;
    for (k, (algorithm, body)) in models.iter().enumerate() {
        let other = &models[(k + 1 + rng.below(models.len() - 1)) % models.len()].1;
        for case in 0..per_model {
            let damaged = damage(body, other, &mut rng);
            let bytes = framed_for_tests(algorithm, &damaged);
            let start = Instant::now();
            let outcome = catch_unwind(AssertUnwindSafe(|| match decode(&bytes) {
                Ok(m) => {
                    use_it(&m, &probes, &names);
                    true
                }
                Err(_) => false,
            }));
            let took = start.elapsed();
            match outcome {
                Ok(true) => loaded += 1,
                Ok(false) => refused += 1,
                Err(_) => panic!("{algorithm}, case {case}: a damaged model panicked"),
            }
            assert!(
                took < Duration::from_secs(1),
                "{algorithm}, case {case}: {took:?}"
            );
            cases += 1;
        }
    }
    assert_eq!(cases, models.len() * per_model);
    // Some damage leaves a model that still loads (a changed number), most does not.
    assert!(
        loaded > 0 && refused > loaded,
        "{loaded} loaded, {refused} refused"
    );
    println!("{cases} damaged models: {loaded} loaded and scored, {refused} refused");
}

/// The checks find what the damage of a stored model can do to scoring: a tree child that
/// points back at its parent (a walk that would never end), a width far beyond the classes
/// (an allocation that would abort the backend), a support vector index out of range.
#[test]
fn validation_names_what_is_wrong() {
    use crate::model::fitted::Fitted;
    let doc = crate::test_support::fixture("model_format_3.json");
    let get = |name: &str| -> StoredModel {
        let m = doc["models"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["algorithm"] == name)
            .unwrap();
        decode(&unhex(m["bytes"].as_str().unwrap())).unwrap()
    };
    let mut tree = get("decision_tree");
    if let Fitted::Tree(t) = &mut tree.estimator {
        let split = t.nodes.iter().position(|n| n.feature != u32::MAX).unwrap();
        t.nodes[split].left = split as u32;
    }
    assert!(tree.validate().unwrap_err().contains("points to node"));
    let mut forest = get("random_forest");
    if let Fitted::Forest(f) = &mut forest.estimator {
        f.trees[2].width = 1 << 40;
    }
    assert!(forest.validate().unwrap_err().contains("outputs"));
    let mut svm = get("svm");
    if let Fitted::Svm(m) = &mut svm.estimator {
        m.machines[0].index[0] = u32::MAX;
    }
    assert!(svm.validate().unwrap_err().contains("support vector"));
    let mut iso = get("isolation_forest");
    if let Fitted::Isolation(f) = &mut iso.estimator {
        let split = f.trees[0]
            .nodes
            .iter()
            .position(|n| n.left != u32::MAX)
            .unwrap();
        f.trees[0].nodes[split].right = 0;
    }
    assert!(iso.validate().unwrap_err().contains("points to node"));
    let mut knn = get("knn");
    knn.classes.truncate(1);
    assert!(knn.validate().is_err());
    let mut wrong = get("ridge");
    wrong.task = Task::Classification;
    assert!(wrong.validate().unwrap_err().contains("cannot be"));
    // Encoded again, the damage is refused at load with the same reason.
    let bytes = super::format::encode(&tree).unwrap();
    let e = decode(&bytes).unwrap_err();
    assert_eq!(e.kind, crate::common::error::ErrorKind::Corrupt);
    assert!(e.message.contains("points to node"), "{}", e.message);
}
