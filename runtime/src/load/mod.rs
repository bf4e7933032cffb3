//! Loading an application: the engine, components compiled (or taken from
//! the cache) and pre-instantiated against a linker of every host interface,
//! the stores they use, their variables and mounts, and the store each
//! request runs in. Reads `spin.toml` ([`manifest`]), the runtime config
//! ([`runtime_config`]) and the variables ([`variables`]) as loading needs.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

use wasmtime::component::{Component, Linker};
use wasmtime::{Engine, Store};

use crate::error::RuntimeError;
use crate::host::mysql::driver::MysqlPools;
use crate::host::outbound::AllowedHosts;
use crate::host::{ComponentCtx, HostState, InternalRequests};
use component::{local_source, mounts, pick, NEEDS_ASYNC};
use engine::{engine, spawn_ticker, EPOCH_TICK};
use manifest::{Manifest, RouteDecl, SourceDecl};
use runtime_config::RuntimeConfig;
use stores::open_stores;
use variables::AppVariables;

mod component;
mod engine;
pub mod manifest;
pub mod runtime_config;
mod stores;
pub mod variables;

pub(crate) use component::{Handler, LoadedComponent};
pub use stores::key_value_file;

/// Per-request limits.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Wall-clock limit of one request (epoch interruption plus a host timeout).
    pub request_timeout: Duration,
    /// Linear memory limit of one instance, in bytes.
    pub memory_bytes: usize,
    /// Concurrent instances the pooling allocator reserves.
    pub max_instances: u32,
    /// Connections per MySQL address, shared by every instance of the app
    /// (each open guest `connection` holds one).
    pub mysql_max_connections: u32,
    /// How long a connection may take to send a request's headers, and how
    /// long it may stay idle between requests, before [`App::serve`](crate::App::serve) closes
    /// it: slow or silent clients cannot hold connections open.
    pub header_read_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            request_timeout: Duration::from_secs(30),
            memory_bytes: 256 * 1024 * 1024,
            max_instances: 1000,
            mysql_max_connections: 16,
            header_read_timeout: Duration::from_secs(10),
        }
    }
}

/// Options for [`App::load`](crate::App::load).
#[derive(Debug, Clone, Default)]
pub struct RuntimeOptions {
    /// Directory for databases (default `<app dir>/.spin`).
    pub data_dir: Option<PathBuf>,
    /// File of the `default` SQLite database (default `<data dir>/sqlite_db.db`).
    pub default_database: Option<PathBuf>,
    /// Spin `runtime-config.toml`.
    pub runtime_config: Option<PathBuf>,
    /// Variable values that win over the environment and defaults.
    pub variables: HashMap<String, String>,
    /// Per-request limits.
    pub limits: Limits,
    /// Compilation cache directory (default `$XDG_CACHE_HOME/iems/wasmtime`).
    pub cache_dir: Option<PathBuf>,
    /// Where `target/…` component sources are looked up instead of the app
    /// directory's `target/`: the `CARGO_TARGET_DIR` the components were built
    /// with. Spin itself has no such option (its sources must be where the
    /// manifest says); `iems up` uses it so one cargo cache serves everything.
    pub target_dir: Option<PathBuf>,
}

/// A loaded application, before it is served: its engine, components and
/// limits, and the routes its manifest declares.
pub(crate) struct Loaded {
    pub(crate) engine: Engine,
    pub(crate) components: Vec<LoadedComponent>,
    /// Component ids to their index in `components`.
    pub(crate) by_id: HashMap<String, usize>,
    pub(crate) limits: Limits,
    /// `[application]`: name and version.
    pub(crate) application: manifest::Application,
    /// The `[[trigger.http]]` routes as written, with their component's index.
    pub(crate) http_routes: Vec<(String, usize)>,
    ticker_stop: Arc<AtomicBool>,
}

impl Drop for Loaded {
    fn drop(&mut self) {
        self.ticker_stop.store(true, Ordering::Relaxed);
    }
}

impl Loaded {
    /// A store for one request of `loaded`: its host state and memory limit,
    /// and the epoch deadline that traps the guest past the request timeout.
    /// `app` serves the guest's requests back into the application.
    pub(crate) fn request_store(
        &self,
        loaded: &LoadedComponent,
        app: Weak<dyn InternalRequests>,
    ) -> wasmtime::Result<Store<HostState>> {
        let state = HostState::new(loaded.ctx.clone(), app, self.limits.memory_bytes)?;
        let mut store = Store::new(&self.engine, state);
        store.limiter(|s| &mut s.limits);
        let ticks = self.limits.request_timeout.as_millis() / EPOCH_TICK.as_millis();
        store.set_epoch_deadline(ticks.max(1) as u64);
        store.epoch_deadline_trap();
        Ok(store)
    }
}

