//! Reading a request (method, path, query, headers, a body of at most
//! [`MAX_BODY_BYTES`]) and writing JSON and error responses.

use futures::StreamExt;
use iems_shared::net::TrustedProxies;
use iems_shared::{ApiError, ErrorCode};
use serde::Serialize;
use spin_sdk::http::{IncomingRequest, Response};

use crate::json::Object;

/// The largest request body accepted; larger ones get 413.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// A request read whole: everything a handler needs, owned.
#[derive(Debug, Clone)]
pub struct Req {
    /// Upper-case method (`GET`, `POST`, …).
    pub method: String,
    /// The path without the query, as received (Spin passes the full path).
    pub path: String,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    /// The body (at most [`MAX_BODY_BYTES`]).
    pub body: Vec<u8>,
}

impl Req {
    /// Reads the request, refusing bodies over [`MAX_BODY_BYTES`] with 413.
    pub async fn read(req: IncomingRequest) -> Result<Req, ApiError> {
        let method = req.method().to_string().to_ascii_uppercase();
        let headers: Vec<(String, String)> = req
            .headers()
            .entries()
            .into_iter()
            .map(|(k, v)| {
                (
                    k.to_ascii_lowercase(),
                    String::from_utf8_lossy(&v).into_owned(),
                )
            })
            .collect();
        let full = req.path_with_query().unwrap_or_else(|| "/".into());
        let (path, query) = match full.split_once('?') {
            Some((p, q)) => (p.to_string(), parse_query(q)),
            None => (full.clone(), Vec::new()),
        };
        let mut out = Req {
            method,
            path,
            query,
            headers,
            body: Vec::new(),
        };
        let declared = out
            .header("content-length")
            .and_then(|v| v.trim().parse::<u64>().ok());
        if declared.is_some_and(|n| n > MAX_BODY_BYTES as u64) {
            return Err(too_large());
        }
        let mut stream = req.into_body_stream();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|_| {
                ApiError::new(ErrorCode::InvalidJson, "request body could not be read")
            })?;
            if out.body.len() + chunk.len() > MAX_BODY_BYTES {
                return Err(too_large());
            }
            out.body.extend_from_slice(&chunk);
        }
        Ok(out)
    }

    /// A request built by hand (for native unit tests of handlers' parsing).
    pub fn new(method: &str, path_and_query: &str, headers: &[(&str, &str)], body: &[u8]) -> Req {
        let (path, query) = match path_and_query.split_once('?') {
            Some((p, q)) => (p.to_string(), parse_query(q)),
            None => (path_and_query.to_string(), Vec::new()),
        };
        Req {
            method: method.to_ascii_uppercase(),
            path,
            query,
            headers: headers
                .iter()
                .map(|(k, v)| (k.to_ascii_lowercase(), v.to_string()))
                .collect(),
            body: body.to_vec(),
        }
    }

    /// The first value of a header (name case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The first value of a query parameter, percent-decoded.
    pub fn query(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The non-empty path segments: `/api/users/7` → `["api", "users", "7"]`.
    pub fn segments(&self) -> Vec<&str> {
        self.path.split('/').filter(|s| !s.is_empty()).collect()
    }

    /// The body as a JSON object: 415 `unsupported_media_type` unless the
    /// request says it is JSON (so that a cross-site HTML form, which cannot
    /// send `application/json` without a CORS preflight, never reaches a
    /// handler), 400 `invalid_json` unless it parses as an object.
    pub fn json(&self) -> Result<Object, ApiError> {
        if !is_json_media_type(self.header("content-type").unwrap_or("")) {
            return Err(ApiError::new(
                ErrorCode::UnsupportedMediaType,
                "send the body as JSON with Content-Type: application/json",
            ));
        }
        Object::parse(&self.body)
    }

    /// The value of a cookie from the `Cookie` header.
    pub fn cookie(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .filter(|(k, _)| k == "cookie")
            .flat_map(|(_, v)| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(k, _)| k.trim() == name)
            .map(|(_, v)| v.trim())
    }

    /// The host name the client used (no port), from `Host` or `spin-full-url`.
    pub fn host(&self) -> String {
        let authority = self.header("host").map(str::to_string).or_else(|| {
            let url = self.header("spin-full-url")?;
            let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
            Some(rest.split('/').next().unwrap_or_default().to_string())
        });
        let authority = authority.unwrap_or_default();
        let host = if authority.starts_with('[') {
            authority
                .split(']')
                .next()
                .map(|h| format!("{h}]"))
                .unwrap_or_default()
        } else {
            authority.split(':').next().unwrap_or_default().to_string()
        };
        host.to_ascii_lowercase()
    }

    /// The client's IP address behind the proxies in the Spin variable
    /// `trusted_proxies` (addresses and CIDR ranges, comma-separated; empty:
    /// nobody), which are believed about `X-Forwarded-For`. An invalid value is
    /// logged and trusts nobody, so the limit is stricter, never looser.
    pub fn client_ip_behind_proxies(&self) -> String {
        let trusted = spin_sdk::variables::get("trusted_proxies").unwrap_or_default();
        let trusted = TrustedProxies::parse(&trusted).unwrap_or_else(|e| {
            eprintln!("the Spin variable trusted_proxies is ignored: {e}");
            TrustedProxies::default()
        });
        self.client_ip_via(&trusted)
    }

    /// The client's IP address given the trusted proxies (see [`TrustedProxies::client`]).
    pub fn client_ip_via(&self, trusted: &TrustedProxies) -> String {
        let peer = self.client_ip();
        match peer.parse() {
            Ok(ip) => trusted
                .client(ip, self.header("x-forwarded-for"))
                .to_string(),
            Err(_) => peer,
        }
    }

    /// The client's IP address (without the port) from `spin-client-addr`.
    pub fn client_ip(&self) -> String {
        let addr = self.header("spin-client-addr").unwrap_or("unknown");
        match addr.rsplit_once(':') {
            Some((ip, port)) if port.chars().all(|c| c.is_ascii_digit()) => {
                ip.trim_start_matches('[').trim_end_matches(']').to_string()
            }
            _ => addr.to_string(),
        }
    }
}

