//! The benchmarks of iems, run as `iems bench <what>`: a library that only the
//! `iems` command uses (it sits beside the services it measures; nothing
//! depends on it but the command). Each benchmark takes `--quick` and ends
//! with a `bench=<what> name=value …` summary line.
//!
//! - [`ingest`]: readings through RabbitMQ and the broker-adapter against the raw broker;
//! - [`ws`]: the WebSocket hub, run as a child process of the running `iems`
//!   executable (`iems ws-hub`), so its memory is measured alone.

pub mod ingest;
pub mod ws;
