//! The per-backend model cache. Deserialized models are kept by catalog id (a version's bytes
//! never change); which id a name points to is looked up once per statement, so scoring a row
//! costs no catalog query and no deserialization.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

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
    pub model: StoredModel,
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

thread_local! {
    static MODELS: RefCell<HashMap<i64, Rc<Loaded>>> = RefCell::new(HashMap::new());
    static RESOLVED: RefCell<HashMap<String, (Stamp, i64, i32)>> = RefCell::new(HashMap::new());
}

/// The model a reference (`name` or `name@N`) points to, loading it on first use.
pub fn get(spec: &str) -> Rc<Loaded> {
    let now = stamp();
    let known = RESOLVED.with(|r| {
        r.borrow()
            .get(spec)
            .filter(|(s, _, _)| *s == now)
            .map(|&(_, id, v)| (id, v))
    });
    let (id, version) = match known {
        Some(hit) => hit,
        None => {
            let (id, v) = resolve(&parse_ref(spec));
            RESOLVED.with(|m| m.borrow_mut().insert(spec.to_string(), (now, id, v)));
            (id, v)
        }
    };
    if let Some(hit) = MODELS.with(|m| m.borrow().get(&id).cloned()) {
        return hit;
    }
    let bytes = load_bytes(id);
    let model = model_format::decode(&bytes).or_raise_for(spec);
    let loaded = Rc::new(Loaded {
        id,
        name: parse_ref(spec).name,
        version,
        model,
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
