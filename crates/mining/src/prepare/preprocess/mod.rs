//! Preprocessing fitted on the training rows only and stored in the model: imputation, one-hot or
//! ordinal encoding of text, scaling. The same object turns a scoring row into the model's input.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::common::error::{Error, Result};
use crate::common::frame::{format_number, Column, ColumnData, NULL_CODE};

mod category;
pub mod choices;
pub mod feature;
mod stats;

pub use choices::{ColumnChoice, Defaults, Encode, Impute, Scale, Unknown};
pub use feature::{impute_name, Feature, NumberParams, Raw, Transform};

use category::Slot;
use feature::null_error;
use stats::{mean, median, mode, scale_params};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Preprocessor {
    pub features: Vec<Feature>,
}

impl Preprocessor {
    /// Fits on `rows` of the given columns. Returns the preprocessor and human-readable notes
    /// (e.g. categories capped).
    pub fn fit(
        columns: &[&Column],
        rows: &[usize],
        choices: &[ColumnChoice],
        defaults: Defaults,
    ) -> Result<(Preprocessor, Vec<String>)> {
        let mut features = Vec::with_capacity(columns.len());
        let mut notes = Vec::new();
        for (i, col) in columns.iter().enumerate() {
            let choice = choices.get(i).copied().unwrap_or_default();
            let transform = match &col.data {
                ColumnData::Numeric(values) => {
                    if matches!(choice.impute, Some(Impute::Missing)) && !defaults.missing_numbers {
                        return Err(Error::param(format!(
                            "impute \"missing\" for numeric column \"{}\" needs a tree learner (decision_tree, random_forest, extra_trees, gradient_boosting), which learns where missing values go; this one imputes",
                            col.name
                        )));
                    }
                    if choice.encode.is_some() {
                        return Err(Error::param(format!(
                            "encode applies to text columns; column \"{}\" is {}",
                            col.name, col.sql_type
                        )));
                    }
                    let mut present: Vec<f64> = rows
                        .iter()
                        .map(|&r| values[r])
                        .filter(|x| !x.is_nan())
                        .collect();
                    let has_null = present.len() < rows.len();
                    let impute = choice.impute.unwrap_or(if defaults.missing_numbers {
                        Impute::Missing
                    } else {
                        Impute::Mean
                    });
                    if impute == Impute::Error && has_null {
                        return Err(Error::data(format!(
                            "column \"{}\" has NULLs in the training rows and its impute policy is \"error\"",
                            col.name
                        )));
                    }
                    let fill = match impute {
                        Impute::Mean => Some(mean(&present)),
                        Impute::Median => Some(median(&mut present.clone())),
                        Impute::Mode => Some(mode(&present)),
                        Impute::Zero => Some(0.0),
                        // NaN: passed on as missing, for the learner to route.
                        Impute::Missing => Some(f64::NAN),
                        Impute::Error => None,
                    };
                    if let Some(f) = fill.filter(|f| !f.is_nan()) {
                        present.resize(rows.len(), f);
                    }
                    let (center, scale) =
                        scale_params(&present, choice.scale.unwrap_or(defaults.scale));
                    Transform::Number {
                        fill,
                        center,
                        scale,
                    }
                }
                ColumnData::Text { codes, levels, .. } => {
                    let mut counts = vec![0usize; levels.len()];
                    let mut nulls = 0usize;
                    for &r in rows {
                        match codes[r] {
                            NULL_CODE => nulls += 1,
                            c => counts[c as usize] += 1,
                        }
                    }
                    // Levels seen in training, most frequent first, capped; then sorted by name.
                    let mut seen: Vec<usize> =
                        (0..levels.len()).filter(|&l| counts[l] > 0).collect();
                    seen.sort_by(|&a, &b| {
                        counts[b].cmp(&counts[a]).then(levels[a].cmp(&levels[b]))
                    });
                    let modal = seen.first().map(|&l| levels[l].clone());
                    if seen.len() > defaults.max_categories {
                        notes.push(format!(
                            "column \"{}\" has {} distinct values; the {} most frequent are encoded, the rest treated as unseen",
                            col.name,
                            seen.len(),
                            defaults.max_categories
                        ));
                        seen.truncate(defaults.max_categories);
                    }
                    let mut kept: Vec<String> = seen.iter().map(|&l| levels[l].clone()).collect();
                    kept.sort();
                    let encode = choice.encode.unwrap_or(Encode::OneHot);
                    let impute = choice.impute.unwrap_or(Impute::Missing);
                    let (null_slot, null_column) = match impute {
                        Impute::Missing => match encode {
                            // One-hot: a NULL column only when training saw NULLs; else all zeros.
                            Encode::OneHot => (Some(kept.len()), nulls > 0),
                            Encode::Ordinal => (Some(kept.len()), false),
                        },
                        Impute::Mode => (modal.and_then(|m| kept.iter().position(|k| *k == m)), false),
                        Impute::Error => {
                            if nulls > 0 {
                                return Err(Error::data(format!(
                                    "column \"{}\" has NULLs in the training rows and its impute policy is \"error\"",
                                    col.name
                                )));
                            }
                            (None, false)
                        }
                        other => {
                            return Err(Error::param(format!(
                                "impute \"{}\" is for numeric columns; column \"{}\" is {} (use missing, mode or error)",
                                impute_name(other),
                                col.name,
                                col.sql_type
                            )))
                        }
                    };
                    let (center, scale) = if encode == Encode::Ordinal {
                        let index: HashMap<&str, usize> = kept
                            .iter()
                            .enumerate()
                            .map(|(i, s)| (s.as_str(), i))
                            .collect();
                        let vals: Vec<f64> = rows
                            .iter()
                            .map(|&r| match codes[r] {
                                NULL_CODE => null_slot.map_or(-1.0, |s| s as f64),
                                c => index
                                    .get(levels[c as usize].as_str())
                                    .map_or(-1.0, |&i| i as f64),
                            })
                            .collect();
                        scale_params(&vals, choice.scale.unwrap_or(defaults.scale))
                    } else {
                        (0.0, 1.0)
                    };
                    Transform::Category {
                        levels: kept,
                        encode,
                        null_slot,
                        null_column,
                        unknown: defaults.unknown,
                        center,
                        scale,
                        index: OnceLock::new(),
                    }
                }
            };
            features.push(Feature {
                name: col.name.clone(),
                sql_type: col.sql_type.clone(),
                kind: col.kind,
                transform,
            });
        }
        Ok((Preprocessor { features }, notes))
    }

