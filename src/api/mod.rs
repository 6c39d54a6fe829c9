//! The SQL functions: each parses its arguments, calls the layers below and maps errors.

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
