//! Association rules and frequent itemsets over a (transaction, item) relation, by FP-growth.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use pgrx::prelude::*;

use super::args::JsonbArg;
use crate::pg::errors::OrRaise;
use crate::pg::pool;
use mining::association::fpgrowth::{self, Baskets, Itemset};
use mining::common::error::Error;
use mining::common::progress::Progress;

fn max_len(options: Option<JsonbArg>) -> Result<Option<usize>, Error> {
    let Some(v) = options.map(|o| o.json("options")).transpose()? else {
        return Ok(None);
    };
    let map = v
        .as_object()
        .ok_or_else(|| Error::param(format!("options must be a JSON object; got {v}")))?;
    let mut out = None;
    for (k, val) in map {
        match k.as_str() {
            "max_len" => {
                out = Some(val.as_u64().filter(|n| *n >= 1).ok_or_else(|| {
                    Error::param(format!(
                        "option \"max_len\" must be an integer ≥ 1; got {val}"
                    ))
                })? as usize)
            }
            other => {
                return Err(Error::param(format!(
                    "unknown option \"{other}\"; allowed: max_len"
                )))
            }
        }
    }
    Ok(out)
}

/// Reads the (transaction, item) pairs into baskets; NULLs are skipped.
fn baskets(relation: &str, transaction_col: &str, item_col: &str) -> Baskets {
    crate::data::baskets::read(relation, transaction_col, item_col)
}

/// Frequent itemsets on the pool (cancellable).
fn mine(b: Baskets, min_support: f64, max: Option<usize>) -> (Arc<Baskets>, Vec<Itemset>) {
    let b = Arc::new(b);
    let progress = Arc::new(Progress::default());
    let (job_b, job_p) = (b.clone(), progress.clone());
    let sets = pool::run("frequent itemsets", progress, 0, move || {
        fpgrowth::frequent_itemsets(&job_b, min_support, max, &mut || {
            if job_p.cancel.load(Ordering::Relaxed) {
                Err(Error::internal("cancelled"))
            } else {
                Ok(())
            }
        })
    })
    .or_raise_in("dm_association_rules");
    (b, sets)
}

/// Item names of ids, sorted.
fn names(b: &Baskets, ids: &[u32]) -> Vec<String> {
    let mut v: Vec<String> = ids.iter().map(|&i| b.items[i as usize].clone()).collect();
    v.sort();
    v
}

/// Association rules X → Y with support ≥ min_support and confidence ≥ min_confidence
/// (mlxtend's definitions), strongest first. options: {"max_len": n} caps itemset size.
#[allow(clippy::type_complexity)] // pgrx needs the named columns spelled out here
#[pg_extern(stable)]
fn dm_association_rules(
    relation: &str,
    transaction_col: &str,
    item_col: &str,
    min_support: f64,
    min_confidence: default!(f64, "0.5"),
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
    let max = max_len(options).or_raise_in("dm_association_rules");
    let b = baskets(relation, transaction_col, item_col);
    let (b, sets) = mine(b, min_support, max);
    let mut rules = fpgrowth::rules(&sets, min_confidence).or_raise_in("dm_association_rules");
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
    relation: &str,
    transaction_col: &str,
    item_col: &str,
    min_support: f64,
    options: default!(Option<JsonbArg>, "'{}'"),
) -> TableIterator<
    'static,
    (
        name!(itemset, Vec<String>),
        name!(support, f64),
        name!(size, i32),
    ),
> {
    let max = max_len(options).or_raise_in("dm_frequent_itemsets");
    let b = baskets(relation, transaction_col, item_col);
    let (b, sets) = mine(b, min_support, max);
    TableIterator::new(sets.into_iter().map(move |s| {
        let n = s.items.len() as i32;
        (names(&b, &s.items), s.support, n)
    }))
}
