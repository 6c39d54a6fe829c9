//! The scoring trigger's row work: find the column to write, score the new row, and turn the
//! prediction into a value of the column's type (a value, a label, probabilities or
//! components), or an ERROR naming the column when the two do not fit.

use std::ffi::{CStr, CString};
use std::num::NonZeroUsize;

use pgrx::pg_sys;

use crate::catalog::cache::Loaded;
use crate::data::input::with_datum;
use crate::data::types::type_name;
use crate::pg::compat;
use crate::pg::errors::{raise, OrRaise, SqlError};
use mining::common::error::Error;
use mining::common::frame::format_number;
use mining::common::task::Task;
use mining::model::stored::StoredModel;
use mining::prepare::preprocess::Raw;

/// What the column being written can take.
#[derive(Clone, Copy)]
struct Column {
    integer: bool,
    /// Text or boolean: a class goes in as its label.
    labels: bool,
}

fn array_text(v: &[f64]) -> String {
    format!(
        "{{{}}}",
        v.iter()
            .map(|v| format!("{v}"))
            .collect::<Vec<_>>()
            .join(",")
    )
}

/// The prediction of `mode` ('value', 'label' or 'proba') for a row, as text.
fn prediction_text(
    model: &StoredModel,
    mode: &str,
    column: Column,
    raw: &[Raw],
    buf: &mut Vec<f64>,
) -> Result<String, Error> {
    Ok(match (mode, model.task) {
        ("proba", _) => array_text(&model.predict_proba(raw, buf)?),
        (_, Task::Regression) => {
            let v = model.predict_value(raw, buf)?;
            if column.integer {
                format!("{}", v.round())
            } else {
                format!("{v}")
            }
        }
        (_, Task::Clustering) => model.cluster(raw, buf)?.to_string(),
        ("label", Task::Anomaly) => model.anomaly(raw, buf)?.1.to_string(),
        (_, Task::Anomaly) => format!("{}", model.anomaly(raw, buf)?.0),
        (_, Task::Decomposition) => array_text(&model.transform(raw, buf)?),
        ("label", Task::Classification) => model.classes[model.predict_class(raw, buf)?].clone(),
        (_, Task::Classification) => {
            let c = model.predict_class(raw, buf)?;
            match model.class_number(c) {
                Ok(v) if !column.labels => format_number(v),
                _ => model.classes[c].clone(),
            }
        }
    })
}

/// Scores the trigger's new row with `m` and returns the attribute number of `column` and the
/// prediction as a datum of its type.
pub fn prediction_for(
    td: &pg_sys::TriggerData,
    update: bool,
    table: &str,
    m: &Loaded,
    model: &str,
    column: &str,
    mode: &str,
) -> Option<(NonZeroUsize, pg_sys::Datum)> {
    // SAFETY: a row trigger's relation, descriptor and tuples are valid for this call.
    unsafe {
        let desc = (*td.tg_relation).rd_att;
        let raw_tuple = if update {
            td.tg_newtuple
        } else {
            td.tg_trigtuple
        };
        let attrs = compat::attributes(desc);
        let Some(attno) = attrs.iter().position(|a| {
            !a.attisdropped && CStr::from_ptr(a.attname.data.as_ptr()).to_str() == Ok(column)
        }) else {
            raise(SqlError::Mining(Error::column(format!(
                "dm_score_trigger: table \"{table}\" has no column \"{column}\""
            ))));
        };
        let att = &attrs[attno];
        let is_array = pg_sys::get_element_type(att.atttypid) != pg_sys::InvalidOid;
        let wants_array = mode == "proba" || m.model.task == Task::Decomposition;
        if wants_array != is_array {
            raise(SqlError::Mining(Error::input(format!(
                "dm_score_trigger: column \"{column}\" is {}; {}",
                type_name(att.atttypid),
                if is_array {
                    "an array column takes mode 'proba' (or a pca model)"
                } else if mode != "proba" {
                    "a pca model writes its components into an array column (float8[])"
                } else {
                    "mode 'proba' needs an array column (float8[], real[] or numeric[])"
                }
            ))));
        }
        let kind = Column {
            integer: matches!(
                att.atttypid,
                pg_sys::INT2OID | pg_sys::INT4OID | pg_sys::INT8OID
            ),
            labels: matches!(
                att.atttypid,
                pg_sys::TEXTOID | pg_sys::VARCHAROID | pg_sys::BPCHAROID | pg_sys::BOOLOID
            ),
        };
        let datum = pg_sys::heap_copy_tuple_as_datum(raw_tuple, desc);
        let mut buf = m.buf.borrow_mut();
        let text = with_datum(&m.model, &m.plans, datum, (*desc).tdtypeid, |raw| {
            prediction_text(&m.model, mode, kind, raw, &mut buf)
        })
        .and_then(|r| r)
        .or_raise_for(model);
        drop(buf);
        let numeric_column = kind.integer
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
                type_name(att.atttypid)
            ))));
        }
        let mut func = pg_sys::InvalidOid;
        let mut ioparam = pg_sys::InvalidOid;
        pg_sys::getTypeInputInfo(att.atttypid, &mut func, &mut ioparam);
        let c = CString::new(text).unwrap_or_default();
        let value =
            pg_sys::OidInputFunctionCall(func, c.as_ptr() as *mut _, ioparam, att.atttypmod);
        NonZeroUsize::new(attno + 1).map(|n| (n, value))
    }
}
