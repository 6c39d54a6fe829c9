//! The memory budget of a run: every allocation whose size comes from the data or the
//! hyperparameters is checked against it before it is made (`check`), so that a large request
//! is an ERROR naming the step, not a failed allocation that takes the server down. The
//! extension sets it from pg_mining.max_memory; pure-Rust callers may leave it unlimited.

use crate::common::error::{Error, ErrorKind, Result};

/// The setting the limit comes from, for messages.
pub const SETTING: &str = "pg_mining.max_memory";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    limit: usize,
}

impl Default for Budget {
    fn default() -> Self {
        Budget::unlimited()
    }
}

fn mb(bytes: usize) -> String {
    let m = bytes as f64 / (1024.0 * 1024.0);
    if m >= 10.0 {
        format!("{m:.0} MB")
    } else {
        format!("{m:.1} MB")
    }
}

fn kb(bytes: usize) -> String {
    format!("{} kB", bytes.div_ceil(1024))
}

impl Budget {
    pub const fn of_bytes(limit: usize) -> Budget {
        Budget { limit }
    }

    pub const fn unlimited() -> Budget {
        Budget { limit: usize::MAX }
    }

    pub fn limit(&self) -> usize {
        self.limit
    }

    /// An error (SQLSTATE 53200) when `step` would need more than the budget.
    pub fn check(&self, step: &str, bytes: usize) -> Result<()> {
        if bytes <= self.limit {
            return Ok(());
        }
        // Sizes that would read the same in MB are given in kB.
        let (need, limit) = if mb(bytes) == mb(self.limit) {
            (kb(bytes), kb(self.limit))
        } else {
            (mb(bytes), mb(self.limit))
        };
        let need = if bytes == usize::MAX {
            "more memory than can be counted".to_string()
        } else {
            format!("about {need}")
        };
        Err(Error::new(
            ErrorKind::OutOfMemory,
            format!("{step} needs {need}, over the memory budget of {limit} ({SETTING})"),
        ))
    }

    /// The error of a step found over the budget while it ran (how far over is not known).
    pub fn exceeded(&self, step: &str) -> Error {
        Error::new(
            ErrorKind::OutOfMemory,
            format!(
                "{step} needs more than the memory budget of {} ({SETTING})",
                mb(self.limit)
            ),
        )
    }

    /// `check` for `count` items of `size` bytes each (an overflow is over any budget).
    pub fn check_items(&self, step: &str, count: usize, size: usize) -> Result<()> {
        self.check(step, count.saturating_mul(size))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn over_the_budget_is_an_error_naming_the_step_and_the_setting() {
        let b = Budget::of_bytes(10 << 20);
        assert!(b.check("encoding", 10 << 20).is_ok());
        let e = b
            .check_items("encoding the training rows", 2_000_000, 8)
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::OutOfMemory);
        assert_eq!(
            e.message,
            "encoding the training rows needs about 15 MB, over the memory budget of 10 MB (pg_mining.max_memory)"
        );
        assert!(b
            .check_items("x", usize::MAX, 2)
            .unwrap_err()
            .message
            .contains("can be counted"));
        assert!(Budget::unlimited().check_items("x", 1 << 40, 8).is_ok());
        assert_eq!(
            Budget::of_bytes(1 << 20)
                .check("x", (1 << 20) + 5000)
                .unwrap_err()
                .message,
            "x needs about 1029 kB, over the memory budget of 1024 kB (pg_mining.max_memory)"
        );
    }
}
