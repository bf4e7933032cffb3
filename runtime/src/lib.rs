//! iems-runtime: runs a Spin application (`spin.toml`, manifest version 2) on
//! wasmtime with Spin's HTTP trigger semantics and host interfaces.
//!
//! ```no_run
//! # async fn run() -> Result<(), iems_runtime::RuntimeError> {
//! let app = iems_runtime::App::load("spin.toml".as_ref(), Default::default())?;
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
//! app.serve(listener, iems_runtime::shutdown_signal()).await
//! # }
//! ```

mod app;
mod build;
mod db;
mod error;
mod host;
mod host_mysql;
#[cfg(feature = "spin-mysql3")]
mod host_mysql3;
mod invoke;
pub mod manifest;
mod mysql;
mod outbound;
pub mod routes;
pub mod runtime_config;
mod server;
mod state;
#[cfg(feature = "spin-mysql3")]
#[doc(hidden)]
pub mod testing;
pub mod variables;

pub use app::{key_value_file, App, Limits, RequestObserver, RequestRecord, RuntimeOptions};
pub use build::{build, ensure_rust_target};
pub use error::RuntimeError;
pub use invoke::{BoxError, ResponseBody};
pub use server::shutdown_signal;
