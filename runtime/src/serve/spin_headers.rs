//! The `spin-*` request headers Spin gives a routed request.

use std::net::SocketAddr;

use http::{HeaderName, HeaderValue, Request};

use super::routes::RouteMatch;

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

/// Sets the `spin-*` headers of a request `m` matched, replacing any the
/// client sent, and makes its URI absolute.
pub(super) fn set_spin_headers<B>(req: &mut Request<B>, m: &RouteMatch<'_>, client: SocketAddr) {
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
