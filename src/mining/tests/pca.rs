//! Unit tests of `mining::pca`, against scikit-learn's PCA(svd_solver="full") on the data of
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

fn close(a: &[f64], b: &[f64], tol: f64, what: &str) {
    assert_eq!(a.len(), b.len(), "{what}: lengths");
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        assert!((x - y).abs() <= tol, "{what}[{i}]: {x} vs scikit-learn {y}");
    }
}

#[test]
fn matches_sklearn_components_variances_and_transform() {
    let f = fixture();
    for case in f["pca"].as_array().unwrap() {
        let p = case["d"].as_u64().unwrap() as usize;
        let x = floats(&case["x"]);
        let rows: Vec<usize> = (0..x.len() / p).collect();
        let n_components = match case["n_components"].as_u64() {
            Some(k) => Components::Count(k as usize),
            None => Components::Variance(case["n_components"].as_f64().unwrap()),
        };
        let params = PcaParams {
            n_components,
            whiten: false,
        };
        let m = fit(&x, p, &rows, &params, &Progress::default()).unwrap();
        let what = format!("n_components {}", case["n_components"]);
        close(
            &m.explained_variance,
            &floats(&case["explained_variance"]),
            1e-9,
            &what,
        );
        close(
            &m.explained_variance_ratio,
            &floats(&case["explained_variance_ratio"]),
            1e-9,
            &what,
        );
        // Signs follow scikit-learn's svd_flip: the largest |loading| of each component is > 0.
        close(&m.components, &floats(&case["components"]), 1e-8, &what);
        let k = m.n_components();
        let mut got = Vec::new();
        for row in x.chunks(p).take(10) {
            let mut out = vec![0.0; k];
            m.transform(row, &mut out);
            got.extend(out);
        }
        close(&got, &floats(&case["transform_first_rows"]), 1e-8, &what);
    }
}

#[test]
fn whitening_gives_unit_variance_and_reconstruction_is_exact_with_all_components() {
    let f = fixture();
    let case = &f["pca"][0];
    let p = 5;
    let x = floats(&case["x"]);
    let rows: Vec<usize> = (0..x.len() / p).collect();
    let m = fit(
        &x,
        p,
        &rows,
        &PcaParams {
            n_components: Components::Count(2),
            whiten: true,
        },
        &Progress::default(),
    )
    .unwrap();
    let n = rows.len() as f64;
    let mut sq = [0.0; 2];
    for row in x.chunks(p) {
        let mut out = [0.0; 2];
        m.transform(row, &mut out);
        sq[0] += out[0] * out[0];
        sq[1] += out[1] * out[1];
    }
    for s in sq {
        assert!(
            (s / (n - 1.0) - 1.0).abs() < 1e-9,
            "whitened variance {}",
            s / (n - 1.0)
        );
    }
    let all = fit(
        &x,
        p,
        &rows,
        &PcaParams {
            n_components: Components::All,
            whiten: false,
        },
        &Progress::default(),
    )
    .unwrap();
    assert_eq!(all.n_components(), 5);
    assert!((all.explained_variance_ratio.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    let (rmse, kept) = all.reconstruction(&x, p, &rows);
    assert!(
        rmse < 1e-9 && (kept - 1.0).abs() < 1e-9,
        "rmse {rmse}, kept {kept}"
    );
    let (rmse2, kept2) = m.reconstruction(&x, p, &rows);
    let ratio2: f64 = m.explained_variance_ratio.iter().sum();
    assert!(rmse2 > 0.1);
    // On the training rows the kept variance is exactly the explained variance ratio.
    assert!((kept2 - ratio2).abs() < 1e-9, "{kept2} vs {ratio2}");
}

#[test]
fn eigen_decomposition_of_a_known_matrix() {
    // [[2,1],[1,2]]: eigenvalues 3 and 1, vectors (1,1)/√2 and (1,-1)/√2.
    let (values, vectors) = symmetric_eigen(&[2.0, 1.0, 1.0, 2.0], 2, &|| false).unwrap();
    let mut v = values.clone();
    v.sort_by(f64::total_cmp);
    close(&v, &[1.0, 3.0], 1e-12, "eigenvalues");
    let big = if values[0] > values[1] { 0 } else { 1 };
    let col = [vectors[big], vectors[2 + big]];
    assert!((col[0].abs() - 0.5f64.sqrt()).abs() < 1e-12 && (col[0] - col[1]).abs() < 1e-12);
    assert!(symmetric_eigen(&[2.0, 1.0, 1.0, 2.0], 2, &|| true).is_err());
}

#[test]
fn bad_inputs() {
    let x = vec![1.0, 2.0, 3.0, 4.0, 5.0, 7.0];
    let rows = [0, 1, 2];
    let e = fit(
        &x,
        2,
        &rows,
        &PcaParams {
            n_components: Components::Count(3),
            whiten: false,
        },
        &Progress::default(),
    )
    .unwrap_err();
    assert!(e.message.contains("\"n_components\""), "{}", e.message);
    assert!(fit(
        &x,
        2,
        &[0],
        &PcaParams {
            n_components: Components::All,
            whiten: false
        },
        &Progress::default()
    )
    .is_err());
    // Constant data: zero variance everywhere, ratios 0, no NaN.
    let c = vec![1.0; 6];
    let m = fit(
        &c,
        2,
        &rows,
        &PcaParams {
            n_components: Components::All,
            whiten: true,
        },
        &Progress::default(),
    )
    .unwrap();
    assert!(m.explained_variance_ratio.iter().all(|r| *r == 0.0));
    let mut out = [0.0; 2];
    m.transform(&[1.0, 1.0], &mut out);
    assert!(out.iter().all(|v| v.is_finite()));
}

#[test]
fn model_round_trips_through_bincode() {
    let f = fixture();
    let x = floats(&f["pca"][0]["x"]);
    let rows: Vec<usize> = (0..60).collect();
    let m = fit(
        &x,
        5,
        &rows,
        &PcaParams {
            n_components: Components::Count(2),
            whiten: false,
        },
        &Progress::default(),
    )
    .unwrap();
    let bytes = bincode::serde::encode_to_vec(&m, bincode::config::standard()).unwrap();
    let (back, _): (PcaModel, usize) =
        bincode::serde::decode_from_slice(&bytes, bincode::config::standard()).unwrap();
    assert_eq!(back, m);
}
