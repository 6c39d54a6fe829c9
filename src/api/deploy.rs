//! Deployment inside the database: the scoring trigger and typed predict functions.

use pgrx::prelude::*;
use pgrx::{PgTriggerLevel, PgTriggerOperation, PgTriggerWhen};

use crate::catalog::rights::{self, Privilege};
use crate::catalog::{cache, grants, models};
use crate::data::reader::quote_ident;
use crate::data::trigger;
use crate::pg::definer::current_user_name;
use crate::pg::errors::{raise, SqlError};
use mining::common::error::Error;
use mining::common::task::Task;

fn usage(msg: &str) -> ! {
    raise(SqlError::Mining(Error::param(format!(
        "dm_score_trigger: {msg}; use CREATE TRIGGER ... BEFORE INSERT OR UPDATE ON t FOR EACH ROW \
         EXECUTE FUNCTION dm_score_trigger('model', 'column' [, 'value' | 'label' | 'proba'])"
    ))))
}

/// BEFORE INSERT OR UPDATE FOR EACH ROW: scores the new row with a model and writes the
/// prediction into a column, converted to its type. Arguments: model, column, and what to
/// write: 'value' (default: the value, or the class label), 'label' (text form) or 'proba'
/// (an array column).
#[pg_trigger]
fn dm_score_trigger<'a>(
    trigger: &'a pgrx::PgTrigger<'a>,
) -> Result<Option<PgHeapTuple<'a, impl pgrx::WhoAllocated>>, pgrx::heap_tuple::PgHeapTupleError> {
    if !matches!(trigger.when(), Ok(PgTriggerWhen::Before))
        || !matches!(trigger.level(), PgTriggerLevel::Row)
    {
        usage("it must be a BEFORE ... FOR EACH ROW trigger");
    }
    if !matches!(
        trigger.op(),
        Ok(PgTriggerOperation::Insert) | Ok(PgTriggerOperation::Update)
    ) {
        usage("it scores INSERT and UPDATE only");
    }
    let args = trigger.extra_args().unwrap_or_default();
    let (model, column, mode) = match args.as_slice() {
        [m, c] => (m.as_str(), c.as_str(), "value"),
        [m, c, k] => (m.as_str(), c.as_str(), k.as_str()),
        _ => usage("it takes 2 or 3 arguments"),
    };
    if !matches!(mode, "value" | "label" | "proba") {
        usage(&format!("unknown mode \"{mode}\""));
    }
    let m = cache::get(model);
    let Some(tuple) = trigger.new() else {
        usage("no new row")
    };
    let update = matches!(trigger.op(), Ok(PgTriggerOperation::Update));
    let table = trigger.table_name().unwrap_or_default();
    let value = trigger::prediction_for(
        trigger.trigger_data(),
        update,
        &table,
        &m,
        model,
        column,
        mode,
    );
    let mut out = tuple.into_owned();
    if let Some((n, datum)) = value {
        // SAFETY: the datum is of the column's type, made by its input function.
        unsafe { out.set_by_index_unchecked(n, Some(datum)) };
    }
    Ok(Some(out))
}

