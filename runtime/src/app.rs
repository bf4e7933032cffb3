//! Loading an application: engine, compiled and pre-instantiated components,
//! databases, variables and routes.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use wasmtime::component::{Component, InstancePre, Linker};
use wasmtime::{Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig};
use wasmtime_wasi_http::p2::bindings::ProxyPre;

use crate::db::{KvStore, SqlitePool};
use crate::error::RuntimeError;
use crate::manifest::{self, FileMount, Manifest, RouteDecl, SourceDecl};
use crate::mysql::MysqlPools;
use crate::outbound::AllowedHosts;
use crate::routes::{Route, Router};
use crate::runtime_config::RuntimeConfig;
use crate::state::{ComponentCtx, HostState};
use crate::variables::AppVariables;

/// How often the epoch advances; the time limit's granularity.
pub(crate) const EPOCH_TICK: Duration = Duration::from_millis(10);

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
    /// long it may stay idle between requests, before [`App::serve`] closes
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

/// Options for [`App::load`].
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

pub(crate) struct LoadedComponent {
    pub(crate) pre: Handler,
    pub(crate) ctx: Arc<ComponentCtx>,
}

/// A component's HTTP export, pre-instantiated.
#[derive(Clone)]
pub(crate) enum Handler {
    /// `wasi:http/incoming-handler@0.2` (spin-sdk 5, what Spin 3 and 4 run).
    P2(ProxyPre<HostState>),
    /// `wasi:http/handler@0.3.0` (spin-sdk 7, Spin 4), with the
    /// `wasi-http-p3` feature.
    #[cfg(feature = "wasi-http-p3")]
    P3(wasmtime_wasi_http::p3::bindings::ServicePre<HostState>),
}

/// The export a wasi:http 0.3 component serves requests from.
const P3_HANDLER: &str = "wasi:http/handler@0.3.0";

/// Why a Spin 4 component does not load without the features.
const NEEDS_ASYNC: &str = "Spin 4 components (spin-sdk 7: wasi:http 0.3, \
    spin:mysql/mysql@3.0.0) load only when the runtime is built with its \
    `wasi-http-p3` feature (`spin-mysql3` for the MySQL interface alone)";

impl Handler {
    /// Pre-instantiates `component` for the HTTP interface it exports.
    fn new(
        engine: &Engine,
        linker: &Linker<HostState>,
        component: &Component,
    ) -> wasmtime::Result<Self> {
        let p3 = component
            .component_type()
            .exports(engine)
            .any(|(name, _)| name == P3_HANDLER);
        if !p3 {
            return ProxyPre::new(linker.instantiate_pre(component)?).map(Handler::P2);
        }
        #[cfg(feature = "wasi-http-p3")]
        return wasmtime_wasi_http::p3::bindings::ServicePre::new(
            linker.instantiate_pre(component)?,
        )
        .map(Handler::P3);
        #[cfg(not(feature = "wasi-http-p3"))]
        wasmtime::bail!("it exports {P3_HANDLER}: {NEEDS_ASYNC}")
    }

    /// What the instances are made from.
    pub(crate) fn instance_pre(&self) -> &InstancePre<HostState> {
        match self {
            Handler::P2(pre) => pre.instance_pre(),
            #[cfg(feature = "wasi-http-p3")]
            Handler::P3(pre) => pre.instance_pre(),
        }
    }
}

/// One answered request, as a [`RequestObserver`] sees it (for metrics).
#[derive(Debug)]
pub struct RequestRecord<'a> {
    /// The request method.
    pub method: &'a http::Method,
    /// The route as written in `spin.toml` (`/api/devices/...`), `/.well-known/spin/...`
    /// for Spin's own routes, or `-` when no route matched.
    pub route: &'a str,
    /// The component that answered (`-` when none did).
    pub component: &'a str,
    /// The response status.
    pub status: u16,
    /// Until the response head was ready (the body may stream on).
    pub duration: std::time::Duration,
}

