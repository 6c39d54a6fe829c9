//! The extension's rayon pool, sized by `pg_mining.threads`: rayon's global pool of the backend,
//! so training jobs and the parallel parts of scoring (the k-NN search) share the same threads.
//! Jobs are pure computation; the calling (main) thread waits, checks for interrupts and reports
//! progress meanwhile. Pool threads never call into Postgres.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use pgrx::pg_sys;
use pgrx::prelude::*;

use mining::common::error::{Error, Result};
use mining::common::progress::Progress;

static POOL: OnceLock<()> = OnceLock::new();

/// Sizes the backend's global rayon pool from pg_mining.threads, once (before any parallel
/// work; if something built it first, that pool is used).
pub fn prepare() {
    POOL.get_or_init(|| {
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(crate::threads())
            .thread_name(|i| format!("pg_mining-{i}"))
            .build_global();
    });
}

/// How long a caller that leaves early waits for its job to stop.
const STOP_WAIT: Duration = Duration::from_secs(2);

/// Tells the job to stop when the caller leaves early (an ERROR, a cancel), and waits until it
/// has (every long loop of a job polls the flag between bounded units of work, so this takes
/// well under a second): the pool is idle again when the ERROR reaches the client, and the
/// session's next job does not queue behind an orphan. Waits at most STOP_WAIT (a job that
/// does not stop by then is left to finish on its own).
struct CancelOnDrop {
    progress: Arc<Progress>,
    finished: Arc<AtomicBool>,
}

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.progress.cancel.store(true, Ordering::Relaxed);
        let start = Instant::now();
        while !self.finished.load(Ordering::Acquire) && start.elapsed() < STOP_WAIT {
            std::thread::sleep(Duration::from_millis(2));
        }
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
    prepare();
    let (tx, rx) = mpsc::channel();
    let finished = Arc::new(AtomicBool::new(false));
    let job_finished = finished.clone();
    rayon::spawn(move || {
        let out = catch_unwind(AssertUnwindSafe(job));
        job_finished.store(true, Ordering::Release);
        let _ = tx.send(out);
    });
    let _guard = CancelOnDrop {
        progress: progress.clone(),
        finished,
    };
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
