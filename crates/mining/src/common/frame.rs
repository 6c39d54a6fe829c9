//! A column-oriented table read from a relation: numbers as f64 (NaN marks NULL), text
//! dictionary-encoded (one copy of each distinct string).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

pub const NULL_CODE: u32 = u32::MAX;

/// What a SQL column is to the miner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ColumnKind {
    /// smallint, integer, bigint
    Integer,
    /// real, double precision, numeric
    Float,
    /// boolean, read as 0/1
    Boolean,
    /// date (days since 1970-01-01), timestamp[tz] (seconds since 1970-01-01)
    Temporal,
    /// text, varchar, char
    Text,
}

impl ColumnKind {
    pub fn is_text(self) -> bool {
        self == ColumnKind::Text
    }
}

#[derive(Debug, Clone)]
pub enum ColumnData {
    Numeric(Vec<f64>),
    Text {
        codes: Vec<u32>,
        levels: Vec<String>,
        index: HashMap<String, u32>,
    },
}

#[derive(Debug, Clone)]
pub struct Column {
    pub name: String,
    /// The SQL type name, as format_type() prints it.
    pub sql_type: String,
    pub kind: ColumnKind,
    pub data: ColumnData,
    /// NaN or ±Infinity values met while reading (stored as NULL); training refuses them.
    pub non_finite: usize,
    /// Heap bytes of a text column's distinct values (the levels and their index).
    level_bytes: usize,
}

impl Column {
    pub fn new(name: impl Into<String>, sql_type: impl Into<String>, kind: ColumnKind) -> Self {
        let data = if kind.is_text() {
            ColumnData::Text {
                codes: Vec::new(),
                levels: Vec::new(),
                index: HashMap::new(),
            }
        } else {
            ColumnData::Numeric(Vec::new())
        };
        Column {
            name: name.into(),
            sql_type: sql_type.into(),
            kind,
            data,
            non_finite: 0,
            level_bytes: 0,
        }
    }

    /// The heap bytes the column holds (for the memory budget while a relation is read).
    pub fn heap_bytes(&self) -> usize {
        match &self.data {
            ColumnData::Numeric(v) => v.capacity() * 8,
            ColumnData::Text { codes, .. } => codes.capacity() * 4 + self.level_bytes,
        }
    }

    pub fn len(&self) -> usize {
        match &self.data {
            ColumnData::Numeric(v) => v.len(),
            ColumnData::Text { codes, .. } => codes.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Appends a number (None = NULL). Text columns store its decimal form. NaN and ±Infinity
    /// are counted in `non_finite` and stored as NULL.
    pub fn push_number(&mut self, value: Option<f64>) {
        let value = match value {
            Some(x) if !x.is_finite() => {
                self.non_finite += 1;
                None
            }
            v => v,
        };
        match &mut self.data {
            ColumnData::Numeric(v) => push_grown(v, value.unwrap_or(f64::NAN)),
            ColumnData::Text { .. } => match value {
                Some(x) => self.push_text(Some(&format_number(x))),
                None => self.push_text(None),
            },
        }
    }

    /// Appends a string (None = NULL). Numeric columns parse it; unparsable text becomes NULL.
    pub fn push_text(&mut self, value: Option<&str>) {
        match &mut self.data {
            ColumnData::Numeric(v) => push_grown(
                v,
                value
                    .and_then(|s| s.trim().parse().ok())
                    .unwrap_or(f64::NAN),
            ),
            ColumnData::Text {
                codes,
                levels,
                index,
            } => {
                let code = match value {
                    None => NULL_CODE,
                    Some(s) => match index.get(s) {
                        Some(&c) => c,
                        None => {
                            let c = levels.len() as u32;
                            levels.push(s.to_string());
                            index.insert(s.to_string(), c);
                            // Two copies, two headers and the map's slot.
                            self.level_bytes += 2 * (s.len() + 24) + 16;
                            c
                        }
                    },
                };
                push_grown(codes, code);
            }
        }
    }

    pub fn is_null(&self, row: usize) -> bool {
        match &self.data {
            ColumnData::Numeric(v) => v.get(row).is_none_or(|x| x.is_nan()),
            ColumnData::Text { codes, .. } => codes.get(row).is_none_or(|&c| c == NULL_CODE),
        }
    }

    /// The value of a row as text, the way a label is shown to the user (None = NULL).
    pub fn text_at(&self, row: usize) -> Option<String> {
        match &self.data {
            ColumnData::Numeric(v) => {
                let x = *v.get(row)?;
                if x.is_nan() {
                    None
                } else if self.kind == ColumnKind::Boolean {
                    Some(if x != 0.0 { "true" } else { "false" }.to_string())
                } else {
                    Some(format_number(x))
                }
            }
            ColumnData::Text { codes, levels, .. } => {
                let c = *codes.get(row)?;
                levels.get(c as usize).cloned()
            }
        }
    }

    /// Keeps only the given rows, in the given order.
    /// Gives back the capacity the column grew past while it was read (up to a quarter of its
    /// data: `push_grown`).
    pub fn shrink_to_fit(&mut self) {
        match &mut self.data {
            ColumnData::Numeric(v) => v.shrink_to_fit(),
            ColumnData::Text { codes, .. } => codes.shrink_to_fit(),
        }
    }

    pub fn take(&self, rows: &[usize]) -> Column {
        let data = match &self.data {
            ColumnData::Numeric(v) => ColumnData::Numeric(rows.iter().map(|&r| v[r]).collect()),
            ColumnData::Text {
                codes,
                levels,
                index,
            } => ColumnData::Text {
                codes: rows.iter().map(|&r| codes[r]).collect(),
                levels: levels.clone(),
                index: index.clone(),
            },
        };
        Column {
            name: self.name.clone(),
            sql_type: self.sql_type.clone(),
            kind: self.kind,
            data,
            non_finite: self.non_finite,
            level_bytes: self.level_bytes,
        }
    }

    /// A 64-bit hash of one cell, for duplicate detection and fingerprints.
    pub fn cell_hash(&self, row: usize) -> u64 {
        match &self.data {
            ColumnData::Numeric(v) => {
                let x = v[row];
                mix(if x.is_nan() {
                    0x7FF8_DEAD
                } else {
                    (x + 0.0).to_bits()
                })
            }
            ColumnData::Text { codes, levels, .. } => {
                let c = codes[row];
                if c == NULL_CODE {
                    mix(0x7FF8_DEAE)
                } else {
                    str_hash(&levels[c as usize])
                }
            }
        }
    }
}

/// Numbers as Postgres prints them for integers, and shortest round-trip form otherwise.
pub fn format_number(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

pub fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

pub fn str_hash(s: &str) -> u64 {
    // FNV-1a, then mixed.
    let mut h: u64 = 0xCBF2_9CE4_8422_2325;
    for b in s.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x0100_0000_01B3);
    }
    mix(h)
}

#[derive(Debug, Clone, Default)]
pub struct Frame {
    pub columns: Vec<Column>,
}

impl Frame {
    pub fn nrows(&self) -> usize {
        self.columns.first().map_or(0, |c| c.len())
    }

