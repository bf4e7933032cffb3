//! `allowed_outbound_hosts` as Spin reads it, and the wasi:http hooks that
//! enforce it (and route `http://self` / `*.spin.internal` back into the app).

use std::future::Future;
use std::sync::{Arc, Weak};

use http::uri::Scheme;
use wasmtime_wasi_http::{Error as HttpError, RequestOptions, WasiBody, WasiHttpHooks};

use crate::app::AppInner;
use crate::error::RuntimeError;

#[derive(Debug, Clone, PartialEq, Eq)]
enum HostPattern {
    Any,
    Exact(String),
    /// `*.example.com`: any sub-domain of the suffix (stored with the leading dot).
    Suffix(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum PortPattern {
    Any,
    Exact(u16),
    /// No port given: the scheme's default port.
    Default,
}

#[derive(Debug, Clone)]
struct Pattern {
    scheme: Option<String>,
    host: HostPattern,
    port: PortPattern,
}

/// A component's parsed `allowed_outbound_hosts`.
#[derive(Debug, Clone, Default)]
pub struct AllowedHosts {
    patterns: Vec<Pattern>,
}

impl AllowedHosts {
    /// Parses entries such as `https://api.example.com`, `http://localhost:3000`,
    /// `*://*.example.com:*`, `http://self` or `http://*.spin.internal`.
    pub fn parse(entries: &[String]) -> Result<Self, RuntimeError> {
        let mut patterns = Vec::new();
        for entry in entries {
            let bad =
                || RuntimeError::Manifest(format!("invalid allowed_outbound_hosts `{entry}`"));
            let (scheme, rest) = entry.split_once("://").ok_or_else(bad)?;
            let rest = rest.trim_end_matches('/');
            let (host, port) = match rest.rsplit_once(':') {
                Some((h, "*")) => (h, PortPattern::Any),
                Some((h, p)) => (h, PortPattern::Exact(p.parse().map_err(|_| bad())?)),
                None => (rest, PortPattern::Default),
            };
            let host = match host {
                "*" => HostPattern::Any,
                h if h.starts_with("*.") => HostPattern::Suffix(h[1..].to_ascii_lowercase()),
                "" => return Err(bad()),
                h => HostPattern::Exact(h.to_ascii_lowercase()),
            };
            let scheme = (scheme != "*").then(|| scheme.to_ascii_lowercase());
            patterns.push(Pattern { scheme, host, port });
        }
        Ok(Self { patterns })
    }

    /// Whether a request to `scheme://host:port` is allowed.
    pub fn allows(&self, scheme: &str, host: &str, port: Option<u16>) -> bool {
        let host = host.to_ascii_lowercase();
        let default_port = if scheme == "https" { 443 } else { 80 };
        let port = port.unwrap_or(default_port);
        self.patterns.iter().any(|p| {
            p.scheme.as_deref().is_none_or(|s| s == scheme)
                && match &p.host {
                    HostPattern::Any => true,
                    HostPattern::Exact(h) => *h == host,
                    HostPattern::Suffix(s) => host.ends_with(s.as_str()),
                }
                && match p.port {
                    PortPattern::Any => true,
                    PortPattern::Exact(allowed) => allowed == port,
                    PortPattern::Default => port == default_port,
                }
        })
    }
}

/// Where an allowed request goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// Out to the network.
    Network,
    /// Back into this application, routed by path (`http://self`).
    SelfApp,
    /// Straight to a component by id (`http://<id>.spin.internal`).
    Component(String),
}

/// Classifies a host: `self`, `<id>.spin.internal` or the network.
pub fn destination(host: &str) -> Destination {
    let host = host.to_ascii_lowercase();
    if host == "self" || host == "self.alt" {
        Destination::SelfApp
    } else if let Some(id) = host.strip_suffix(".spin.internal") {
        Destination::Component(id.to_owned())
    } else {
        Destination::Network
    }
}

/// The per-store wasi:http hooks: the allow-list and a way back into the app.
pub struct OutboundHooks {
    /// The component's allow-list.
    pub allowed: Arc<AllowedHosts>,
    /// The application, for `self` and `*.spin.internal` requests.
    pub app: Weak<AppInner>,
}

type SendFuture = Box<
    dyn Future<
            Output = Result<
                (
                    http::Response<WasiBody>,
                    Box<dyn Future<Output = Result<(), HttpError>> + Send>,
                ),
                HttpError,
            >,
        > + Send,
>;

impl WasiHttpHooks for OutboundHooks {
    fn default_scheme(&mut self) -> Option<Scheme> {
        Some(Scheme::HTTP)
    }

    fn send_request(
        &mut self,
        request: http::Request<WasiBody>,
        options: Option<RequestOptions>,
        fut: Box<dyn Future<Output = Result<(), HttpError>> + Send>,
    ) -> SendFuture {
        drop(fut);
        let uri = request.uri();
        let scheme = uri.scheme_str().unwrap_or("http").to_owned();
        let host = uri.host().unwrap_or_default().to_owned();
        if !self.allowed.allows(&scheme, &host, uri.port_u16()) {
            tracing::warn!(url = %uri, "outbound request denied: not in allowed_outbound_hosts");
            return Box::new(async { Err(HttpError::HttpRequestDenied) });
        }
        let app = self.app.clone();
        Box::new(async move {
            match destination(&host) {
                Destination::Network => {
                    use http_body_util::BodyExt;
                    let (res, io) =
                        wasmtime_wasi_http::default_send_request(request, options).await?;
                    Ok((
                        res.map(BodyExt::boxed_unsync),
                        Box::new(io) as Box<dyn Future<Output = _> + Send>,
                    ))
                }
                target => {
                    let app = app.upgrade().ok_or(HttpError::DestinationUnavailable)?;
                    let component = match target {
                        Destination::Component(id) => Some(id),
                        _ => None,
                    };
                    let res = app.handle_internal(request, component).await;
                    let done = Box::new(async { Ok(()) }) as Box<dyn Future<Output = _> + Send>;
                    Ok((res, done))
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allow_list_semantics() {
        let hosts = AllowedHosts::parse(&[
            "https://api.example.com".into(),
            "http://localhost:3000".into(),
            "*://*.wild.org:*".into(),
            "http://self".into(),
        ])
        .unwrap();
        assert!(hosts.allows("https", "api.example.com", None));
        assert!(hosts.allows("https", "API.example.com", Some(443)));
        assert!(!hosts.allows("http", "api.example.com", None));
        assert!(!hosts.allows("https", "api.example.com", Some(8443)));
        assert!(hosts.allows("http", "localhost", Some(3000)));
        assert!(!hosts.allows("http", "localhost", Some(3001)));
        assert!(hosts.allows("http", "a.b.wild.org", Some(9)));
        assert!(!hosts.allows("http", "wild.org", Some(9)));
        assert!(hosts.allows("http", "self", None));
        assert!(AllowedHosts::parse(&["nonsense".into()]).is_err());
        assert_eq!(
            destination("auth.spin.internal"),
            Destination::Component("auth".into())
        );
        assert_eq!(destination("self"), Destination::SelfApp);
    }
}
