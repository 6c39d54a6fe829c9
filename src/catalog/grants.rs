//! Writing dm.owners and dm.grants, and what depends on a model (dm.functions and the scoring
//! triggers in pg_trigger).

use pgrx::pg_sys;

use super::owned::{read_one, read_three, run, write_one};
use super::rights::Privilege;
use crate::pg::definer::current_user;
use crate::pg::spi::spi_fail;

/// An oid as a statement argument ($n::pg_catalog.oid): pgrx passes InvalidOid as NULL, and
/// PUBLIC is stored as oid 0.
fn oid_arg(oid: pg_sys::Oid) -> i64 {
    i64::from(oid.to_u32())
}

/// Records the owner of a new model name (nothing when it has one).
pub fn claim(name: &str, owner: pg_sys::Oid) {
    run(
        "INSERT INTO dm.owners (name, owner) VALUES ($1, $2::pg_catalog.oid::pg_catalog.regrole) \
         ON CONFLICT (name) DO NOTHING",
        &[name.into(), oid_arg(owner).into()],
    )
    .unwrap_or_else(|e| spi_fail(e))
}

/// Grants `p` on the model to `grantee` (InvalidOid: PUBLIC); false when it already had it.
pub fn grant(name: &str, grantee: pg_sys::Oid, p: Privilege) -> bool {
    write_one::<i64>(
        "WITH g AS (INSERT INTO dm.grants (name, grantee, privilege, granted_by) \
           VALUES ($1, $2::pg_catalog.oid::pg_catalog.regrole, $3, $4::pg_catalog.oid::pg_catalog.regrole) \
           ON CONFLICT DO NOTHING RETURNING 1) SELECT pg_catalog.count(*) FROM g",
        &[
            name.into(),
            oid_arg(grantee).into(),
            p.name().into(),
            oid_arg(current_user()).into(),
        ],
    )
    .unwrap_or_else(|e| spi_fail(e))
    .unwrap_or(0)
        > 0
}

/// Revokes `p` (all privileges when None) from `grantee`; returns how many grants went.
pub fn revoke(name: &str, grantee: pg_sys::Oid, p: Option<Privilege>) -> i64 {
    write_one::<i64>(
        "WITH g AS (DELETE FROM dm.grants WHERE name OPERATOR(pg_catalog.=) $1 \
           AND grantee::pg_catalog.oid OPERATOR(pg_catalog.=) $2::pg_catalog.oid \
           AND ($3::pg_catalog.text IS NULL OR privilege OPERATOR(pg_catalog.=) $3) RETURNING 1) \
         SELECT pg_catalog.count(*) FROM g",
        &[
            name.into(),
            oid_arg(grantee).into(),
            p.map(Privilege::name).into(),
        ],
    )
    .unwrap_or_else(|e| spi_fail(e))
    .unwrap_or(0)
}

/// Forgets a whole model name (its grants and recorded functions go with it).
pub fn release(name: &str) {
    run(
        "DELETE FROM dm.owners WHERE name OPERATOR(pg_catalog.=) $1",
        &[name.into()],
    )
    .unwrap_or_else(|e| spi_fail(e))
}

/// Records a typed predict function of the model (its regprocedure text).
pub fn record_function(name: &str, signature: &str, created_by: &str) {
    run(
        "INSERT INTO dm.functions (name, signature, created_by) VALUES ($1, $2, $3) \
         ON CONFLICT (signature) DO UPDATE SET name = EXCLUDED.name, \
           created_by = EXCLUDED.created_by, created_at = pg_catalog.now()",
        &[name.into(), signature.into(), created_by.into()],
    )
    .unwrap_or_else(|e| spi_fail(e))
}

/// The typed predict functions of the model that still exist (regprocedure text).
pub fn functions_of(name: &str) -> Vec<String> {
    read_one::<Vec<String>>(
        "SELECT pg_catalog.array_agg(f.signature ORDER BY f.signature) FROM dm.functions f \
         WHERE f.name OPERATOR(pg_catalog.=) $1 \
           AND pg_catalog.to_regprocedure(f.signature) IS NOT NULL",
        &[name.into()],
    )
    .unwrap_or_else(|e| spi_fail(e))
    .unwrap_or_default()
}

/// A scoring trigger (dm_score_trigger) of a model.
pub struct Trigger {
    pub name: String,
    /// regclass text.
    pub table: String,
    /// Its model argument: the name, or name@version.
    pub model: String,
}

/// The scoring triggers whose model argument is this model or one of its versions.
pub fn triggers_of(name: &str) -> Vec<Trigger> {
    let (names, tables, models) = read_three::<Vec<String>, Vec<String>, Vec<String>>(
        "WITH t AS (SELECT t.tgname, t.tgrelid, \
                   pg_catalog.convert_from(pg_catalog.substring(t.tgargs, 1, \
                     pg_catalog.position(t.tgargs, '\\x00'::pg_catalog.bytea) OPERATOR(pg_catalog.-) 1), \
                     'UTF8') AS model \
             FROM pg_catalog.pg_trigger t \
             JOIN pg_catalog.pg_proc p ON p.oid OPERATOR(pg_catalog.=) t.tgfoid \
             JOIN pg_catalog.pg_depend d ON d.objid OPERATOR(pg_catalog.=) p.oid \
               AND d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass \
               AND d.deptype OPERATOR(pg_catalog.=) 'e' \
             JOIN pg_catalog.pg_extension e ON e.oid OPERATOR(pg_catalog.=) d.refobjid \
               AND e.extname OPERATOR(pg_catalog.=) 'pg_mining' \
             WHERE p.proname OPERATOR(pg_catalog.=) 'dm_score_trigger' \
               AND t.tgnargs OPERATOR(pg_catalog.>=) 1) \
         SELECT pg_catalog.array_agg(t.tgname::pg_catalog.text ORDER BY t.tgrelid, t.tgname), \
                pg_catalog.array_agg(t.tgrelid::pg_catalog.regclass::pg_catalog.text ORDER BY t.tgrelid, t.tgname), \
                pg_catalog.array_agg(t.model ORDER BY t.tgrelid, t.tgname) \
         FROM t WHERE pg_catalog.split_part(t.model, '@', 1) OPERATOR(pg_catalog.=) $1",
        &[name.into()],
    )
    .unwrap_or_else(|e| spi_fail(e));
    let (tables, models) = (tables.unwrap_or_default(), models.unwrap_or_default());
    names
        .unwrap_or_default()
        .into_iter()
        .zip(tables.into_iter().zip(models))
        .map(|(name, (table, model))| Trigger { name, table, model })
        .collect()
}
