//! Who may do what with a model. A model name belongs to a role (dm.owners: the role that first
//! trained it, or the role its first training named with `options.owner`); the owner, the roles
//! that have its privileges (members of it) and superusers may do everything, including
//! granting. Others need a grant (dm.grants), to a role they have the privileges of or to
//! PUBLIC:
//!   score   predict, explain, evaluate, see the model in dm.summary / dm.deployed;
//!   train   train new versions (and score);
//!   deploy  deploy and roll back (and score);
//!   manage  all of these, drop versions or the model, create typed predict functions, run
//!           dm_drift, and read the stored internals (dm.versions).
//! Answers are kept per role and model until the catalog or a role membership changes.

use std::cell::{Cell, RefCell};

use pgrx::pg_sys;

use super::owned::read_one;
use crate::pg::definer::{current_user, has_privs_of, is_superuser};
use crate::pg::errors::{raise, SqlError};
use crate::pg::spi::{row_or_none, spi_fail};

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Privilege {
    Score,
    Train,
    Deploy,
    Manage,
}

pub const PRIVILEGES: &str = "score, train, deploy, manage";

impl Privilege {
    pub fn parse(s: &str) -> Option<Privilege> {
        match s.to_ascii_lowercase().as_str() {
            "score" => Some(Privilege::Score),
            "train" => Some(Privilege::Train),
            "deploy" => Some(Privilege::Deploy),
            "manage" => Some(Privilege::Manage),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Privilege::Score => "score",
            Privilege::Train => "train",
            Privilege::Deploy => "deploy",
            Privilege::Manage => "manage",
        }
    }

    /// The stored grants that give this privilege.
    fn given_by(self) -> Vec<String> {
        let names: &[&str] = match self {
            Privilege::Score => &["score", "train", "deploy", "manage"],
            Privilege::Train => &["train", "manage"],
            Privilege::Deploy => &["deploy", "manage"],
            Privilege::Manage => &["manage"],
        };
        names.iter().map(|s| s.to_string()).collect()
    }
}

thread_local! {
    /// (role, model, privilege) → allowed.
    static ANSWERS: RefCell<Vec<(u32, String, Privilege, bool)>> = const { RefCell::new(Vec::new()) };
    static STALE: Cell<bool> = const { Cell::new(false) };
    static REGISTERED: Cell<bool> = const { Cell::new(false) };
}

const MAX_ANSWERS: usize = 64;

/// Forgets every answer (the catalog changed). Only sets a flag: it may run inside Postgres'
/// invalidation processing.
pub fn forget() {
    STALE.with(|s| s.set(true));
}

#[pgrx::pg_guard]
unsafe extern "C-unwind" fn on_roles(_arg: pg_sys::Datum, _cache: i32, _hash: u32) {
    forget();
}

fn ensure_registered() {
    if REGISTERED.with(Cell::get) {
        return;
    }
    // SAFETY: callbacks that only set a thread-local flag, for role and membership changes.
    unsafe {
        for cache in [
            pg_sys::SysCacheIdentifier::AUTHMEMROLEMEM,
            pg_sys::SysCacheIdentifier::AUTHOID,
        ] {
            pg_sys::CacheRegisterSyscacheCallback(
                cache as i32,
                Some(on_roles),
                pg_sys::Datum::from(0usize),
            );
        }
    }
    REGISTERED.with(|r| r.set(true));
}

/// The owner of a model name (None: no such model).
pub fn owner_of(name: &str) -> Option<pg_sys::Oid> {
    row_or_none(read_one::<pg_sys::Oid>(
        "SELECT o.owner::pg_catalog.oid FROM dm.owners o WHERE o.name OPERATOR(pg_catalog.=) $1",
        &[name.into()],
    ))
}

/// The roles a privilege on the model is granted to (InvalidOid: PUBLIC).
fn grantees(name: &str, p: Privilege) -> Vec<pg_sys::Oid> {
    read_one::<Vec<pg_sys::Oid>>(
        "SELECT pg_catalog.array_agg(g.grantee::pg_catalog.oid) FROM dm.grants g \
         WHERE g.name OPERATOR(pg_catalog.=) $1 AND g.privilege OPERATOR(pg_catalog.=) ANY ($2)",
        &[name.into(), p.given_by().into()],
    )
    .unwrap_or_else(|e| spi_fail(e))
    .unwrap_or_default()
}

/// Whether the calling role owns the model (is, or has the privileges of, its owner role).
pub fn owns(name: &str) -> Option<bool> {
    let user = current_user();
    let owner = owner_of(name)?;
    Some(is_superuser(user) || has_privs_of(user, owner))
}

