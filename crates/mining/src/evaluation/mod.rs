//! Measuring models: sklearn.metrics' label and value metrics, fairlearn's group fairness, the metric a run is judged by,
//! score curves, clustering metrics,
//! the state of the metric aggregates, cross-validation and search, drift profiles, and scoring a
//! whole table with a stored model (all its rows, or its own test rows: holdout.rs).

pub mod accumulate;
pub mod calibration;
pub mod clustering;
pub mod drift;
pub mod evaluate;
pub mod fairness;
pub mod holdout;
pub mod metrics;
pub mod objective;
pub mod scores;
pub mod threshold;
pub mod tuning;
pub mod unsupervised;
