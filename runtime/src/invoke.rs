//! Serving one request: route, add the `spin-*` headers, run a fresh instance
//! with time and memory limits, stream the response back.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{HeaderName, HeaderValue, Request, Response, StatusCode};
use http_body_util::{combinators::UnsyncBoxBody, BodyExt, Full};
use wasmtime::Store;
use wasmtime_wasi_http::p2::bindings::http::types::Scheme;
use wasmtime_wasi_http::{Error as HttpError, WasiBody, WasiHttpView};

use crate::app::{App, AppInner, Handler, LoadedComponent, EPOCH_TICK};
use crate::routes::RouteMatch;
use crate::state::HostState;

/// How much longer than the request timeout the host waits for a guest
/// before giving up on it: the epoch deadline, which traps a running guest at
/// the timeout, gets to act first.
pub(crate) const TIMEOUT_GRACE: Duration = Duration::from_millis(250);

/// A boxed error of a response body.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;
/// The body of a response produced by the runtime (streamed from the guest).
pub type ResponseBody = UnsyncBoxBody<Bytes, BoxError>;

fn error_response(status: StatusCode, code: &str, message: &str) -> Response<WasiBody> {
    let body = format!(r#"{{"error":{{"code":"{code}","message":"{message}"}}}}"#);
    let mut resp = Response::new(
        Full::new(Bytes::from(body))
            .map_err(|e| match e {})
            .boxed_unsync(),
    );
    *resp.status_mut() = status;
    resp.headers_mut().insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    resp
}

/// The `spin-*` request headers, named once.
mod spin_header {
    use http::HeaderName;
    pub const FULL_URL: HeaderName = HeaderName::from_static("spin-full-url");
    pub const PATH_INFO: HeaderName = HeaderName::from_static("spin-path-info");
    pub const MATCHED_ROUTE: HeaderName = HeaderName::from_static("spin-matched-route");
    pub const COMPONENT_ROUTE: HeaderName = HeaderName::from_static("spin-component-route");
    pub const RAW_COMPONENT_ROUTE: HeaderName = HeaderName::from_static("spin-raw-component-route");
    pub const BASE_PATH: HeaderName = HeaderName::from_static("spin-base-path");
    pub const CLIENT_ADDR: HeaderName = HeaderName::from_static("spin-client-addr");
}

fn set_spin_headers<B>(req: &mut Request<B>, m: &RouteMatch<'_>, client: SocketAddr) {
    let host = req
        .headers()
        .get(http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_owned)
        .or_else(|| req.uri().authority().map(|a| a.to_string()))
        .unwrap_or_else(|| "localhost".to_owned());
    let path_and_query = req.uri().path_and_query().map_or("/", |p| p.as_str());
    let full_url = format!("http://{host}{path_and_query}");
    if req.uri().authority().is_none() {
        if let Ok(uri) = full_url.parse() {
            *req.uri_mut() = uri;
        }
    }
    let headers = req.headers_mut();
    // A client may not set what the runtime reports (rarely present: checked first).
    if headers.keys().any(|k| k.as_str().starts_with("spin-")) {
        let stale: Vec<HeaderName> = headers
            .keys()
            .filter(|k| k.as_str().starts_with("spin-"))
            .cloned()
            .collect();
        for name in stale {
            headers.remove(name);
        }
    }
    let mut put = |name: HeaderName, value: &str| {
        if let Ok(v) = HeaderValue::from_str(value) {
            headers.insert(name, v);
        }
    };
    put(spin_header::FULL_URL, &full_url);
    put(spin_header::PATH_INFO, &m.path_info);
    put(spin_header::MATCHED_ROUTE, &m.route.raw);
    put(spin_header::COMPONENT_ROUTE, m.route.component_route());
    put(spin_header::RAW_COMPONENT_ROUTE, &m.route.raw);
    put(spin_header::BASE_PATH, "/");
    put(spin_header::CLIENT_ADDR, &client.to_string());
    for (name, value) in &m.params {
        let name = format!("spin-path-match-{}", name.to_ascii_lowercase());
        if let Ok(name) = HeaderName::try_from(name) {
            put(name, value);
        }
    }
}

impl App {
    /// Handles one request: Spin routing, a fresh instance, limits, access log.
    /// Usable from any server (hyper, or axum as a fallback service).
    pub async fn handle<B>(&self, req: Request<B>, client: SocketAddr) -> Response<ResponseBody>
    where
        B: http_body::Body<Data = Bytes> + Send + 'static,
        B::Error: Into<BoxError>,
    {
        let started = Instant::now();
        let method = req.method().clone();
        let path = req.uri().path().to_owned();
        let req = req.map(|b| {
            b.map_err(|e| HttpError::InternalError(Some(e.into().to_string())))
                .boxed_unsync()
        });
        let (component, route, resp) = self.inner.dispatch(req, None, client).await;
        let duration = started.elapsed();
        tracing::info!(
            target: "iems_runtime::access",
            %method, path, component, status = resp.status().as_u16(),
            duration_us = duration.as_micros() as u64,
        );
        if let Some(observe) = self.inner.observer.get() {
            observe(&crate::app::RequestRecord {
                method: &method,
                route,
                component: &component,
                status: resp.status().as_u16(),
                duration,
            });
        }
        resp.map(|b| b.map_err(|e| Box::new(e) as BoxError).boxed_unsync())
    }

    /// Median time (µs) to create a store and instantiate `component` from its
    /// pre-instantiated form, over `samples` runs.
    pub async fn median_instantiation_us(&self, component: &str, samples: usize) -> Option<f64> {
        let inner = &self.inner;
        let loaded = &inner.components[*inner.by_id.get(component)?];
        let mut times = Vec::with_capacity(samples);
        for _ in 0..samples.max(1) {
            let started = Instant::now();
            let mut store = inner.request_store(loaded).ok()?;
            loaded
                .pre
                .instance_pre()
                .instantiate_async(&mut store)
                .await
                .ok()?;
            times.push(started.elapsed().as_secs_f64() * 1e6);
        }
        times.sort_by(f64::total_cmp);
        Some(times[times.len() / 2])
    }
}

/// Spin's reserved route prefix: the runtime answers, the app never sees it.
const WELL_KNOWN: &str = "/.well-known/spin/";

impl AppInner {
    /// A store for one request of `loaded`: its host state and memory limit,
    /// and the epoch deadline that traps the guest past the request timeout.
    pub(crate) fn request_store(
        self: &Arc<Self>,
        loaded: &LoadedComponent,
    ) -> wasmtime::Result<Store<HostState>> {
        let state = HostState::new(
            loaded.ctx.clone(),
            Arc::downgrade(self),
            self.limits.memory_bytes,
        )?;
        let mut store = Store::new(&self.engine, state);
        store.limiter(|s| &mut s.limits);
        let ticks = self.limits.request_timeout.as_millis() / EPOCH_TICK.as_millis();
        store.set_epoch_deadline(ticks.max(1) as u64);
        store.epoch_deadline_trap();
        Ok(store)
    }

    /// `/.well-known/spin/health` (200 `OK`), `/.well-known/spin/info` (the
    /// application's name and version as JSON), 404 for the rest, as Spin does.
    fn well_known(&self, rest: &str) -> Response<WasiBody> {
        let (content_type, body) = match rest {
            "health" => ("text/plain", Bytes::from_static(b"OK")),
            "info" => ("application/json", self.info.clone()),
            _ => {
                return error_response(
                    StatusCode::NOT_FOUND,
                    "not_found",
                    "no such well-known path",
                )
            }
        };
        let mut resp = Response::new(Full::new(body).map_err(|e| match e {}).boxed_unsync());
        resp.headers_mut().insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static(content_type),
        );
        resp
    }

    /// `http://self/...` (by route) or `http://<id>.spin.internal/...` (by id) from a guest.
    pub(crate) async fn handle_internal(
        self: Arc<Self>,
        req: Request<WasiBody>,
        component: Option<String>,
    ) -> Response<WasiBody> {
        let client = SocketAddr::from(([127, 0, 0, 1], 0));
        self.dispatch(req, component, client).await.2
    }

    /// Routes and runs a request; returns the component that answered (`-` for
    /// none), the route it matched as written in `spin.toml` (`-` for none or
    /// a call by component id) and the response.
    async fn dispatch(
        self: &Arc<Self>,
        mut req: Request<WasiBody>,
        by_id: Option<String>,
        client: SocketAddr,
    ) -> (String, &str, Response<WasiBody>) {
        let path = req.uri().path().to_owned();
        // Spin's reserved routes take priority over every route of the app.
        if by_id.is_none() {
            if let Some(rest) = path.strip_prefix(WELL_KNOWN) {
                return (
                    "-".to_owned(),
                    "/.well-known/spin/...",
                    self.well_known(rest),
                );
            }
        }
        let mut route = "-";
        let index = match by_id {
            Some(id) => match self.by_id.get(&id) {
                Some(&index) => {
                    if req.uri().authority().is_none() {
                        if let Ok(uri) = format!("http://{id}.spin.internal{path}").parse() {
                            *req.uri_mut() = uri;
                        }
                    }
                    index
                }
                None => {
                    return (
                        id,
                        route,
                        error_response(StatusCode::NOT_FOUND, "not_found", "no such component"),
                    )
                }
            },
            None => match self.router.find(&path) {
                Some(m) => {
                    set_spin_headers(&mut req, &m, client);
                    route = m.route.raw.as_str();
                    m.route.component
                }
                None => {
                    let resp =
                        error_response(StatusCode::NOT_FOUND, "not_found", "no route matches");
                    return ("-".to_owned(), route, resp);
                }
            },
        };
        let id = self.components[index].ctx.id.clone();
        let resp = self.invoke(index, req).await;
        (id, route, resp)
    }

    async fn invoke(self: &Arc<Self>, index: usize, req: Request<WasiBody>) -> Response<WasiBody> {
        let loaded = &self.components[index];
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
        let timeout = self.limits.request_timeout;
        let pre = match &loaded.pre {
            Handler::P2(pre) => pre.clone(),
            #[cfg(feature = "wasi-http-p3")]
            Handler::P3(pre) => return invoke_p3(id, pre.clone(), store, req, timeout).await,
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

/// Serves a request from a `wasi:http/handler@0.3.0` export (Spin 4's HTTP
/// components): the handler answers with a response whose body the guest may
/// go on writing after it returned, so the store's event loop runs until the
/// body is sent (or the client is gone), all within the request's time limit.
#[cfg(feature = "wasi-http-p3")]
async fn invoke_p3(
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
#[cfg(feature = "wasi-http-p3")]
struct NotifyOnEnd {
    body: WasiBody,
    done: Option<tokio::sync::oneshot::Sender<()>>,
    failed: Arc<std::sync::atomic::AtomicBool>,
}

#[cfg(feature = "wasi-http-p3")]
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
