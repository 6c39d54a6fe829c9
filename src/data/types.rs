//! SQL types the miner understands and the conversion of their datums.

use std::ffi::CStr;

use pgrx::fcinfo::direct_function_call;
use pgrx::pg_sys::{self, Oid};
use pgrx::prelude::*;

use mining::common::frame::ColumnKind;

/// Microseconds and days between 1970-01-01 and Postgres' epoch 2000-01-01.
const PG_EPOCH_DAYS: f64 = 10_957.0;
const PG_EPOCH_SECONDS: f64 = 946_684_800.0;

/// A type with domains resolved to their base type (pass the base to `to_f64` / `to_str`).
pub fn base_type(oid: Oid) -> Oid {
    unsafe { pg_sys::getBaseType(oid) }
}

/// The kind of a base type; None if unsupported.
pub fn kind_of(base: Oid) -> Option<ColumnKind> {
    Some(match base {
        pg_sys::INT2OID | pg_sys::INT4OID | pg_sys::INT8OID => ColumnKind::Integer,
        pg_sys::FLOAT4OID | pg_sys::FLOAT8OID | pg_sys::NUMERICOID => ColumnKind::Float,
        pg_sys::BOOLOID => ColumnKind::Boolean,
        pg_sys::DATEOID | pg_sys::TIMESTAMPOID | pg_sys::TIMESTAMPTZOID => ColumnKind::Temporal,
        pg_sys::TEXTOID | pg_sys::VARCHAROID | pg_sys::BPCHAROID | pg_sys::NAMEOID => {
            ColumnKind::Text
        }
        _ => return None,
    })
}

/// The type's name as format_type prints it.
pub fn type_name(oid: Oid) -> String {
    unsafe {
        let p = pg_sys::format_type_be(oid);
        if p.is_null() {
            return format!("oid {}", oid.to_u32());
        }
        CStr::from_ptr(p).to_string_lossy().into_owned()
    }
}

/// A non-NULL datum of a numeric kind as f64 (dates in days and timestamps in seconds since
/// 1970-01-01; infinite dates and timestamps become ±Infinity).
///
/// # Safety
/// `datum` must be a valid, non-NULL datum of base type `base`.
#[inline]
pub unsafe fn to_f64(datum: pg_sys::Datum, base: Oid) -> f64 {
    match base {
        pg_sys::INT2OID => datum.value() as i16 as f64,
        pg_sys::INT4OID => datum.value() as i32 as f64,
        pg_sys::INT8OID => datum.value() as i64 as f64,
        pg_sys::FLOAT4OID => f32::from_bits(datum.value() as u32) as f64,
        pg_sys::FLOAT8OID => f64::from_bits(datum.value() as u64),
        pg_sys::BOOLOID => f64::from(u8::from(datum.value() != 0)),
        // Beyond float8's range is ±Infinity (not the 22003 of a cast, which cannot name the
        // column): training then names the column that holds it, scoring the feature.
        pg_sys::NUMERICOID => {
            direct_function_call::<f64>(pg_sys::numeric_float8_no_overflow, &[Some(datum)])
                .unwrap_or(f64::NAN)
        }
        pg_sys::DATEOID => {
            let d = datum.value() as i32;
            match d {
                i32::MIN => f64::NEG_INFINITY,
                i32::MAX => f64::INFINITY,
                d => d as f64 + PG_EPOCH_DAYS,
            }
        }
        pg_sys::TIMESTAMPOID | pg_sys::TIMESTAMPTZOID => {
            let t = datum.value() as i64;
            match t {
                i64::MIN => f64::NEG_INFINITY,
                i64::MAX => f64::INFINITY,
                t => t as f64 / 1e6 + PG_EPOCH_SECONDS,
            }
        }
        _ => f64::NAN,
    }
}