/// Called once for every answered request (see [`App::observe`]).
pub type RequestObserver = Arc<dyn Fn(&RequestRecord<'_>) + Send + Sync>;

/// The shared state behind an [`App`].
pub struct AppInner {
    pub(crate) engine: Engine,
    pub(crate) router: Router,
    pub(crate) components: Vec<LoadedComponent>,
    pub(crate) by_id: HashMap<String, usize>,
    pub(crate) limits: Limits,
    /// The body of `/.well-known/spin/info`.
    pub(crate) info: bytes::Bytes,
    /// Told about every answered request, once set.
    pub(crate) observer: std::sync::OnceLock<RequestObserver>,
    ticker_stop: Arc<AtomicBool>,
}

impl Drop for AppInner {
    fn drop(&mut self) {
        self.ticker_stop.store(true, Ordering::Relaxed);
    }
}

/// A loaded Spin application, cheap to clone, ready to serve requests.
#[derive(Clone)]
pub struct App {
    pub(crate) inner: Arc<AppInner>,
}

fn engine(options: &RuntimeOptions) -> Result<Engine, RuntimeError> {
    let mut config = Config::new();
    config.wasm_component_model(true).epoch_interruption(true);
    // Component-model async (streams, futures, async imports and exports):
    // what Spin 4's `spin:mysql/mysql@3.0.0` needs; see the `spin-mysql3`
    // feature in Cargo.toml for why it is opt-in.
    #[cfg(feature = "spin-mysql3")]
    config.wasm_component_model_async(true);
    let cache_dir = options.cache_dir.clone().unwrap_or_else(default_cache_dir);
    let mut cache_config = wasmtime::CacheConfig::new();
    cache_config.with_directory(cache_dir);
    match wasmtime::Cache::new(cache_config) {
        Ok(cache) => {
            config.cache(Some(cache));
        }
        Err(e) => tracing::warn!("compilation cache disabled: {e}"),
    }
    let mut pooling = PoolingAllocationConfig::default();
    pooling
        .total_component_instances(options.limits.max_instances)
        .total_memories(options.limits.max_instances)
        .total_tables(options.limits.max_instances * 2)
        .max_memory_size(options.limits.memory_bytes);
    tune_slot_reset(&mut pooling);
    let mut pooled = config.clone();
    pooled.allocation_strategy(InstanceAllocationStrategy::Pooling(pooling));
    match Engine::new(&pooled) {
        Ok(engine) => Ok(engine),
        Err(e) => {
            tracing::warn!("pooling allocator unavailable ({e}); allocating on demand");
            Engine::new(&config).map_err(|e| RuntimeError::Engine(e.to_string()))
        }
    }
}

/// How a freed instance slot is made ready for the next request: every
/// request gets a fresh instance, so this runs once per request.
///
/// Returning pages with `madvise` makes the kernel flush the TLB of every core
/// the process runs on (an inter-processor interrupt each time) and costs a
/// page fault on each page the next instance touches; profiled under load,
/// that and a `memset` of the whole kept region took about a third of the
/// server's CPU. Where Linux offers the `PAGEMAP_SCAN` ioctl (6.7+), Wasmtime
/// finds the pages the instance actually dirtied and resets only those with
/// `memset`, keeping them mapped, so a larger resident region costs nothing
/// per request. Elsewhere the whole kept region is cleared with `memset`, so
/// it stays small.
fn tune_slot_reset(pooling: &mut PoolingAllocationConfig) {
    const MIB: usize = 1024 * 1024;
    if PoolingAllocationConfig::is_pagemap_scan_available() {
        pooling
            .pagemap_scan(wasmtime::Enabled::Yes)
            // Dirtied pages stay resident up to this size per warm slot (at
            // most 100 warm slots: wasmtime's `max_unused_warm_slots`).
            .linear_memory_keep_resident(8 * MIB)
            .table_keep_resident(MIB);
    } else {
        pooling
            .linear_memory_keep_resident(2 * MIB)
            .table_keep_resident(64 * 1024);
    }
}

fn default_cache_dir() -> PathBuf {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    base.join("iems").join("wasmtime")
}

fn spawn_ticker(engine: Engine, stop: Arc<AtomicBool>) {
    std::thread::Builder::new()
        .name("iems-epoch".into())
        .spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                std::thread::sleep(EPOCH_TICK);
                engine.increment_epoch();
            }
        })
        .expect("spawning the epoch thread");
}

