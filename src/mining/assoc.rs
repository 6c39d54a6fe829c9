//! Frequent itemsets by FP-growth and association rules from them, with mlxtend's definitions
//! (support, confidence, lift, leverage, conviction).

use std::collections::HashMap;

use super::error::{Error, Result};

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
#[path = "tests/assoc.rs"]
mod tests;
