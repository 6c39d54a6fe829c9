//! The per-backend model cache. Deserialized models are kept by catalog id and row stamp (xmin
//! and creation time: an id can be reused after DROP EXTENSION or TRUNCATE ... RESTART
//! IDENTITY, and a row changed by hand has a new xmin); which row a name points to is looked up
//! once and kept until dm.deployments or dm.models is invalidated, so scoring a row costs no
//! catalog query and no deserialization.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;

use pgrx::pg_sys;
use pgrx::prelude::*;

use super::models::{catalog_oids, load_bytes, parse_ref, resolve};
use crate::data::input::PlanCache;
use crate::pg::errors::OrRaise;
use mining::model::background::Background;
use mining::model::calibration::Calibrator;
use mining::model::format;
use mining::model::interval::Conformal;
use mining::model::stored::StoredModel;

pub struct Loaded {
    pub id: i64,
    pub name: String,
    pub version: i32,
    pub model: Arc<StoredModel>,
    pub plans: PlanCache,
    /// Scratch space for the encoded row.
    pub buf: RefCell<Vec<f64>>,
}

const MAX_MODELS: usize = 32;

/// A reference resolved earlier: found again with a short string compare, until an
/// invalidation of dm.deployments says the catalog changed.
struct Resolved {
    spec: String,
    model: Rc<Loaded>,
}

const MAX_RESOLVED: usize = 16;

thread_local! {
    static MODELS: RefCell<HashMap<(i64, String), Rc<Loaded>>> = RefCell::new(HashMap::new());
    static RESOLVED: RefCell<Vec<Resolved>> = const { RefCell::new(Vec::new()) };
    /// Set by the relcache callback; the next lookup forgets every resolution.
    static STALE: Cell<bool> = const { Cell::new(false) };
    static REGISTERED: Cell<bool> = const { Cell::new(false) };
    /// The oids of dm.deployments and dm.models, once known (0 before; forgotten when either
    /// is invalidated, so a dropped and re-created catalog is found again).
    static CATALOG: Cell<[u32; 2]> = const { Cell::new([0, 0]) };
    /// Changes whenever RESOLVED does: a Slot of an older generation is not used.
    static GENERATION: Cell<u64> = const { Cell::new(1) };
}

fn changed() {
    GENERATION.with(|g| g.set(g.get().wrapping_add(1)));
}

/// Where a call site's last resolution is kept: used while nothing was resolved, forgotten or
/// invalidated since, and only for the same model reference.
#[derive(Debug, Clone, Copy)]
pub struct Slot {
    generation: u64,
    index: usize,
    /// The role the slot's model was checked for (the score privilege).
    user: pg_sys::Oid,
}

/// The model a call site's slot holds for the reference `spec` (its bytes; None: the one the
/// slot was resolved for, as a literal name always is), unless an invalidation or a change of
/// the resolutions came since (then None: resolve by name again).
pub fn by_slot(slot: Slot, spec: Option<&[u8]>) -> Option<Rc<Loaded>> {
    if STALE.with(Cell::get)
        || GENERATION.with(Cell::get) != slot.generation
        || crate::pg::definer::current_user() != slot.user
    {
        return None;
    }
    RESOLVED.with(|r| {
        r.borrow()
            .get(slot.index)
            .filter(|e| spec.is_none_or(|b| e.spec.as_bytes() == b))
            .map(|e| e.model.clone())
    })
}

/// As `get`, with the slot the resolution is kept in.
pub fn get_with_slot(spec: &str) -> (Rc<Loaded>, Slot) {
    let model = get(spec);
    let index = RESOLVED.with(|r| r.borrow().iter().position(|e| e.spec == spec));
    let slot = Slot {
        // No slot to keep (not found): a generation that never matches.
        generation: if index.is_some() {
            GENERATION.with(Cell::get)
        } else {
            0
        },
        index: index.unwrap_or(usize::MAX),
        user: crate::pg::definer::current_user(),
    };
    (model, slot)
}

