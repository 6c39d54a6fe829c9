//! What a training run chooses for its columns' preprocessing (options.preprocess per column,
//! and the defaults an algorithm brings): imputation, encoding, scaling, unknown categories.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Impute {
    Mean,
    Median,
    Mode,
    Zero,
    /// A NULL is an error at training and at scoring.
    Error,
    /// Text only: NULL is a category of its own.
    Missing,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Encode {
    OneHot,
    Ordinal,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scale {
    Standard,
    MinMax,
    None,
}

/// What to do with a text value never seen in training.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unknown {
    /// All one-hot columns 0 (ordinal: -1), like scikit-learn's handle_unknown='ignore'.
    Ignore,
    Error,
}

/// The user's choices for one column; None means the default for its type and the algorithm.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnChoice {
    pub impute: Option<Impute>,
    pub encode: Option<Encode>,
    pub scale: Option<Scale>,
}

#[derive(Debug, Clone, Copy)]
pub struct Defaults {
    pub scale: Scale,
    /// The learner handles missing numbers itself (the tree learners: a bin of their own and a
    /// learned direction at each split), so a numeric NULL stays missing unless the column's
    /// impute policy says otherwise.
    pub missing_numbers: bool,
    pub unknown: Unknown,
    pub max_categories: usize,
}