/// The file of key-value store `label` in the data directory when the runtime
/// config gives it no path: `sqlite_key_value.db` for `default` (Spin's name),
/// `<label>_kv.db` for another store.
pub fn key_value_file(label: &str) -> String {
    if label == "default" {
        "sqlite_key_value.db".to_string()
    } else {
        format!("{label}_kv.db")
    }
}

/// The file of a local component source: relative to the app directory, or
/// under `target_dir` when it names a file in `target/`.
fn local_source(app_dir: &Path, source: &str, target_dir: Option<&Path>) -> PathBuf {
    let relative = Path::new(source);
    match (target_dir, relative.strip_prefix("target")) {
        (Some(target), Ok(rest)) if relative.is_relative() => target.join(rest),
        _ => app_dir.join(relative),
    }
}

fn pick<T>(allowed: &[String], all: &HashMap<String, Arc<T>>) -> HashMap<String, Arc<T>> {
    allowed
        .iter()
        .filter_map(|n| all.get(n).map(|s| (n.clone(), Arc::clone(s))))
        .collect()
}

fn mounts(app_dir: &Path, files: &[FileMount]) -> Vec<(PathBuf, String)> {
    files
        .iter()
        .map(|f| match f {
            FileMount::Placement {
                source,
                destination,
            } => (app_dir.join(source), destination.clone()),
            FileMount::Pattern(pattern) => {
                // A glob mounts its literal leading directory; a file mounts its directory.
                let literal: Vec<&str> = pattern
                    .split('/')
                    .take_while(|s| !s.contains(['*', '?', '[']))
                    .collect();
                let mut dir = literal.join("/");
                if app_dir.join(&dir).is_file() || literal.len() == pattern.split('/').count() {
                    dir = Path::new(&dir)
                        .parent()
                        .map(|p| p.display().to_string())
                        .unwrap_or_default();
                }
                let guest = format!("/{dir}");
                (app_dir.join(&dir), guest)
            }
        })
        .collect()
}

impl App {
    /// Loads `spin.toml`, opens the databases, compiles (or loads from the cache)
    /// and pre-instantiates every component.
    pub fn load(manifest_path: &Path, options: RuntimeOptions) -> Result<Self, RuntimeError> {
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
        crate::host_mysql::add_to_linker(&mut linker).map_err(link_err)?;
        #[cfg(feature = "spin-mysql3")]
        crate::host_mysql3::add_to_linker(&mut linker).map_err(link_err)?;
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
                SourceDecl::Local(path) => {
                    local_source(&app_dir, path, options.target_dir.as_deref())
                }
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
            let pre =
                Handler::new(&engine, &linker, &component).map_err(|e| fail(format!("{e:#}")))?;
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

        let mut routes = Vec::new();
        for trigger in &manifest.trigger.http {
            if let RouteDecl::Path(raw) = &trigger.route {
                routes.push(Route::parse(raw, by_id[&trigger.component])?);
            }
        }
        let router = Router::new(routes)?;
        let ticker_stop = Arc::new(AtomicBool::new(false));
        spawn_ticker(engine.clone(), ticker_stop.clone());
        let limits = options.limits.clone();
        let info = serde_json::to_vec_pretty(&serde_json::json!({
            "name": manifest.application.name,
            "version": manifest.application.version,
            "oci_image_digest": null,
        }))
        .unwrap_or_default()
        .into();
        Ok(Self {
            inner: Arc::new(AppInner {
                engine,
                router,
                components,
                by_id,
                limits,
                info,
                observer: std::sync::OnceLock::new(),
                ticker_stop,
            }),
        })
    }

