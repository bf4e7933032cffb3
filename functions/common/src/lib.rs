//! Shared plumbing of the iems Spin components (`functions/*`): reading a request
//! with a body limit, taking fields out of a JSON body with exact validation
//! errors, JSON and error responses, bearer authentication, cookies, and [`db::Db`],
//! the one small store interface every SQL statement goes through (SQLite now,
//! MySQL later).
//!
//! Business rules stay in `iems-shared`; this crate only adapts them to Spin.

pub mod auth;
pub mod cost;
pub mod db;
pub mod http;
pub mod json;

pub use http::{Req, MAX_BODY_BYTES};

/// The current time in unix milliseconds (UTC).
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// A Spin variable, or a logged 500 when it is missing (a deployment error, not the client's).
pub fn variable(name: &str) -> Result<String, iems_shared::ApiError> {
    spin_sdk::variables::get(name).map_err(|e| {
        eprintln!("variable {name} unavailable: {e:?}");
        iems_shared::ApiError::internal()
    })
}

/// A new random UUID as a string (ids of users, devices, tokens).
pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}
