//! Serving a loaded application: the [`App`] and the way from a connection
//! to a component and back. [`listener`] accepts connections, [`dispatch`]
//! answers Spin's reserved routes ([`well_known`]) or routes ([`routes`]) a
//! request, sets its `spin-*` headers ([`spin_headers`]) and runs the
//! component: the wasi:http 0.2 path ([`invoke`]) or the 0.3 one (`p3`).

use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;
use std::path::Path;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};

use bytes::Bytes;
use http::{HeaderValue, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use wasmtime::Store;
use wasmtime_wasi_http::WasiBody;

use crate::error::RuntimeError;
use crate::host::{HostState, InternalRequests};
use crate::load::{self, Loaded, LoadedComponent, RuntimeOptions};
use routes::{Route, Router};

pub mod dispatch;
pub(crate) mod invoke;
pub mod listener;
#[cfg(feature = "wasi-http-p3")]
mod p3;
pub mod routes;
mod spin_headers;
mod well_known;

/// One answered request, as a [`RequestObserver`] sees it (for metrics).
#[derive(Debug)]
pub struct RequestRecord<'a> {
    /// The request method.
    pub method: &'a http::Method,
    /// The route as written in `spin.toml` (`/api/devices/...`), `/.well-known/spin/...`
    /// for Spin's own routes, or `-` when no route matched.
    pub route: &'a str,
    /// The component that answered (`-` when none did).
    pub component: &'a str,
    /// The response status.
    pub status: u16,
    /// Until the response head was ready (the body may stream on).
    pub duration: std::time::Duration,
}

/// Called once for every answered request (see [`App::observe`]).
pub type RequestObserver = Arc<dyn Fn(&RequestRecord<'_>) + Send + Sync>;

/// The shared state behind an [`App`].
pub(crate) struct AppInner {
    pub(crate) loaded: Loaded,
    pub(crate) router: Router,
    /// The body of `/.well-known/spin/info`.
    pub(crate) info: bytes::Bytes,
    /// Told about every answered request, once set.
    pub(crate) observer: OnceLock<RequestObserver>,
}

/// A loaded Spin application, cheap to clone, ready to serve requests.
#[derive(Clone)]
pub struct App {
    pub(crate) inner: Arc<AppInner>,
}

impl App {
    /// Loads `spin.toml`, opens the databases, compiles (or loads from the cache)
    /// and pre-instantiates every component.
    pub fn load(manifest_path: &Path, options: RuntimeOptions) -> Result<Self, RuntimeError> {
        let loaded = load::load(manifest_path, options)?;
        let mut routes = Vec::new();
        for (raw, component) in &loaded.http_routes {
            routes.push(Route::parse(raw, *component)?);
        }
        let router = Router::new(routes)?;
        let info = serde_json::to_vec_pretty(&serde_json::json!({
            "name": loaded.application.name,
            "version": loaded.application.version,
            "oci_image_digest": null,
        }))
        .unwrap_or_default()
        .into();
        Ok(Self {
            inner: Arc::new(AppInner {
                loaded,
                router,
                info,
                observer: OnceLock::new(),
            }),
        })
    }

    /// Calls `observer` for every request answered from now on (request counts
    /// and durations by route for metrics); false when one is already set.
    pub fn observe(&self, observer: RequestObserver) -> bool {
        self.inner.observer.set(observer).is_ok()
    }

    /// The routes served, most specific first, with their component ids.
    pub fn routes(&self) -> Vec<(String, String)> {
        let ids: HashMap<usize, &String> = self
            .inner
            .loaded
            .by_id
            .iter()
            .map(|(k, v)| (*v, k))
            .collect();
        let routes = self.inner.router.routes().iter();
        routes
            .map(|r| (r.raw.clone(), ids[&r.component].clone()))
            .collect()
    }
}

/// A JSON error body with `status`, as the runtime answers for itself.
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

impl AppInner {
    /// A store for one request of `loaded` (see [`Loaded::request_store`]),
    /// whose guest's requests back into the app come here.
    pub(crate) fn request_store(
        self: &Arc<Self>,
        loaded: &LoadedComponent,
    ) -> wasmtime::Result<Store<HostState>> {
        let app: std::sync::Weak<dyn InternalRequests> = Arc::downgrade(self) as _;
        self.loaded.request_store(loaded, app)
    }
}

impl InternalRequests for AppInner {
    /// `http://self/...` (by route) or `http://<id>.spin.internal/...` (by id) from a guest.
    fn handle_internal(
        self: Arc<Self>,
        req: Request<WasiBody>,
        component: Option<String>,
    ) -> Pin<Box<dyn Future<Output = Response<WasiBody>> + Send>> {
        Box::pin(async move {
            let client = SocketAddr::from(([127, 0, 0, 1], 0));
            self.dispatch(req, component, client).await.2
        })
    }
}
