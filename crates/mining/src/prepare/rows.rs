//! Row-level cleaning: rows without a target, exact duplicates, and the data fingerprint.

use std::collections::HashMap;

use crate::common::error::Result;
use crate::common::frame::{mix, Column};
use crate::common::progress::Cancel;

/// A row's hash over the given columns.
pub fn row_hash(cols: &[&Column], r: usize) -> u64 {
    cols.iter().enumerate().fold(0x1234_5678u64, |h, (i, c)| {
        mix(h ^ c.cell_hash(r).wrapping_add(i as u64))
    })
}

/// Order-independent 64-bit fingerprint of the rows, in hex, with the row count.
pub fn fingerprint(cols: &[&Column], rows: &[usize]) -> String {
    let sum = rows
        .iter()
        .fold(0u64, |acc, &r| acc.wrapping_add(row_hash(cols, r)));
    format!("{:016x}-{}", mix(sum ^ rows.len() as u64), rows.len())
}

/// Rows hashed between two looks at the cancel flag.
const CANCEL_ROWS: usize = 65_536;

/// Rows with a target, without exact duplicates over `used` when `dedup` (first one kept).
/// Returns (rows, rows with a NULL target, duplicates dropped).
/// Without a target (unsupervised runs) every row is kept.
pub fn keep(
    target: Option<&Column>,
    used: &[&Column],
    dedup: bool,
    cancel: &Cancel,
) -> Result<(Vec<usize>, usize, usize)> {
    let n = target.or(used.first().copied()).map_or(0, |c| c.len());
    let mut rows: Vec<usize> = (0..n)
        .filter(|&r| target.is_none_or(|t| !t.is_null(r)))
        .collect();
    let null_targets = n - rows.len();
    let mut duplicates = 0;
    if dedup {
        let mut seen: HashMap<u64, Vec<usize>> = HashMap::with_capacity(rows.len());
        let mut kept = Vec::with_capacity(rows.len());
        for group in rows.chunks(CANCEL_ROWS) {
            cancel.check()?;
            for &r in group {
                let bucket = seen.entry(row_hash(used, r)).or_default();
                let dup = bucket
                    .iter()
                    .any(|&o| used.iter().all(|c| c.cell_hash(o) == c.cell_hash(r)));
                if dup {
                    duplicates += 1;
                } else {
                    bucket.push(r);
                    kept.push(r);
                }
            }
        }
        rows = kept;
    }
    Ok((rows, null_targets, duplicates))
}
