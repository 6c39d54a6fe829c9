//! The SQL functions: each parses its arguments, calls the layers below and maps errors.
//!
//! # Floor plan (one file per step of the workflow)
//! - train: `train` (dm_train).
//! - score: `predict` (dm_predict and every other per-row scorer, dm_cluster included),
//!   `explain` (dm_explain, dm_attributions).
//! - measure: `evaluate` (dm_evaluate and the curves), `fairness`, `drift`, `aggregates`
//!   (the metric aggregates), `inspect` (coefficients, importance), `report` (dm_report,
//!   dm_report_svg).
//! - mine: `cluster` (the dm_kmeans aggregate), `assoc` (itemsets and rules).
//! - deploy and manage: `deploy` (trigger, typed functions), `lifecycle` (deploy, rollback,
//!   drop, thresholds), `grants` (privileges).
//! - shared: `args` (argument parsing), `tests` (#[pg_test]s).

pub mod aggregates;
pub mod args;
pub mod assoc;
pub mod cluster;
pub mod deploy;
pub mod drift;
pub mod evaluate;
pub mod explain;
pub mod fairness;
pub mod grants;
pub mod inspect;
pub mod lifecycle;
pub mod predict;
pub mod report;
pub mod train;

#[cfg(any(test, feature = "pg_test"))]
mod tests;
