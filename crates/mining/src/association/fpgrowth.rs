//! Frequent itemsets by FP-growth (support = the share of transactions holding the itemset,
//! as mlxtend's fpgrowth).

use std::collections::HashMap;

use super::limits::{Limits, MAX_ITEMSETS};
use crate::common::error::{Error, ErrorKind, Result};

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

/// One tree of the depth-first descent: the items still to extend, least frequent first.
struct Frame {
    tree: Tree,
    frequent: Vec<(u32, u64)>,
    /// How many of `frequent` (from its end) were taken.
    taken: usize,
    /// Whether an item of the suffix came with this frame (all but the root's).
    extends_suffix: bool,
    bytes: usize,
}

/// Bytes a tree holds, for the budget: its nodes, their child lists and the header.
fn tree_bytes(tree: &Tree, frequent: &[(u32, u64)]) -> usize {
    let node = std::mem::size_of::<Node>() + std::mem::size_of::<(u32, usize)>();
    let header = frequent.len() * (std::mem::size_of::<Vec<usize>>() + 16);
    tree.nodes.len() * (node + std::mem::size_of::<usize>()) + header
}

/// Bytes one found itemset of `len` items holds.
fn itemset_bytes(len: usize) -> usize {
    // In the arena while mining (items and an entry), then as an Itemset.
    std::mem::size_of::<Found>() + std::mem::size_of::<Itemset>() + 8 * len + 16
}

/// An itemset found while mining: `len` items at `at` in the arena, and its count.
#[derive(Clone, Copy)]
struct Found {
    at: usize,
    len: usize,
    count: u64,
}

/// The itemsets found, their items in one arena (a cancelled run frees it at once, not item
/// set by item set).
#[derive(Default)]
struct Arena {
    items: Vec<u32>,
    found: Vec<Found>,
}

impl Arena {
    fn items_of(&self, f: &Found) -> &[u32] {
        self.items.get(f.at..f.at + f.len).unwrap_or(&[])
    }
}

/// FP-growth without recursion: the conditional trees of the current path are a stack on the
/// heap (at most `max_len` deep), each checked against the budget with the itemsets found so
/// far; the itemset count is capped.
fn mine(
    paths: &[(Vec<u32>, u64)],
    min_count: u64,
    limits: &Limits,
    min_support: f64,
    check: &mut dyn FnMut() -> Result<()>,
) -> Result<Arena> {
    check()?;
    let (tree, frequent) = build(paths, min_count);
    let root_bytes = tree_bytes(&tree, &frequent);
    limits
        .budget
        .check("mining frequent itemsets", root_bytes)?;
    let mut live = root_bytes;
    let mut found_bytes = 0usize;
    let mut out = Arena::default();
    let mut suffix: Vec<u32> = Vec::new();
    let mut stack = vec![Frame {
        tree,
        frequent,
        taken: 0,
        extends_suffix: false,
        bytes: root_bytes,
    }];
    while let Some(top) = stack.last_mut() {
        if top.taken == top.frequent.len() {
            live -= top.bytes;
            if top.extends_suffix {
                suffix.pop();
            }
            stack.pop();
            continue;
        }
        let Some(&(item, count)) = top.frequent.iter().rev().nth(top.taken) else {
            break;
        };
        top.taken += 1;
        suffix.push(item);
        if out.found.len() >= limits.max_itemsets {
            return Err(Error::new(
                ErrorKind::LimitExceeded,
                format!(
                    "more than {} frequent itemsets at min_support {min_support} (option \"max_itemsets\"); \
                     raise min_support, lower max_len (now {}) or raise max_itemsets (at most {MAX_ITEMSETS})",
                    limits.max_itemsets, limits.max_len
                ),
            ));
        }
        let at = out.items.len();
        out.items.extend_from_slice(&suffix);
        out.items[at..].sort_unstable();
        out.found.push(Found {
            at,
            len: suffix.len(),
            count,
        });
        found_bytes += itemset_bytes(suffix.len());
        if out.found.len().is_multiple_of(4096) {
            check()?;
            limits
                .budget
                .check("mining frequent itemsets", live.saturating_add(found_bytes))?;
        }
        let mut child = None;
        if suffix.len() < limits.max_len {
            let mut base: Vec<(Vec<u32>, u64)> = Vec::new();
            let nodes = top.tree.header.get(&item).map(Vec::as_slice).unwrap_or(&[]);
            for &n in nodes {
                let mut prefix = Vec::new();
                let mut at = top.tree.nodes[n].parent;
                while at != 0 {
                    prefix.push(top.tree.nodes[at].item);
                    at = top.tree.nodes[at].parent;
                }
                if !prefix.is_empty() {
                    base.push((prefix, top.tree.nodes[n].count));
                }
            }
            if !base.is_empty() {
                check()?;
                let (tree, frequent) = build(&base, min_count);
                if !frequent.is_empty() {
                    child = Some((tree, frequent));
                }
            }
        }
        match child {
            Some((tree, frequent)) => {
                let bytes = tree_bytes(&tree, &frequent);
                live += bytes;
                limits
                    .budget
                    .check("mining frequent itemsets", live.saturating_add(found_bytes))?;
                stack.push(Frame {
                    tree,
                    frequent,
                    taken: 0,
                    extends_suffix: true,
                    bytes,
                });
            }
            None => {
                suffix.pop();
            }
        }
    }
    Ok(out)
}

