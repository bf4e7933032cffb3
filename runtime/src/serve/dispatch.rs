//! Serving one request: Spin's reserved routes, then routing, the `spin-*`
//! headers, the component, and the access log; also a guest's requests back
//! into its application (`http://self`, `*.spin.internal`).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::{combinators::UnsyncBoxBody, BodyExt};
use wasmtime_wasi_http::{Error as HttpError, WasiBody};

use super::spin_headers::set_spin_headers;
use super::well_known::WELL_KNOWN;
use super::{error_response, App, AppInner};

/// A boxed error of a response body.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;
/// The body of a response produced by the runtime (streamed from the guest).
pub type ResponseBody = UnsyncBoxBody<Bytes, BoxError>;

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
            observe(&super::RequestRecord {
                method: &method,
                route,
                component: &component,
                status: resp.status().as_u16(),
                duration,
            });
        }
        resp.map(|b| b.map_err(|e| Box::new(e) as BoxError).boxed_unsync())
    }
}

impl AppInner {
    /// Routes and runs a request; returns the component that answered (`-` for
    /// none), the route it matched as written in `spin.toml` (`-` for none or
    /// a call by component id) and the response.
    pub(super) async fn dispatch(
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
            Some(id) => match self.loaded.by_id.get(&id) {
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
        let id = self.loaded.components[index].ctx.id.clone();
        let resp = self.invoke(index, req).await;
        (id, route, resp)
    }
}