    /// Per feature, how a number is encoded, when every feature is a number (one column
    /// each); None when some feature is a category.
    pub fn number_params(&self) -> Option<Vec<NumberParams>> {
        self.features
            .iter()
            .map(|f| match f.transform {
                Transform::Number {
                    fill,
                    center,
                    scale,
                } => Some(NumberParams {
                    fill,
                    center,
                    scale,
                }),
                Transform::Category { .. } => None,
            })
            .collect()
    }

    pub fn width(&self) -> usize {
        self.features.iter().map(|f| f.transform.width()).sum()
    }

    /// Encoded columns of one feature.
    pub fn width_of(&self, f: &Feature) -> usize {
        f.transform.width()
    }

    /// The one-hot encoded features as (first encoded column, number of columns).
    pub fn one_hot_groups(&self) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let mut col = 0;
        for f in &self.features {
            let w = f.transform.width();
            if let Transform::Category {
                encode: Encode::OneHot,
                ..
            } = f.transform
            {
                out.push((col, w));
            }
            col += w;
        }
        out
    }

    /// Names of the model's input columns after encoding.
    pub fn output_names(&self) -> Vec<String> {
        let mut out = Vec::with_capacity(self.width());
        for f in &self.features {
            match &f.transform {
                Transform::Category {
                    levels,
                    encode: Encode::OneHot,
                    null_column,
                    ..
                } => {
                    out.extend(levels.iter().map(|l| format!("{}={}", f.name, l)));
                    if *null_column {
                        out.push(format!("{}=NULL", f.name));
                    }
                }
                _ => out.push(f.name.clone()),
            }
        }
        out
    }

    /// Transforms training rows into a row-major matrix (rows × width).
    pub fn transform_columns(&self, columns: &[&Column], rows: &[usize]) -> Result<Vec<f64>> {
        let width = self.width();
        let mut out = vec![0.0; rows.len() * width];
        let mut offset = 0;
        for (f, col) in self.features.iter().zip(columns) {
            write_feature(f, col, rows, &mut out, width, offset)?;
            offset += f.transform.width();
        }
        Ok(out)
    }

    /// The encoded columns of feature `i` alone, for `rows`: rows × width_of(feature),
    /// row-major (the matrix `transform_columns` makes, one feature at a time).
    pub fn transform_feature(&self, i: usize, column: &Column, rows: &[usize]) -> Result<Vec<f64>> {
        let f = self
            .features
            .get(i)
            .ok_or_else(|| Error::internal(format!("no feature {i}")))?;
        let width = f.transform.width();
        let mut out = vec![0.0; rows.len() * width];
        write_feature(f, column, rows, &mut out, width, 0)?;
        Ok(out)
    }

    /// Transforms one scoring row (values in feature order) into `out` (len = width()).
    /// Every stored feature's encoding is one a scoring row can go through.
    pub fn validate(&self) -> std::result::Result<(), String> {
        self.features.iter().try_for_each(Feature::validate)
    }

    pub fn transform_row(&self, values: &[Raw], out: &mut [f64]) -> Result<()> {
        if values.len() != self.features.len() || out.len() != self.width() {
            return Err(Error::input(format!(
                "expected {} feature values, got {}",
                self.features.len(),
                values.len()
            )));
        }
        let mut offset = 0;
        let mut buf = String::new();
        for (f, raw) in self.features.iter().zip(values) {
            let w = f.transform.width();
            let dst = &mut out[offset..offset + w];
            match &f.transform {
                Transform::Number {
                    fill,
                    center,
                    scale,
                } => {
                    let x = match *raw {
                        Raw::Null if fill.is_some_and(f64::is_nan) => {
                            dst[0] = f64::NAN;
                            offset += w;
                            continue;
                        }
                        Raw::Null => fill.ok_or_else(|| null_error(&f.name))?,
                        Raw::Num(x) => x,
                        Raw::Text(s) => s.trim().parse::<f64>().map_err(|_| {
                            Error::input(format!(
                                "feature \"{}\" is numeric; got the text \"{}\"",
                                f.name, s
                            ))
                        })?,
                    };
                    if !x.is_finite() {
                        let shown = if x.is_nan() {
                            "NaN"
                        } else if x > 0.0 {
                            "Infinity"
                        } else {
                            "-Infinity"
                        };
                        return Err(Error::data(format!(
                            "feature \"{}\" is {shown}; NaN and Infinity are not allowed",
                            f.name
                        )));
                    }
                    dst[0] = (x - center) / scale;
                }
                Transform::Category { .. } => {
                    let text: Option<&str> = match *raw {
                        Raw::Null => None,
                        Raw::Text(s) => Some(s),
                        Raw::Num(x) => {
                            buf.clear();
                            buf.push_str(&format_number(x));
                            Some(buf.as_str())
                        }
                    };
                    let slot = match text {
                        None => Slot::Null,
                        Some(s) => f.transform.slot_of(s).map_or(Slot::Unknown, Slot::Level),
                    };
                    f.write(slot, dst, text)?;
                }
            }
            offset += w;
        }
        Ok(())
    }
}