/// A non-NULL text-like datum as &str (char(n) without its padding).
///
/// # Safety
/// `datum` must be a valid, non-NULL datum of a text kind; the result lives as long as the
/// current memory context.
pub unsafe fn to_str<'a>(datum: pg_sys::Datum, base: Oid) -> &'a str {
    if base == pg_sys::NAMEOID {
        let p = datum.cast_mut_ptr::<core::ffi::c_char>();
        return CStr::from_ptr(p).to_str().unwrap_or("");
    }
    let s =
        <&str as FromDatum>::from_polymorphic_datum(datum, false, pg_sys::TEXTOID).unwrap_or("");
    if base == pg_sys::BPCHAROID {
        s.trim_end_matches(' ')
    } else {
        s
    }
}

/// Parses a date or timestamp given as text (a jsonb string, a text array element) the way the
/// column's type would, into the same number training used. Bad text is Postgres' own ERROR.
pub fn parse_temporal(text: &str, sql_type: &str) -> f64 {
    let Ok(c) = std::ffi::CString::new(text) else {
        return f64::NAN;
    };
    let cstr = pg_sys::Datum::from(c.as_ptr());
    let no_oid = pg_sys::Datum::from(pg_sys::InvalidOid);
    let no_typmod = pg_sys::Datum::from(-1i32);
    unsafe {
        let (func, base): (unsafe fn(pg_sys::FunctionCallInfo) -> pg_sys::Datum, Oid) =
            match sql_type {
                "date" => (pg_sys::date_in, pg_sys::DATEOID),
                "timestamp without time zone" => (pg_sys::timestamp_in, pg_sys::TIMESTAMPOID),
                _ => (pg_sys::timestamptz_in, pg_sys::TIMESTAMPTZOID),
            };
        match direct_function_call::<pg_sys::Datum>(
            func,
            &[Some(cstr), Some(no_oid), Some(no_typmod)],
        ) {
            Some(d) => to_f64(d, base),
            None => f64::NAN,
        }
    }
}

/// A value of any type as a class label: numbers as Postgres prints them, booleans as
/// true/false, text as is, anything else through its type's output function. The flag says
/// whether the label sorts as a number.
///
/// # Safety
/// `datum` must be a valid, non-NULL datum of type `oid`.
pub unsafe fn label_of(datum: pg_sys::Datum, oid: Oid) -> (String, bool) {
    let base = base_type(oid);
    match kind_of(base) {
        Some(ColumnKind::Text) => (to_str(datum, base).to_string(), false),
        Some(ColumnKind::Boolean) => (
            (if datum.value() != 0 { "true" } else { "false" }).to_string(),
            true,
        ),
        Some(ColumnKind::Integer) | Some(ColumnKind::Float) => (
            mining::common::frame::format_number(to_f64(datum, base)),
            true,
        ),
        _ => {
            let mut func = pg_sys::InvalidOid;
            let mut varlena = false;
            pg_sys::getTypeOutputInfo(oid, &mut func, &mut varlena);
            let p = pg_sys::OidOutputFunctionCall(func, datum);
            (CStr::from_ptr(p).to_string_lossy().into_owned(), false)
        }
    }
}

/// A jsonb datum as JSON; a number beyond float8's range is an ERROR naming `what` and its key
/// (pgrx's own conversion would fail with an internal error).
///
/// # Safety
/// `datum` must be a valid, non-NULL jsonb datum.
pub unsafe fn jsonb_value(
    datum: pg_sys::Datum,
    what: &str,
) -> Result<serde_json::Value, mining::common::error::Error> {
    use mining::common::error::Error;
    // SAFETY: as the caller promises.
    let text = unsafe { direct_function_call::<&CStr>(pg_sys::jsonb_out, &[Some(datum)]) }
        .ok_or_else(|| Error::input(format!("{what} is NULL")))?;
    let text = text
        .to_str()
        .map_err(|_| Error::input(format!("{what} is not valid UTF-8")))?;
    mining::common::json::parse(text, what)
}
