//! The loaded library and the extension's SQL objects must be of one version: after a new
//! library is installed, SQL objects of an older version (before ALTER EXTENSION pg_mining
//! UPDATE) may declare functions with other arguments or miss catalog tables this code uses.
//! Checked before the first catalog statement of a backend, and again after the catalog is
//! invalidated.

use std::cell::Cell;

use crate::pg::errors::{raise, SqlError};

/// The version this library is (Cargo.toml; the control file's default_version).
pub const LIBRARY: &str = env!("CARGO_PKG_VERSION");

/// Versions whose SQL objects an `ALTER EXTENSION pg_mining UPDATE` brings to this one.
pub const UPGRADES_FROM: &[&str] = &["0.1.0", "0.2.0", "0.3.0"];

thread_local! {
    static CHECKED: Cell<bool> = const { Cell::new(false) };
}

/// Checks again at the next catalog statement.
pub fn forget() {
    CHECKED.with(|c| c.set(false));
}

/// An ERROR naming both versions unless the installed SQL objects are this library's.
pub fn check() {
    if CHECKED.with(Cell::get) {
        return;
    }
    let installed = crate::pg::spi::read_one::<String>(
        "SELECT e.extversion::pg_catalog.text FROM pg_catalog.pg_extension e \
         WHERE e.extname OPERATOR(pg_catalog.=) 'pg_mining'",
        &[],
    )
    .ok()
    .flatten();
    match installed {
        // Not installed (CREATE EXTENSION is running): nothing to compare.
        None => {}
        Some(v) if v == LIBRARY => CHECKED.with(|c| c.set(true)),
        Some(v) if UPGRADES_FROM.contains(&v.as_str()) => raise(SqlError::State(format!(
            "the pg_mining library is version {LIBRARY} but the extension's SQL objects in this \
             database are version {v}; run ALTER EXTENSION pg_mining UPDATE"
        ))),
        Some(v) => raise(SqlError::State(format!(
            "the pg_mining library is version {LIBRARY} but the extension's SQL objects in this \
             database are version {v}, which this library does not know; install the pg_mining \
             library of version {v}, or recreate the extension"
        ))),
    }
}