/// Writes feature `f`'s encoded columns for `rows` into `out` (row-major, `width` columns per
/// row, this feature's from `offset`).
fn write_feature(
    f: &Feature,
    col: &Column,
    rows: &[usize],
    out: &mut [f64],
    width: usize,
    offset: usize,
) -> Result<()> {
    match (&f.transform, &col.data) {
        (
            Transform::Number {
                fill,
                center,
                scale,
            },
            ColumnData::Numeric(values),
        ) => {
            for (i, &r) in rows.iter().enumerate() {
                let mut x = values[r];
                if x.is_nan() {
                    x = fill.ok_or_else(|| null_error(&f.name))?;
                }
                out[i * width + offset] = (x - center) / scale;
            }
        }
        (Transform::Category { .. }, ColumnData::Text { codes, levels, .. }) => {
            // Map each code of the column to a slot once, not a string lookup per row.
            let slots: Vec<Option<usize>> = levels.iter().map(|l| f.transform.slot_of(l)).collect();
            for (i, &r) in rows.iter().enumerate() {
                let slot = match codes[r] {
                    NULL_CODE => Slot::Null,
                    c => slots[c as usize].map_or(Slot::Unknown, Slot::Level),
                };
                f.write(
                    slot,
                    &mut out[i * width + offset..i * width + offset + f.transform.width()],
                    None,
                )?;
            }
        }
        _ => {
            return Err(Error::internal(format!(
                "column \"{}\" changed kind between fit and transform",
                f.name
            )))
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
