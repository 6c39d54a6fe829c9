//! A training run: choose columns, drop NULL targets and duplicates, split, fit the
//! preprocessing on the training rows, fit the estimator, measure. `prepare` and `finish` run on
//! the caller's thread; `fit` is pure computation meant for the pool.

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
mod auto_tests;
#[cfg(test)]
mod calibration_tests;
#[cfg(test)]
mod metric_tests;
#[cfg(test)]
mod split_tests;
#[cfg(test)]
mod tests;
