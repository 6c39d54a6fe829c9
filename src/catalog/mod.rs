//! The dm.* catalog through SPI, and the per-backend model cache.

pub mod cache;
pub mod models;