/// Relcache invalidations of dm.deployments or dm.models (sent by deploy, rollback, drop and
/// training at commit, by the catalog's statement triggers on any other change, by DROP
/// EXTENSION, and replayed locally on abort) mark the resolutions stale and the catalog's oids
/// unknown. Only sets flags: it runs inside Postgres' invalidation processing.
#[pg_guard]
unsafe extern "C-unwind" fn on_relcache(_arg: pg_sys::Datum, relid: pg_sys::Oid) {
    crate::data::input::row_types_changed();
    let known = CATALOG.with(Cell::get);
    if relid == pg_sys::InvalidOid || known[0] == 0 || known.contains(&relid.to_u32()) {
        STALE.with(|s| s.set(true));
        CATALOG.with(|c| c.set([0, 0]));
        super::rights::forget();
        super::version::forget();
        crate::pg::definer::forget_owner();
    }
}

fn ensure_registered() {
    if !REGISTERED.with(Cell::get) {
        // SAFETY: registering a callback that only sets a thread-local flag.
        unsafe {
            pg_sys::CacheRegisterRelcacheCallback(Some(on_relcache), pg_sys::Datum::from(0usize))
        };
        REGISTERED.with(|r| r.set(true));
    }
}

/// The model a reference (`name` or `name@N`) points to, loading it on first use, for a role
/// with the score privilege on it (42501 otherwise). Which version a name means, and the
/// role's right, are looked up once and kept until the catalog is invalidated, so scoring a
/// row — or a whole statement — costs no catalog query.
pub fn get(spec: &str) -> Rc<Loaded> {
    let model = find(spec);
    super::rights::require(&model.name, super::rights::Privilege::Score);
    model
}

fn find(spec: &str) -> Rc<Loaded> {
    ensure_registered();
    if STALE.with(|s| s.replace(false)) {
        RESOLVED.with(|r| r.borrow_mut().clear());
        changed();
    }
    let hit = RESOLVED.with(|r| {
        r.borrow()
            .iter()
            .find(|e| e.spec == spec)
            .map(|e| e.model.clone())
    });
    if let Some(model) = hit {
        return model;
    }
    if CATALOG.with(Cell::get)[0] == 0 {
        let (deployments, models) = catalog_oids();
        CATALOG.with(|c| c.set([deployments.to_u32(), models.to_u32()]));
    }
    let row = resolve(&parse_ref(spec));
    let model = load(spec, row);
    changed();
    RESOLVED.with(|r| {
        let mut r = r.borrow_mut();
        r.retain(|e| e.spec != spec);
        if r.len() >= MAX_RESOLVED {
            r.remove(0);
        }
        r.push(Resolved {
            spec: spec.to_string(),
            model: model.clone(),
        });
    });
    model
}

/// The deserialized model of a catalog row, decoded once per backend.
fn load(spec: &str, row: super::models::Resolved) -> Rc<Loaded> {
    let key = (row.id, row.stamp);
    if let Some(hit) = MODELS.with(|m| m.borrow().get(&key).cloned()) {
        return hit;
    }
    let (id, version) = (row.id, row.version);
    let stored = load_bytes(id);
    let mut model =
        format::decode_within(&stored.bytes, &crate::memory_budget()).or_raise_for(spec);
    model.threshold = stored.threshold;
    model.intervals = stored
        .residuals
        .map(Conformal::from_stored)
        .transpose()
        .or_raise_for(spec);
    model.calibration = stored
        .calibration
        .as_ref()
        .map(Calibrator::from_json)
        .transpose()
        .or_raise_for(spec);
    // Only explanations use the background: one that cannot be read leaves the model to
    // score, and dm_explain says it has none.
    model.background = super::models::load_background(id)
        .and_then(|b| Background::from_json(&b, model.prep.width()).ok());
    model.prepare_scoring();
    // Scoring some models is parallel (k-NN): size the pool before it first runs.
    crate::pg::pool::prepare();
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
        m.insert(key, loaded.clone());
    });
    loaded
}

/// Tells every backend (at commit; this one at once) that the catalog table `relid` changed.
pub fn catalog_changed(relid: pg_sys::Oid) {
    RESOLVED.with(|r| r.borrow_mut().clear());
    changed();
    super::rights::forget();
    // SAFETY: queues a relcache invalidation of a catalog table in this transaction.
    unsafe { pg_sys::CacheInvalidateRelcacheByRelid(relid) };
}

/// Tells every backend (at commit; this one at once) that deployments changed.
pub fn forget_names() {
    catalog_changed(catalog_oids().0);
}
