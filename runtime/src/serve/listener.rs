//! The accept loop of every HTTP/1.1 listener of iems (the runtime's, and the
//! `iems` command's axum routers): keep-alive, a header-read and idle
//! timeout, and graceful shutdown; and [`App::serve`] on it.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::{service_fn, HttpService};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;

use super::dispatch::BoxError;
use super::App;
use crate::error::RuntimeError;

/// How long in-flight requests may run after shutdown is asked for.
const DRAIN_LIMIT: Duration = Duration::from_secs(30);

/// How a listener treats its connections.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    /// How long a connection may take to send a request's headers, and how
    /// long it may stay idle between requests, before it is closed (hyper
    /// starts the timer whenever it waits for the next head).
    pub header_read_timeout: Duration,
    /// Whether a connection may be upgraded (WebSocket).
    pub upgrades: bool,
}

/// Accepts connections on `listener` and serves HTTP/1.1 on each with the
/// service `make_service` gives for its client's address, until `shutdown`
/// completes; then stops accepting and lets in-flight requests finish (up to
/// 30 s). A failed accept is logged and retried after 50 ms.
pub async fn serve_connections<S, B, F>(
    listener: TcpListener,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()>,
    mut make_service: F,
) where
    F: FnMut(SocketAddr) -> S,
    S: HttpService<Incoming, ResBody = B> + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Into<BoxError>,
    B: http_body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    // Every connection task holds a receiver: `closed()` tells when all ended.
    let (stop, stopping) = tokio::sync::watch::channel(false);
    tokio::pin!(shutdown);
    loop {
        let (stream, client) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    tracing::warn!("accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let service = make_service(client);
        let mut builder = http1::Builder::new();
        builder
            .keep_alive(true)
            .timer(TokioTimer::new())
            .header_read_timeout(limits.header_read_timeout);
        let conn = builder.serve_connection(TokioIo::new(stream), service);
        // The two kinds of connection share no trait for graceful shutdown.
        macro_rules! spawn_watched {
            ($conn:expr) => {{
                let mut stopping = stopping.clone();
                let conn = $conn;
                tokio::spawn(async move {
                    tokio::pin!(conn);
                    let ended = tokio::select! {
                        ended = conn.as_mut() => ended,
                        _ = stopping.changed() => {
                            conn.as_mut().graceful_shutdown();
                            conn.await
                        }
                    };
                    if let Err(e) = ended {
                        tracing::debug!(%client, "connection ended: {e}");
                    }
                });
            }};
        }
        if limits.upgrades {
            spawn_watched!(conn.with_upgrades());
        } else {
            spawn_watched!(conn);
        }
    }
    let _ = stop.send(true);
    drop(stopping);
    if tokio::time::timeout(DRAIN_LIMIT, stop.closed())
        .await
        .is_err()
    {
        tracing::warn!("in-flight requests still running after {DRAIN_LIMIT:?}; stopping");
    }
}

impl App {
    /// Serves the application on `listener` until `shutdown` completes, then
    /// stops accepting and lets in-flight requests finish (up to 30 s). A
    /// connection that takes longer than [`Limits::header_read_timeout`] to
    /// send a request's headers, or stays idle that long between requests, is
    /// closed (hyper starts the timer whenever it waits for the next head).
    ///
    /// [`Limits::header_read_timeout`]: crate::Limits::header_read_timeout
    pub async fn serve(
        &self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()>,
    ) -> Result<(), RuntimeError> {
        let limits = ConnectionLimits {
            header_read_timeout: self.inner.loaded.limits.header_read_timeout,
            upgrades: false,
        };
        let shutdown = async {
            shutdown.await;
            tracing::info!("shutting down: finishing in-flight requests");
        };
        serve_connections(listener, limits, shutdown, |client| {
            let app = self.clone();
            service_fn(move |req| {
                let app = app.clone();
                async move { Ok::<_, Infallible>(app.handle(req, client).await) }
            })
        })
        .await;
        Ok(())
    }
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
