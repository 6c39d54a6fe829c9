//! A training run: choose columns, drop NULL targets and duplicates, split, fit the
//! preprocessing on the training rows, fit the estimator, measure. `prepare` and `finish` run on
//! the caller's thread; `fit` is pure computation meant for the pool.
//!
//! Floor plan:
//! - the request and what a run holds: prepared.rs (Prepared, Outcome), defaults.rs (the
//!   preprocessing an estimator wants);
//! - preparing: supervised.rs (with a target), unsupervised.rs, encoded.rs (dense or binned rows);
//! - fitting and measuring: run.rs (fit_and_measure, complete), measure.rs (metrics),
//!   tuned.rs (cross-validation, search, held-out scores, calibration, thresholds),
//!   intervals.rs (conformal residuals), checks.rs (leakage suspects), guards.rs (what blocks);
//! - choosing: auto.rs (algorithm 'auto'), deploy.rs (the deploy policy);
//! - tests.rs, and tests/ for the topics with files of their own.

pub mod auto;
mod checks;
mod defaults;
pub mod deploy;
mod encoded;
mod guards;
mod intervals;
mod measure;
mod prepared;
pub mod run;
mod supervised;
mod tuned;
mod unsupervised;

pub use prepared::{Outcome, Prepared, Primary, Target, TrainRequest};
pub use supervised::prepare;
pub use tuned::Searched;

#[cfg(test)]
mod tests;
