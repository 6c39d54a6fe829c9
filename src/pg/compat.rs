//! What differs between the PostgreSQL majors we build for, in one place: every `#[cfg]` on a
//! major lives here and nowhere else.
//!
//! - A tuple descriptor's attributes: up to 17 they are the array `attrs`; 18 put a compact
//!   array (`compact_attrs`) first and the full `FormData_pg_attribute` array right after it,
//!   as its `TupleDescAttr` macro reads them.

use pgrx::pg_sys;

/// The attributes of a tuple descriptor, dropped ones included, in column order.
///
/// # Safety
/// `desc` is a valid tuple descriptor that outlives the slice.
#[cfg(any(feature = "pg15", feature = "pg16", feature = "pg17"))]
pub unsafe fn attributes<'a>(desc: pg_sys::TupleDesc) -> &'a [pg_sys::FormData_pg_attribute] {
    let natts = usize::try_from((*desc).natts).unwrap_or(0);
    (*desc).attrs.as_slice(natts)
}

/// The attributes of a tuple descriptor, dropped ones included, in column order.
///
/// # Safety
/// `desc` is a valid tuple descriptor that outlives the slice.
#[cfg(feature = "pg18")]
pub unsafe fn attributes<'a>(desc: pg_sys::TupleDesc) -> &'a [pg_sys::FormData_pg_attribute] {
    let natts = usize::try_from((*desc).natts).unwrap_or(0);
    // PG 18's TupleDescAttr(): the full attributes follow the natts compact ones.
    let first = (*desc)
        .compact_attrs
        .as_ptr()
        .add(natts)
        .cast::<pg_sys::FormData_pg_attribute>();
    std::slice::from_raw_parts(first, natts)
}
