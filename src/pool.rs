//! The extension's own rayon pool, sized by `pg_mining.threads`. Jobs are pure computation; the
//! calling (main) thread waits, checks for interrupts and reports progress meanwhile. Pool
//! threads never call into Postgres.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::Ordering;
use std::sync::mpsc;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use pgrx::pg_sys;
use pgrx::prelude::*;

use crate::mining::error::{Error, Result};
use crate::mining::forest::Progress;

static POOL: OnceLock<Option<rayon::ThreadPool>> = OnceLock::new();

fn pool() -> Option<&'static rayon::ThreadPool> {
    POOL.get_or_init(|| {
        let n = crate::threads();
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .thread_name(|i| format!("pg_mining-{i}"))
            .build()
            .ok()
    })
    .as_ref()
}

/// Tells the job to stop when the caller leaves early (an ERROR, a cancel).
struct CancelOnDrop(Arc<Progress>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.cancel.store(true, Ordering::Relaxed);
    }
}

/// Runs `job` on the pool. While it runs, checks for interrupts (Ctrl-C, statement_timeout)
/// and, when `total` > 0, says every few seconds how many of `total` units are done.
pub fn run<T: Send + 'static>(
    what: &str,
    progress: Arc<Progress>,
    total: usize,
    job: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    let Some(pool) = pool() else {
        return Err(Error::internal("cannot start the pg_mining thread pool"));
    };
    let (tx, rx) = mpsc::channel();
    pool.spawn(move || {
        let out = catch_unwind(AssertUnwindSafe(job));
        let _ = tx.send(out);
    });
    let _guard = CancelOnDrop(progress.clone());
    let start = Instant::now();
    let mut last_report = Instant::now();
    loop {
        match rx.recv_timeout(Duration::from_millis(50)) {
            Ok(Ok(result)) => return result,
            Ok(Err(panic)) => {
                let msg = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "unknown panic".into());
                return Err(Error::internal(format!(
                    "{what} failed inside the estimator: {msg}"
                )));
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                pg_sys::check_for_interrupts!();
                if total > 0 && last_report.elapsed() >= Duration::from_secs(5) {
                    last_report = Instant::now();
                    let done = progress.done.load(Ordering::Relaxed);
                    notice!(
                        "{what}: {done} of {total} done after {:.1} s",
                        start.elapsed().as_secs_f64()
                    );
                }
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                return Err(Error::internal(format!(
                    "{what}: the worker thread vanished"
                )));
            }
        }
    }
}
