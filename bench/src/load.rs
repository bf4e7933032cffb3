//! What the HTTP benchmarks (`iems bench http`, `iems bench api`) share; not a
//! sub-command: where cargo leaves the wasm builds, serving an [`App`] on a
//! free port, and the load driver (keep-alive connections for a fixed time).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{ensure, Context};
use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use iems_runtime::App;

/// The load options the HTTP benchmarks share.
#[derive(Debug, Clone, clap::Args)]
pub struct LoadArgs {
    /// Smaller run that finishes within 60 seconds.
    #[arg(long)]
    pub quick: bool,
    /// Concurrent keep-alive connections (default: the benchmark's own, 32 for
    /// `http` as in the Spin reference figures, 8 for `api` as its issue names).
    #[arg(long)]
    pub connections: Option<usize>,
    /// Seconds of measured load per case (default 8, 3 with --quick).
    #[arg(long)]
    pub duration_secs: Option<u64>,
}

impl LoadArgs {
    /// The measured time per case.
    pub fn duration(&self) -> Duration {
        Duration::from_secs(self.duration_secs.unwrap_or(if self.quick { 3 } else { 8 }))
    }

    /// The connections asked for, or the benchmark's default.
    pub fn connections(&self, default: usize) -> usize {
        self.connections.unwrap_or(default)
    }

    /// The unmeasured load before each case.
    pub fn warmup(&self) -> Duration {
        if self.quick {
            Duration::from_millis(500)
        } else {
            Duration::from_secs(1)
        }
    }
}

/// Builds workspace packages for `wasm32-wasip2` (release) with cargo, from
/// the current directory; returns the directory holding the `.wasm` files.
pub fn build_wasm(packages: &[&str]) -> anyhow::Result<PathBuf> {
    let here = std::env::current_dir().context("the current directory")?;
    iems_runtime::ensure_rust_target("wasm32-wasip2", &here).map_err(anyhow::Error::msg)?;
    let mut command = std::process::Command::new("cargo");
    command.args(["build", "--target", "wasm32-wasip2", "--release"]);
    for package in packages {
        command.args(["-p", package]);
    }
    let status = command
        .status()
        .context("running cargo (run from the repository root, or pass --wasm-dir)")?;
    ensure!(
        status.success(),
        "building {} for wasm32-wasip2 failed",
        packages.join(", ")
    );
    // Absolute: the benchmarks write manifests in temporary folders, against
    // which a relative `target/` would be resolved.
    let target =
        iems_runtime::manifest::cargo_target_dir(&here).unwrap_or_else(|| here.join("target"));
    Ok(target.join("wasm32-wasip2").join("release"))
}

/// Serves `app` on a free local port until the process ends.
pub async fn serve(app: App) -> anyhow::Result<SocketAddr> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move { app.serve(listener, std::future::pending()).await });
    Ok(addr)
}

type Sender = hyper::client::conn::http1::SendRequest<Empty<Bytes>>;

/// Opens a keep-alive HTTP/1.1 connection to `addr`.
async fn connect(addr: SocketAddr) -> anyhow::Result<Sender> {
    let stream = tokio::net::TcpStream::connect(addr)
        .await
        .with_context(|| format!("connecting to {addr}"))?;
    let _ = stream.set_nodelay(true);
    let (sender, conn) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
            .await
            .context("HTTP handshake")?;
    tokio::spawn(conn);
    Ok(sender)
}

/// Sends one request on a connection of its own; returns the status and body.
pub async fn fetch(
    addr: SocketAddr,
    mut req: http::Request<Empty<Bytes>>,
) -> anyhow::Result<(http::StatusCode, Bytes)> {
    let what = format!("{} {}", req.method(), req.uri());
    req.headers_mut().insert(
        http::header::HOST,
        http::HeaderValue::from_str(&addr.to_string())?,
    );
    let resp = connect(addr)
        .await?
        .send_request(req)
        .await
        .with_context(|| what.clone())?;
    let status = resp.status();
    let body = resp.into_body().collect().await.with_context(|| what)?;
    Ok((status, body.to_bytes()))
}

/// The `n`-th request of connection `connection` (without `host`, which the driver adds).
pub type MakeRequest =
    Arc<dyn Fn(usize, u64) -> http::Result<http::Request<Empty<Bytes>>> + Send + Sync>;

