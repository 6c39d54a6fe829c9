//! Reading relations into frames, scoring inputs into feature values, and predictions into a
//! row's column (the scoring trigger).

pub mod baskets;
pub mod input;
pub mod reader;
pub mod trigger;
pub mod types;
