//! Deployment inside the database: the scoring trigger and typed predict functions.

use std::ffi::{CStr, CString};
use std::num::NonZeroUsize;

use pgrx::pg_sys;
use pgrx::prelude::*;
use pgrx::{PgTriggerLevel, PgTriggerOperation, PgTriggerWhen};

use super::errors::{raise, OrRaise, SqlError};
use crate::catalog::{cache, models};
use crate::data::input::with_datum;
use crate::data::reader::quote_ident;
use crate::mining::error::Error;
use crate::mining::estimator::Task;
use crate::mining::frame::format_number;

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
    let td = trigger.trigger_data();
    // SAFETY: a row trigger's relation, descriptor and new tuple are valid for this call.
    unsafe {
        let desc = (*td.tg_relation).rd_att;
        let raw_tuple = if matches!(trigger.op(), Ok(PgTriggerOperation::Update)) {
            td.tg_newtuple
        } else {
            td.tg_trigtuple
        };
        let natts = (*desc).natts as usize;
        let attrs = (*desc).attrs.as_slice(natts);
        let Some(attno) = attrs.iter().position(|a| {
            !a.attisdropped && CStr::from_ptr(a.attname.data.as_ptr()).to_str() == Ok(column)
        }) else {
            raise(SqlError::Mining(Error::column(format!(
                "dm_score_trigger: table \"{}\" has no column \"{column}\"",
                trigger.table_name().unwrap_or_default()
            ))));
        };
        let att = &attrs[attno];
        let is_array = pg_sys::get_element_type(att.atttypid) != pg_sys::InvalidOid;
        let wants_array = mode == "proba" || m.model.task == Task::Decomposition;
        if wants_array != is_array {
            raise(SqlError::Mining(Error::input(format!(
                "dm_score_trigger: column \"{column}\" is {}; {}",
                crate::data::types::type_name(att.atttypid),
                if is_array {
                    "an array column takes mode 'proba' (or a pca model)"
                } else if mode != "proba" {
                    "a pca model writes its components into an array column (float8[])"
                } else {
                    "mode 'proba' needs an array column (float8[], real[] or numeric[])"
                }
            ))));
        }
        let integer = matches!(
            att.atttypid,
            pg_sys::INT2OID | pg_sys::INT4OID | pg_sys::INT8OID
        );
        let datum = pg_sys::heap_copy_tuple_as_datum(raw_tuple, desc);
        let mut buf = m.buf.borrow_mut();
        let text = with_datum(
            &m.model,
            &m.plans,
            datum,
            (*desc).tdtypeid,
            |raw| -> Result<String, Error> {
                Ok(match (mode, m.model.task) {
                    ("proba", _) => {
                        let p = m.model.predict_proba(raw, &mut buf)?;
                        format!(
                            "{{{}}}",
                            p.iter()
                                .map(|v| format!("{v}"))
                                .collect::<Vec<_>>()
                                .join(",")
                        )
                    }
                    (_, Task::Regression) => {
                        let v = m.model.predict_value(raw, &mut buf)?;
                        if integer {
                            format!("{}", v.round())
                        } else {
                            format!("{v}")
                        }
                    }
                    (_, Task::Clustering) => m.model.cluster(raw, &mut buf)?.to_string(),
                    ("label", Task::Anomaly) => m.model.anomaly(raw, &mut buf)?.1.to_string(),
                    (_, Task::Anomaly) => format!("{}", m.model.anomaly(raw, &mut buf)?.0),
                    (_, Task::Decomposition) => {
                        let v = m.model.transform(raw, &mut buf)?;
                        format!(
                            "{{{}}}",
                            v.iter()
                                .map(|v| format!("{v}"))
                                .collect::<Vec<_>>()
                                .join(",")
                        )
                    }
                    ("label", Task::Classification) => {
                        m.model.classes[m.model.predict_class(raw, &mut buf)?].clone()
                    }
                    (_, Task::Classification) => {
                        let c = m.model.predict_class(raw, &mut buf)?;
                        match m.model.class_number(c) {
                            Ok(v)
                                if !matches!(
                                    att.atttypid,
                                    pg_sys::TEXTOID
                                        | pg_sys::VARCHAROID
                                        | pg_sys::BPCHAROID
                                        | pg_sys::BOOLOID
                                ) =>
                            {
                                format_number(v)
                            }
                            _ => m.model.classes[c].clone(),
                        }
                    }
                })
            },
        )
        .and_then(|r| r)
        .or_raise_for(model);
        drop(buf);
        let numeric_column = integer
            || matches!(
                att.atttypid,
                pg_sys::FLOAT4OID | pg_sys::FLOAT8OID | pg_sys::NUMERICOID
            );
        let fits = if numeric_column {
            text.parse::<f64>().is_ok()
        } else if att.atttypid == pg_sys::BOOLOID {
            matches!(text.as_str(), "true" | "false" | "1" | "0")
        } else {
            true
        };
        if !fits {
            raise(SqlError::Mining(Error::input(format!(
                "dm_score_trigger: column \"{column}\" is {} but model \"{model}\" predicts \"{text}\"; write it into a text column",
                crate::data::types::type_name(att.atttypid)
            ))));
        }
        let mut func = pg_sys::InvalidOid;
        let mut ioparam = pg_sys::InvalidOid;
        pg_sys::getTypeInputInfo(att.atttypid, &mut func, &mut ioparam);
        let c = CString::new(text).unwrap_or_default();
        let value =
            pg_sys::OidInputFunctionCall(func, c.as_ptr() as *mut _, ioparam, att.atttypmod);
        let mut out = tuple.into_owned();
        if let Some(n) = NonZeroUsize::new(attno + 1) {
            out.set_by_index_unchecked(n, Some(value));
        }
        Ok(Some(out))
    }
}

/// Creates a SQL function with one typed argument per feature (in training order) that returns
/// the deployed version's prediction in the target's type; for BI tools. Returns its signature.
#[pg_extern(volatile)]
fn dm_create_predict_function(
    model: &str,
    function_name: default!(Option<&str>, "NULL"),
    replace: default!(bool, "false"),
) -> String {
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
            crate::mining::frame::ColumnKind::Integer | crate::mining::frame::ColumnKind::Float => {
                (
                    format!("dm_predict({lit}, ROW({row}))"),
                    m.model.target_type.clone(),
                )
            }
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
    let exists = models::read_one::<bool>(
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
