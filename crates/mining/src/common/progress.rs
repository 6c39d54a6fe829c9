//! Shared between a training job on the pool and the thread that waits for it: the waiting
//! thread sets `cancel` (Ctrl-C, statement_timeout) and reads `done` for progress messages;
//! the job polls `cancel` between bounded units of work and counts what it finished.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

#[derive(Debug, Default)]
pub struct Progress {
    pub cancel: AtomicBool,
    pub done: AtomicUsize,
}

impl Progress {
    pub fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }

    /// Counts one more unit of work done.
    pub fn tick(&self) {
        self.done.fetch_add(1, Ordering::Relaxed);
    }
}
