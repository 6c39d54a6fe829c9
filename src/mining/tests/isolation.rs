//! Unit tests of `mining::isolation`, against scikit-learn's IsolationForest on the data of
//! tests/fixtures/sklearn_unsupervised.json (written by tests/fixtures/sklearn_unsupervised.py).

use serde_json::Value;

use super::*;
use crate::mining::scores::roc_auc;

fn fixture() -> Value {
    serde_json::from_str(include_str!(
        "../../../tests/fixtures/sklearn_unsupervised.json"
    ))
    .unwrap()
}

fn params(contamination: Option<f64>) -> IsolationParams {
    IsolationParams {
        n_estimators: 100,
        max_samples: MaxSamples::Auto,
        contamination,
        max_features: 1.0,
    }
}

struct Data {
    x: Vec<f64>,
    d: usize,
    anomaly: Vec<bool>,
}

fn data() -> Data {
    let f = fixture();
    let iso = &f["isolation"];
    Data {
        x: iso["x"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect(),
        d: iso["d"].as_u64().unwrap() as usize,
        anomaly: iso["anomaly"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_i64() == Some(1))
            .collect(),
    }
}

#[test]
fn average_path_is_sklearns() {
    assert_eq!(average_path(1), 0.0);
    assert_eq!(average_path(2), 1.0);
    // sklearn's _average_path_length(256): 2 (ln 255 + γ) - 2·255/256.
    assert!((average_path(256) - 10.244_770_920_116_851).abs() < 1e-9);
}

#[test]
fn roc_auc_on_injected_anomalies_is_as_good_as_sklearns() {
    let f = fixture();
    let reference = f["isolation"]["roc_auc"].as_f64().unwrap();
    let dt = data();
    let rows: Vec<usize> = (0..dt.anomaly.len()).collect();
    let mut aucs = Vec::new();
    for seed in 0..5 {
        let forest = fit(
            &dt.x,
            dt.d,
            &rows,
            &params(None),
            seed,
            &Progress::default(),
        )
        .unwrap();
        let scores: Vec<f64> = dt.x.chunks(dt.d).map(|r| forest.score(r)).collect();
        assert!(scores.iter().all(|s| *s > 0.0 && *s <= 1.0));
        aucs.push(roc_auc(&dt.anomaly, &scores).unwrap());
    }
    let mean = aucs.iter().sum::<f64>() / aucs.len() as f64;
    eprintln!("isolation forest ROC-AUC {mean:.4} (scikit-learn {reference:.4})");
    assert!(
        mean >= reference - 0.02,
        "ROC-AUC {mean} vs scikit-learn {reference}"
    );
}

#[test]
fn contamination_sets_the_threshold_like_sklearn() {
    let f = fixture();
    let flagged_sklearn = f["isolation"]["flagged_at_0.02"].as_u64().unwrap() as usize;
    let dt = data();
    let rows: Vec<usize> = (0..dt.anomaly.len()).collect();
    let forest = fit(
        &dt.x,
        dt.d,
        &rows,
        &params(Some(0.02)),
        0,
        &Progress::default(),
    )
    .unwrap();
    let flagged = dt.x.chunks(dt.d).filter(|r| forest.is_anomaly(r)).count();
    // The threshold is the 98th percentile of the training scores (numpy's linear rule):
    // above it are ceil(0.02 · n) - 1 or so rows, as in scikit-learn (ties aside).
    assert!(
        flagged.abs_diff(flagged_sklearn) <= 1,
        "{flagged} vs {flagged_sklearn}"
    );
    // Without contamination the threshold is 0.5, as in scikit-learn's "auto".
    let auto = fit(&dt.x, dt.d, &rows, &params(None), 0, &Progress::default()).unwrap();
    assert_eq!(auto.threshold, 0.5);
    // Most flagged rows are injected anomalies.
    let hits =
        dt.x.chunks(dt.d)
            .zip(&dt.anomaly)
            .filter(|(r, a)| **a && forest.is_anomaly(r))
            .count();
    assert!(
        hits * 2 > flagged,
        "{hits} of {flagged} flagged rows are anomalies"
    );
}

#[test]
fn a_seed_gives_the_same_forest_and_subsets_are_honoured() {
    let dt = data();
    let rows: Vec<usize> = (0..500).collect();
    let p = IsolationParams {
        n_estimators: 20,
        max_samples: MaxSamples::Count(64),
        contamination: None,
        max_features: 0.5,
    };
    let a = fit(&dt.x, dt.d, &rows, &p, 7, &Progress::default()).unwrap();
    let b = fit(&dt.x, dt.d, &rows, &p, 7, &Progress::default()).unwrap();
    assert_eq!(a, b);
    assert_eq!(a.max_samples, 64);
    assert_eq!(a.trees.len(), 20);
    let c = fit(&dt.x, dt.d, &rows, &p, 8, &Progress::default()).unwrap();
    assert_ne!(a, c);
    // Depth is capped at ceil(log2 64) = 6: no leaf deeper than that.
    fn depth(t: &IsolationTree, i: usize) -> usize {
        let n = &t.nodes[i];
        if n.left == u32::MAX {
            0
        } else {
            1 + depth(t, n.left as usize).max(depth(t, n.right as usize))
        }
    }
    assert!(a.trees.iter().all(|t| depth(t, 0) <= 6));
    let frac = IsolationParams {
        max_samples: MaxSamples::Fraction(0.1),
        ..p
    };
    assert_eq!(
        fit(&dt.x, dt.d, &rows, &frac, 7, &Progress::default())
            .unwrap()
            .max_samples,
        50
    );
}

#[test]
fn constant_data_and_empty_input() {
    let x = vec![1.0; 40];
    let rows: Vec<usize> = (0..20).collect();
    let f = fit(&x, 2, &rows, &params(None), 1, &Progress::default()).unwrap();
    // Nothing can be isolated: every row gets the same score.
    let s = f.score(&[1.0, 1.0]);
    assert!((f.score(&[5.0, -5.0]) - s).abs() < 1e-12);
    assert!(fit(&x, 2, &[], &params(None), 1, &Progress::default()).is_err());
    let progress = Progress::default();
    progress.cancel.store(true, Ordering::Relaxed);
    assert!(fit(&x, 2, &rows, &params(None), 1, &progress)
        .unwrap_err()
        .message
        .contains("cancelled"));
}

#[test]
fn model_round_trips_through_bincode() {
    let dt = data();
    let rows: Vec<usize> = (0..300).collect();
    let f = fit(
        &dt.x,
        dt.d,
        &rows,
        &params(Some(0.05)),
        3,
        &Progress::default(),
    )
    .unwrap();
    let bytes = bincode::serde::encode_to_vec(&f, bincode::config::standard()).unwrap();
    let (back, _): (IsolationForest, usize) =
        bincode::serde::decode_from_slice(&bytes, bincode::config::standard()).unwrap();
    assert_eq!(back, f);
    assert_eq!(back.score(&dt.x[..4]), f.score(&dt.x[..4]));
}