/// Whether the calling role holds `p` on the model (None: no such model).
pub fn holds(name: &str, p: Privilege) -> Option<bool> {
    ensure_registered();
    let user = current_user();
    if STALE.with(|s| s.replace(false)) {
        ANSWERS.with(|a| a.borrow_mut().clear());
    }
    let key = user.to_u32();
    let hit = ANSWERS.with(|a| {
        a.borrow()
            .iter()
            .find(|(u, n, q, _)| *u == key && n == name && *q == p)
            .map(|e| e.3)
    });
    if hit.is_some() {
        return hit;
    }
    let allowed = if owns(name)? {
        true
    } else {
        grantees(name, p)
            .into_iter()
            .any(|g| g == pg_sys::InvalidOid || has_privs_of(user, g))
    };
    ANSWERS.with(|a| {
        let mut a = a.borrow_mut();
        if a.len() >= MAX_ANSWERS {
            a.clear();
        }
        a.push((key, name.to_string(), p, allowed));
    });
    Some(allowed)
}

fn denied(name: &str, what: &str) -> ! {
    raise(SqlError::Privilege(format!(
        "permission denied for model \"{name}\": {what}"
    )))
}

/// Raises 42704 when there is no such model and 42501 when the caller lacks `p`.
pub fn require(name: &str, p: Privilege) {
    match holds(name, p) {
        Some(true) => {}
        Some(false) => denied(name, &format!("the \"{}\" privilege is needed", p.name())),
        None => raise(SqlError::UndefinedObject(format!(
            "model \"{name}\" does not exist"
        ))),
    }
}

/// Raises 42501 unless the caller owns the model (42704 when there is none).
pub fn require_owner(name: &str, what: &str) {
    match owns(name) {
        Some(true) => {}
        Some(false) => denied(name, &format!("only its owner may {what}")),
        None => raise(SqlError::UndefinedObject(format!(
            "model \"{name}\" does not exist"
        ))),
    }
}

/// A role by its exact name; `public` is PUBLIC (InvalidOid).
pub fn role_named(role: &str) -> pg_sys::Oid {
    if role.eq_ignore_ascii_case("public") {
        return pg_sys::InvalidOid;
    }
    let found = crate::pg::spi::read_one::<pg_sys::Oid>(
        "SELECT r.oid FROM pg_catalog.pg_roles r WHERE r.rolname OPERATOR(pg_catalog.=) $1",
        &[role.into()],
    )
    .ok()
    .flatten();
    match found {
        Some(oid) => oid,
        None => raise(SqlError::UndefinedObject(format!(
            "role \"{role}\" does not exist"
        ))),
    }
}

/// What a training of `name` may do, checked before any work: a new name is owned by the
/// caller (or by `owner`, a role the caller has the privileges of); an existing one needs the
/// train privilege. Returns the owner to record for a new name (None: the name exists) and
/// whether the run may deploy.
pub fn for_training(name: &str, owner: Option<&str>) -> (Option<pg_sys::Oid>, bool) {
    let user = current_user();
    match owner_of(name) {
        None => {
            let role = owner.map_or(user, role_named);
            if role == pg_sys::InvalidOid {
                raise(SqlError::Mining(mining::common::error::Error::param(
                    format!("model \"{name}\": option \"owner\" must name a role, not PUBLIC"),
                )));
            }
            if !is_superuser(user) && !has_privs_of(user, role) {
                denied(
                    name,
                    &format!(
                        "option \"owner\" names role \"{}\", whose privileges the current role does not have",
                        owner.unwrap_or_default()
                    ),
                );
            }
            (Some(role), true)
        }
        Some(existing) => {
            if owner.is_some_and(|o| role_named(o) != existing) {
                raise(SqlError::Mining(mining::common::error::Error::param(format!(
                    "model \"{name}\": option \"owner\" applies to a new model only; this one is owned by another role"
                ))));
            }
            require(name, Privilege::Train);
            (None, holds(name, Privilege::Deploy).unwrap_or(false))
        }
    }
}

/// Whether the caller has the privileges of the pg_mining extension's owner (who may drop it).
pub fn owns_extension() -> bool {
    crate::pg::spi::read_one::<pg_sys::Oid>(
        "SELECT e.extowner FROM pg_catalog.pg_extension e \
         WHERE e.extname OPERATOR(pg_catalog.=) 'pg_mining'",
        &[],
    )
    .ok()
    .flatten()
    .is_some_and(|owner| has_privs_of(current_user(), owner))
}
