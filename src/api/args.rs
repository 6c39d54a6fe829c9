//! Argument types that defer conversion: aggregates that take one row per call (dm_kmeans) read
//! a float8[] without copying it into a Vec, and read a jsonb options argument only once per
//! group instead of once per row.

use pgrx::array::RawArray;
use pgrx::callconv::{Arg, ArgAbi};
use pgrx::pgrx_sql_entity_graph::metadata::{
    ArgumentError, ReturnsError, ReturnsRef, SqlMappingRef, SqlTranslatable, TypeOrigin,
};
use pgrx::prelude::*;
use pgrx::{FromDatum, JsonB};

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

lazy_arg!(Float8ArrayArg, Vec<f64>);
lazy_arg!(JsonbArg, JsonB);

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
    pub fn value(&self) -> Option<serde_json::Value> {
        if self.0.is_null() {
            return None;
        }
        // SAFETY: the datum is a non-NULL jsonb (the declared argument type).
        unsafe { JsonB::from_datum(self.0, false) }.map(|j| j.0)
    }
}
