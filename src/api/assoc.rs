//! Association rules and frequent itemsets over a (transaction, item) relation, by FP-growth.

use std::sync::Arc;

use pgrx::prelude::*;

use super::args::{required, JsonbArg};
use crate::pg::errors::OrRaise;
use crate::pg::pool;
use mining::association::fpgrowth::{self, Baskets, Itemset};
use mining::association::limits::Limits;
use mining::association::rules;
use mining::common::error::Error;
use mining::common::progress::Progress;

/// The options: max_len, max_itemsets, max_rules (defaults in the mining core), and the budget.
fn limits(options: Option<JsonbArg>) -> Result<Limits, Error> {
    let v = match options {
        Some(o) => o.json("options")?,
        None => serde_json::json!({}),
    };
    Limits::from_options(&v, crate::memory_budget())
}

/// Reads the (transaction, item) pairs into baskets; NULLs are skipped.
fn baskets(
    relation: &str,
    transaction_col: &str,
    item_col: &str,
    limits: &Limits,
    function: &str,
) -> Baskets {
    crate::data::baskets::read(
        relation,
        transaction_col,
        item_col,
        &limits.budget,
        function,
    )
}

/// Frequent itemsets on the pool (cancellable).
fn mine(
    b: Baskets,
    min_support: f64,
    limits: &Limits,
    function: &str,
) -> (Arc<Baskets>, Vec<Itemset>) {
    let b = Arc::new(b);
    let progress = Arc::new(Progress::default());
    let (job_b, job_p, job_limits) = (b.clone(), progress.clone(), limits.clone());
    let sets = pool::run("frequent itemsets", progress, 0, move || {
        fpgrowth::frequent_itemsets(&job_b, min_support, &job_limits, &mut || job_p.check())
    })
    .or_raise_in(function);
    (b, sets)
}

/// The arguments both functions share, checked, and the frequent itemsets of the baskets they
/// name (read within the budget, mined on the pool); errors name `function`.
fn itemsets_of(
    function: &str,
    relation: Option<&str>,
    transaction_col: Option<&str>,
    item_col: Option<&str>,
    min_support: Option<f64>,
    options: Option<JsonbArg>,
) -> (Arc<Baskets>, Vec<Itemset>, Limits) {
    let relation = required(relation, function, "relation");
    let transaction_col = required(transaction_col, function, "transaction_col");
    let item_col = required(item_col, function, "item_col");
    let min_support = required(min_support, function, "min_support");
    let limits = limits(options).or_raise_in(function);
    let b = baskets(relation, transaction_col, item_col, &limits, function);
    let (b, sets) = mine(b, min_support, &limits, function);
    (b, sets, limits)
}

/// Item names of ids, sorted.
fn names(b: &Baskets, ids: &[u32]) -> Vec<String> {
    let mut v: Vec<String> = ids.iter().map(|&i| b.items[i as usize].clone()).collect();
    v.sort();
    v
}

/// Association rules X → Y with support ≥ min_support and confidence ≥ min_confidence
/// (mlxtend's definitions), strongest first. options: max_len (itemset size, default 10),
/// max_itemsets and max_rules (caps on the counts, default 1,000,000 each).
#[allow(clippy::type_complexity)] // pgrx needs the named columns spelled out here
#[pg_extern(stable)]
fn dm_association_rules(
    relation: Option<&str>,
    transaction_col: Option<&str>,
    item_col: Option<&str>,
    min_support: Option<f64>,
    min_confidence: default!(Option<f64>, "0.5"),
    options: default!(Option<JsonbArg>, "'{}'"),
) -> TableIterator<
    'static,
    (
        name!(antecedent, Vec<String>),
        name!(consequent, Vec<String>),
        name!(support, f64),
        name!(confidence, f64),
        name!(lift, f64),
        name!(leverage, f64),
        name!(conviction, f64),
    ),
> {
    let f = "dm_association_rules";
    let min_confidence = required(min_confidence, f, "min_confidence");
    let (b, sets, limits) =
        itemsets_of(f, relation, transaction_col, item_col, min_support, options);
    let progress = Arc::new(Progress::default());
    let job_p = progress.clone();
    let mut rules = pool::run("association rules", progress, 0, move || {
        rules::rules(&sets, min_confidence, &limits, &mut || job_p.check())
    })
    .or_raise_in(f);
    rules.sort_by(|x, y| {
        y.confidence
            .total_cmp(&x.confidence)
            .then(y.support.total_cmp(&x.support))
            .then(names(&b, &x.antecedent).cmp(&names(&b, &y.antecedent)))
            .then(names(&b, &x.consequent).cmp(&names(&b, &y.consequent)))
    });
    TableIterator::new(rules.into_iter().map(move |r| {
        (
            names(&b, &r.antecedent),
            names(&b, &r.consequent),
            r.support,
            r.confidence,
            r.lift,
            r.leverage,
            r.conviction,
        )
    }))
}

/// Itemsets with support ≥ min_support (FP-growth), by size then items.
#[pg_extern(stable)]
fn dm_frequent_itemsets(
    relation: Option<&str>,
    transaction_col: Option<&str>,
    item_col: Option<&str>,
    min_support: Option<f64>,
    options: default!(Option<JsonbArg>, "'{}'"),
) -> TableIterator<
    'static,
    (
        name!(itemset, Vec<String>),
        name!(support, f64),
        name!(size, i32),
    ),
> {
    let (b, sets, _) = itemsets_of(
        "dm_frequent_itemsets",
        relation,
        transaction_col,
        item_col,
        min_support,
        options,
    );
    TableIterator::new(sets.into_iter().map(move |s| {
        let n = s.items.len() as i32;
        (names(&b, &s.items), s.support, n)
    }))
}
