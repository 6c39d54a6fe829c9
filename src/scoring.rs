//! A relation scored by a stored model: read with the caller's rights (data/), scored on the
//! extension's pool (pg/pool.rs) while this thread checks for interrupts. What dm_evaluate, the
//! curves, dm_fairness, dm_drift and dm_report share.

use std::rc::Rc;
use std::sync::Arc;

use pgrx::prelude::*;

use crate::catalog::cache::{self, Loaded};
use crate::catalog::models;
use crate::data::reader;
use crate::pg::errors::OrRaise;
use crate::pg::pool;
use mining::common::budget::Budget;
use mining::common::error::Error;
use mining::common::frame::Frame;
use mining::common::progress::Progress;
use mining::evaluation::evaluate::{self, Scored};
use mining::evaluation::holdout::Which;
use mining::model::stored::StoredModel;
use mining::prepare::row_keys::RowKeys;

/// Reads `relation` and runs `job` (pure computation) with the model and the frame on the pool.
pub fn on_relation<T: Send + 'static>(
    model: &str,
    relation: &str,
    job: impl FnOnce(&StoredModel, &Frame, &Budget, &Progress) -> Result<T, Error> + Send + 'static,
) -> (Rc<Loaded>, Arc<Frame>, T) {
    let m = cache::get(model);
    let budget = crate::memory_budget();
    let read = reader::read(&reader::source_query(relation), &budget);
    let frame = Arc::new(read.frame);
    let (job_model, job_frame) = (m.model.clone(), frame.clone());
    let progress = Arc::new(Progress::default());
    let job_progress = progress.clone();
    let out = pool::run(
        &format!("model \"{model}\": scoring"),
        progress,
        0,
        move || job(&job_model, &job_frame, &budget, &job_progress),
    )
    .or_raise_for(model);
    (m, frame, out)
}

/// The WARNING when the rows measured include some the model `name` was trained on (call once
/// the measuring succeeded).
pub fn warn_training_rows(name: &str, scored: &Scored) {
    if let Some(w) = scored.holdout.and_then(|h| h.warning(scored.rows.len())) {
        warning!("model \"{name}\": {w}");
    }
}

/// Reads `relation` and scores it with `model` on the pool.
pub fn score_relation(model: &str, relation: &str) -> (String, Arc<Frame>, Scored) {
    let (m, frame, scored) = on_relation(model, relation, evaluate::score);
    (format!("{}@{}", m.name, m.version), frame, scored)
}

/// `score_relation` on the rows `which` selects, told apart by the version's row keys.
pub fn score_selected(model: &str, relation: &str, which: Which) -> (String, Arc<Frame>, Scored) {
    let keys = models::load_row_keys(cache::get(model).id);
    let (m, frame, scored) = on_relation(model, relation, move |m, f, b, p| {
        let keys = keys.as_deref().map(RowKeys::decode).transpose()?;
        evaluate::score_rows(m, f, keys.as_ref(), which, b, p)
    });
    (format!("{}@{}", m.name, m.version), frame, scored)
}
