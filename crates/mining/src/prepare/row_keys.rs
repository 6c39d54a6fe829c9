//! True holdouts: a key per row a model was trained, validated and tested on, so that any
//! relation's rows can be told apart later (dm_evaluate's `rows`): the model's own test rows,
//! its training rows, or rows it never saw. A key is a 48-bit hash of the row's features (in the
//! model's order) and target: two rows with the same values have the same key, so a relation
//! read again, in any order, with rows added, finds the same rows; two other rows share one with
//! odds of about n / 2^48 per row (under 1 in 10^8 for a million training rows).
//!
//! Stored in `dm.models.row_keys` as sorted keys, delta-encoded in LEB128 varints: about 4 bytes
//! per row for a million rows, fewer for smaller sets.

use crate::common::error::{Error, Result};
use crate::common::frame::Column;
use crate::prepare::rows::row_hash;

/// Bits of a key.
const MASK: u64 = (1 << 48) - 1;
/// The encoding's first bytes (and its version).
const MAGIC: &[u8; 4] = b"RK1\0";
/// Rows above which a run keeps no keys (about 16 MB of them).
pub const MAX_ROWS: usize = 4_000_000;

/// The key of row `r` over `cols` (the features in the model's order, then the target).
pub fn key(cols: &[&Column], r: usize) -> u64 {
    row_hash(cols, r) & MASK
}

/// Which of a model's rows a row is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Train,
    Validation,
    Test,
}

/// The sorted keys of each part.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RowKeys {
    pub train: Vec<u64>,
    pub validation: Vec<u64>,
    pub test: Vec<u64>,
}

fn sorted(mut keys: Vec<u64>) -> Vec<u64> {
    keys.sort_unstable();
    keys.dedup();
    keys
}

impl RowKeys {
    /// The keys of a split's parts; `keys[p]` is the key of row position p.
    pub fn of_split(
        keys: &[u64],
        train: &[usize],
        validation: &[usize],
        test: &[usize],
    ) -> RowKeys {
        let pick =
            |rows: &[usize]| sorted(rows.iter().filter_map(|&p| keys.get(p).copied()).collect());
        RowKeys {
            train: pick(train),
            validation: pick(validation),
            test: pick(test),
        }
    }

    pub fn contains(&self, part: Part, key: u64) -> bool {
        let keys = match part {
            Part::Train => &self.train,
            Part::Validation => &self.validation,
            Part::Test => &self.test,
        };
        keys.binary_search(&key).is_ok()
    }

    /// Whether the model learned from the row (its training or validation rows).
    pub fn seen(&self, key: u64) -> bool {
        self.contains(Part::Train, key) || self.contains(Part::Validation, key)
    }

    pub fn encode(&self) -> Vec<u8> {
        let n = self.train.len() + self.validation.len() + self.test.len();
        let mut out = Vec::with_capacity(MAGIC.len() + 16 + n * 5);
        out.extend_from_slice(MAGIC);
        for part in [&self.train, &self.validation, &self.test] {
            varint(&mut out, part.len() as u64);
            let mut last = 0;
            for &k in part {
                varint(&mut out, k - last);
                last = k;
            }
        }
        out
    }

    pub fn decode(bytes: &[u8]) -> Result<RowKeys> {
        let bad = || {
            Error::data("the stored row keys are damaged (dm.models.row_keys); retrain the model to keep them again")
        };
        let mut rest = bytes.strip_prefix(MAGIC.as_slice()).ok_or_else(bad)?;
        let mut parts: [Vec<u64>; 3] = Default::default();
        for part in &mut parts {
            let n = read_varint(&mut rest).ok_or_else(bad)?;
            // Every key takes a byte at least: a count above what is left is damage.
            if n > rest.len() as u64 {
                return Err(bad());
            }
            let mut last: u64 = 0;
            for _ in 0..n {
                let d = read_varint(&mut rest).ok_or_else(bad)?;
                last = last.checked_add(d).filter(|k| *k <= MASK).ok_or_else(bad)?;
                part.push(last);
            }
        }
        if !rest.is_empty() {
            return Err(bad());
        }
        let [train, validation, test] = parts;
        Ok(RowKeys {
            train,
            validation,
            test,
        })
    }
}

fn varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn read_varint(bytes: &mut &[u8]) -> Option<u64> {
    let mut v: u64 = 0;
    for shift in (0..64).step_by(7) {
        let (&b, rest) = bytes.split_first()?;
        *bytes = rest;
        v |= u64::from(b & 0x7F).checked_shl(shift)?;
        if b < 0x80 {
            return Some(v);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::frame::ColumnKind;

    #[test]
    fn keys_round_trip_and_answer_membership() {
        let keys: Vec<u64> = (0..1000u64)
            .map(|i| crate::common::frame::mix(i) & MASK)
            .collect();
        let train: Vec<usize> = (0..700).collect();
        let test: Vec<usize> = (700..1000).collect();
        let rk = RowKeys::of_split(&keys, &train, &[], &test);
        let bytes = rk.encode();
        assert!(bytes.len() < 1000 * 7, "{} bytes", bytes.len());
        let back = RowKeys::decode(&bytes).unwrap();
        assert_eq!(back, rk);
        assert!(back.contains(Part::Test, keys[800]) && !back.contains(Part::Train, keys[800]));
        assert!(back.seen(keys[3]) && !back.seen(keys[999]));
        assert!(!back.seen(crate::common::frame::mix(5000) & MASK));
    }

    #[test]
    fn damaged_keys_are_an_error_not_a_panic() {
        let rk = RowKeys::of_split(&[5, 9, 1 << 40], &[0, 1], &[], &[2]);
        let bytes = rk.encode();
        for cut in 0..bytes.len() {
            assert!(RowKeys::decode(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        let mut extra = bytes.clone();
        extra.push(0);
        assert!(RowKeys::decode(&extra).is_err());
        assert!(RowKeys::decode(&[
            b'R', b'K', b'1', 0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01
        ])
        .is_err());
        // A key past 48 bits.
        assert!(RowKeys::decode(&[
            b'R', b'K', b'1', 0, 1, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01, 0, 0
        ])
        .is_err());
    }

    #[test]
    fn a_key_is_the_rows_values_wherever_the_row_is() {
        let mut a = Column::new("a", "double precision", ColumnKind::Float);
        let mut y = Column::new("y", "text", ColumnKind::Text);
        for (x, t) in [(1.0, "u"), (2.0, "v"), (1.0, "u"), (1.0, "v")] {
            a.push_number(Some(x));
            y.push_text(Some(t));
        }
        let cols = [&a, &y];
        assert_eq!(key(&cols, 0), key(&cols, 2));
        assert_ne!(key(&cols, 0), key(&cols, 3));
        assert!(key(&cols, 1) <= MASK);
    }
}
