//! `iems bench http`: the runtime against native axum, for a hello handler and
//! an SQLite point query, with the same keep-alive load for a fixed time.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use anyhow::{ensure, Context};
use axum::extract::State;
use axum::http::HeaderMap;
use clap::Args;
use http_body_util::Empty;
use iems_runtime::{App, RuntimeOptions};

use crate::load::{self, LoadArgs, MakeRequest};

/// Rows in the benchmark table.
const ROWS: i64 = 10_000;

/// Arguments of `iems bench http`.
#[derive(Debug, Args)]
pub struct BenchHttpArgs {
    #[command(flatten)]
    pub load: LoadArgs,
    /// Directory with rt_hello.wasm and rt_probe.wasm (default: build them with cargo).
    #[arg(long, env = "IEMS_BENCH_WASM_DIR")]
    pub wasm_dir: Option<PathBuf>,
}

/// Runs the benchmark and prints the table and the summary line.
pub async fn run(args: BenchHttpArgs) -> anyhow::Result<()> {
    let (duration, warmup, connections) = (
        args.load.duration(),
        args.load.warmup(),
        args.load.connections(32),
    );
    let wasm_dir = match args.wasm_dir {
        // Absolute: the manifest below is written in a temporary folder.
        Some(dir) => std::path::absolute(&dir)?,
        None => load::build_wasm(&["rt-hello", "rt-probe"])?,
    };
    let dir = tempfile::tempdir()?;
    let db_path = dir.path().join("bench.db");
    seed(&db_path)?;
    let manifest = dir.path().join("spin.toml");
    std::fs::write(&manifest, manifest_text(&wasm_dir))?;
    let options = RuntimeOptions {
        default_database: Some(db_path.clone()),
        ..Default::default()
    };
    let app = App::load(&manifest, options).context("loading the bench app")?;
    let inst_us = iems_runtime::testing::median_instantiation_us(&app, "hello", 2000)
        .await
        .unwrap_or(f64::NAN);

    let runtime_addr = load::serve(app.clone()).await?;
    let native_addr = serve_native(&db_path).await?;
    let mut results = Vec::new();
    for (case, path) in [("hello", "/hello"), ("sqlite", "/sqlite")] {
        for (server, addr) in [("native", native_addr), ("runtime", runtime_addr)] {
            let _ = load::load(addr, connections, warmup, probe(path)).await;
            let outcome = load::load(addr, connections, duration, probe(path)).await;
            println!(
                "{case:<7} {server:<8} {:>9.0} req/s  p50 {:>6} µs  p99 {:>6} µs  errors {}",
                outcome.rps, outcome.p50_us, outcome.p99_us, outcome.errors
            );
            ensure!(
                outcome.errors == 0,
                "{case} on {server}: {} failed requests, the first: {}",
                outcome.errors,
                outcome.first_error.unwrap_or_default()
            );
            results.push(outcome);
        }
    }
    let hello_ratio = results[1].rps / results[0].rps;
    let sqlite_ratio = results[3].rps / results[2].rps;
    println!(
        "hello_ratio={hello_ratio:.3} sqlite_ratio={sqlite_ratio:.3} inst_us={inst_us:.1} \
         hello_rps={:.0} hello_native_rps={:.0} sqlite_rps={:.0} sqlite_native_rps={:.0} \
         hello_p99_us={} sqlite_p99_us={} connections={} duration_s={} load_avg={}",
        results[1].rps,
        results[0].rps,
        results[3].rps,
        results[2].rps,
        results[1].p99_us,
        results[3].p99_us,
        connections,
        duration.as_secs(),
        crate::load::machine_load()
    );
    Ok(())
}

/// Point queries on random rows (the hello handler ignores the headers).
fn probe(path: &'static str) -> MakeRequest {
    Arc::new(move |connection, n| {
        let key = load::mix(connection as u64, n) % ROWS as u64 + 1;
        http::Request::get(path)
            .header("x-probe-op", "point")
            .header("x-probe-key", key.to_string())
            .body(Empty::new())
    })
}

fn manifest_text(wasm_dir: &Path) -> String {
    let wasm = wasm_dir.display();
    format!(
        "spin_manifest_version = 2\n[application]\nname = \"bench\"\n\
         [[trigger.http]]\nroute = \"/hello\"\ncomponent = \"hello\"\n\
         [[trigger.http]]\nroute = \"/sqlite\"\ncomponent = \"sqlite\"\n\
         [component.hello]\nsource = \"{wasm}/rt_hello.wasm\"\n\
         [component.sqlite]\nsource = \"{wasm}/rt_probe.wasm\"\nsqlite_databases = [\"default\"]\n"
    )
}

fn seed(path: &Path) -> anyhow::Result<()> {
    let conn = rusqlite::Connection::open(path)?;
    conn.execute_batch("CREATE TABLE bench (id INTEGER PRIMARY KEY, name TEXT NOT NULL); BEGIN;")?;
    for id in 1..=ROWS {
        conn.execute(
            "INSERT INTO bench (id, name) VALUES (?1, ?2)",
            (id, format!("device-{id}")),
        )?;
    }
    conn.execute_batch("COMMIT; PRAGMA journal_mode = WAL;")?;
    Ok(())
}

type Pool = Arc<Mutex<Vec<rusqlite::Connection>>>;

async fn native_hello() -> ([(&'static str, &'static str); 1], &'static str) {
    ([("content-type", "text/plain")], "hello")
}

/// The same point query as the component, on a pooled connection with a cached statement.
async fn native_sqlite(
    State(pool): State<Pool>,
    headers: HeaderMap,
) -> Result<String, axum::http::StatusCode> {
    let id: i64 = headers
        .get("x-probe-key")
        .and_then(|v| v.to_str().ok()?.parse().ok())
        .unwrap_or(1);
    let conn = pool.lock().unwrap_or_else(|p| p.into_inner()).pop();
    let conn = conn.ok_or(axum::http::StatusCode::SERVICE_UNAVAILABLE)?;
    let name = conn
        .prepare_cached("SELECT name FROM bench WHERE id = ?")
        .and_then(|mut s| s.query_row([id], |r| r.get::<_, String>(0)))
        .map_err(|_| axum::http::StatusCode::INTERNAL_SERVER_ERROR);
    pool.lock().unwrap_or_else(|p| p.into_inner()).push(conn);
    name
}

async fn serve_native(db: &Path) -> anyhow::Result<SocketAddr> {
    let conns = (0..16)
        .map(|_| rusqlite::Connection::open(db))
        .collect::<Result<Vec<_>, _>>()?;
    let pool: Pool = Arc::new(Mutex::new(conns));
    let router = axum::Router::new()
        .route("/hello", axum::routing::get(native_hello))
        .route("/sqlite", axum::routing::get(native_sqlite))
        .with_state(pool);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move { axum::serve(listener, router).await });
    Ok(addr)
}
