//! The dm.* catalog through SPI (run as the catalog's owner), who may do what with a model,
//! and the per-backend model cache.

pub mod cache;
pub mod grants;
pub mod models;
mod owned;
pub mod rights;
pub mod version;
