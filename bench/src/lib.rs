//! The benchmarks of iems, run as `iems bench <what>`: a library that only the
//! `iems` command uses (it sits beside the services it measures; nothing
//! depends on it but the command). Each benchmark takes `--quick` and ends
//! with a `bench=<what> name=value …` summary line.
//!
//! - [`runtime_http`] (`bench http`): functions on the local runtime against
//!   the same handlers in native axum;
//! - [`ingest`]: readings through RabbitMQ and the broker-adapter against the raw broker;
//! - [`ws`]: the WebSocket hub, run as a child process of the running `iems`
//!   executable (`iems ws-hub`), so its memory is measured alone;
//! - [`api`]: the API's day chart and device list on a year of data;
//! - [`load`]: what the HTTP benchmarks share (wasm builds, serving, the load driver).

pub mod api;
pub mod ingest;
pub mod load;
pub mod runtime_http;
pub mod ws;
