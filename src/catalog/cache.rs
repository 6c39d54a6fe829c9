//! The per-backend model cache. Deserialized models are kept by catalog id (a version's bytes
//! never change); which id a name points to is looked up once per statement, so scoring a row
//! costs no catalog query and no deserialization.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;

use pgrx::pg_sys;

use super::models::{load_bytes, parse_ref, resolve};
use crate::api::errors::OrRaise;
use crate::data::input::PlanCache;
use crate::mining::model::StoredModel;
use crate::mining::model_format;

pub struct Loaded {
    pub id: i64,
    pub name: String,
    pub version: i32,
    pub model: Arc<StoredModel>,
    pub plans: PlanCache,
    /// Scratch space for the encoded row.
    pub buf: RefCell<Vec<f64>>,
}

/// Identifies the current statement (and command within it).
type Stamp = (i64, u32);

fn stamp() -> Stamp {
    unsafe {
        (
            pg_sys::GetCurrentStatementStartTimestamp(),
            pg_sys::GetCurrentCommandId(false),
        )
    }
}

const MAX_MODELS: usize = 32;

/// A reference resolved in some statement: scoring a row finds it with a short string compare.
struct Resolved {
    spec: String,
    stamp: Stamp,
    model: Rc<Loaded>,
}

const MAX_RESOLVED: usize = 16;

thread_local! {
    static MODELS: RefCell<HashMap<i64, Rc<Loaded>>> = RefCell::new(HashMap::new());
    static RESOLVED: RefCell<Vec<Resolved>> = const { RefCell::new(Vec::new()) };
}

/// The model a reference (`name` or `name@N`) points to, loading it on first use.
pub fn get(spec: &str) -> Rc<Loaded> {
    let now = stamp();
    let hit = RESOLVED.with(|r| {
        r.borrow()
            .iter()
            .find(|e| e.stamp == now && e.spec == spec)
            .map(|e| e.model.clone())
    });
    if let Some(model) = hit {
        return model;
    }
    let (id, version) = resolve(&parse_ref(spec));
    let model = load(spec, id, version);
    RESOLVED.with(|r| {
        let mut r = r.borrow_mut();
        r.retain(|e| e.spec != spec);
        if r.len() >= MAX_RESOLVED {
            r.remove(0);
        }
        r.push(Resolved {
            spec: spec.to_string(),
            stamp: now,
            model: model.clone(),
        });
    });
    model
}

/// The deserialized model of a catalog id, decoded once per backend.
fn load(spec: &str, id: i64, version: i32) -> Rc<Loaded> {
    if let Some(hit) = MODELS.with(|m| m.borrow().get(&id).cloned()) {
        return hit;
    }
    let bytes = load_bytes(id);
    let model = model_format::decode(&bytes).or_raise_for(spec);
    let loaded = Rc::new(Loaded {
        id,
        name: parse_ref(spec).name,
        version,
        model: Arc::new(model),
        plans: PlanCache::default(),
        buf: RefCell::new(Vec::new()),
    });
    MODELS.with(|m| {
        let mut m = m.borrow_mut();
        if m.len() >= MAX_MODELS {
            m.clear();
        }
        m.insert(id, loaded.clone());
    });
    loaded
}

/// Forgets name resolutions (after a deploy, rollback or drop in this backend).
pub fn forget_names() {
    RESOLVED.with(|r| r.borrow_mut().clear());
}

/// Forgets a model entirely (after it was dropped).
pub fn forget_model(id: i64) {
    MODELS.with(|m| m.borrow_mut().remove(&id));
}
