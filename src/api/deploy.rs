//! Deployment inside the database: the scoring trigger and typed predict functions.

use pgrx::prelude::*;
use pgrx::{PgTriggerLevel, PgTriggerOperation, PgTriggerWhen};

use crate::catalog::{cache, models};
use crate::data::reader::quote_ident;
use crate::data::trigger;
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
#[pg_extern(volatile)]
fn dm_create_predict_function(
    model: Option<&str>,
    function_name: default!(Option<&str>, "NULL"),
    replace: default!(bool, "false"),
) -> String {
    let model = super::args::required(model, "dm_create_predict_function", "model");
    let name = models::check_name(model);
    let m = cache::get(name);
    let fname = function_name.map_or_else(
        || format!("predict_{}", name.replace('.', "_")),
        str::to_string,
    );
    let args: Vec<(String, String)> = m
        .model
        .prep
        .features
        .iter()
        .map(|f| (f.name.clone(), f.sql_type.clone()))
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
    let lit = format!("'{name}'");
    let (call, ret) = match m.model.task {
        Task::Regression => (
            format!("dm_predict({lit}, ROW({row}))"),
            m.model.target_type.clone(),
        ),
        Task::Clustering => (format!("dm_cluster({lit}, ROW({row}))"), "integer".into()),
        Task::Anomaly => (
            format!("dm_anomaly_score({lit}, ROW({row}))"),
            "double precision".into(),
        ),
        Task::Decomposition => (
            format!("dm_transform({lit}, ROW({row}))"),
            "double precision[]".into(),
        ),
        Task::Classification => match m.model.target_kind {
            mining::common::frame::ColumnKind::Integer
            | mining::common::frame::ColumnKind::Float => (
                format!("dm_predict({lit}, ROW({row}))"),
                m.model.target_type.clone(),
            ),
            _ => (
                format!("dm_predict_label({lit}, ROW({row}))"),
                m.model.target_type.clone(),
            ),
        },
    };
    let signature = format!("{}({params}) RETURNS {ret}", quote_qualified(&fname));
    let ddl = format!(
        "CREATE {}FUNCTION {signature} LANGUAGE sql STABLE PARALLEL SAFE AS $dm$ SELECT ({call})::{ret} $dm$",
        if replace { "OR REPLACE " } else { "" }
    );
    let exists = crate::pg::spi::read_one::<bool>(
        "SELECT EXISTS (SELECT 1 FROM pg_proc p WHERE p.proname = $1 AND pg_function_is_visible(p.oid))",
        &[fname.rsplit('.').next().unwrap_or(&fname).into()],
    )
    .ok()
    .flatten()
    .unwrap_or(false);
    if exists && !replace {
        raise(SqlError::State(format!(
            "a function named \"{fname}\" already exists; pass replace => true to replace it"
        )));
    }
    if let Err(e) = Spi::run(&ddl) {
        raise(SqlError::Internal(format!(
            "creating \"{fname}\" failed: {e}"
        )));
    }
    let comment = format!(
        "COMMENT ON FUNCTION {}({}) IS {}",
        quote_qualified(&fname),
        args.iter().map(|(_, t)| t.as_str()).collect::<Vec<_>>().join(", "),
        quote_literal(&format!("Prediction of pg_mining model {name} (deployed version), made by dm_create_predict_function"))
    );
    let _ = Spi::run(&comment);
    signature
}

fn quote_qualified(s: &str) -> String {
    s.split('.').map(quote_ident).collect::<Vec<_>>().join(".")
}

fn quote_literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}
