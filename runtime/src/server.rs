//! A standalone HTTP/1.1 server for an [`App`], with graceful shutdown.

use std::future::Future;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;

use crate::app::App;
use crate::error::RuntimeError;

/// How long in-flight requests may run after shutdown is asked for.
const DRAIN_LIMIT: Duration = Duration::from_secs(30);

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
        let graceful = GracefulShutdown::new();
        let header_read_timeout = self.inner.limits.header_read_timeout;
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
            let app = self.clone();
            let service = service_fn(move |req| {
                let app = app.clone();
                async move { Ok::<_, std::convert::Infallible>(app.handle(req, client).await) }
            });
            let conn = http1::Builder::new()
                .keep_alive(true)
                .timer(TokioTimer::new())
                .header_read_timeout(header_read_timeout)
                .serve_connection(TokioIo::new(stream), service);
            let conn = graceful.watch(conn);
            tokio::spawn(async move {
                if let Err(e) = conn.await {
                    tracing::debug!(%client, "connection ended: {e}");
                }
            });
        }
        tracing::info!("shutting down: finishing in-flight requests");
        if tokio::time::timeout(DRAIN_LIMIT, graceful.shutdown())
            .await
            .is_err()
        {
            tracing::warn!("in-flight requests still running after {DRAIN_LIMIT:?}; stopping");
        }
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