/// Creates a SQL function with one typed argument per feature (in training order) that returns
/// the deployed version's prediction in the target's type; for BI tools. Returns its signature.
/// The body is a SQL-standard `RETURN` expression, bound to the extension's functions and the
/// types by oid when it is created (no search_path at call time can redirect it) and still
/// inlined by the planner; every type name is checked through regtype and written by its
/// canonical name; each statement runs as its own SPI call.
#[pg_extern(volatile)]
fn dm_create_predict_function(
    model: Option<&str>,
    function_name: default!(Option<&str>, "NULL"),
    replace: default!(bool, "false"),
) -> String {
    let model = super::args::required(model, "dm_create_predict_function", "model");
    let name = models::check_name(model);
    rights::require(name, Privilege::Manage);
    let m = cache::get(name);
    let fname = function_name.map_or_else(
        || format!("predict_{}", name.replace('.', "_")),
        str::to_string,
    );
    let qualified = quote_qualified(&fname);
    let args: Vec<(String, String)> = m
        .model
        .prep
        .features
        .iter()
        .map(|f| (f.name.clone(), canonical_type(name, &f.sql_type)))
        .collect();
    let params = args
        .iter()
        .map(|(n, t)| format!("{} {t}", quote_ident(n)))
        .collect::<Vec<_>>()
        .join(", ");
    let row = (1..=args.len())
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ");
    let (function, ret) = match m.model.task {
        Task::Regression => ("dm_predict", m.model.target_type.clone()),
        Task::Clustering => ("dm_cluster", "integer".into()),
        Task::Anomaly => ("dm_anomaly_score", "double precision".into()),
        Task::Decomposition => ("dm_transform", "double precision[]".into()),
        Task::Classification => match m.model.target_kind {
            mining::common::frame::ColumnKind::Integer
            | mining::common::frame::ColumnKind::Float => {
                ("dm_predict", m.model.target_type.clone())
            }
            _ => ("dm_predict_label", m.model.target_type.clone()),
        },
    };
    let ret = canonical_type(name, &ret);
    let call = format!(
        "{}.{function}({}, ROW({row}))",
        quote_ident(&extension_schema()),
        quote_literal(name)
    );
    let types = args
        .iter()
        .map(|(_, t)| t.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let exists = crate::pg::spi::read_one::<bool>(
        "SELECT pg_catalog.to_regprocedure($1) IS NOT NULL",
        &[format!("{qualified}({types})").into()],
    )
    .ok()
    .flatten()
    .unwrap_or(false);
    if exists && !replace {
        raise(SqlError::State(format!(
            "a function named \"{fname}\" already exists; pass replace => true to replace it"
        )));
    }
    let signature = format!("{qualified}({params}) RETURNS {ret}");
    let ddl = format!(
        "CREATE {}FUNCTION {signature} LANGUAGE sql STABLE PARALLEL SAFE RETURN ({call})::{ret}",
        if replace { "OR REPLACE " } else { "" }
    );
    if let Err(e) = Spi::run(&ddl) {
        raise(SqlError::Internal(format!(
            "creating \"{fname}\" failed: {e}"
        )));
    }
    let procedure = crate::pg::spi::read_one::<String>(
        "SELECT pg_catalog.to_regprocedure($1)::pg_catalog.text",
        &[format!("{qualified}({types})").into()],
    )
    .ok()
    .flatten()
    .unwrap_or_else(|| format!("{qualified}({types})"));
    grants::record_function(name, &procedure, &current_user_name());
    let comment = format!(
        "COMMENT ON FUNCTION {procedure} IS {}",
        quote_literal(&format!("Prediction of pg_mining model {name} (deployed version), made by dm_create_predict_function"))
    );
    let _ = Spi::run(&comment);
    signature
}

/// A stored type name as PostgreSQL spells it (format_type of its regtype): an ERROR naming
/// the model when it is not a type, so no stored text reaches DDL unchecked.
fn canonical_type(model: &str, stored: &str) -> String {
    let found = crate::pg::spi::read_one::<String>(
        "SELECT pg_catalog.format_type(pg_catalog.to_regtype($1), NULL)",
        &[stored.into()],
    )
    .ok()
    .flatten();
    found.unwrap_or_else(|| {
        raise(SqlError::UndefinedObject(format!(
            "model \"{model}\": stored type \"{stored}\" is not a type of this database"
        )))
    })
}

/// The schema the extension's functions live in.
fn extension_schema() -> String {
    crate::pg::spi::read_one::<String>(
        "SELECT n.nspname::pg_catalog.text FROM pg_catalog.pg_extension e \
         JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) e.extnamespace \
         WHERE e.extname OPERATOR(pg_catalog.=) 'pg_mining'",
        &[],
    )
    .ok()
    .flatten()
    .unwrap_or_else(|| {
        raise(SqlError::Internal(
            "the pg_mining extension is not installed".into(),
        ))
    })
}

fn quote_qualified(s: &str) -> String {
    s.split('.').map(quote_ident).collect::<Vec<_>>().join(".")
}

fn quote_literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}
