//! pg_mining: the data-mining workflow inside PostgreSQL.
//!
//! The Postgres shell around the pure mining core (the `mining` crate, crates/mining): `api`
//! (SQL functions: parse arguments, call one function below, map errors), `training` (a
//! dm_train run inside the backend), `catalog` (dm.* tables and the model cache), `data`
//! (reading relations, scoring inputs), `pg` (errors, SPI helpers, the thread pool).

use pgrx::prelude::*;
use pgrx::{GucContext, GucFlags, GucRegistry, GucSetting};

pub mod api;
pub mod catalog;
pub mod data;
pub mod pg;
pub mod training;

::pgrx::pg_module_magic!(name, version);

extension_sql_file!("../sql/bootstrap.sql", name = "bootstrap", bootstrap);
extension_sql_file!("../sql/comments.sql", name = "comments", finalize);

static THREADS: GucSetting<i32> = GucSetting::<i32>::new(0);

/// Threads of the pool: pg_mining.threads, or the number of CPUs when it is 0.
pub fn threads() -> usize {
    match THREADS.get() {
        n if n > 0 => n as usize,
        _ => std::thread::available_parallelism().map_or(2, |n| n.get()),
    }
}

#[pg_guard]
pub extern "C-unwind" fn _PG_init() {
    GucRegistry::define_int_guc(
        c"pg_mining.threads",
        c"Threads pg_mining uses for training and parallel scoring (0 = one per CPU).",
        c"Read when a session first trains or loads a model; later changes apply to new sessions.",
        &THREADS,
        0,
        256,
        GucContext::Userset,
        GucFlags::default(),
    );
}

/// Required by `cargo pgrx test`.
#[cfg(test)]
pub mod pg_test {
    pub fn setup(_options: Vec<&str>) {}

    #[must_use]
    pub fn postgresql_conf_options() -> Vec<&'static str> {
        vec![]
    }
}
