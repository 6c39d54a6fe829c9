//! The SPI calls of the catalog, each run with the catalog owner's rights (pg/definer.rs): the
//! dm.* tables are not readable or writable by other roles, so every statement on them goes
//! through these, after the caller's right on the model was checked (rights.rs).

use pgrx::datum::DatumWithOid;
use pgrx::prelude::*;

use crate::pg::definer::as_catalog_owner;
use crate::pg::spi::{self, Four};

/// Runs `f` as the catalog owner once the SQL objects are known to be this library's.
fn checked<R>(f: impl FnOnce() -> R) -> R {
    super::version::check();
    as_catalog_owner(f)
}

pub fn read_one<A: FromDatum + IntoDatum>(
    q: &str,
    args: &[DatumWithOid],
) -> pgrx::spi::Result<Option<A>> {
    checked(|| spi::read_one(q, args))
}

pub fn read_two<A, B>(q: &str, args: &[DatumWithOid]) -> pgrx::spi::Result<(Option<A>, Option<B>)>
where
    A: FromDatum + IntoDatum,
    B: FromDatum + IntoDatum,
{
    checked(|| spi::read_two(q, args))
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
    checked(|| spi::read_three(q, args))
}

pub fn read_four<A, B, C, D>(q: &str, args: &[DatumWithOid]) -> pgrx::spi::Result<Four<A, B, C, D>>
where
    A: FromDatum + IntoDatum,
    B: FromDatum + IntoDatum,
    C: FromDatum + IntoDatum,
    D: FromDatum + IntoDatum,
{
    checked(|| spi::read_four(q, args))
}

pub fn read_three_latest<A, B, C>(
    q: &str,
    args: &[DatumWithOid],
) -> pgrx::spi::Result<(Option<A>, Option<B>, Option<C>)>
where
    A: FromDatum + IntoDatum,
    B: FromDatum + IntoDatum,
    C: FromDatum + IntoDatum,
{
    checked(|| spi::read_three_latest(q, args))
}

pub fn write_one<A: FromDatum + IntoDatum>(
    q: &str,
    args: &[DatumWithOid],
) -> pgrx::spi::Result<Option<A>> {
    checked(|| spi::write_one(q, args))
}

/// A statement whose result is not needed.
pub fn run(q: &str, args: &[DatumWithOid]) -> pgrx::spi::Result<()> {
    checked(|| Spi::run_with_args(q, args))
}
