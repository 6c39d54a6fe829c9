//! Frequent itemsets by FP-growth and association rules from them, with mlxtend's definitions
//! (support, confidence, lift, leverage, conviction).

use std::collections::HashMap;

use crate::common::error::{Error, Result};

/// Items of each transaction as ids (duplicates allowed; they count once).
#[derive(Default)]
pub struct Baskets {
    pub transactions: Vec<Vec<u32>>,
    pub items: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Itemset {
    /// Item ids, ascending.
    pub items: Vec<u32>,
    pub support: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    pub antecedent: Vec<u32>,
    pub consequent: Vec<u32>,
    pub support: f64,
    pub confidence: f64,
    pub lift: f64,
    pub leverage: f64,
    pub conviction: f64,
}

struct Node {
    item: u32,
    count: u64,
    parent: usize,
    children: Vec<(u32, usize)>,
}

/// An FP-tree over items ranked by frequency; node 0 is the root.
struct Tree {
    nodes: Vec<Node>,
    /// Per item (by id): the nodes holding it.
    header: HashMap<u32, Vec<usize>>,
}

impl Tree {
    fn new() -> Tree {
        Tree {
            nodes: vec![Node {
                item: u32::MAX,
                count: 0,
                parent: 0,
                children: Vec::new(),
            }],
            header: HashMap::new(),
        }
    }

