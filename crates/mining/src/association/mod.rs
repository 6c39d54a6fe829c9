//! Association rules: frequent itemsets by FP-growth over baskets and the rules drawn from them
//! (dm_frequent_itemsets, dm_association_rules), within limits on size, counts and memory.
//! Not a dm_train algorithm.

pub mod fpgrowth;
pub mod limits;
pub mod rules;

#[cfg(test)]
mod tests;
