//! SPI helpers that catalog/ and data/ share: one row of one to three values, read-only or
//! written, and the ERROR for a failed catalog statement.

use std::ffi::CString;

use pgrx::datum::DatumWithOid;
use pgrx::pg_sys;
use pgrx::prelude::*;
use pgrx::spi::{SpiError, SpiErrorCodes};

use crate::pg::errors::{raise, SqlError};

/// Whether a catalog read must run read-only for SPI. pgrx's `select` runs read-write once the
/// transaction has an XID, and a read-write SPI statement increments the command counter, which
/// Postgres refuses in parallel mode ("cannot start commands during a parallel operation": a
/// parallel CREATE TABLE AS, REFRESH MATERIALIZED VIEW or any parallel query after a write in
/// the same transaction). Read-only, SPI uses the statement's snapshot; read-write (outside
/// parallel mode, once something was written) it takes a fresh one and sees this transaction's
/// own writes and, under READ COMMITTED, what others committed meanwhile.
fn read_only() -> bool {
    // SAFETY: plain reads of the transaction state.
    unsafe {
        pg_sys::IsInParallelMode()
            || pg_sys::GetCurrentTransactionIdIfAny() == pg_sys::InvalidTransactionId
    }
}

/// Runs `q` with `args` and hands the first row's tuple to `read`; no row is InvalidPosition,
/// as pgrx's `first()` on an empty result.
fn first_row<R>(
    q: &str,
    args: &[DatumWithOid],
    read: impl FnOnce(pg_sys::HeapTuple, pg_sys::TupleDesc) -> pgrx::spi::Result<R>,
) -> pgrx::spi::Result<R> {
    first_row_as(q, args, read_only(), read)
}

/// `first_row`, read-only for SPI as `read_only` says (read-only: the active snapshot).
fn first_row_as<R>(
    q: &str,
    args: &[DatumWithOid],
    read_only: bool,
    read: impl FnOnce(pg_sys::HeapTuple, pg_sys::TupleDesc) -> pgrx::spi::Result<R>,
) -> pgrx::spi::Result<R> {
    let Ok(query) = CString::new(q) else {
        return Err(SpiError::SpiError(SpiErrorCodes::Argument));
    };
    let mut types: Vec<pg_sys::Oid> = args.iter().map(|a| a.oid()).collect();
    let mut values: Vec<pg_sys::Datum> = args
        .iter()
        .map(|a| {
            a.datum()
                .map_or(pg_sys::Datum::from(0usize), |d| d.sans_lifetime())
        })
        .collect();
    let nulls: Vec<std::os::raw::c_char> = args
        .iter()
        .map(|a| if a.datum().is_some() { b' ' } else { b'n' } as std::os::raw::c_char)
        .collect();
    Spi::connect(|_client| {
        // SAFETY: inside an SPI connection; the argument arrays have one entry per argument and
        // outlive the call; the result table is read before the connection ends (which frees it).
        unsafe {
            pg_sys::SPI_tuptable = std::ptr::null_mut();
            let rc = pg_sys::SPI_execute_with_args(
                query.as_ptr(),
                args.len() as i32,
                types.as_mut_ptr(),
                values.as_mut_ptr(),
                nulls.as_ptr(),
                read_only,
                1,
            );
            if rc < 0 {
                return Err(SpiErrorCodes::try_from(rc).map_or(
                    SpiError::SpiError(SpiErrorCodes::OpUnknown),
                    SpiError::SpiError,
                ));
            }
            let table = pg_sys::SPI_tuptable;
            if table.is_null() || pg_sys::SPI_processed == 0 || (*table).vals.is_null() {
                return Err(SpiError::InvalidPosition);
            }
            read(*(*table).vals, (*table).tupdesc)
        }
    })
}

/// Column `n` (from 1) of a result row: NULL is None, a column of another type an error.
///
/// # Safety
/// `tuple` and `desc` are a row of the current SPI result.
unsafe fn column<A: FromDatum + IntoDatum>(
    tuple: pg_sys::HeapTuple,
    desc: pg_sys::TupleDesc,
    n: i32,
) -> pgrx::spi::Result<Option<A>> {
    unsafe {
        if n > (*desc).natts {
            return Err(SpiError::SpiError(SpiErrorCodes::NoAttribute));
        }
        let mut null = false;
        let datum = pg_sys::SPI_getbinval(tuple, desc, n, &mut null);
        Ok(A::try_from_datum(
            datum,
            null,
            pg_sys::SPI_gettypeid(desc, n),
        )?)
    }
}

