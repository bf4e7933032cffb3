//! Running a component on a request: a fresh instance from its
//! pre-instantiated export, with the request's time and memory limits; the
//! wasi:http 0.2 path here, the 0.3 one in [`super::p3`].

use std::sync::Arc;
use std::time::Duration;

use http::{Request, Response, StatusCode};
use wasmtime_wasi_http::p2::bindings::http::types::Scheme;
use wasmtime_wasi_http::{WasiBody, WasiHttpView};

use super::{error_response, AppInner};
use crate::load::Handler;

/// How much longer than the request timeout the host waits for a guest
/// before giving up on it: the epoch deadline, which traps a running guest at
/// the timeout, gets to act first.
pub(crate) const TIMEOUT_GRACE: Duration = Duration::from_millis(250);

impl AppInner {
    /// Runs component `index` on `req` in a fresh instance, within the
    /// request's limits: the wasi:http 0.2 path, or [`invoke_p3`]'s.
    pub(super) async fn invoke(
        self: &Arc<Self>,
        index: usize,
        req: Request<WasiBody>,
    ) -> Response<WasiBody> {
        let loaded = &self.loaded.components[index];
        let id = loaded.ctx.id.clone();
        let internal_error = || {
            error_response(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "the component failed",
            )
        };
        let mut store = match self.request_store(loaded) {
            Ok(store) => store,
            Err(e) => {
                tracing::error!(component = %id, "cannot set up the instance: {e:#}");
                return internal_error();
            }
        };
        let timeout = self.loaded.limits.request_timeout;
        let pre = match &loaded.pre {
            Handler::P2(pre) => pre.clone(),
            #[cfg(feature = "wasi-http-p3")]
            Handler::P3(pre) => {
                return super::p3::invoke_p3(id, pre.clone(), store, req, timeout).await
            }
        };
        let (sender, receiver) = tokio::sync::oneshot::channel();
        let handles = (|| -> wasmtime::Result<_> {
            let mut http = store.data_mut().http();
            let req = http.new_incoming_request(Scheme::Http, req)?;
            let out = http.new_response_outparam(sender)?;
            Ok((req, out))
        })();
        let (req, out) = match handles {
            Ok(handles) => handles,
            Err(e) => {
                tracing::warn!(component = %id, "bad request: {e:#}");
                return error_response(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "malformed request",
                );
            }
        };
        let task_id = id.clone();
        let task = tokio::spawn(async move {
            let result = async {
                let proxy = pre.instantiate_async(&mut store).await?;
                proxy
                    .wasi_http_incoming_handler()
                    .call_handle(&mut store, req, out)
                    .await
            }
            .await;
            store.data().flush_stdio();
            if let Err(e) = &result {
                tracing::error!(component = %task_id, "component failed: {e:?}");
            }
            result.is_ok()
        });
        match tokio::time::timeout(timeout + TIMEOUT_GRACE, receiver).await {
            Ok(Ok(Ok(resp))) => resp,
            Ok(Ok(Err(code))) => {
                tracing::error!(component = %id, "component returned an error: {code:?}");
                internal_error()
            }
            Ok(Err(_)) => {
                if let Ok(true) = task.await {
                    tracing::error!(component = %id, "component finished without a response");
                }
                internal_error()
            }
            Err(_) => {
                task.abort();
                tracing::error!(component = %id, timeout_ms = timeout.as_millis() as u64, "component timed out");
                internal_error()
            }
        }
    }
}
