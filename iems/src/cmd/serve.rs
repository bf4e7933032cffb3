//! `iems serve-functions`: serves spin.toml's components on the local runtime.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use clap::Args;
use iems_runtime::{App, Limits, RuntimeOptions};

/// Arguments of `iems serve-functions` (also the runtime part of `iems up`).
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "IEMS_LISTEN", default_value = "127.0.0.1:3000")]
    pub listen: SocketAddr,
    /// The application manifest.
    #[arg(long, env = "IEMS_MANIFEST", default_value = "spin.toml")]
    pub manifest: PathBuf,
    /// Data directory for SQLite databases (default `<app dir>/.spin`).
    #[arg(long = "data", env = "IEMS_DATA")]
    pub data_dir: Option<PathBuf>,
    /// File of the `default` SQLite database (default `<data>/sqlite_db.db`).
    #[arg(long, env = "IEMS_DEFAULT_DATABASE")]
    pub default_database: Option<PathBuf>,
    /// Spin runtime configuration file (`[sqlite_database.*]`, `[key_value_store.*]`).
    #[arg(long, env = "IEMS_RUNTIME_CONFIG_FILE")]
    pub runtime_config_file: Option<PathBuf>,
    /// Variable values, `name=value` (win over SPIN_VARIABLE_* and defaults).
    #[arg(long = "variable", value_parser = parse_variable)]
    pub variables: Vec<(String, String)>,
    /// Time limit of one request, in milliseconds.
    #[arg(long, env = "IEMS_REQUEST_TIMEOUT_MS", default_value_t = 30_000)]
    pub request_timeout_ms: u64,
    /// Memory limit of one instance, in MiB.
    #[arg(long, env = "IEMS_MEMORY_LIMIT_MB", default_value_t = 256)]
    pub memory_limit_mb: usize,
    /// Compilation cache directory (default `~/.cache/iems/wasmtime`).
    #[arg(long, env = "IEMS_WASM_CACHE_DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Where `target/…` component sources are found instead of `<app dir>/target`
    /// (the CARGO_TARGET_DIR they were built with).
    #[arg(long, env = "CARGO_TARGET_DIR")]
    pub target_dir: Option<PathBuf>,
    /// Serve Prometheus `/metrics` (requests by route and status, durations) on
    /// this address, apart from the app's routes.
    #[arg(long, env = "IEMS_METRICS_LISTEN")]
    pub metrics_listen: Option<SocketAddr>,
}

fn parse_variable(s: &str) -> Result<(String, String), String> {
    let (k, v) = s
        .split_once('=')
        .ok_or_else(|| format!("`{s}` is not name=value"))?;
    Ok((k.trim().to_owned(), v.to_owned()))
}

impl ServeArgs {
    /// The runtime options these flags describe.
    pub fn options(&self) -> RuntimeOptions {
        RuntimeOptions {
            data_dir: self.data_dir.clone(),
            default_database: self.default_database.clone(),
            runtime_config: self.runtime_config_file.clone(),
            variables: self.variables.iter().cloned().collect::<HashMap<_, _>>(),
            limits: Limits {
                request_timeout: Duration::from_millis(self.request_timeout_ms),
                memory_bytes: self.memory_limit_mb * 1024 * 1024,
                ..Limits::default()
            },
            cache_dir: self.cache_dir.clone(),
            target_dir: self.target_dir.clone(),
        }
    }
}

/// Loads the app and serves it until SIGINT/SIGTERM.
pub async fn run(args: ServeArgs) -> anyhow::Result<()> {
    let app = App::load(&args.manifest, args.options())
        .with_context(|| format!("loading {}", args.manifest.display()))?;
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("binding {}", args.listen))?;
    for (route, component) in app.routes() {
        tracing::info!(%route, %component, "route");
    }
    if let Some(addr) = args.metrics_listen {
        let metrics = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("binding {addr} for /metrics"))?;
        let router = super::fn_metrics::install(&app);
        tracing::info!("metrics on http://{}/metrics", metrics.local_addr()?);
        tokio::spawn(async move {
            if let Err(e) = crate::listen::serve(metrics, router, std::future::pending()).await {
                tracing::error!(error = %e, "the metrics listener stopped");
            }
        });
    }
    tracing::info!("serving functions on http://{}", listener.local_addr()?);
    app.serve(listener, iems_runtime::shutdown_signal()).await?;
    Ok(())
}
