//! Reading relations into frames, and scoring inputs into feature values.

pub mod baskets;
pub mod input;
pub mod reader;
pub mod types;
