//! How a text feature's value becomes its encoded columns: the level it is (one-hot or
//! ordinal), NULL's own slot, or an unknown value (zeros, or an ERROR).

use super::choices::{Encode, Unknown};
use super::feature::{null_error, Feature, Transform};
use crate::common::error::{Error, Result};

pub(super) enum Slot {
    Level(usize),
    Null,
    Unknown,
}

impl Transform {
    pub(super) fn slot_of(&self, s: &str) -> Option<usize> {
        match self {
            Transform::Category { levels, index, .. } => index
                .get_or_init(|| {
                    levels
                        .iter()
                        .enumerate()
                        .map(|(i, l)| (l.clone(), i))
                        .collect()
                })
                .get(s)
                .copied(),
            Transform::Number { .. } => None,
        }
    }
}

impl Feature {
    pub(super) fn write(&self, slot: Slot, dst: &mut [f64], text: Option<&str>) -> Result<()> {
        let Transform::Category {
            levels,
            encode,
            null_slot,
            null_column,
            unknown,
            center,
            scale,
            ..
        } = &self.transform
        else {
            return Err(Error::internal("write on a numeric feature"));
        };
        let index: Option<usize> = match slot {
            Slot::Level(i) => Some(i),
            Slot::Null => match null_slot {
                Some(s) => Some(*s),
                None => return Err(null_error(&self.name)),
            },
            Slot::Unknown => {
                if *unknown == Unknown::Error {
                    return Err(Error::input(format!(
                        "feature \"{}\" has the value \"{}\", which training never saw",
                        self.name,
                        text.unwrap_or("")
                    )));
                }
                None
            }
        };
        match encode {
            Encode::OneHot => {
                dst.iter_mut().for_each(|x| *x = 0.0);
                if let Some(i) = index {
                    // The NULL slot exists only when training saw NULLs.
                    if i < levels.len() || *null_column {
                        if let Some(x) = dst.get_mut(i) {
                            *x = 1.0;
                        }
                    }
                }
            }
            Encode::Ordinal => {
                let v = index.map_or(-1.0, |i| i as f64);
                dst[0] = (v - center) / scale;
            }
        }
        Ok(())
    }
}
