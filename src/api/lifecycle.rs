//! dm_deploy, dm_rollback, dm_drop_model: ordinary transactional changes to dm.deployments
//! and dm.models; dm_catalog_changed, the trigger that tells every backend of any other change.

use pgrx::prelude::*;

use crate::catalog::{cache, models};
use crate::pg::errors::{raise, SqlError};

fn no_model(name: &str) -> ! {
    raise(SqlError::UndefinedObject(format!(
        "model \"{name}\" does not exist"
    )))
}

/// Deploys a version; returns it.
#[pg_extern(volatile)]
fn dm_deploy(model: &str, version: i32) -> i32 {
    let name = models::check_name(model);
    models::lock_name(name);
    if !models::version_exists(name, version) {
        if !models::exists(name) {
            no_model(name);
        }
        raise(SqlError::UndefinedObject(format!(
            "model \"{name}\" has no version {version}"
        )));
    }
    let current = models::current_deployment(name);
    models::push_deployment(name, version, "deploy", current.map(|d| d.id));
    cache::forget_names();
    version
}

/// Returns to the version deployed before the current deployment; returns that version.
#[pg_extern(volatile)]
fn dm_rollback(model: &str) -> i32 {
    let name = models::check_name(model);
    models::lock_name(name);
    let Some(current) = models::current_deployment(name) else {
        if !models::exists(name) {
            no_model(name);
        }
        raise(SqlError::State(format!(
            "model \"{name}\" has never been deployed"
        )));
    };
    let target = current.previous.and_then(models::rollback_target);
    let Some((version, previous)) = target else {
        raise(SqlError::State(format!(
            "model \"{name}\" has no earlier deployment to roll back to (version {} is the first)",
            current.version
        )));
    };
    if !models::version_exists(name, version) {
        raise(SqlError::State(format!(
            "model \"{name}\" would roll back to version {version}, which was dropped; use dm_deploy"
        )));
    }
    models::push_deployment(name, version, "rollback", previous);
    cache::forget_names();
    version
}

/// Drops one version, or the whole model with its history; returns the versions dropped.
#[pg_extern(volatile)]
fn dm_drop_model(model: Option<&str>, version: default!(Option<i32>, "NULL")) -> i64 {
    let name = models::check_name(super::args::required(model, "dm_drop_model", "model"));
    models::lock_name(name);
    if !models::exists(name) {
        no_model(name);
    }
    if let Some(v) = version {
        if !models::version_exists(name, v) {
            raise(SqlError::UndefinedObject(format!(
                "model \"{name}\" has no version {v}"
            )));
        }
        if models::current_deployment(name).is_some_and(|d| d.version == v) {
            raise(SqlError::State(format!(
                "version {v} of model \"{name}\" is deployed; deploy another version first, or drop the whole model"
            )));
        }
    }
    let n = models::delete(name, version);
    cache::forget_names();
    n
}

/// AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ... FOR EACH STATEMENT on dm.models and
/// dm.deployments: at commit every backend forgets which stored row a model name means, so a
/// change made by hand (an INSERT into dm.deployments, an UPDATE of model_bytes) is seen by the
/// next statement everywhere, as a deploy is.
#[pg_trigger]
fn dm_catalog_changed<'a>(
    trigger: &'a pgrx::PgTrigger<'a>,
) -> Result<Option<PgHeapTuple<'a, pgrx::AllocatedByPostgres>>, pgrx::heap_tuple::PgHeapTupleError>
{
    match trigger.relid() {
        Ok(relid) => cache::catalog_changed(relid),
        Err(e) => raise(SqlError::Internal(format!("dm_catalog_changed: {e}"))),
    }
    Ok(None)
}

extension_sql!(
    r#"
CREATE TRIGGER models_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON dm.models
    FOR EACH STATEMENT EXECUTE FUNCTION dm_catalog_changed();
CREATE TRIGGER deployments_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON dm.deployments
    FOR EACH STATEMENT EXECUTE FUNCTION dm_catalog_changed();
"#,
    name = "catalog_triggers",
    requires = [dm_catalog_changed],
);
