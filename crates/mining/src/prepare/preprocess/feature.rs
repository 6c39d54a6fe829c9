//! One fitted feature as the stored model keeps it: its name and type, and the transform that
//! turns its raw value (a number, text, or NULL) into the model's encoded columns.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use super::choices::{Encode, Impute, Unknown};
use crate::common::error::Error;
use crate::common::frame::ColumnKind;

/// One raw input value at scoring time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Raw<'a> {
    Null,
    Num(f64),
    Text(&'a str),
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Feature {
    pub name: String,
    pub sql_type: String,
    pub kind: ColumnKind,
    pub transform: Transform,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Transform {
    Number {
        /// Value that replaces NULL; None: NULL is an error; NaN: NULL stays missing, for a
        /// tree learner to route (shown as "missing" in dm.models.preprocessing).
        #[serde(serialize_with = "fill_for_people")]
        fill: Option<f64>,
        center: f64,
        scale: f64,
    },
    Category {
        levels: Vec<String>,
        encode: Encode,
        /// Slot a NULL goes to: a level index, `levels.len()` for the NULL column of one-hot
        /// (present when `null_column`), or None when NULL is an error.
        null_slot: Option<usize>,
        null_column: bool,
        unknown: Unknown,
        /// Ordinal only.
        center: f64,
        scale: f64,
        #[serde(skip)]
        index: OnceLock<HashMap<String, usize>>,
    },
}

/// In JSON (dm.models.preprocessing) a missing-value fill reads "missing", not null (which
/// means NULL is an error); the stored bincode form is the plain Option<f64>.
fn fill_for_people<S: serde::Serializer>(
    fill: &Option<f64>,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    match fill {
        Some(v) if v.is_nan() && s.is_human_readable() => s.serialize_str("missing"),
        _ => serde::Serialize::serialize(fill, s),
    }
}

impl Transform {
    pub(super) fn width(&self) -> usize {
        match self {
            Transform::Number { .. } => 1,
            Transform::Category {
                encode: Encode::Ordinal,
                ..
            } => 1,
            Transform::Category {
                levels,
                null_column,
                ..
            } => levels.len() + usize::from(*null_column),
        }
    }
}

/// A number feature's encoding: NULL becomes `fill` (None: an error; NaN: missing), then
/// (x - center) / scale.
#[derive(Debug, Clone, Copy)]
pub struct NumberParams {
    pub fill: Option<f64>,
    pub center: f64,
    pub scale: f64,
}

pub(super) fn null_error(name: &str) -> Error {
    Error::data(format!(
        "feature \"{name}\" is NULL and its impute policy is \"error\""
    ))
}

pub fn impute_name(i: Impute) -> &'static str {
    match i {
        Impute::Mean => "mean",
        Impute::Median => "median",
        Impute::Mode => "mode",
        Impute::Zero => "zero",
        Impute::Error => "error",
        Impute::Missing => "missing",
    }
}

impl Feature {
    /// What encoding a scoring row trusts in a stored feature: finite centres and non-zero
    /// scales, a NULL slot among the feature's columns.
    pub fn validate(&self) -> std::result::Result<(), String> {
        let bad = |why: &str| Err(format!("feature \"{}\": {why}", self.name));
        match &self.transform {
            Transform::Number {
                center,
                scale,
                fill,
            } => {
                if !center.is_finite() || !scale.is_finite() || *scale == 0.0 {
                    return bad("its centre or scale is not a finite, non-zero number");
                }
                if fill.is_some_and(f64::is_infinite) {
                    return bad("its NULL fill is infinite");
                }
            }
            Transform::Category {
                levels,
                encode,
                null_slot,
                center,
                scale,
                ..
            } => {
                // A NULL goes to a level, or to levels.len(): the NULL column when there is
                // one, no column (all zeros) otherwise.
                if null_slot.is_some_and(|s| s > levels.len()) {
                    return bad("its NULL slot is outside its levels");
                }
                if *encode == Encode::Ordinal
                    && (!center.is_finite() || !scale.is_finite() || *scale == 0.0)
                {
                    return bad("its centre or scale is not a finite, non-zero number");
                }
            }
        }
        Ok(())
    }
}
