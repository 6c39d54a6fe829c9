//! dm_grant, dm_revoke, dm_has_model_privilege: rights on a model (catalog/rights.rs).

use pgrx::prelude::*;

use super::args::required;
use crate::catalog::rights::{self, Privilege, PRIVILEGES};
use crate::catalog::{cache, grants, models};
use crate::pg::errors::{raise, SqlError};
use mining::common::error::Error;

fn privilege(name: &str, p: &str) -> Privilege {
    Privilege::parse(p).unwrap_or_else(|| {
        raise(SqlError::Mining(Error::param(format!(
            "model \"{name}\": unknown privilege \"{p}\"; use one of {PRIVILEGES}"
        ))))
    })
}

/// Grants a privilege on a model (score, train, deploy or manage) to a role or PUBLIC; only
/// the model's owner may. Returns false when the role already had it.
#[pg_extern(volatile)]
fn dm_grant(model: &str, role: &str, privilege: &str) -> bool {
    let name = models::check_name(model);
    let p = self::privilege(name, privilege);
    rights::require_owner(name, "grant privileges on it");
    let grantee = rights::role_named(role);
    models::lock_name(name);
    let granted = grants::grant(name, grantee, p);
    cache::forget_names();
    granted
}

/// Revokes a privilege (every privilege when NULL) on a model from a role or PUBLIC; only the
/// model's owner may. Returns how many grants were removed.
#[pg_extern(volatile)]
fn dm_revoke(
    model: Option<&str>,
    role: Option<&str>,
    privilege: default!(Option<&str>, "NULL"),
) -> i64 {
    // Not STRICT (the privilege is optional): a NULL model or role is an ERROR, not a panic.
    let name = models::check_name(required(model, "dm_revoke", "model"));
    let role = required(role, "dm_revoke", "role");
    let p = privilege.map(|p| self::privilege(name, p));
    rights::require_owner(name, "revoke privileges on it");
    let grantee = rights::role_named(role);
    models::lock_name(name);
    let n = grants::revoke(name, grantee, p);
    cache::forget_names();
    n
}

/// Whether the current role holds a privilege on a model (false when there is no such model);
/// the catalog's views show each role the rows this allows.
#[pg_extern(stable, parallel_safe)]
fn dm_has_model_privilege(model: &str, privilege: &str) -> bool {
    let p = self::privilege(model, privilege);
    rights::holds(model, p).unwrap_or(false)
}
