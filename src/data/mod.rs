//! Reading relations into frames, and scoring inputs into feature values.

pub mod input;
pub mod reader;
pub mod types;
