//! Argument types that defer conversion: aggregates that take one row per call (dm_kmeans) read
//! a float8[] without copying it into a Vec, and read a jsonb options argument only once per
//! group instead of once per row; the scoring functions read the model name in place and learn
//! the input's type once per call site (fn_extra) instead of once per row.

use pgrx::array::RawArray;
use pgrx::callconv::{Arg, ArgAbi};
use pgrx::pgrx_sql_entity_graph::metadata::{
    ArgumentError, ReturnsError, ReturnsRef, SqlMappingRef, SqlTranslatable, TypeOrigin,
};
use pgrx::prelude::*;
use pgrx::{FromDatum, JsonB};

/// A required argument of a function that is not STRICT (it has optional arguments, so
/// Postgres calls it with NULLs): NULL is an ERROR naming the argument (22004).
pub fn required<T>(value: Option<T>, function: &str, argument: &str) -> T {
    match value {
        Some(v) => v,
        None => crate::pg::errors::raise(crate::pg::errors::SqlError::NullArgument(format!(
            "{function}: {argument} must not be NULL"
        ))),
    }
}

/// A float8[] argument, read in place when the row is used.
pub struct Float8ArrayArg(pg_sys::Datum);

/// A jsonb argument, parsed only when asked for.
pub struct JsonbArg(pg_sys::Datum);

macro_rules! lazy_arg {
    ($t:ident, $sql:ty) => {
        impl FromDatum for $t {
            unsafe fn from_polymorphic_datum(
                datum: pg_sys::Datum,
                is_null: bool,
                _typoid: pg_sys::Oid,
            ) -> Option<Self> {
                (!is_null).then_some($t(datum))
            }
        }

        // SAFETY: the datum is only read by `FromDatum` of the SQL type it is declared as.
        unsafe impl<'fcx> ArgAbi<'fcx> for $t {
            unsafe fn unbox_arg_unchecked(arg: Arg<'_, 'fcx>) -> Self {
                // Declared as Option<..>, so pgrx checks NULL first; were one to come here
                // anyway, it is kept as a null datum, which the readers below treat as NULL.
                unsafe { arg.unbox_arg_using_from_datum() }
                    .unwrap_or($t(pg_sys::Datum::from(0usize)))
            }
        }

        // SAFETY: declared to SQL exactly as the type it stands for.
        unsafe impl SqlTranslatable for $t {
            const TYPE_IDENT: &'static str = <$sql as SqlTranslatable>::TYPE_IDENT;
            const TYPE_ORIGIN: TypeOrigin = <$sql as SqlTranslatable>::TYPE_ORIGIN;
            const ARGUMENT_SQL: Result<SqlMappingRef, ArgumentError> =
                <$sql as SqlTranslatable>::ARGUMENT_SQL;
            const RETURN_SQL: Result<ReturnsRef, ReturnsError> =
                <$sql as SqlTranslatable>::RETURN_SQL;
        }
    };
}

/// A text argument read in place (no copy, no guarded detoast call unless it is toasted).
pub struct TextArg(pg_sys::Datum);

/// An anyelement argument: the datum, its type looked up once per call site.
pub struct AnyArg(pg_sys::Datum);

lazy_arg!(Float8ArrayArg, Vec<f64>);
lazy_arg!(JsonbArg, JsonB);
lazy_arg!(TextArg, String);
lazy_arg!(AnyArg, pgrx::AnyElement);

impl TextArg {
    /// The text's bytes (a NULL — which the strict functions never get — reads as empty).
    pub fn bytes(&self) -> &[u8] {
        let ptr = self.0.cast_mut_ptr::<pg_sys::varlena>();
        if ptr.is_null() {
            return &[];
        }
        // SAFETY: a non-NULL text datum; a compressed or external one is detoasted into the
        // call's memory context, which outlives the borrow.
        unsafe {
            let inline = pgrx::varlena::varatt_is_4b_u(ptr)
                || (pgrx::varlena::varatt_is_1b(ptr) && !pgrx::varlena::varatt_is_1b_e(ptr));
            let plain = if inline {
                ptr
            } else {
                pg_sys::pg_detoast_datum_packed(ptr)
            };
            pgrx::varlena::varlena_to_byte_slice(plain)
        }
    }

    /// The text; invalid UTF-8 cannot come from a UTF-8 database, and is replaced if it does.
    pub fn as_str(&self) -> std::borrow::Cow<'_, str> {
        let bytes = self.bytes();
        match std::str::from_utf8(bytes) {
            Ok(text) => text.into(),
            Err(_) => String::from_utf8_lossy(bytes),
        }
    }
}

