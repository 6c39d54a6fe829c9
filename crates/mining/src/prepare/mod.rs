//! Preparing a training run's rows: the options of dm_train, which columns play which role, rows
//! without a target and duplicates, sample weights, the split, data-quality warnings, and the preprocessing fitted
//! on the training rows.

pub mod columns;
pub mod groups;
pub mod options;
pub mod preprocess;
pub mod quality;
pub mod row_keys;
pub mod rows;
pub mod search;
pub mod split;
pub mod threshold;
pub mod weights;
