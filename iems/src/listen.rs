//! Serving an axum router (the hub, `iems up`'s single port, the services'
//! ops ports) with the connection limits every listener of iems has, which
//! `axum::serve` does not set: a client must send a request's headers within
//! the header-read timeout, and a connection idle that long between requests
//! is closed, so slow or silent clients cannot hold connections open. The
//! accept loop is the runtime's ([`iems_runtime::serve_connections`]), which
//! serves the functions the same way.

use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use iems_runtime::{serve_connections, ConnectionLimits};
use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::TcpListener;
use tower::ServiceExt as _;

/// The header-read and idle timeout of every listener: 10 s.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

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
    let limits = ConnectionLimits {
        header_read_timeout,
        upgrades: true,
    };
    serve_connections(listener, limits, shutdown, |client| {
        let router = router.clone();
        hyper::service::service_fn(move |mut req: axum::http::Request<Incoming>| {
            req.extensions_mut()
                .insert(ConnectInfo::<SocketAddr>(client));
            router.clone().oneshot(req.map(axum::body::Body::new))
        })
    })
    .await;
    Ok(())
}