    /// Finds a column by exact name, then by case-insensitive name when that is unambiguous.
    pub fn position(&self, name: &str) -> Option<usize> {
        if let Some(i) = self.columns.iter().position(|c| c.name == name) {
            return Some(i);
        }
        let lower = name.to_lowercase();
        let hits: Vec<usize> = (0..self.columns.len())
            .filter(|&i| self.columns[i].name.to_lowercase() == lower)
            .collect();
        if hits.len() == 1 {
            Some(hits[0])
        } else {
            None
        }
    }

    pub fn column(&self, name: &str) -> Option<&Column> {
        self.position(name).map(|i| &self.columns[i])
    }

    pub fn take(&self, rows: &[usize]) -> Frame {
        Frame {
            columns: self.columns.iter().map(|c| c.take(rows)).collect(),
        }
    }
}

/// Pushes onto a column being read, growing it by a quarter when full instead of doubling: a
/// column of a large table holds at most a quarter more than its data while it is read, not
/// twice (a large vector grows in place, by remapping its pages).
fn push_grown<T>(v: &mut Vec<T>, value: T) {
    if v.len() == v.capacity() {
        v.reserve_exact((v.len() / 4).max(1024));
    }
    v.push(value);
}

#[cfg(test)]
mod tests {

    use super::*;

    #[test]
    fn text_columns_are_dictionary_encoded() {
        let mut c = Column::new("plan", "text", ColumnKind::Text);
        for v in [Some("a"), Some("b"), None, Some("a")] {
            c.push_text(v);
        }
        match &c.data {
            ColumnData::Text { codes, levels, .. } => {
                assert_eq!(levels, &vec!["a".to_string(), "b".to_string()]);
                assert_eq!(codes, &vec![0, 1, NULL_CODE, 0]);
            }
            _ => panic!("not text"),
        }
        assert_eq!((0..c.len()).filter(|&r| c.is_null(r)).count(), 1);
        assert_eq!(c.text_at(3).as_deref(), Some("a"));
        assert_eq!(c.cell_hash(0), c.cell_hash(3));
        assert_ne!(c.cell_hash(0), c.cell_hash(1));
    }

    #[test]
    fn numbers_and_booleans_print_like_postgres() {
        let mut c = Column::new("flag", "boolean", ColumnKind::Boolean);
        c.push_number(Some(1.0));
        c.push_number(None);
        assert_eq!(c.text_at(0).as_deref(), Some("true"));
        assert_eq!(c.text_at(1), None);
        assert_eq!(format_number(3.0), "3");
        assert_eq!(format_number(2.5), "2.5");
    }

    #[test]
    fn column_lookup_falls_back_to_case_insensitive() {
        let f = Frame {
            columns: vec![Column::new("Age", "integer", ColumnKind::Integer)],
        };
        assert_eq!(f.position("Age"), Some(0));
        assert_eq!(f.position("age"), Some(0));
        assert_eq!(f.position("agex"), None);
    }
}
