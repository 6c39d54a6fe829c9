//! The shared vocabulary of the mining core, each type once: errors, the column table, the seeded
//! generator, tasks and labels, progress and cancel, the first-use cache beside a model, and the
//! small numeric helpers. Nothing here imports anything else of the crate.

pub mod budget;
pub mod derived;
pub mod error;
pub mod frame;
pub mod json;
pub mod numeric;
pub mod progress;
pub mod rng;
pub mod task;