/// Read-only catalog queries (see `read_only` for why they do not go through pgrx's `select`).
pub fn read_one<A: FromDatum + IntoDatum>(
    q: &str,
    args: &[DatumWithOid],
) -> pgrx::spi::Result<Option<A>> {
    // SAFETY: the row of this result.
    first_row(q, args, |t, d| unsafe { column::<A>(t, d, 1) })
}

pub fn read_two<A, B>(q: &str, args: &[DatumWithOid]) -> pgrx::spi::Result<(Option<A>, Option<B>)>
where
    A: FromDatum + IntoDatum,
    B: FromDatum + IntoDatum,
{
    // SAFETY: the row of this result.
    first_row(q, args, |t, d| unsafe {
        Ok((column::<A>(t, d, 1)?, column::<B>(t, d, 2)?))
    })
}

pub fn read_three<A, B, C>(
    q: &str,
    args: &[DatumWithOid],
) -> pgrx::spi::Result<(Option<A>, Option<B>, Option<C>)>
where
    A: FromDatum + IntoDatum,
    B: FromDatum + IntoDatum,
    C: FromDatum + IntoDatum,
{
    three_as(q, args, read_only())
}

/// Four columns of a row, each NULL or a value.
pub type Four<A, B, C, D> = (Option<A>, Option<B>, Option<C>, Option<D>);

pub fn read_four<A, B, C, D>(q: &str, args: &[DatumWithOid]) -> pgrx::spi::Result<Four<A, B, C, D>>
where
    A: FromDatum + IntoDatum,
    B: FromDatum + IntoDatum,
    C: FromDatum + IntoDatum,
    D: FromDatum + IntoDatum,
{
    // SAFETY: the row of this result.
    first_row_as(q, args, read_only(), |t, d| unsafe {
        Ok((
            column::<A>(t, d, 1)?,
            column::<B>(t, d, 2)?,
            column::<C>(t, d, 3)?,
            column::<D>(t, d, 4)?,
        ))
    })
}

/// Three columns of the first row, read-only for SPI as `read_only` says.
fn three_as<A, B, C>(
    q: &str,
    args: &[DatumWithOid],
    read_only: bool,
) -> pgrx::spi::Result<(Option<A>, Option<B>, Option<C>)>
where
    A: FromDatum + IntoDatum,
    B: FromDatum + IntoDatum,
    C: FromDatum + IntoDatum,
{
    // SAFETY: the row of this result.
    first_row_as(q, args, read_only, |t, d| unsafe {
        Ok((
            column::<A>(t, d, 1)?,
            column::<B>(t, d, 2)?,
            column::<C>(t, d, 3)?,
        ))
    })
}

/// `read_three` on the latest committed state (and this transaction's own writes) rather than
/// the transaction's snapshot: what a REPEATABLE READ or SERIALIZABLE transaction compares its
/// snapshot with before it changes the catalog. Not for parallel mode (it advances the command
/// counter).
pub fn read_three_latest<A, B, C>(
    q: &str,
    args: &[DatumWithOid],
) -> pgrx::spi::Result<(Option<A>, Option<B>, Option<C>)>
where
    A: FromDatum + IntoDatum,
    B: FromDatum + IntoDatum,
    C: FromDatum + IntoDatum,
{
    // SAFETY: makes this transaction's earlier writes visible, then pushes a fresh snapshot
    // that the read-only statement uses; popped below (an ERROR in between ends the transaction
    // or subtransaction, whose cleanup pops it).
    unsafe {
        pg_sys::CommandCounterIncrement();
        pg_sys::PushActiveSnapshot(pg_sys::GetLatestSnapshot());
    }
    let row = three_as(q, args, true);
    // SAFETY: the snapshot pushed above is the active one.
    unsafe { pg_sys::PopActiveSnapshot() };
    row
}

/// A data-changing statement that returns one value.
pub fn write_one<A: FromDatum + IntoDatum>(
    q: &str,
    args: &[DatumWithOid],
) -> pgrx::spi::Result<Option<A>> {
    Spi::connect_mut(|c| c.update(q, None, args)?.first().get_one::<A>())
}

pub fn spi_fail(e: pgrx::spi::Error) -> ! {
    raise(SqlError::Internal(format!("catalog access failed: {e}")))
}

/// The value of a one-row read, None when there was no row (pgrx's InvalidPosition); any
/// other failure is the catalog ERROR.
pub fn row_or_none<T>(r: pgrx::spi::Result<Option<T>>) -> Option<T> {
    match r {
        Ok(v) => v,
        Err(pgrx::spi::Error::InvalidPosition) => None,
        Err(e) => spi_fail(e),
    }
}
