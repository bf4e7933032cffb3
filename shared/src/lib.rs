//! What the iems functions (WebAssembly) and the native services have in common:
//! domain types and their validation, the error codes of the HTTP API, identity
//! (JWT, password hashing, keys), the consumption rules and the wire formats.
//!
//! This crate builds for `wasm32-wasip2` as well as natively, so it depends on
//! nothing that needs tokio, sockets or a database driver.

pub mod access;
pub mod consumption;
pub mod cost;
pub mod domain;
pub mod energy;
pub mod error;
pub mod identity;
pub mod ingest;
pub mod insight;
pub mod model;
pub mod net;
pub mod redact;
pub mod sql;
pub mod static_path;
pub mod time;
pub mod wire;

pub use cost::{Money, Price};
pub use energy::Energy;
pub use error::{ApiError, ErrorCode};
