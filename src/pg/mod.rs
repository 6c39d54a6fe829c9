//! What catalog/, data/ and api/ share on the Postgres side: errors as ereport with SQLSTATEs,
//! SPI helpers, and the thread pool that runs the mining core while the backend checks for
//! interrupts; and the one home of what differs between PostgreSQL majors (compat).

pub mod compat;
pub mod definer;
pub mod errors;
pub mod pool;
pub mod spi;
