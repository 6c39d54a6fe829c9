//! Unit tests of `mining::kmeans` (the scikit-learn comparison is in sklearn_reference.rs).

use serde_json::json;

use super::*;

fn blobs() -> Vec<f64> {
    let mut rng = Rng::new(3);
    let centers = [[0.0, 0.0], [10.0, 10.0], [0.0, 10.0]];
    let mut x = Vec::new();
    for c in centers {
        for _ in 0..50 {
            x.push(c[0] + rng.unit() - 0.5);
            x.push(c[1] + rng.unit() - 0.5);
        }
    }
    x
}

#[test]
fn finds_well_separated_blobs_reproducibly() {
    let x = blobs();
    let p = KMeansParams::parse(3, None).unwrap();
    let a = fit(&x, 2, &p, &Progress::default()).unwrap();
    assert_eq!(a, fit(&x, 2, &p, &Progress::default()).unwrap());
    let mut c: Vec<Vec<i64>> = a
        .centroids
        .chunks(2)
        .map(|r| r.iter().map(|v| v.round() as i64).collect())
        .collect();
    c.sort();
    assert_eq!(c, vec![vec![0, 0], vec![0, 10], vec![10, 10]]);
    assert!(a.inertia < 150.0 * 0.2);
}

#[test]
fn bad_parameters() {
    assert!(KMeansParams::parse(0, None)
        .unwrap_err()
        .message
        .contains("k must"));
    assert!(KMeansParams::parse(2, Some(&json!({"n_inits": 3})))
        .unwrap_err()
        .message
        .contains("\"n_inits\""));
    assert!(KMeansParams::parse(2, Some(&json!({"tol": -1}))).is_err());
    let p = KMeansParams::parse(5, None).unwrap();
    assert!(fit(&[1.0, 2.0, 3.0], 1, &p, &Progress::default())
        .unwrap_err()
        .message
        .contains("only 3 rows"));
    assert!(fit(&[], 1, &p, &Progress::default()).is_err());
}