    /// Calls `observer` for every request answered from now on (request counts
    /// and durations by route for metrics); false when one is already set.
    pub fn observe(&self, observer: RequestObserver) -> bool {
        self.inner.observer.set(observer).is_ok()
    }

    /// The routes served, most specific first, with their component ids.
    pub fn routes(&self) -> Vec<(String, String)> {
        let ids: HashMap<usize, &String> = self.inner.by_id.iter().map(|(k, v)| (*v, k)).collect();
        let routes = self.inner.router.routes().iter();
        routes
            .map(|r| (r.raw.clone(), ids[&r.component].clone()))
            .collect()
    }
}

type Stores = (
    HashMap<String, Arc<SqlitePool>>,
    HashMap<String, Arc<KvStore>>,
);

fn open_stores(
    manifest: &Manifest,
    config: &RuntimeConfig,
    data_dir: &Path,
    options: &RuntimeOptions,
) -> Result<Stores, RuntimeError> {
    let used_dbs: HashSet<&String> = manifest
        .component
        .values()
        .flat_map(|c| &c.sqlite_databases)
        .collect();
    let used_kv: HashSet<&String> = manifest
        .component
        .values()
        .flat_map(|c| &c.key_value_stores)
        .collect();
    let mut sqlite = HashMap::new();
    for name in used_dbs {
        let path = match (config.sqlite_database.get(name), name.as_str()) {
            (Some(decl), _) => decl
                .path
                .clone()
                .unwrap_or_else(|| data_dir.join(format!("{name}.db"))),
            (None, "default") => options
                .default_database
                .clone()
                .unwrap_or_else(|| data_dir.join("sqlite_db.db")),
            (None, _) => {
                return Err(RuntimeError::Database {
                    name: name.clone(),
                    message: "not defined; add [sqlite_database.<name>] to the runtime config"
                        .into(),
                })
            }
        };
        sqlite.insert(name.clone(), SqlitePool::open(name, &path)?);
    }
    let mut kv = HashMap::new();
    let mut kv_files: HashMap<PathBuf, Arc<SqlitePool>> = HashMap::new();
    for label in used_kv {
        let path = match (config.key_value_store.get(label), label.as_str()) {
            (Some(decl), _) => decl
                .path
                .clone()
                .unwrap_or_else(|| data_dir.join(key_value_file(label))),
            (None, "default") => data_dir.join(key_value_file(label)),
            (None, _) => {
                return Err(RuntimeError::Database {
                    name: label.clone(),
                    message: "not defined; add [key_value_store.<name>] to the runtime config"
                        .into(),
                })
            }
        };
        let pool = match kv_files.get(&path) {
            Some(pool) => pool.clone(),
            None => SqlitePool::open(label, &path)?,
        };
        kv_files.insert(path, pool.clone());
        kv.insert(label.clone(), KvStore::open(label, pool)?);
    }
    Ok((sqlite, kv))
}

#[cfg(test)]
mod tests {
    use super::{key_value_file, local_source};
    use std::path::Path;

    #[test]
    fn key_value_files_follow_the_runtime() {
        assert_eq!(key_value_file("default"), "sqlite_key_value.db");
        assert_eq!(key_value_file("cache"), "cache_kv.db");
    }

    #[test]
    fn target_sources_follow_the_target_dir() {
        let app = Path::new("/app");
        let source = "target/wasm32-wasip2/release/x.wasm";
        assert_eq!(
            local_source(app, source, None),
            Path::new("/app/target/wasm32-wasip2/release/x.wasm")
        );
        assert_eq!(
            local_source(app, source, Some(Path::new("/cache/t"))),
            Path::new("/cache/t/wasm32-wasip2/release/x.wasm")
        );
        // Only a leading `target` directory is redirected.
        assert_eq!(
            local_source(app, "dist/target/x.wasm", Some(Path::new("/cache/t"))),
            Path::new("/app/dist/target/x.wasm")
        );
        assert_eq!(
            local_source(app, "targets/x.wasm", Some(Path::new("/cache/t"))),
            Path::new("/app/targets/x.wasm")
        );
    }
}
