//! The per-request store state and the per-component context it points to.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::{Arc, Weak};

use wasmtime::component::ResourceTable;
use wasmtime::StoreLimits;
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{FsPerms, WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpView};

use super::db::{KvStore, SqlitePool};
use super::mysql::driver::MysqlPools;
use super::outbound::{AllowedHosts, InternalRequests, OutboundHooks};
use super::variables::ComponentVariables;

/// Bytes of guest stdout/stderr kept per request (then logged).
const STDIO_CAPACITY: usize = 64 * 1024;

/// Everything a component may use, fixed at load time.
pub struct ComponentCtx {
    /// The component id from `spin.toml`.
    pub id: String,
    /// Resolved component variables.
    pub variables: ComponentVariables,
    /// `sqlite_databases`.
    pub sqlite_allowed: HashSet<String>,
    /// Databases by label (the allowed ones that exist).
    pub sqlite: HashMap<String, Arc<SqlitePool>>,
    /// `key_value_stores`.
    pub kv_allowed: HashSet<String>,
    /// Stores by label.
    pub kv: HashMap<String, Arc<KvStore>>,
    /// `allowed_outbound_hosts`.
    pub allowed_hosts: Arc<AllowedHosts>,
    /// The application's MySQL pools (one per address, shared by all components).
    pub mysql: Arc<MysqlPools>,
    /// `environment`.
    pub env: Vec<(String, String)>,
    /// Read-only mounts: host directory → guest path.
    pub mounts: Vec<(PathBuf, String)>,
}

/// The `T` of each request's `Store<T>`.
pub struct HostState {
    pub(crate) wasi: WasiCtx,
    pub(crate) http: WasiHttpCtx,
    pub(crate) table: ResourceTable,
    pub(crate) hooks: OutboundHooks,
    pub(crate) limits: StoreLimits,
    pub(crate) component: Arc<ComponentCtx>,
    pub(crate) stdout: MemoryOutputPipe,
    pub(crate) stderr: MemoryOutputPipe,
}

impl HostState {
    /// Builds a fresh state for one request.
    pub fn new(
        component: Arc<ComponentCtx>,
        app: Weak<dyn InternalRequests>,
        memory_limit: usize,
    ) -> wasmtime::Result<Self> {
        let stdout = MemoryOutputPipe::new(STDIO_CAPACITY);
        let stderr = MemoryOutputPipe::new(STDIO_CAPACITY);
        let mut builder = WasiCtxBuilder::new();
        builder
            .stdout(stdout.clone())
            .stderr(stderr.clone())
            .envs(&component.env);
        for (host, guest) in &component.mounts {
            builder.preopened_dir(host, guest, FsPerms::ReadOnly)?;
        }
        let limits = wasmtime::StoreLimitsBuilder::new()
            .memory_size(memory_limit)
            .instances(64)
            .trap_on_grow_failure(true)
            .build();
        Ok(Self {
            wasi: builder.build(),
            http: WasiHttpCtx::new(),
            table: ResourceTable::new(),
            hooks: OutboundHooks {
                allowed: component.allowed_hosts.clone(),
                app,
            },
            limits,
            component,
            stdout,
            stderr,
        })
    }

    /// Logs what the guest printed, tagged with its component id.
    pub fn flush_stdio(&self) {
        for (stream, pipe) in [("stdout", &self.stdout), ("stderr", &self.stderr)] {
            let bytes = pipe.contents();
            for line in String::from_utf8_lossy(&bytes)
                .lines()
                .filter(|l| !l.is_empty())
            {
                tracing::info!(component = %self.component.id, stream, "{line}");
            }
        }
    }
}

impl WasiView for HostState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl WasiHttpView for HostState {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView {
            ctx: &mut self.http,
            table: &mut self.table,
            hooks: &mut self.hooks,
        }
    }
}
