//! pg_mining: the data-mining workflow inside PostgreSQL.
pub mod mining;