/// What a scoring call site keeps in fn_extra: the input's type, where its last model
/// resolution is kept, and whether the model name is a literal (then the same on every call).
#[repr(C)]
pub struct CallSite {
    pub input_type: pg_sys::Oid,
    pub slot: Option<crate::catalog::cache::Slot>,
    pub literal_name: bool,
}

impl AnyArg {
    pub fn datum(&self) -> pg_sys::Datum {
        self.0
    }
}

/// This call site's record, made on its first call (argument 0 the model name, `input` the
/// scoring input's position).
///
/// # Safety
/// `fcinfo` must be the live call's, of a scalar function whose fn_extra only this uses; the
/// record lives in fn_mcxt, as long as the call site, and is not held across calls.
pub unsafe fn call_site<'a>(
    fcinfo: pg_sys::FunctionCallInfo,
    input: i32,
) -> Option<&'a mut CallSite> {
    unsafe {
        let flinfo = (*fcinfo).flinfo;
        if flinfo.is_null() {
            return None;
        }
        let mut site = (*flinfo).fn_extra.cast::<CallSite>();
        if site.is_null() {
            site = pg_sys::MemoryContextAlloc((*flinfo).fn_mcxt, size_of::<CallSite>())
                .cast::<CallSite>();
            site.write(CallSite {
                input_type: pg_sys::get_fn_expr_argtype(flinfo, input),
                slot: None,
                literal_name: first_arg_is_const(flinfo),
            });
            (*flinfo).fn_extra = site.cast();
        }
        site.as_mut()
    }
}

/// Whether the call's first argument is a constant of the query (a literal, or what the planner
/// folded into one): the same value on every call of this call site. Not
/// get_fn_expr_arg_stable, which also says yes for parameters, and a PL/pgSQL variable is a
/// parameter that can change between calls of one call site.
///
/// # Safety
/// `flinfo` is a live call's.
unsafe fn first_arg_is_const(flinfo: *mut pg_sys::FmgrInfo) -> bool {
    unsafe {
        let expr = (*flinfo).fn_expr;
        if expr.is_null() || !pgrx::is_a(expr, pg_sys::NodeTag::T_FuncExpr) {
            return false;
        }
        let args = (*expr.cast::<pg_sys::FuncExpr>()).args;
        if args.is_null() || (*args).length < 1 || (*args).elements.is_null() {
            return false;
        }
        let first = (*(*args).elements).ptr_value.cast::<pg_sys::Node>();
        !first.is_null() && pgrx::is_a(first, pg_sys::NodeTag::T_Const)
    }
}

/// What a float8[] row holds.
pub enum Row {
    Values,
    /// NULL elements.
    Nulls,
}

impl Float8ArrayArg {
    /// Appends the array's elements to `out` (nothing when it holds a NULL) and returns how many
    /// elements it has.
    pub fn append_to(&self, out: &mut Vec<f64>) -> (Row, usize) {
        let Some(stale) = std::ptr::NonNull::new(self.0.cast_mut_ptr::<pg_sys::varlena>()) else {
            return (Row::Nulls, 0);
        };
        // SAFETY: the datum is a non-NULL float8[] (the declared argument type); a detoasted
        // copy is freed after its elements are copied out.
        unsafe {
            let fresh = pg_sys::pg_detoast_datum(stale.as_ptr());
            let Some(ptr) = std::ptr::NonNull::new(fresh) else {
                return (Row::Nulls, 0);
            };
            let mut raw = RawArray::from_ptr(ptr.cast());
            let len = raw.len();
            let row = if raw.oid() != pg_sys::FLOAT8OID || raw.any_nulls() {
                Row::Nulls
            } else {
                out.extend_from_slice(raw.data::<f64>().as_ref());
                Row::Values
            };
            if fresh != stale.as_ptr() {
                pg_sys::pfree(fresh.cast());
            }
            (row, len)
        }
    }
}

impl JsonbArg {
    /// The jsonb as JSON (`what`: the argument, for an error); a NULL datum reads as {}.
    pub fn json(&self, what: &str) -> Result<serde_json::Value, mining::common::error::Error> {
        if self.0.is_null() {
            return Ok(serde_json::json!({}));
        }
        // SAFETY: the datum is a non-NULL jsonb (the declared argument type).
        unsafe { crate::data::types::jsonb_value(self.0, what) }
    }
}
