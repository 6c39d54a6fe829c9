//! The mining core of pg_mining (doc written below, once the layout settles).

pub mod association;
pub mod common;
pub mod evaluation;
pub mod learners;
pub mod model;
pub mod pipeline;
pub mod prepare;

#[cfg(test)]
pub(crate) mod test_support;
