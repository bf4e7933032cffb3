//! The wasi:http 0.3 path (`wasi-http-p3` feature): Spin 4's HTTP components.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::BodyExt;
use wasmtime::Store;
use wasmtime_wasi_http::{Error as HttpError, WasiBody, WasiHttpView};

use super::error_response;
use super::invoke::TIMEOUT_GRACE;
use crate::host::HostState;

/// Serves a request from a `wasi:http/handler@0.3.0` export (Spin 4's HTTP
/// components): the handler answers with a response whose body the guest may
/// go on writing after it returned, so the store's event loop runs until the
/// body is sent (or the client is gone), all within the request's time limit.
pub(super) async fn invoke_p3(
    id: String,
    pre: wasmtime_wasi_http::p3::bindings::ServicePre<HostState>,
    mut store: Store<HostState>,
    req: Request<WasiBody>,
    timeout: Duration,
) -> Response<WasiBody> {
    use wasmtime_wasi_http::p3;

    let (sender, receiver) = tokio::sync::oneshot::channel::<Response<WasiBody>>();
    // Set before the store goes when the exchange failed: the body, whose
    // feed then ends, reports an error rather than a clean (short) end.
    let failed = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let body_failed = failed.clone();
    let task_id = id.clone();
    let task = tokio::spawn(async move {
        // The whole exchange, the body included, within the request's time
        // (a guest may wait without running, where the epoch deadline does
        // not reach it); past it the store goes and the body ends short.
        let exchange = async {
            let service = pre.instantiate_async(&mut store).await?;
            let (req, _request_io) = {
                let http = store.data_mut().http();
                p3::Request::from_http(http.hooks, req)
            };
            store
                .run_concurrent(async move |access| -> wasmtime::Result<()> {
                    let resp = match service.handle(access, req).await? {
                        Ok(resp) => resp,
                        Err(code) => wasmtime::bail!("the handler returned an error: {code:?}"),
                    };
                    let resp =
                        access.with(|mut store| resp.into_http(&mut store, async { Ok(()) }))?;
                    let (done_tx, done_rx) = tokio::sync::oneshot::channel::<()>();
                    let resp = resp.map(|body| {
                        NotifyOnEnd {
                            body,
                            done: Some(done_tx),
                            failed: body_failed,
                        }
                        .boxed_unsync()
                    });
                    if sender.send(resp).is_ok() {
                        // The body is read from the guest while this loop runs.
                        let _ = done_rx.await;
                    }
                    Ok(())
                })
                .await?
        };
        let result = match tokio::time::timeout(timeout + TIMEOUT_GRACE, exchange).await {
            Ok(result) => result,
            Err(_) => Err(wasmtime::format_err!(
                "the response was not finished in time"
            )),
        };
        if let Err(e) = &result {
            failed.store(true, std::sync::atomic::Ordering::SeqCst);
            tracing::error!(component = %task_id, "component failed: {e:?}");
        }
        store.data().flush_stdio();
    });
    let internal_error = || {
        error_response(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the component failed",
        )
    };
    match tokio::time::timeout(timeout + TIMEOUT_GRACE, receiver).await {
        Ok(Ok(resp)) => resp,
        Ok(Err(_)) => internal_error(),
        Err(_) => {
            task.abort();
            tracing::error!(component = %id, timeout_ms = timeout.as_millis() as u64, "component timed out");
            internal_error()
        }
    }
}

/// A response body that says when it has ended or was dropped (the client
/// gone), so that the store serving it can stop; and that ends in an error,
/// not cleanly, when the store went first (a trap, the timeout), so that a
/// client never takes a cut body for a whole one.
struct NotifyOnEnd {
    body: WasiBody,
    done: Option<tokio::sync::oneshot::Sender<()>>,
    failed: Arc<std::sync::atomic::AtomicBool>,
}

impl http_body::Body for NotifyOnEnd {
    type Data = Bytes;
    type Error = HttpError;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Bytes>, HttpError>>> {
        let poll = std::pin::Pin::new(&mut self.body).poll_frame(cx);
        match poll {
            std::task::Poll::Ready(None)
                if self.failed.load(std::sync::atomic::Ordering::SeqCst) =>
            {
                self.done.take();
                std::task::Poll::Ready(Some(Err(HttpError::InternalError(Some(
                    "the component did not finish the response".into(),
                )))))
            }
            std::task::Poll::Ready(None | Some(Err(_))) => {
                self.done.take();
                poll
            }
            _ => poll,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.body.size_hint()
    }
}
