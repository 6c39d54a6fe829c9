//! Association rules X → Y from frequent itemsets, with mlxtend's definitions (support,
//! confidence, lift, leverage, conviction).

use std::collections::HashMap;

use super::fpgrowth::Itemset;
use super::limits::{Limits, MAX_RULES};
use crate::common::error::{Error, ErrorKind, Result};

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

/// Rules X → Y from the frequent itemsets with confidence ≥ min_confidence, within `limits`
/// (the rule count is capped and checked against the budget; `check` is called every few
/// thousand candidate splits).
pub fn rules(
    sets: &[Itemset],
    min_confidence: f64,
    limits: &Limits,
    check: &mut dyn FnMut() -> Result<()>,
) -> Result<Vec<Rule>> {
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
    let mut bytes = 0usize;
    let mut tried = 0u64;
    for s in sets.iter().filter(|s| s.items.len() >= 2) {
        let k = s.items.len();
        if k > 63 {
            // Every subset of a frequent itemset is frequent: 2^63 of them cannot have been found.
            continue;
        }
        for mask in 1..(1u64 << k) - 1 {
            tried += 1;
            if tried.is_multiple_of(4096) {
                check()?;
            }
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
            if out.len() >= limits.max_rules {
                return Err(Error::new(
                    ErrorKind::LimitExceeded,
                    format!(
                        "more than {} association rules at min_confidence {min_confidence} (option \"max_rules\"); \
                         raise min_support or min_confidence, lower max_len (now {}) or raise max_rules (at most {MAX_RULES})",
                        limits.max_rules, limits.max_len
                    ),
                ));
            }
            bytes += std::mem::size_of::<Rule>() + 4 * k + 32;
            if out.len().is_multiple_of(4096) {
                limits.budget.check("drawing association rules", bytes)?;
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
