//! A model: the registry of algorithms, an estimator (an algorithm with its hyperparameters),
//! the fitted model it produces, the stored model (with its preprocessing) and its bytes.

pub mod background;
pub mod calibration;
pub mod docs;
pub mod estimator;
pub mod explain;
pub mod fitted;
pub mod format;
mod format_legacy;
pub mod interval;
pub mod registry;
pub mod stored;

#[cfg(test)]
mod corrupt_tests;
