//! The host interfaces guests import, on the per-request store state
//! ([`HostState`]): Spin's variables, SQLite and key-value ([`spin`], on the
//! stores of [`db`]), outbound HTTP under `allowed_outbound_hosts`
//! ([`outbound`]) and MySQL v2 and v3 ([`mysql`], on its own driver).
//!
//! Nothing here knows how an application is loaded or served: a guest's
//! requests back into its application go through [`InternalRequests`].

use wasmtime::component::Linker;

pub mod db;
pub mod mysql;
pub mod outbound;
pub mod spin;
pub mod state;
pub mod variables;

pub use outbound::InternalRequests;
pub use state::{ComponentCtx, HostState};

/// Adds every Spin interface the runtime implements to the linker (WASI and
/// wasi:http come from their own crates).
pub fn add_to_linker(linker: &mut Linker<HostState>) -> wasmtime::Result<()> {
    spin::add_to_linker(linker)?;
    mysql::add_to_linker(linker)?;
    #[cfg(feature = "spin-mysql3")]
    mysql::v3::add_to_linker(linker)?;
    Ok(())
}
