//! What one mining run may produce and hold: the itemset size, the itemset and rule counts,
//! and the memory budget, from the options of dm_frequent_itemsets / dm_association_rules.

use serde_json::Value;

use crate::common::budget::Budget;
use crate::common::error::{Error, Result};

/// The default and largest itemset and rule counts, and the default and largest itemset size.
pub const MAX_ITEMSETS: usize = 100_000_000;
pub const MAX_RULES: usize = 100_000_000;
const DEFAULT_ITEMSETS: usize = 1_000_000;
const DEFAULT_RULES: usize = 1_000_000;
/// As R's arules (apriori's maxlen): long itemsets are rarely wanted, and every frequent
/// itemset of n items brings its 2^n - 1 subsets.
const DEFAULT_MAX_LEN: usize = 10;
const MAX_LEN: usize = 64;

/// What one mining run may produce and hold.
#[derive(Debug, Clone, PartialEq)]
pub struct Limits {
    /// Largest itemset size.
    pub max_len: usize,
    pub max_itemsets: usize,
    pub max_rules: usize,
    pub budget: Budget,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_len: DEFAULT_MAX_LEN,
            max_itemsets: DEFAULT_ITEMSETS,
            max_rules: DEFAULT_RULES,
            budget: Budget::unlimited(),
        }
    }
}

impl Limits {
    /// The options object of dm_frequent_itemsets / dm_association_rules: max_len,
    /// max_itemsets, max_rules (each an integer within its bounds).
    pub fn from_options(options: &Value, budget: Budget) -> Result<Limits> {
        let map = options
            .as_object()
            .ok_or_else(|| Error::param(format!("options must be a JSON object; got {options}")))?;
        let mut l = Limits {
            budget,
            ..Limits::default()
        };
        for (k, val) in map {
            let (slot, most) = match k.as_str() {
                "max_len" => (&mut l.max_len, MAX_LEN),
                "max_itemsets" => (&mut l.max_itemsets, MAX_ITEMSETS),
                "max_rules" => (&mut l.max_rules, MAX_RULES),
                other => {
                    return Err(Error::param(format!(
                        "unknown option \"{other}\"; allowed: max_len, max_itemsets, max_rules"
                    )))
                }
            };
            *slot = val
                .as_u64()
                .filter(|n| (1..=most as u64).contains(n))
                .ok_or_else(|| {
                    Error::param(format!(
                        "option \"{k}\" must be an integer from 1 to {most}; got {val}"
                    ))
                })? as usize;
        }
        Ok(l)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::error::ErrorKind;

    #[test]
    fn options_are_parsed_within_bounds() {
        let l = Limits::from_options(
            &serde_json::json!({"max_len": 3, "max_itemsets": 10, "max_rules": 5}),
            Budget::unlimited(),
        )
        .unwrap();
        assert_eq!((l.max_len, l.max_itemsets, l.max_rules), (3, 10, 5));
        assert_eq!(
            Limits::from_options(&serde_json::json!({}), Budget::unlimited()).unwrap(),
            Limits::default()
        );
        for bad in [
            serde_json::json!({"max_len": 0}),
            serde_json::json!({"max_len": 65}),
            serde_json::json!({"max_itemsets": 100000001u64}),
            serde_json::json!({"max_rules": -1}),
            serde_json::json!({"max_len": "3"}),
            serde_json::json!({"min_len": 2}),
            serde_json::json!([1]),
        ] {
            let e = Limits::from_options(&bad, Budget::unlimited()).unwrap_err();
            assert_eq!(e.kind, ErrorKind::InvalidParameter, "{bad}");
        }
    }
}
