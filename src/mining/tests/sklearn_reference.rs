//! The mining core against scikit-learn's own numbers (tests/fixtures/sklearn_reference.json,
//! written by tests/fixtures/sklearn_reference.py).

use serde_json::Value;

use crate::mining::{linear, metrics};

fn fixture() -> Value {
    serde_json::from_str(include_str!(
        "../../../tests/fixtures/sklearn_reference.json"
    ))
    .unwrap()
}

fn usizes(v: &Value) -> Vec<usize> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap() as usize)
        .collect()
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

#[test]
fn classification_metrics_match_sklearn() {
    let f = fixture();
    for case in f["classification"].as_array().unwrap() {
        let n = case["n_classes"].as_u64().unwrap() as usize;
        let m = metrics::classification(&usizes(&case["actual"]), &usizes(&case["predicted"]), n);
        for (k, v) in case["expected"].as_object().unwrap() {
            let ours = m
                .get(k)
                .unwrap_or_else(|| panic!("{}: no {k}", case["name"]));
            assert!(
                (ours - v.as_f64().unwrap()).abs() < 1e-9,
                "{} {k}: ours {ours}, sklearn {v}",
                case["name"]
            );
        }
    }
}

#[test]
fn regression_metrics_match_sklearn() {
    let f = fixture();
    for case in f["regression"].as_array().unwrap() {
        let m = metrics::regression(&floats(&case["actual"]), &floats(&case["predicted"]));
        for (k, v) in case["expected"].as_object().unwrap() {
            assert!(
                (m[k] - v.as_f64().unwrap()).abs() < 1e-9,
                "{k}: ours {}, sklearn {v}",
                m[k]
            );
        }
    }
}

#[test]
fn least_squares_and_ridge_match_sklearn() {
    let f = fixture();
    for case in f["linear"].as_array().unwrap() {
        let (n, p) = (
            case["n"].as_u64().unwrap() as usize,
            case["p"].as_u64().unwrap() as usize,
        );
        let alpha = case["alpha"].as_f64().unwrap();
        let m = linear::fit(&floats(&case["x"]), n, p, &floats(&case["y"]), alpha, true).unwrap();
        for (ours, theirs) in m.coef.iter().zip(floats(&case["coef"])) {
            assert!(
                (ours - theirs).abs() < 1e-9,
                "alpha {alpha}: coef {ours} vs {theirs}"
            );
        }
        let b = case["intercept"].as_f64().unwrap();
        assert!(
            (m.intercept - b).abs() < 1e-9,
            "alpha {alpha}: intercept {} vs {b}",
            m.intercept
        );
    }
}

#[test]
fn binary_scores_match_sklearn() {
    use crate::mining::scores;
    let f = fixture();
    let c = &f["binary_scores"];
    let y: Vec<bool> = usizes(&c["actual"]).iter().map(|&v| v == 1).collect();
    let s = floats(&c["score"]);
    let auc = scores::roc_auc(&y, &s).unwrap();
    assert!(
        (auc - c["roc_auc"].as_f64().unwrap()).abs() < 1e-9,
        "auc {auc}"
    );
    let proba: Vec<f64> = s.iter().flat_map(|&p| [1.0 - p, p]).collect();
    let actual: Vec<usize> = y.iter().map(|&b| usize::from(b)).collect();
    let ll = scores::log_loss(&actual, &proba, 2);
    assert!(
        (ll - c["log_loss"].as_f64().unwrap()).abs() < 1e-9,
        "log_loss {ll}"
    );
    let roc = scores::roc_curve(&y, &s).unwrap();
    let (fpr, tpr) = (
        floats(&c["roc_curve"]["fpr"]),
        floats(&c["roc_curve"]["tpr"]),
    );
    let thr = c["roc_curve"]["thresholds"].as_array().unwrap();
    assert_eq!(roc.len(), fpr.len());
    for (i, (t, f, tp)) in roc.iter().enumerate() {
        assert!(
            (f - fpr[i]).abs() < 1e-12 && (tp - tpr[i]).abs() < 1e-12,
            "roc point {i}"
        );
        match thr[i].as_f64() {
            Some(v) => assert!((t - v).abs() < 1e-12),
            None => assert!(t.is_infinite()),
        }
    }
    let pr = scores::pr_curve(&y, &s);
    let (prec, rec, pthr) = (
        floats(&c["pr_curve"]["precision"]),
        floats(&c["pr_curve"]["recall"]),
        floats(&c["pr_curve"]["thresholds"]),
    );
    assert_eq!(pr.len(), prec.len());
    for (i, (t, p, r)) in pr.iter().enumerate() {
        assert!(
            (p - prec[i]).abs() < 1e-12 && (r - rec[i]).abs() < 1e-12,
            "pr point {i}"
        );
        assert_eq!(*t, pthr.get(i).copied());
    }
}

#[test]
fn multiclass_scores_match_sklearn() {
    use crate::mining::scores;
    let f = fixture();
    let c = &f["multiclass_scores"];
    let (y, p) = (usizes(&c["actual"]), floats(&c["proba"]));
    let auc = scores::roc_auc_ovr(&y, &p, 3).unwrap();
    assert!(
        (auc - c["roc_auc_ovr"].as_f64().unwrap()).abs() < 1e-9,
        "auc {auc}"
    );
    let ll = scores::log_loss(&y, &p, 3);
    assert!(
        (ll - c["log_loss"].as_f64().unwrap()).abs() < 1e-9,
        "log_loss {ll}"
    );
}

#[test]
fn clustering_metrics_match_sklearn() {
    use crate::mining::cluster_metrics;
    let f = fixture();
    for c in f["clustering"].as_array().unwrap() {
        let x = floats(&c["x"]);
        let labels: Vec<i64> = c["labels"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_i64().unwrap())
            .collect();
        let r = cluster_metrics::report(&x, 2, &labels, 1);
        for k in ["silhouette", "davies_bouldin", "inertia"] {
            let (ours, theirs) = (r[k].as_f64().unwrap(), c[k].as_f64().unwrap());
            assert!(
                (ours - theirs).abs() < 1e-9,
                "{k}: ours {ours}, sklearn {theirs}"
            );
        }
    }
}

#[test]
fn kmeans_inertia_within_one_percent_of_sklearn() {
    use crate::mining::forest::Progress;
    use crate::mining::kmeans::{fit, KMeansParams};
    let f = fixture();
    let c = &f["kmeans"];
    let k = c["k"].as_i64().unwrap();
    let ours = fit(
        &floats(&c["x"]),
        3,
        &KMeansParams::parse(k, None).unwrap(),
        &Progress::default(),
    )
    .unwrap();
    let theirs = c["inertia"].as_f64().unwrap();
    assert!(
        ours.inertia <= theirs * 1.01,
        "ours {}, sklearn {theirs}",
        ours.inertia
    );
}