/// Itemsets with support ≥ min_support (a fraction of the transactions), within `limits`.
/// `check` is called between units of work (interrupts).
pub fn frequent_itemsets(
    b: &Baskets,
    min_support: f64,
    limits: &Limits,
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
    let arena = mine(&paths, min_count, limits, min_support, check)?;
    drop(paths);
    check()?;
    let mut order = arena.found.clone();
    order.sort_unstable_by(|a, b| {
        a.len
            .cmp(&b.len)
            .then_with(|| arena.items_of(a).cmp(arena.items_of(b)))
    });
    check()?;
    Ok(order
        .iter()
        .map(|f| Itemset {
            items: arena.items_of(f).to_vec(),
            support: f.count as f64 / n as f64,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::association::rules::rules;
    use crate::common::budget::Budget;

    /// Every itemset with its count, by enumerating each transaction's subsets (small data).
    fn brute_force(b: &Baskets, min_count: u64, max_len: usize) -> Vec<(Vec<u32>, u64)> {
        let mut counts: HashMap<Vec<u32>, u64> = HashMap::new();
        for t in &b.transactions {
            let mut t = t.clone();
            t.sort_unstable();
            t.dedup();
            for mask in 1u32..(1 << t.len()) {
                let set: Vec<u32> = (0..t.len())
                    .filter(|j| mask & (1 << j) != 0)
                    .map(|j| t[j])
                    .collect();
                if set.len() <= max_len {
                    *counts.entry(set).or_insert(0) += 1;
                }
            }
        }
        let mut v: Vec<_> = counts
            .into_iter()
            .filter(|(_, c)| *c >= min_count)
            .collect();
        v.sort_by(|a, b| a.0.len().cmp(&b.0.len()).then(a.0.cmp(&b.0)));
        v
    }

    #[test]
    fn the_heap_stack_descent_finds_what_enumeration_finds() {
        let mut rng = crate::common::rng::Rng::new(7);
        for round in 0..30 {
            let items = 3 + round % 9;
            let transactions: Vec<Vec<u32>> = (0..40 + round * 7)
                .map(|_| {
                    let len = 1 + rng.below(items.min(10));
                    (0..len).map(|_| rng.below(items) as u32).collect()
                })
                .collect();
            let b = Baskets {
                transactions,
                items: (0..items).map(|i| i.to_string()).collect(),
            };
            for (support, max_len) in [(0.05, 10), (0.2, 2), (0.01, 3)] {
                let limits = Limits {
                    max_len,
                    ..Limits::default()
                };
                let ours = frequent_itemsets(&b, support, &limits, &mut || Ok(())).unwrap();
                let n = b.transactions.len() as f64;
                let min_count = (support * n).ceil() as u64;
                let want = brute_force(&b, min_count, max_len);
                let got: Vec<(Vec<u32>, u64)> = ours
                    .iter()
                    .map(|s| (s.items.clone(), (s.support * n).round() as u64))
                    .collect();
                assert_eq!(
                    got, want,
                    "round {round}, support {support}, max_len {max_len}"
                );
            }
        }
    }

    #[test]
    fn a_wide_basket_is_capped_not_mined_forever() {
        // One basket of 40 items at support 1: 2^40 - 1 itemsets without limits.
        let b = Baskets {
            transactions: vec![(0..40).collect()],
            items: (0..40).map(|i| format!("i{i}")).collect(),
        };
        let start = std::time::Instant::now();
        let e = frequent_itemsets(&b, 1.0, &Limits::default(), &mut || Ok(())).unwrap_err();
        assert_eq!(e.kind, ErrorKind::LimitExceeded);
        assert!(
            e.message.contains("more than 1000000 frequent itemsets"),
            "{}",
            e.message
        );
        assert!(e.message.contains("max_itemsets") && e.message.contains("max_len (now 10)"));
        assert!(start.elapsed().as_secs() < 30);
        // Pairs only: 40 + 780.
        let pairs = Limits {
            max_len: 2,
            ..Limits::default()
        };
        let sets = frequent_itemsets(&b, 1.0, &pairs, &mut || Ok(())).unwrap();
        assert_eq!(sets.len(), 820);
        // Rules from them: two per pair; capped below that, the cap's error.
        let r = rules(&sets, 0.5, &pairs, &mut || Ok(())).unwrap();
        assert_eq!(r.len(), 1560);
        let few = Limits {
            max_rules: 100,
            ..pairs.clone()
        };
        let e = rules(&sets, 0.5, &few, &mut || Ok(())).unwrap_err();
        assert_eq!(e.kind, ErrorKind::LimitExceeded);
        assert!(e.message.contains("max_rules"), "{}", e.message);
    }

    #[test]
    fn mining_stays_within_the_budget_and_stops_when_cancelled() {
        let b = Baskets {
            transactions: (0..2000u32)
                .map(|t| (0..20).map(|i| (t * 7 + i) % 60).collect())
                .collect(),
            items: (0..60).map(|i| i.to_string()).collect(),
        };
        let tight = Limits {
            budget: Budget::of_bytes(64 << 10),
            ..Limits::default()
        };
        let e = frequent_itemsets(&b, 0.01, &tight, &mut || Ok(())).unwrap_err();
        assert_eq!(e.kind, ErrorKind::OutOfMemory, "{}", e.message);
        assert!(
            e.message.starts_with("mining frequent itemsets needs"),
            "{}",
            e.message
        );
        let mut calls = 0;
        let e = frequent_itemsets(&b, 0.01, &Limits::default(), &mut || {
            calls += 1;
            if calls > 3 {
                Err(Error::internal("cancelled"))
            } else {
                Ok(())
            }
        })
        .unwrap_err();
        assert_eq!(e.message, "cancelled");
    }
}
