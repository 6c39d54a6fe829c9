//! Unit tests of `mining::tuning`.

use serde_json::json;

use super::*;

#[test]
fn grid_is_the_cartesian_product() {
    let spec = parse_search(&json!({"params": {"a": [1, 2], "b": ["x", "y", "z"]}}), 5).unwrap();
    let c = candidates(&spec, 1).unwrap();
    assert_eq!(c.len(), 6);
    assert_eq!(c[0]["a"], 1);
    assert_eq!(c[5]["b"], "z");
}

#[test]
fn random_draws_stay_in_range_and_are_seeded() {
    let spec =
        parse_search(&json!({"method": "random", "n_iter": 30, "params": {"C": {"min": 0.01, "max": 100, "log": true}, "d": {"min": 1, "max": 5, "int": true}}}), 3)
            .unwrap();
    let a = candidates(&spec, 7).unwrap();
    assert_eq!(a, candidates(&spec, 7).unwrap());
    assert_eq!(a.len(), 30);
    for c in &a {
        let v = c["C"].as_f64().unwrap();
        assert!((0.01..=100.0).contains(&v));
        assert!((1..=5).contains(&c["d"].as_i64().unwrap()));
    }
}

#[test]
fn bad_spaces_are_errors() {
    assert!(parse_search(&json!({"params": {}}), 5)
        .unwrap_err()
        .message
        .contains("empty"));
    assert!(parse_search(&json!({"params": {"a": []}}), 5).is_err());
    assert!(
        parse_search(&json!({"params": {"a": {"min": 1, "max": 2}}}), 5)
            .unwrap_err()
            .message
            .contains("grid")
    );
    assert!(parse_search(&json!({"params": {"a": [1]}, "foo": 1}), 5)
        .unwrap_err()
        .message
        .contains("\"foo\""));
    assert!(parse_folds(&json!(1), "cv").is_err());
}

#[test]
fn stratified_folds_cover_and_balance() {
    let y: Vec<usize> = (0..100).map(|i| usize::from(i % 4 == 0)).collect();
    let train: Vec<usize> = (0..100).collect();
    let f = folds(&train, Some((&y, 2)), 5, 1).unwrap();
    let mut all: Vec<usize> = f.iter().flatten().copied().collect();
    all.sort();
    assert_eq!(all, train);
    for fold in &f {
        assert_eq!(fold.len(), 20);
        assert_eq!(fold.iter().filter(|&&r| y[r] == 1).count(), 5);
    }
    assert!(folds(&train[..8], Some((&y, 2)), 5, 1)
        .unwrap_err()
        .message
        .contains("smallest class"));
}

#[test]
fn best_prefers_higher_mean_then_earlier() {
    let t = |m: f64| Trial {
        params: Default::default(),
        fold_scores: vec![m],
        mean: m,
        std: 0.0,
        ms: 0,
    };
    assert_eq!(best(&[t(0.5), t(0.7), t(0.7)]), Some(1));
}
