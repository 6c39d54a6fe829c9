//! The association API end to end: frequent itemsets and the rules drawn from them, against a
//! textbook example and mlxtend.

use std::collections::HashMap;

use super::fpgrowth::{frequent_itemsets, Baskets};
use super::limits::Limits;
use super::rules::rules;

fn baskets() -> Baskets {
    // 0 bread, 1 milk, 2 beer, 3 diapers, 4 eggs
    let t = vec![
        vec![0, 1],
        vec![0, 3, 2, 4],
        vec![1, 3, 2],
        vec![0, 1, 3, 2],
        vec![0, 1, 3, 1],
    ];
    Baskets {
        transactions: t,
        items: ["bread", "milk", "beer", "diapers", "eggs"]
            .map(String::from)
            .to_vec(),
    }
}

#[test]
fn textbook_example() {
    let sets = frequent_itemsets(&baskets(), 0.6, &Limits::default(), &mut || Ok(())).unwrap();
    let find = |items: &[u32]| sets.iter().find(|s| s.items == items).map(|s| s.support);
    assert_eq!(find(&[0]), Some(0.8));
    assert_eq!(find(&[2, 3]), Some(0.6));
    assert_eq!(find(&[4]), None);
    let r = rules(&sets, 1.0, &Limits::default(), &mut || Ok(())).unwrap();
    // beer -> diapers holds in every basket with beer.
    let bd = r
        .iter()
        .find(|r| r.antecedent == [2] && r.consequent == [3])
        .unwrap();
    assert_eq!(bd.confidence, 1.0);
    assert!((bd.lift - 1.25).abs() < 1e-12 && bd.conviction.is_infinite());
}

#[test]
fn bad_thresholds_and_max_len() {
    assert!(frequent_itemsets(&baskets(), 0.0, &Limits::default(), &mut || Ok(())).is_err());
    assert!(frequent_itemsets(&baskets(), 1.5, &Limits::default(), &mut || Ok(())).is_err());
    assert!(rules(&[], 1.5, &Limits::default(), &mut || Ok(())).is_err());
    let one = Limits {
        max_len: 1,
        ..Limits::default()
    };
    let sets = frequent_itemsets(&baskets(), 0.2, &one, &mut || Ok(())).unwrap();
    assert!(sets.iter().all(|s| s.items.len() == 1));
}

#[test]
fn fpgrowth_and_rules_match_mlxtend() {
    use serde_json::Value;
    let f: Value = crate::test_support::fixture("mlxtend_reference.json");
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
    let sets = frequent_itemsets(
        &b,
        f["min_support"].as_f64().unwrap(),
        &Limits::default(),
        &mut || Ok(()),
    )
    .unwrap();
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
    let r = rules(
        &sets,
        f["min_confidence"].as_f64().unwrap(),
        &Limits::default(),
        &mut || Ok(()),
    )
    .unwrap();
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
