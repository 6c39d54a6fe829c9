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
pub mod report;
pub mod scoring;
pub mod training;

::pgrx::pg_module_magic!(name, version);

extension_sql_file!("../sql/bootstrap.sql", name = "bootstrap", bootstrap);
extension_sql_file!(
    "../sql/views.sql",
    name = "views",
    requires = ["catalog_triggers", api::grants::dm_has_model_privilege]
);
extension_sql_file!("../sql/comments.sql", name = "comments", finalize);

static THREADS: GucSetting<i32> = GucSetting::<i32>::new(0);
static MAX_THREADS: GucSetting<i32> = GucSetting::<i32>::new(0);
static MAX_MEMORY_MB: GucSetting<i32> = GucSetting::<i32>::new(0);
static PUBLIC_SCORING: GucSetting<bool> = GucSetting::<bool>::new(false);

/// Whether a new model name gets a score grant to PUBLIC (pg_mining.public_scoring).
pub fn public_scoring() -> bool {
    PUBLIC_SCORING.get()
}

/// The machine's memory in bytes (/proc/meminfo; 4 GiB when it cannot be read).
fn physical_memory() -> usize {
    std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .find(|l| l.starts_with("MemTotal:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<usize>().ok())
        })
        .map_or(4 << 30, |kb| kb.saturating_mul(1024))
}

/// The memory budget of a run: pg_mining.max_memory, or a quarter of the machine's memory
/// when it is 0 (the default).
pub fn memory_budget() -> mining::common::budget::Budget {
    let bytes = match MAX_MEMORY_MB.get() {
        mb if mb > 0 => (mb as usize).saturating_mul(1 << 20),
        _ => physical_memory() / 4,
    };
    mining::common::budget::Budget::of_bytes(bytes)
}

/// The machine's CPUs.
fn cpus() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

/// Threads of the pool: pg_mining.threads (0: one per CPU), at most pg_mining.max_threads
/// (superuser-set; 0: the number of CPUs), so no role can ask for more.
pub fn threads() -> usize {
    let cap = match MAX_THREADS.get() {
        n if n > 0 => n as usize,
        _ => cpus(),
    };
    let asked = match THREADS.get() {
        n if n > 0 => n as usize,
        _ => cpus(),
    };
    asked.min(cap).max(1)
}

#[pg_guard]
pub extern "C-unwind" fn _PG_init() {
    GucRegistry::define_int_guc(
        c"pg_mining.threads",
        c"Threads pg_mining uses for training and parallel scoring (0 = one per CPU).",
        c"At most pg_mining.max_threads. Read when a session first trains or loads a model; later changes apply to new sessions.",
        &THREADS,
        0,
        1024,
        GucContext::Userset,
        GucFlags::default(),
    );
    GucRegistry::define_int_guc(
        c"pg_mining.max_threads",
        c"The most threads any session's pg_mining pool may have (0 = the number of CPUs).",
        c"Set by a superuser (postgresql.conf, ALTER SYSTEM, or SET as superuser); pg_mining.threads above it is capped.",
        &MAX_THREADS,
        0,
        1024,
        GucContext::Suset,
        GucFlags::default(),
    );
    GucRegistry::define_int_guc(
        c"pg_mining.max_memory",
        c"The most memory one pg_mining step may take (0 = a quarter of the machine's memory).",
        c"Set by a superuser. Reading a relation, encoding rows, the learners' large structures and loading a model are checked against it before they allocate; over it is ERROR 53200.",
        &MAX_MEMORY_MB,
        0,
        i32::MAX,
        GucContext::Suset,
        GucFlags::UNIT_MB,
    );
    GucRegistry::define_bool_guc(
        c"pg_mining.public_scoring",
        c"Whether a new model can be scored by every role (a score grant to PUBLIC at its first training).",
        c"Off by default: a model is scored by its owner and the roles it is granted to (dm_grant). Read when a model name is first trained.",
        &PUBLIC_SCORING,
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