/// `application/json` or a `+json` type, any parameters (`; charset=utf-8`).
fn is_json_media_type(value: &str) -> bool {
    let essence = value
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || essence
            .strip_prefix("application/")
            .is_some_and(|sub| sub.ends_with("+json"))
}

fn too_large() -> ApiError {
    ApiError::new(
        ErrorCode::PayloadTooLarge,
        format!("request body must be at most {MAX_BODY_BYTES} bytes"),
    )
}

fn parse_query(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

/// Decodes `%XX` and `+`; malformed escapes are kept literally.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(hi), Some(lo)) => {
                    out.push(hi << 4 | lo);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// A JSON response with `Cache-Control: no-store`.
pub fn json<T: Serialize>(status: u16, value: &T) -> Response {
    match serde_json::to_vec(value) {
        Ok(body) => with_body(status, body),
        Err(e) => {
            eprintln!("serializing a response failed: {e}");
            error(&ApiError::internal())
        }
    }
}

fn with_body(status: u16, body: Vec<u8>) -> Response {
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .header("cache-control", "no-store")
        .body(body)
        .build()
}

/// An empty response (e.g. 204).
pub fn empty(status: u16) -> Response {
    Response::builder()
        .status(status)
        .header("cache-control", "no-store")
        .body(Vec::new())
        .build()
}

/// The `{"error": …}` response of an [`ApiError`].
pub fn error(e: &ApiError) -> Response {
    with_body(e.status(), e.to_body())
}

/// 405 `method_not_allowed` with an `Allow` header.
pub fn method_not_allowed(allow: &[&str]) -> Response {
    let e = ApiError::new(
        ErrorCode::MethodNotAllowed,
        "method not allowed on this route",
    );
    let mut resp = error(&e);
    resp.set_header("allow", allow.join(", "));
    resp
}

/// 404 for a path no route of the component knows.
pub fn no_route() -> ApiError {
    ApiError::not_found("route")
}

/// The response of a handler's result.
pub fn respond(result: Result<Response, ApiError>) -> Response {
    result.unwrap_or_else(|e| error(&e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_and_cookies() {
        let req = Req::new(
            "get",
            "/api/users?q=a%20b+c&page=2&bad=%zz%4",
            &[
                ("Cookie", "x=1; iems_refresh=abc"),
                ("spin-client-addr", "[::1]:4000"),
            ],
            b"",
        );
        assert_eq!(req.query("q"), Some("a b c"));
        assert_eq!(req.query("page"), Some("2"));
        assert_eq!(req.query("bad"), Some("%zz%4"));
        assert_eq!(req.cookie("iems_refresh"), Some("abc"));
        assert_eq!(req.client_ip(), "::1");
        let gateway = TrustedProxies::parse("::1").unwrap();
        assert_eq!(
            req.client_ip_via(&gateway),
            "::1",
            "no X-Forwarded-For: the peer"
        );
        assert_eq!(req.segments(), ["api", "users"]);
    }

    #[test]
    fn json_needs_a_json_content_type() {
        for ok in [
            "application/json",
            "Application/JSON; charset=utf-8",
            "application/merge-patch+json",
        ] {
            let req = Req::new("POST", "/", &[("content-type", ok)], b"{}");
            assert!(req.json().is_ok(), "{ok}");
        }
        for bad in [
            "",
            "text/plain",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
            "application/jsonx",
        ] {
            let req = Req::new("POST", "/", &[("content-type", bad)], b"{}");
            assert_eq!(
                req.json().unwrap_err().code,
                ErrorCode::UnsupportedMediaType,
                "{bad}"
            );
        }
    }
}