/// Throughput and latency of one load run.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// Successful requests per second.
    pub rps: f64,
    /// Median latency, µs.
    pub p50_us: u64,
    /// 99th percentile latency, µs.
    pub p99_us: u64,
    /// Connections ended by a failed request (each connection stops at its first).
    pub errors: u64,
    /// What the first failure was.
    pub first_error: Option<String>,
}

/// Drives `connections` keep-alive HTTP/1.1 connections to `addr` for
/// `duration`, each sending `make`'s requests one after the other; a request
/// fails unless its status is 2xx and its body arrives.
pub async fn load(
    addr: SocketAddr,
    connections: usize,
    duration: Duration,
    make: MakeRequest,
) -> Outcome {
    let deadline = Instant::now() + duration;
    let tasks: Vec<_> = (0..connections)
        .map(|c| tokio::spawn(connection_loop(addr, c, deadline, make.clone())))
        .collect();
    let mut latencies = Vec::new();
    let mut errors = 0;
    let mut first_error = None;
    for task in tasks {
        let failure = match task.await {
            Ok((lat, failure)) => {
                latencies.extend(lat);
                failure
            }
            Err(e) => Some(format!("connection task: {e}")),
        };
        if let Some(failure) = failure {
            errors += 1;
            first_error.get_or_insert(failure);
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
        first_error,
    }
}

/// One connection's latencies (µs) and the failure that ended it early, if any.
async fn connection_loop(
    addr: SocketAddr,
    connection: usize,
    deadline: Instant,
    make: MakeRequest,
) -> (Vec<u64>, Option<String>) {
    let mut latencies = Vec::new();
    let mut sender = match connect(addr).await {
        Ok(sender) => sender,
        Err(e) => return (latencies, Some(format!("{e:#}"))),
    };
    let host = match http::HeaderValue::from_str(&addr.to_string()) {
        Ok(host) => host,
        Err(e) => return (latencies, Some(format!("host header: {e}"))),
    };
    let mut n = 0u64;
    while Instant::now() < deadline {
        let mut req = match make(connection, n) {
            Ok(req) => req,
            Err(e) => return (latencies, Some(format!("building a request: {e}"))),
        };
        n += 1;
        req.headers_mut().insert(http::header::HOST, host.clone());
        // Cheap clones (shared bytes): the failure message is formatted only on failure.
        let (method, uri) = (req.method().clone(), req.uri().clone());
        let what = || format!("{method} {uri}");
        let started = Instant::now();
        let failure = match sender.send_request(req).await {
            Ok(resp) => {
                let status = resp.status();
                match resp.into_body().collect().await {
                    Ok(_) if status.is_success() => None,
                    Ok(body) => Some(format!(
                        "{}: {status} {}",
                        what(),
                        String::from_utf8_lossy(&body.to_bytes())
                    )),
                    Err(e) => Some(format!("{}: reading the body: {e}", what())),
                }
            }
            Err(e) => Some(format!("{}: {e}", what())),
        };
        if failure.is_some() {
            return (latencies, failure);
        }
        latencies.push(started.elapsed().as_micros() as u64);
    }
    (latencies, None)
}

/// The machine's load averages over 1, 5 and 15 minutes (`1.60/2.17/2.58`,
/// from `/proc/loadavg`; `unknown` elsewhere): printed beside the figures,
/// since the machine they are measured on is shared.
pub fn machine_load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|text| {
            text.split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join("/")
        })
        .filter(|load| !load.is_empty())
        .unwrap_or_else(|| "unknown".to_string())
}

/// A well-mixed 64-bit value of two counters (splitmix64), for picking keys
/// without a random number generator shared between connections.
pub fn mix(a: u64, b: u64) -> u64 {
    let mut z = a
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .wrapping_add(b)
        .wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Resident set size of a process in KiB.
pub fn rss_kib(pid: u32) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .context("no VmRSS")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mix_spreads_neighbouring_counters() {
        let picks: std::collections::HashSet<u64> = (0..1000).map(|i| mix(3, i) % 100).collect();
        assert!(picks.len() > 90, "only {} of 100 keys picked", picks.len());
        assert_ne!(mix(0, 1), mix(1, 0));
    }
}
