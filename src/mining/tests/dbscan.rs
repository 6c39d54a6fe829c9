//! Unit tests of `mining::dbscan`, with scikit-learn's labels from
//! tests/fixtures/sklearn_unsupervised.json (written by tests/fixtures/sklearn_unsupervised.py).

use serde_json::Value;

use super::*;
use crate::mining::test_support::floats;

fn fixture() -> Value {
    serde_json::from_str(include_str!(
        "../../../tests/fixtures/sklearn_unsupervised.json"
    ))
    .unwrap()
}

#[test]
fn labels_are_identical_to_sklearn() {
    let f = fixture();
    for case in f["dbscan"].as_array().unwrap() {
        let d = case["d"].as_u64().unwrap() as usize;
        let x = floats(&case["x"]);
        let p = DbscanParams {
            eps: case["eps"].as_f64().unwrap(),
            min_samples: case["min_samples"].as_u64().unwrap() as usize,
        };
        let expected: Vec<i64> = case["labels"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_i64().unwrap())
            .collect();
        let (model, labels) = fit(&x, d, &p, &Progress::default()).unwrap();
        // Same numbering too, not only the same partition: clusters are numbered in row order.
        assert_eq!(labels, expected, "d = {d}");
        let clusters = expected.iter().copied().max().unwrap() + 1;
        assert_eq!(model.n_clusters as i64, clusters);
        assert!(expected.contains(&-1), "the fixture has noise points");
        // Every core point predicts its own cluster; a far-away point is noise.
        for (i, row) in x.chunks(d).enumerate() {
            let got = model.predict(row);
            if got != -1 {
                assert!(got < clusters);
            }
            if expected[i] == -1 {
                assert_eq!(got, -1, "noise row {i} stays noise");
            }
        }
        for (c, l) in model.core.chunks(d).zip(&model.core_label) {
            assert_eq!(model.predict(c), *l as i64);
        }
        assert_eq!(model.predict(&vec![1e6; d]), -1);
    }
}

#[test]
fn new_rows_join_the_nearest_core_point_within_eps() {
    // Two clusters on a line: 0..=4 and 10..=14 (step 1), eps 1.5, min_samples 3.
    let x: Vec<f64> = (0..5).chain(10..15).map(|v| v as f64).collect();
    let p = DbscanParams {
        eps: 1.5,
        min_samples: 3,
    };
    let (m, labels) = fit(&x, 1, &p, &Progress::default()).unwrap();
    assert_eq!(labels, vec![0, 0, 0, 0, 0, 1, 1, 1, 1, 1]);
    // Core points are 1,2,3 and 11,12,13 (0 and 4 have only 2 neighbours).
    assert_eq!(m.core_label.len(), 6);
    assert_eq!(m.predict(&[2.4]), 0);
    assert_eq!(m.predict(&[11.6]), 1);
    // 5.4 is within eps of the border point 4 but 2.4 from the nearest core point 3: noise.
    assert_eq!(m.predict(&[5.4]), -1);
    assert_eq!(m.predict(&[-0.4]), 0);
    assert_eq!(m.predict(&[]), -1);
}

#[test]
fn everything_noise_and_one_cluster() {
    let x = vec![0.0, 10.0, 20.0];
    let (m, labels) = fit(
        &x,
        1,
        &DbscanParams {
            eps: 1.0,
            min_samples: 2,
        },
        &Progress::default(),
    )
    .unwrap();
    assert_eq!(labels, vec![-1, -1, -1]);
    assert_eq!(m.n_clusters, 0);
    assert_eq!(m.predict(&[0.0]), -1);
    let (m, labels) = fit(
        &x,
        1,
        &DbscanParams {
            eps: 100.0,
            min_samples: 1,
        },
        &Progress::default(),
    )
    .unwrap();
    assert_eq!(labels, vec![0, 0, 0]);
    assert_eq!(m.n_clusters, 1);
    assert!(fit(
        &[],
        1,
        &DbscanParams {
            eps: 1.0,
            min_samples: 1
        },
        &Progress::default()
    )
    .is_err());
}

#[test]
fn cancel_stops_the_neighbour_search() {
    let progress = Progress::default();
    progress.cancel.store(true, Ordering::Relaxed);
    let x = vec![0.0; 100];
    let e = fit(
        &x,
        2,
        &DbscanParams {
            eps: 1.0,
            min_samples: 2,
        },
        &progress,
    )
    .unwrap_err();
    assert!(e.message.contains("cancelled"));
}

#[test]
fn model_round_trips_through_bincode() {
    let x: Vec<f64> = (0..40).map(|v| (v % 7) as f64 * 0.3).collect();
    let (m, _) = fit(
        &x,
        2,
        &DbscanParams {
            eps: 0.5,
            min_samples: 2,
        },
        &Progress::default(),
    )
    .unwrap();
    let bytes = bincode::serde::encode_to_vec(&m, bincode::config::standard()).unwrap();
    let (back, _): (DbscanModel, usize) =
        bincode::serde::decode_from_slice(&bytes, bincode::config::standard()).unwrap();
    assert_eq!(back, m);
}
