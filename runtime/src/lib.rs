//! iems-runtime: runs a Spin application (`spin.toml`, manifest version 2) on
//! wasmtime with Spin's HTTP trigger semantics and host interfaces.
//!
//! The code is grouped by phase, and the dependencies point one way:
//! `serve` → `load` → `host`. `load` reads the manifest,
//! compiles and links the components against `host`'s interfaces; `serve`
//! routes and runs requests on what `load` produced; `host` implements the
//! interfaces guests import and knows neither (a guest's request back into
//! its app goes through a trait `serve` implements).
//!
//! ```no_run
//! # async fn run() -> Result<(), iems_runtime::RuntimeError> {
//! let app = iems_runtime::App::load("spin.toml".as_ref(), Default::default())?;
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
//! app.serve(listener, iems_runtime::shutdown_signal()).await
//! # }
//! ```

mod build;
mod error;
mod host;
mod load;
mod serve;
#[cfg(feature = "testing")]
pub mod testing;

pub use build::{build, ensure_rust_target};
pub use error::RuntimeError;
pub use load::{key_value_file, manifest, runtime_config, variables, Limits, RuntimeOptions};
pub use serve::dispatch::{BoxError, ResponseBody};
pub use serve::listener::{serve_connections, shutdown_signal, ConnectionLimits};
pub use serve::routes;
pub use serve::{App, RequestObserver, RequestRecord};
