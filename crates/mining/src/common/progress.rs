//! Shared between a training job on the pool and the thread that waits for it: the waiting
//! thread sets `cancel` (Ctrl-C, statement_timeout) and reads `done` for progress messages;
//! the job polls `cancel` between bounded units of work and counts what it finished.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

#[derive(Debug, Default)]
pub struct Progress {
    /// Shared with every `child`: one cancel stops them all.
    pub cancel: Arc<AtomicBool>,
    pub done: AtomicUsize,
}

/// A run's cancel flag as its preparation sees it (in `TrainOptions`, beside the memory budget;
/// never a key of `options`). It is not part of what a run is: any two compare equal.
#[derive(Debug, Clone, Default)]
pub struct Cancel(pub Arc<AtomicBool>);

impl PartialEq for Cancel {
    fn eq(&self, _: &Cancel) -> bool {
        true
    }
}

impl Cancel {
    /// The cancel error once the run is cancelled, or Ok.
    pub fn check(&self) -> crate::common::error::Result<()> {
        stopped(&self.0)
    }
}

impl Progress {
    /// A progress of its own count for a part of the job (a fold's fit), cancelled with this
    /// one.
    pub fn child(&self) -> Progress {
        Progress {
            cancel: self.cancel.clone(),
            done: AtomicUsize::new(0),
        }
    }

    pub fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }

    /// The cancel error once the job is cancelled, or Ok.
    pub fn check(&self) -> crate::common::error::Result<()> {
        stopped(&self.cancel)
    }

    /// Counts one more unit of work done.
    pub fn tick(&self) {
        self.done.fetch_add(1, Ordering::Relaxed);
    }
}

/// The error of a cancelled job (never shown: the statement's own cancel ERROR comes first),
/// or Ok.
fn stopped(flag: &AtomicBool) -> crate::common::error::Result<()> {
    if flag.load(Ordering::Relaxed) {
        Err(crate::common::error::Error::internal(
            "training was cancelled",
        ))
    } else {
        Ok(())
    }
}
