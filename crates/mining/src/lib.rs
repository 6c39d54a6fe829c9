//! The mining core of pg_mining: everything that learns, scores and measures, in pure Rust. It
//! has no Postgres in its dependencies, so it cannot call into the server; the extension (the
//! workspace root) reads relations into [`common::frame::Frame`]s, runs this crate's work on its
//! thread pool and stores what comes back. `cargo test -p mining` runs all of it in seconds.
//!
//! # Layout
//! Folders by role, each importing only those before it in this list (tests/layout.rs checks
//! it, with no import circle and no file over 600 lines):
//! - [`common`]: the shared vocabulary, each type once (errors, frame, rng, Task and Labels,
//!   Progress, numeric helpers).
//! - [`prepare`]: a training run's options, columns, rows, split, search space, quality
//!   warnings and preprocessing; [`learners`]: one folder per algorithm family, plus the
//!   contract they implement (`learners/mod.rs`) and the hyperparameter spec (`learners/spec.rs`);
//!   [`association`]: FP-growth. A family never imports another family.
//! - [`model`]: the registry of algorithms, the estimator, the fitted model with its stored tags,
//!   the stored model and its bytes.
//! - [`evaluation`]: metrics, curves, cross-validation, drift, scoring a table.
//! - [`pipeline`]: a training run from a frame to a stored model, its report and deploy decision.
//! - [`report`]: dm_report's HTML page and dm_report_svg's charts, drawn from a stored model and
//!   the rows it was measured on.
//!
//! # Adding an algorithm
//! 1. Write it in its family's folder (`learners/<family>/`), or a new folder for a new family:
//!    the hyperparameter struct (serde `Serialize`: its JSON is what dm.models stores) and the
//!    fitted model (serde both ways: it is stored in model bytes).
//! 2. In the family's `mod.rs`, implement [`learners::Learner`] for the hyperparameters (`fit`,
//!    and `work_units` / `binning_seed` if they apply) and [`learners::Predict`] for the fitted
//!    model (what its task scores; explanations and importance if it has them), and declare a
//!    `pub const` [`learners::Entry`]: name, summary, tasks, hyperparameter spec (key, accepted
//!    forms and bounds, default, the bad-value message, what it does), default preprocessing,
//!    whether `auto` may try it, the key its hyperparameters are stored under, and `build` (the
//!    parsed hyperparameters to the struct).
//! 3. Add one line to [`model::registry::ALGORITHMS`].
//! 4. A new kind of fitted model (not one an existing algorithm already makes) also gets a
//!    variant of [`model::fitted::Fitted`] with the next free tag in `fitted::tag` and its
//!    `From` line there: stored model bytes name the kind by that tag.
//!
//! Then parsing, validation and its messages, `auto`'s candidates and the hyperparameter
//! reference (sql/docs/hyperparameters.md, regenerated with `PG_MINING_BLESS=1 cargo test -p
//! mining docs`) follow from the entry; the registry tests walk every key of it.

pub mod association;
pub mod common;
pub mod evaluation;
pub mod learners;
pub mod model;
pub mod pipeline;
pub mod prepare;
pub mod report;

#[cfg(test)]
pub(crate) mod test_support;
