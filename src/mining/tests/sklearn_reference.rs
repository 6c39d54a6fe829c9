//! The mining core against scikit-learn's own numbers (tests/fixtures/sklearn_reference.json,
//! written by tests/fixtures/sklearn_reference.py).

use serde_json::Value;

use crate::mining::test_support::{floats, usizes};
use crate::mining::{linear, metrics};

fn fixture() -> Value {
    serde_json::from_str(include_str!(
        "../../../tests/fixtures/sklearn_reference.json"
    ))
    .unwrap()
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

#[test]
fn fpgrowth_and_rules_match_mlxtend() {
    use crate::mining::assoc::{frequent_itemsets, rules, Baskets};
    use std::collections::HashMap;
    let f: Value = serde_json::from_str(include_str!(
        "../../../tests/fixtures/mlxtend_reference.json"
    ))
    .unwrap();
    let mut ids: HashMap<String, u32> = HashMap::new();
    let mut names: Vec<String> = Vec::new();
    let transactions: Vec<Vec<u32>> = f["baskets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            b.as_array()
                .unwrap()
                .iter()
                .map(|i| {
                    let s = i.as_str().unwrap().to_string();
                    *ids.entry(s.clone()).or_insert_with(|| {
                        names.push(s);
                        names.len() as u32 - 1
                    })
                })
                .collect()
        })
        .collect();
    let b = Baskets {
        transactions,
        items: names.clone(),
    };
    let label = |set: &[u32]| {
        let mut v: Vec<String> = set.iter().map(|&i| names[i as usize].clone()).collect();
        v.sort();
        v
    };
    let sets =
        frequent_itemsets(&b, f["min_support"].as_f64().unwrap(), None, &mut || Ok(())).unwrap();
    let ours: HashMap<Vec<String>, f64> =
        sets.iter().map(|s| (label(&s.items), s.support)).collect();
    let theirs = f["itemsets"].as_array().unwrap();
    assert_eq!(ours.len(), theirs.len(), "number of itemsets");
    for t in theirs {
        let key: Vec<String> = t[0]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect();
        let sup = ours
            .get(&key)
            .unwrap_or_else(|| panic!("missing itemset {key:?}"));
        assert!((sup - t[1].as_f64().unwrap()).abs() < 1e-9);
    }
    let r = rules(&sets, f["min_confidence"].as_f64().unwrap()).unwrap();
    let ours: HashMap<(Vec<String>, Vec<String>), [f64; 5]> = r
        .iter()
        .map(|r| {
            (
                (label(&r.antecedent), label(&r.consequent)),
                [r.support, r.confidence, r.lift, r.leverage, r.conviction],
            )
        })
        .collect();
    let theirs = f["rules"].as_array().unwrap();
    assert_eq!(ours.len(), theirs.len(), "number of rules");
    for t in theirs {
        let side = |v: &Value| -> Vec<String> {
            v.as_array()
                .unwrap()
                .iter()
                .map(|s| s.as_str().unwrap().to_string())
                .collect()
        };
        let m = ours
            .get(&(side(&t[0]), side(&t[1])))
            .unwrap_or_else(|| panic!("missing rule {t}"));
        for j in 0..5 {
            match t[2 + j].as_f64() {
                Some(v) => assert!(
                    (m[j] - v).abs() < 1e-9,
                    "rule {t} metric {j}: {} vs {v}",
                    m[j]
                ),
                None => assert!(
                    m[j].is_infinite(),
                    "rule {t}: conviction should be infinite"
                ),
            }
        }
    }
}