    /// Inserts a path of items (already in rank order) with a count.
    fn insert(&mut self, path: &[u32], count: u64) {
        let mut at = 0;
        for &item in path {
            let next = self.nodes[at]
                .children
                .iter()
                .find(|(i, _)| *i == item)
                .map(|&(_, n)| n);
            at = match next {
                Some(n) => n,
                None => {
                    let n = self.nodes.len();
                    self.nodes.push(Node {
                        item,
                        count: 0,
                        parent: at,
                        children: Vec::new(),
                    });
                    self.nodes[at].children.push((item, n));
                    self.header.entry(item).or_default().push(n);
                    n
                }
            };
            self.nodes[at].count += count;
        }
    }
}

/// Builds a tree from weighted paths, keeping items with at least `min_count`, ordered by
/// descending count (ties by id).
fn build(paths: &[(Vec<u32>, u64)], min_count: u64) -> (Tree, Vec<(u32, u64)>) {
    let mut counts: HashMap<u32, u64> = HashMap::new();
    for (p, c) in paths {
        for &i in p {
            *counts.entry(i).or_insert(0) += c;
        }
    }
    let mut frequent: Vec<(u32, u64)> = counts
        .into_iter()
        .filter(|&(_, c)| c >= min_count)
        .collect();
    frequent.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let rank: HashMap<u32, usize> = frequent
        .iter()
        .enumerate()
        .map(|(r, &(i, _))| (i, r))
        .collect();
    let mut tree = Tree::new();
    let mut path = Vec::new();
    for (p, c) in paths {
        path.clear();
        path.extend(p.iter().copied().filter(|i| rank.contains_key(i)));
        path.sort_by_key(|i| rank[i]);
        tree.insert(&path, *c);
    }
    (tree, frequent)
}

fn mine(
    paths: &[(Vec<u32>, u64)],
    min_count: u64,
    suffix: &mut Vec<u32>,
    max_len: usize,
    out: &mut Vec<(Vec<u32>, u64)>,
    check: &mut dyn FnMut() -> Result<()>,
) -> Result<()> {
    check()?;
    let (tree, frequent) = build(paths, min_count);
    // Least frequent first, as FP-growth does.
    for &(item, count) in frequent.iter().rev() {
        suffix.push(item);
        let mut set = suffix.clone();
        set.sort_unstable();
        out.push((set, count));
        if suffix.len() < max_len {
            let mut base: Vec<(Vec<u32>, u64)> = Vec::new();
            for &n in tree.header.get(&item).map(Vec::as_slice).unwrap_or(&[]) {
                let mut prefix = Vec::new();
                let mut at = tree.nodes[n].parent;
                while at != 0 {
                    prefix.push(tree.nodes[at].item);
                    at = tree.nodes[at].parent;
                }
                if !prefix.is_empty() {
                    base.push((prefix, tree.nodes[n].count));
                }
            }
            if !base.is_empty() {
                mine(&base, min_count, suffix, max_len, out, check)?;
            }
        }
        suffix.pop();
    }
    Ok(())
}

/// Itemsets with support ≥ min_support (a fraction of the transactions), up to `max_len` items.
/// `check` is called between units of work (interrupts).
pub fn frequent_itemsets(
    b: &Baskets,
    min_support: f64,
    max_len: Option<usize>,
    check: &mut dyn FnMut() -> Result<()>,
) -> Result<Vec<Itemset>> {
    if !(min_support > 0.0 && min_support <= 1.0) {
        return Err(Error::param(format!(
            "min_support must be in (0, 1]; got {min_support}"
        )));
    }
    let n = b.transactions.len();
    if n == 0 {
        return Err(Error::data("there are no transactions"));
    }
    // mlxtend keeps support >= min_support; with counts: count >= ceil(min_support * n), guarding
    // against the rounding of the product.
    let mut min_count = (min_support * n as f64).ceil().max(1.0) as u64;
    if min_count > 1 && ((min_count - 1) as f64 / n as f64) >= min_support {
        min_count -= 1;
    }
    let paths: Vec<(Vec<u32>, u64)> = b
        .transactions
        .iter()
        .map(|t| {
            let mut t = t.clone();
            t.sort_unstable();
            t.dedup();
            (t, 1)
        })
        .collect();
    let mut found = Vec::new();
    mine(
        &paths,
        min_count,
        &mut Vec::new(),
        max_len.unwrap_or(usize::MAX),
        &mut found,
        check,
    )?;
    let mut sets: Vec<Itemset> = found
        .into_iter()
        .map(|(items, c)| Itemset {
            items,
            support: c as f64 / n as f64,
        })
        .collect();
    sets.sort_by(|a, b| {
        a.items
            .len()
            .cmp(&b.items.len())
            .then(a.items.cmp(&b.items))
    });
    Ok(sets)
}

/// Rules X → Y from the frequent itemsets with confidence ≥ min_confidence.
pub fn rules(sets: &[Itemset], min_confidence: f64) -> Result<Vec<Rule>> {
    if !(0.0..=1.0).contains(&min_confidence) {
        return Err(Error::param(format!(
            "min_confidence must be in [0, 1]; got {min_confidence}"
        )));
    }
    let support: HashMap<&[u32], f64> = sets
        .iter()
        .map(|s| (s.items.as_slice(), s.support))
        .collect();
    let mut out = Vec::new();
    for s in sets
        .iter()
        .filter(|s| s.items.len() >= 2 && s.items.len() <= 20)
    {
        let k = s.items.len();
        for mask in 1..(1u32 << k) - 1 {
            let (mut a, mut c) = (Vec::new(), Vec::new());
            for (j, &item) in s.items.iter().enumerate() {
                if mask & (1 << j) != 0 {
                    a.push(item)
                } else {
                    c.push(item)
                }
            }
            let (Some(&sa), Some(&sc)) = (support.get(a.as_slice()), support.get(c.as_slice()))
            else {
                continue;
            };
            let confidence = s.support / sa;
            if confidence < min_confidence {
                continue;
            }
            let conviction = if confidence >= 1.0 {
                f64::INFINITY
            } else {
                (1.0 - sc) / (1.0 - confidence)
            };
            out.push(Rule {
                antecedent: a,
                consequent: c,
                support: s.support,
                confidence,
                lift: confidence / sc,
                leverage: s.support - sa * sc,
                conviction,
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {

    use super::*;

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
        let sets = frequent_itemsets(&baskets(), 0.6, None, &mut || Ok(())).unwrap();
        let find = |items: &[u32]| sets.iter().find(|s| s.items == items).map(|s| s.support);
        assert_eq!(find(&[0]), Some(0.8));
        assert_eq!(find(&[2, 3]), Some(0.6));
        assert_eq!(find(&[4]), None);
        let r = rules(&sets, 1.0).unwrap();
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
        assert!(frequent_itemsets(&baskets(), 0.0, None, &mut || Ok(())).is_err());
        assert!(frequent_itemsets(&baskets(), 1.5, None, &mut || Ok(())).is_err());
        assert!(rules(&[], 1.5).is_err());
        let sets = frequent_itemsets(&baskets(), 0.2, Some(1), &mut || Ok(())).unwrap();
        assert!(sets.iter().all(|s| s.items.len() == 1));
    }

    #[test]
    fn fpgrowth_and_rules_match_mlxtend() {
        use crate::association::fpgrowth::{frequent_itemsets, rules, Baskets};
        use serde_json::Value;
        use std::collections::HashMap;
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
        let sets = frequent_itemsets(&b, f["min_support"].as_f64().unwrap(), None, &mut || Ok(()))
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
}
