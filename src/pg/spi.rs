//! SPI helpers that catalog/ and data/ share: one row of one to three values, read-only or
//! written, and the ERROR for a failed catalog statement.

use pgrx::prelude::*;

use crate::pg::errors::{raise, SqlError};

/// Read-only catalog queries. (Spi::get_one and friends mark the transaction mutable, which
/// assigns an XID: not allowed in a parallel worker and needless for a read.)
pub fn read_one<A: pgrx::FromDatum + pgrx::IntoDatum>(
    q: &str,
    args: &[pgrx::datum::DatumWithOid],
) -> pgrx::spi::Result<Option<A>> {
    Spi::connect(|c| c.select(q, Some(1), args)?.first().get_one::<A>())
}

pub fn read_two<A, B>(
    q: &str,
    args: &[pgrx::datum::DatumWithOid],
) -> pgrx::spi::Result<(Option<A>, Option<B>)>
where
    A: pgrx::FromDatum + pgrx::IntoDatum,
    B: pgrx::FromDatum + pgrx::IntoDatum,
{
    Spi::connect(|c| c.select(q, Some(1), args)?.first().get_two::<A, B>())
}

pub fn read_three<A, B, C>(
    q: &str,
    args: &[pgrx::datum::DatumWithOid],
) -> pgrx::spi::Result<(Option<A>, Option<B>, Option<C>)>
where
    A: pgrx::FromDatum + pgrx::IntoDatum,
    B: pgrx::FromDatum + pgrx::IntoDatum,
    C: pgrx::FromDatum + pgrx::IntoDatum,
{
    Spi::connect(|c| c.select(q, Some(1), args)?.first().get_three::<A, B, C>())
}

/// A data-changing statement that returns one value.
pub fn write_one<A: pgrx::FromDatum + pgrx::IntoDatum>(
    q: &str,
    args: &[pgrx::datum::DatumWithOid],
) -> pgrx::spi::Result<Option<A>> {
    Spi::connect_mut(|c| c.update(q, None, args)?.first().get_one::<A>())
}

pub fn spi_fail(e: pgrx::spi::Error) -> ! {
    raise(SqlError::Internal(format!("catalog access failed: {e}")))
}
