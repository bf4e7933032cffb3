//! Serving an axum router (the hub, `iems up`'s single port, the services'
//! ops ports) with the connection limits every listener of iems has, which
//! `axum::serve` does not set: a client must send a request's headers within
//! the header-read timeout, and a connection idle that long between requests
//! is closed, so slow or silent clients cannot hold connections open.

use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::TcpListener;
use tower::ServiceExt as _;

/// The header-read and idle timeout of every listener: 10 s.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// How long in-flight requests may run after shutdown is asked for.
const DRAIN_LIMIT: Duration = Duration::from_secs(30);

/// Serves `router` on `listener` until `shutdown` completes, with
/// [`HEADER_READ_TIMEOUT`]; WebSocket upgrades work, and handlers can
/// extract `ConnectInfo<SocketAddr>`.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    serve_with(listener, router, HEADER_READ_TIMEOUT, shutdown).await
}

/// [`serve`] with another header-read/idle timeout (tests use a short one).
pub async fn serve_with(
    listener: TcpListener,
    router: Router,
    header_read_timeout: Duration,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
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
        let router = router.clone();
        let service = hyper::service::service_fn(move |mut req: axum::http::Request<Incoming>| {
            req.extensions_mut()
                .insert(ConnectInfo::<SocketAddr>(client));
            router.clone().oneshot(req.map(axum::body::Body::new))
        });
        let conn = http1::Builder::new()
            .keep_alive(true)
            .timer(TokioTimer::new())
            .header_read_timeout(header_read_timeout)
            .serve_connection(TokioIo::new(stream), service)
            .with_upgrades();
        let mut stopping = stopping.clone();
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
    }
    let _ = stop.send(true);
    drop(stopping);
    if tokio::time::timeout(DRAIN_LIMIT, stop.closed())
        .await
        .is_err()
    {
        tracing::warn!("in-flight requests still running after {DRAIN_LIMIT:?}; stopping");
    }
    Ok(())
}
