//! Spin's reserved routes, answered by the runtime before the app's.

use bytes::Bytes;
use http::{HeaderValue, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use wasmtime_wasi_http::WasiBody;

use super::{error_response, AppInner};

/// Spin's reserved route prefix: the runtime answers, the app never sees it.
pub(super) const WELL_KNOWN: &str = "/.well-known/spin/";

impl AppInner {
    /// `/.well-known/spin/health` (200 `OK`), `/.well-known/spin/info` (the
    /// application's name and version as JSON), 404 for the rest, as Spin does.
    pub(super) fn well_known(&self, rest: &str) -> Response<WasiBody> {
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
}