/// Loads `spin.toml`, opens the databases, compiles (or loads from the cache)
/// and pre-instantiates every component.
pub(crate) fn load(manifest_path: &Path, options: RuntimeOptions) -> Result<Loaded, RuntimeError> {
    let manifest = Manifest::from_file(manifest_path)?;
    let app_dir = manifest::app_dir(manifest_path);
    let runtime_config = match &options.runtime_config {
        Some(path) => RuntimeConfig::from_file(path)?,
        None => RuntimeConfig::default(),
    };
    let data_dir = options
        .data_dir
        .clone()
        .unwrap_or_else(|| app_dir.join(".spin"));
    let variables = AppVariables::resolve(&manifest.variables, &options.variables)?;
    let (sqlite, kv) = open_stores(&manifest, &runtime_config, &data_dir, &options)?;

    let engine = engine(&options)?;
    let mut linker: Linker<HostState> = Linker::new(&engine);
    let link_err = |e: wasmtime::Error| RuntimeError::Engine(e.to_string());
    wasmtime_wasi::p2::add_to_linker_async(&mut linker).map_err(link_err)?;
    wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker).map_err(link_err)?;
    crate::host::add_to_linker(&mut linker).map_err(link_err)?;
    #[cfg(feature = "wasi-http-p3")]
    {
        wasmtime_wasi::p3::add_to_linker(&mut linker).map_err(link_err)?;
        wasmtime_wasi_http::p3::add_to_linker(&mut linker).map_err(link_err)?;
    }
    let mysql = Arc::new(MysqlPools::new(
        options.limits.mysql_max_connections,
        options.limits.request_timeout,
    ));

    let mut components = Vec::new();
    let mut by_id = HashMap::new();
    for (id, decl) in &manifest.component {
        let fail = |message: String| RuntimeError::Component {
            component: id.clone(),
            message,
        };
        let source = match &decl.source {
            SourceDecl::Local(path) => local_source(&app_dir, path, options.target_dir.as_deref()),
            SourceDecl::Remote { url, .. } => {
                return Err(fail(format!("remote sources are not supported ({url})")))
            }
        };
        let started = std::time::Instant::now();
        let component = Component::from_file(&engine, &source).map_err(|e| {
            let mut message = format!("{}: {e:#}", source.display());
            // Without component-model async, its types do not even parse.
            if message.contains("component model async") {
                message = format!("{message}; {NEEDS_ASYNC}");
            }
            fail(message)
        })?;
        let pre = Handler::new(&engine, &linker, &component).map_err(|e| fail(format!("{e:#}")))?;
        tracing::info!(component = %id, elapsed_ms = started.elapsed().as_millis() as u64, "component ready");
        let ctx = ComponentCtx {
            id: id.clone(),
            variables: variables.for_component(&decl.variables)?,
            sqlite_allowed: decl.sqlite_databases.iter().cloned().collect(),
            sqlite: pick(&decl.sqlite_databases, &sqlite),
            kv_allowed: decl.key_value_stores.iter().cloned().collect(),
            kv: pick(&decl.key_value_stores, &kv),
            allowed_hosts: Arc::new(AllowedHosts::parse(
                &variables.expand_all(&decl.allowed_outbound_hosts)?,
            )?),
            mysql: mysql.clone(),
            env: decl
                .environment
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            mounts: mounts(&app_dir, &decl.files),
        };
        by_id.insert(id.clone(), components.len());
        components.push(LoadedComponent {
            pre,
            ctx: Arc::new(ctx),
        });
    }

    let http_routes = manifest
        .trigger
        .http
        .iter()
        .filter_map(|trigger| match &trigger.route {
            RouteDecl::Path(raw) => Some((raw.clone(), by_id[&trigger.component])),
            _ => None,
        })
        .collect();
    let ticker_stop = Arc::new(AtomicBool::new(false));
    spawn_ticker(engine.clone(), ticker_stop.clone());
    Ok(Loaded {
        engine,
        components,
        by_id,
        limits: options.limits.clone(),
        application: manifest.application,
        http_routes,
        ticker_stop,
    })
}
