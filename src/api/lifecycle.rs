//! dm_deploy, dm_rollback, dm_drop_model: ordinary transactional changes to dm.deployments
//! and dm.models; dm_catalog_changed, the trigger that tells every backend of any other change;
//! dm.drop_extension_warning, the event trigger that says what DROP EXTENSION deletes.

use pgrx::prelude::*;

use super::args::required;
use crate::catalog::rights::{self, Privilege};
use crate::catalog::{cache, grants, models};
use crate::pg::errors::{raise, SqlError};
use mining::common::error::Error;

fn no_model(name: &str) -> ! {
    raise(SqlError::UndefinedObject(format!(
        "model \"{name}\" does not exist"
    )))
}

/// Deploys a version; returns it.
#[pg_extern(volatile)]
fn dm_deploy(model: &str, version: i32) -> i32 {
    let name = models::check_name(model);
    rights::require(name, Privilege::Deploy);
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
    rights::require(name, Privilege::Deploy);
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

/// Drops one version, or the whole model with its history, owner and grants; returns the
/// versions dropped. Refuses while a scoring trigger or a typed predict function depends on
/// what it drops, unless `cascade`, which drops those first (with the caller's rights) and
/// says so.
#[pg_extern(volatile)]
fn dm_drop_model(
    model: Option<&str>,
    version: default!(Option<i32>, "NULL"),
    cascade: default!(bool, "false"),
) -> i64 {
    let name = models::check_name(super::args::required(model, "dm_drop_model", "model"));
    rights::require(name, Privilege::Manage);
    models::lock_name(name);
    if !models::exists(name) && rights::owner_of(name).is_none() {
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
    drop_dependents(name, version, cascade);
    let n = models::delete(name, version);
    cache::forget_names();
    n
}

/// The scoring triggers and typed predict functions that would stop working when `version`
/// (the whole model when None) goes: an ERROR listing them, or with `cascade` dropped.
fn drop_dependents(name: &str, version: Option<i32>, cascade: bool) {
    let pinned = version.map(|v| format!("{name}@{v}"));
    let triggers: Vec<grants::Trigger> = grants::triggers_of(name)
        .into_iter()
        .filter(|t| pinned.as_ref().is_none_or(|p| &t.model == p))
        .collect();
    // Typed predict functions score the deployed version: only a whole model takes them.
    let functions = if version.is_none() {
        grants::functions_of(name)
    } else {
        Vec::new()
    };
    if triggers.is_empty() && functions.is_empty() {
        return;
    }
    let mut list: Vec<String> = triggers
        .iter()
        .map(|t| {
            format!(
                "trigger {} on {}",
                crate::data::reader::quote_ident(&t.name),
                t.table
            )
        })
        .collect();
    list.extend(functions.iter().map(|f| format!("function {f}")));
    let what = version.map_or(format!("model \"{name}\""), |v| {
        format!("version {v} of model \"{name}\"")
    });
    if !cascade {
        raise(SqlError::DependentObjects(format!(
            "cannot drop {what}: {} depend on it ({}); drop them first, or pass cascade => true",
            list.len(),
            list.join(", ")
        )));
    }
    for t in &triggers {
        let ddl = format!(
            "DROP TRIGGER {} ON {}",
            crate::data::reader::quote_ident(&t.name),
            t.table
        );
        if let Err(e) = Spi::run(&ddl) {
            raise(SqlError::Internal(format!("{ddl} failed: {e}")));
        }
    }
    for f in &functions {
        let ddl = format!("DROP FUNCTION {f}");
        if let Err(e) = Spi::run(&ddl) {
            raise(SqlError::Internal(format!("{ddl} failed: {e}")));
        }
    }
    notice!(
        "dropping {what} also dropped {}: {}",
        list.len(),
        list.join(", ")
    );
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
        Ok(relid) => {
            cache::catalog_changed(relid);
            // Owners and grants change what a name means to a role as deployments do.
            cache::forget_names();
        }
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
CREATE TRIGGER owners_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON dm.owners
    FOR EACH STATEMENT EXECUTE FUNCTION dm_catalog_changed();
CREATE TRIGGER grants_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON dm.grants
    FOR EACH STATEMENT EXECUTE FUNCTION dm_catalog_changed();
"#,
    name = "catalog_triggers",
    requires = [dm_catalog_changed],
);

/// The extension names a DROP EXTENSION names (None for any other command).
///
/// # Safety
/// `fcinfo` is the call of an event trigger function.
unsafe fn dropped_extensions(fcinfo: pg_sys::FunctionCallInfo) -> Option<Vec<String>> {
    let context = unsafe { fcinfo.as_ref()?.context };
    if context.is_null() || !unsafe { pgrx::is_a(context, pg_sys::NodeTag::T_EventTriggerData) } {
        return None;
    }
    let tree = unsafe { (*context.cast::<pg_sys::EventTriggerData>()).parsetree };
    if tree.is_null() || !unsafe { pgrx::is_a(tree, pg_sys::NodeTag::T_DropStmt) } {
        return None;
    }
    let drop = unsafe { &*tree.cast::<pg_sys::DropStmt>() };
    if drop.removeType != pg_sys::ObjectType::OBJECT_EXTENSION {
        return None;
    }
    let objects = unsafe { pgrx::PgList::<pg_sys::Node>::from_pg(drop.objects) };
    let names = (0..objects.len())
        .filter_map(|i| objects.get_ptr(i))
        .filter(|n| unsafe { pgrx::is_a(*n, pg_sys::NodeTag::T_String) })
        .filter_map(|n| {
            let sval = unsafe { (*n.cast::<pg_sys::String>()).sval };
            (!sval.is_null()).then(|| {
                unsafe { std::ffi::CStr::from_ptr(sval) }
                    .to_string_lossy()
                    .into_owned()
            })
        })
        .collect();
    Some(names)
}

#[doc(hidden)]
#[no_mangle]
pub extern "C" fn pg_finfo_dm_drop_extension_warning() -> &'static pg_sys::Pg_finfo_record {
    const V1: pg_sys::Pg_finfo_record = pg_sys::Pg_finfo_record { api_version: 1 };
    &V1
}

/// The event trigger pg_mining_drop_extension (ddl_command_start, tag DROP EXTENSION): before
/// `DROP EXTENSION pg_mining` deletes the catalog, a WARNING says how many models and versions
/// go with it. Shown to roles that may drop the extension (its owner's privileges) only, so
/// that the count is no way around the catalog's privileges.
#[pg_guard]
#[no_mangle]
pub extern "C-unwind" fn dm_drop_extension_warning(
    fcinfo: pg_sys::FunctionCallInfo,
) -> pg_sys::Datum {
    // SAFETY: PostgreSQL calls this as an event trigger function (its SQL declaration says so).
    let names = unsafe { dropped_extensions(fcinfo) }.unwrap_or_default();
    if names.iter().any(|n| n == "pg_mining") && rights::owns_extension() {
        if let Some((models, versions)) = models::census().filter(|(m, _)| *m > 0) {
            let (s, its) = if models == 1 {
                ("", "its")
            } else {
                ("s", "their")
            };
            warning!(
                "DROP EXTENSION pg_mining deletes {models} model{s} ({versions} version{}) with \
                 {its} deployment history, owners and grants; pg_dump the database first to keep them",
                if versions == 1 { "" } else { "s" }
            );
        }
    }
    pg_sys::Datum::from(0)
}

extension_sql!(
    r#"
CREATE FUNCTION dm.drop_extension_warning() RETURNS event_trigger
    LANGUAGE c AS 'MODULE_PATHNAME', 'dm_drop_extension_warning';
CREATE EVENT TRIGGER pg_mining_drop_extension ON ddl_command_start
    WHEN TAG IN ('DROP EXTENSION') EXECUTE FUNCTION dm.drop_extension_warning();
COMMENT ON FUNCTION dm.drop_extension_warning() IS 'Event trigger function: before DROP EXTENSION pg_mining, a WARNING with the number of models and versions it deletes';
COMMENT ON EVENT TRIGGER pg_mining_drop_extension IS 'Warns how many models DROP EXTENSION pg_mining deletes';
"#,
    name = "drop_extension_warning",
    requires = ["bootstrap"],
);

/// Sets a two-class classifier version's decision threshold (NULL: back to the most probable
/// class), the business decision after training: its labels in dm_predict, dm_predict_label,
/// scoring triggers and typed functions are the second class where that class's probability
/// is at least the threshold. Needs the deploy privilege, since it changes what scorers get.
/// Returns the threshold set.
#[pg_extern(volatile)]
fn dm_set_threshold(
    model: Option<&str>,
    version: Option<i32>,
    threshold: Option<f64>,
) -> Option<f64> {
    let name = models::check_name(required(model, "dm_set_threshold", "model"));
    let version = required(version, "dm_set_threshold", "version");
    rights::require(name, Privilege::Deploy);
    if let Some(t) = threshold.filter(|t| !(*t > 0.0 && *t <= 1.0)) {
        raise(SqlError::Mining(Error::param(format!(
            "model \"{name}\": a threshold is a probability in (0, 1]; got {t}"
        ))));
    }
    models::lock_name(name);
    match models::task_and_classes(name, version) {
        None if !models::exists(name) => no_model(name),
        None => raise(SqlError::UndefinedObject(format!(
            "model \"{name}\" has no version {version}"
        ))),
        Some((task, classes))
            if task != "classification" || classes.as_ref().map_or(0, Vec::len) != 2 =>
        {
            raise(SqlError::Mining(Error::param(format!(
                "model \"{name}\" version {version} is not a classifier of two classes: a threshold applies to the second class's probability"
            ))))
        }
        Some(_) => {}
    }
    models::set_threshold(name, version, threshold);
    cache::forget_names();
    threshold
}
