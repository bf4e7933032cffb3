//! `allowed_outbound_hosts` as Spin reads it, and the wasi:http hooks that
//! enforce it (and route `http://self` / `*.spin.internal` back into the app).

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Weak};

use http::uri::Scheme;
use wasmtime_wasi_http::{Error as HttpError, RequestOptions, WasiBody, WasiHttpHooks};

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
}

/// The port of a scheme when none is given, as Spin knows them.
fn well_known_port(scheme: &str) -> Option<u16> {
    match scheme {
        "postgres" => Some(5432),
        "mysql" => Some(3306),
        "redis" => Some(6379),
        "mqtt" => Some(1883),
        "http" => Some(80),
        "https" => Some(443),
        _ => None,
    }
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
    /// `*://*.example.com:*`, `http://self`, `http://*.spin.internal` or
    /// `mysql://db.example.com` (expressions already expanded). Without a port
    /// an entry means the scheme's well-known one; a scheme without one (`*`)
    /// needs a port, as in Spin.
    pub fn parse(entries: &[String]) -> Result<Self, RuntimeError> {
        let mut patterns = Vec::new();
        for entry in entries {
            let bad =
                || RuntimeError::Manifest(format!("invalid allowed_outbound_hosts `{entry}`"));
            let (scheme, rest) = entry.trim().split_once("://").ok_or_else(bad)?;
            let rest = rest.trim_end_matches('/');
            let (host, port) = match rest.rsplit_once(':') {
                Some((h, "*")) => (h, PortPattern::Any),
                Some((h, p)) => (h, PortPattern::Exact(p.parse().map_err(|_| bad())?)),
                None => match well_known_port(&scheme.to_ascii_lowercase()) {
                    Some(p) => (rest, PortPattern::Exact(p)),
                    None => {
                        return Err(RuntimeError::Manifest(format!(
                            "allowed_outbound_hosts `{entry}`: no port was provided and the scheme `{scheme}` does not have a known default port number"
                        )))
                    }
                },
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

    /// Whether a connection to `scheme://host:port` is allowed (no port: the
    /// scheme's well-known one).
    pub fn allows(&self, scheme: &str, host: &str, port: Option<u16>) -> bool {
        let host = host.to_ascii_lowercase();
        let port = port.or_else(|| well_known_port(scheme));
        self.patterns.iter().any(|p| {
            p.scheme.as_deref().is_none_or(|s| s == scheme)
                && match &p.host {
                    HostPattern::Any => true,
                    HostPattern::Exact(h) => *h == host,
                    HostPattern::Suffix(s) => host.ends_with(s.as_str()),
                }
                && match p.port {
                    PortPattern::Any => true,
                    PortPattern::Exact(allowed) => port == Some(allowed),
                }
        })
    }

    /// Whether a connection to a database address such as
    /// `mysql://user:password@host:port/db` is allowed, as Spin's `check_url`
    /// decides: an address without a scheme gets `default_scheme`, and one
    /// that does not parse is not allowed.
    pub fn allows_url(&self, address: &str, default_scheme: &str) -> bool {
        let (scheme, rest) = address
            .trim()
            .split_once("://")
            .unwrap_or((default_scheme, address.trim()));
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        let host_port = authority.rsplit('@').next().unwrap_or_default();
        let (host, port) = match host_port.rsplit_once(':') {
            Some((host, port)) if !port.contains(']') => match port.parse::<u16>() {
                Ok(port) => (host, Some(port)),
                Err(_) => return false,
            },
            _ => (host_port, None),
        };
        !host.is_empty() && self.allows(&scheme.to_ascii_lowercase(), host, port)
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

/// Where `http://self` and `*.spin.internal` requests of a guest go: the
/// serving application, which the host layer knows only through this.
pub trait InternalRequests: Send + Sync {
    /// Serves `request` inside the application: routed by path, or straight
    /// to `component` (an id) when given.
    fn handle_internal(
        self: Arc<Self>,
        request: http::Request<WasiBody>,
        component: Option<String>,
    ) -> Pin<Box<dyn Future<Output = http::Response<WasiBody>> + Send>>;
}

/// The per-store wasi:http hooks: the allow-list and a way back into the app.
pub struct OutboundHooks {
    /// The component's allow-list.
    pub allowed: Arc<AllowedHosts>,
    /// The application, for `self` and `*.spin.internal` requests.
    pub app: Weak<dyn InternalRequests>,
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
        // Spin: no port and a scheme without a well-known one is an error.
        assert!(AllowedHosts::parse(&["*://example.com".into()]).is_err());
        assert_eq!(
            destination("auth.spin.internal"),
            Destination::Component("auth".into())
        );
        assert_eq!(destination("self"), Destination::SelfApp);
    }

    #[test]
    fn database_addresses_follow_spin() {
        let hosts = AllowedHosts::parse(&[
            "mysql://127.0.0.1".into(),
            "mysql://db.internal:3307".into(),
            "mysql://[::1]:3306".into(),
        ])
        .unwrap();
        assert!(hosts.allows_url("mysql://root@127.0.0.1/iems", "mysql"));
        assert!(hosts.allows_url("mysql://root:p@ss@127.0.0.1:3306/iems?x=1", "mysql"));
        assert!(hosts.allows_url("127.0.0.1:3306/iems", "mysql"));
        assert!(hosts.allows_url("mysql://u@DB.internal:3307/x", "mysql"));
        assert!(hosts.allows_url("mysql://u@[::1]/x", "mysql"));
        assert!(!hosts.allows_url("mysql://root@127.0.0.1:3307/iems", "mysql"));
        assert!(!hosts.allows_url("mysql://root@localhost/iems", "mysql"));
        assert!(!hosts.allows_url("postgres://root@127.0.0.1:3306/iems", "mysql"));
        assert!(!hosts.allows_url("mysql://root@127.0.0.1:nope/iems", "mysql"));
        assert!(!hosts.allows_url("mysql:///iems", "mysql"));
    }
}
