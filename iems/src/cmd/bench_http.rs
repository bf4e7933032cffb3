//! `iems bench http`: the runtime against native axum, for a hello handler and
//! an SQLite point query, with the same keep-alive load for a fixed time.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{ensure, Context};
use axum::extract::State;
use axum::http::HeaderMap;
use bytes::Bytes;
use clap::Args;
use http_body_util::{BodyExt, Empty};
use iems_runtime::{App, RuntimeOptions};

/// Rows in the benchmark table.
const ROWS: i64 = 10_000;

/// Arguments of `iems bench http`.
#[derive(Debug, Args)]
pub struct BenchHttpArgs {
    /// Smaller run that finishes within 60 seconds.
    #[arg(long)]
    pub quick: bool,
    /// Concurrent keep-alive connections.
    #[arg(long, default_value_t = 32)]
    pub connections: usize,
    /// Seconds of measured load per case (default 8, 3 with --quick).
    #[arg(long)]
    pub duration_secs: Option<u64>,
    /// Directory with rt_hello.wasm and rt_probe.wasm (default: build them with cargo).
    #[arg(long, env = "IEMS_BENCH_WASM_DIR")]
    pub wasm_dir: Option<PathBuf>,
}

struct Outcome {
    rps: f64,
    p50_us: u64,
    p99_us: u64,
    errors: u64,
}

/// Runs the benchmark and prints the table and the summary line.
pub async fn run(args: BenchHttpArgs) -> anyhow::Result<()> {
    let duration =
        Duration::from_secs(args.duration_secs.unwrap_or(if args.quick { 3 } else { 8 }));
    let warmup = if args.quick {
        Duration::from_millis(500)
    } else {
        Duration::from_secs(1)
    };
    let wasm_dir = match args.wasm_dir {
        Some(dir) => dir,
        None => build_components()?,
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
    let inst_us = app
        .median_instantiation_us("hello", 2000)
        .await
        .unwrap_or(f64::NAN);

    let runtime_addr = serve_runtime(app.clone()).await?;
    let native_addr = serve_native(&db_path).await?;
    let mut results = Vec::new();
    for (case, path) in [("hello", "/hello"), ("sqlite", "/sqlite")] {
        for (server, addr) in [("native", native_addr), ("runtime", runtime_addr)] {
            let _ = load(addr, path, args.connections, warmup).await;
            let outcome = load(addr, path, args.connections, duration).await;
            println!(
                "{case:<7} {server:<8} {:>9.0} req/s  p50 {:>6} µs  p99 {:>6} µs  errors {}",
                outcome.rps, outcome.p50_us, outcome.p99_us, outcome.errors
            );
            ensure!(
                outcome.errors == 0,
                "{case} on {server}: {} failed requests",
                outcome.errors
            );
            results.push(outcome);
        }
    }
    let hello_ratio = results[1].rps / results[0].rps;
    let sqlite_ratio = results[3].rps / results[2].rps;
    println!(
        "hello_ratio={hello_ratio:.3} sqlite_ratio={sqlite_ratio:.3} inst_us={inst_us:.1} \
         hello_rps={:.0} hello_native_rps={:.0} sqlite_rps={:.0} sqlite_native_rps={:.0} \
         hello_p99_us={} sqlite_p99_us={} connections={} duration_s={}",
        results[1].rps,
        results[0].rps,
        results[3].rps,
        results[2].rps,
        results[1].p99_us,
        results[3].p99_us,
        args.connections,
        duration.as_secs()
    );
    Ok(())
}

fn build_components() -> anyhow::Result<PathBuf> {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| "target".into());
    let status = std::process::Command::new("cargo")
        .args([
            "build",
            "--target",
            "wasm32-wasip2",
            "--release",
            "-p",
            "rt-hello",
            "-p",
            "rt-probe",
        ])
        .status()
        .context("running cargo (run from the repository root, or pass --wasm-dir)")?;
    ensure!(status.success(), "building the bench components failed");
    Ok(target.join("wasm32-wasip2").join("release"))
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

async fn serve_runtime(app: App) -> anyhow::Result<SocketAddr> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move { app.serve(listener, std::future::pending()).await });
    Ok(addr)
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

/// Drives `connections` keep-alive connections for `duration`; latencies in µs.
async fn load(
    addr: SocketAddr,
    path: &'static str,
    connections: usize,
    duration: Duration,
) -> Outcome {
    let deadline = Instant::now() + duration;
    let tasks: Vec<_> = (0..connections)
        .map(|c| tokio::spawn(connection_loop(addr, path, deadline, c as i64)))
        .collect();
    let mut latencies = Vec::new();
    let mut errors = 0;
    for task in tasks {
        match task.await {
            Ok((lat, err)) => {
                latencies.extend(lat);
                errors += err;
            }
            Err(_) => errors += 1,
        }
    }
    latencies.sort_unstable();
    let pick = |q: f64| {
        latencies
            .get(((latencies.len() as f64 - 1.0) * q) as usize)
            .copied()
            .unwrap_or(0)
    };
    Outcome {
        rps: latencies.len() as f64 / duration.as_secs_f64(),
        p50_us: pick(0.50),
        p99_us: pick(0.99),
        errors,
    }
}

async fn connection_loop(
    addr: SocketAddr,
    path: &'static str,
    deadline: Instant,
    seed: i64,
) -> (Vec<u64>, u64) {
    let mut latencies = Vec::new();
    let Ok(stream) = tokio::net::TcpStream::connect(addr).await else {
        return (latencies, 1);
    };
    let _ = stream.set_nodelay(true);
    let Ok((mut sender, conn)) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream)).await
    else {
        return (latencies, 1);
    };
    tokio::spawn(conn);
    let host = addr.to_string();
    let mut n = seed;
    while Instant::now() < deadline {
        n = (n * 7919 + 13) % ROWS;
        let req = http::Request::get(path)
            .header("host", &host)
            .header("x-probe-op", "point")
            .header("x-probe-key", (n + 1).to_string())
            .body(Empty::<Bytes>::new())
            .expect("valid request");
        let started = Instant::now();
        let ok = match sender.send_request(req).await {
            Ok(resp) => resp.status().is_success() && resp.into_body().collect().await.is_ok(),
            Err(_) => false,
        };
        if !ok {
            return (latencies, 1);
        }
        latencies.push(started.elapsed().as_micros() as u64);
    }
    (latencies, 0)
}
