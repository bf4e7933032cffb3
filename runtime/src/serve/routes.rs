//! Spin's HTTP route matching: exact routes, trailing `/...` wildcards and
//! `:name` segments; the most specific route wins.

use crate::error::RuntimeError;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(String),
    Param(String),
}

/// One parsed route of `[[trigger.http]]`.
#[derive(Debug, Clone)]
pub struct Route {
    /// The route as written in `spin.toml`.
    pub raw: String,
    segments: Vec<Segment>,
    wildcard: bool,
    /// Index of the component this route serves.
    pub component: usize,
}

/// The result of matching a path.
#[derive(Debug, Clone)]
pub struct RouteMatch<'a> {
    /// The matched route.
    pub route: &'a Route,
    /// The path after the route's prefix (`spin-path-info`).
    pub path_info: String,
    /// `:name` captures, in order.
    pub params: Vec<(String, String)>,
}

impl Route {
    /// Parses a route pattern such as `/users/:id` or `/static/...`.
    pub fn parse(raw: &str, component: usize) -> Result<Self, RuntimeError> {
        let trimmed = raw.trim();
        if !trimmed.starts_with('/') {
            return Err(RuntimeError::Manifest(format!(
                "route `{raw}` must start with `/`"
            )));
        }
        let (body, wildcard) = match trimmed.strip_suffix("/...") {
            Some(prefix) => (prefix, true),
            None => (trimmed, false),
        };
        let mut segments = Vec::new();
        for part in body.split('/').filter(|s| !s.is_empty()) {
            if part == "..." {
                return Err(RuntimeError::Manifest(format!(
                    "route `{raw}`: `...` is only allowed at the end"
                )));
            }
            segments.push(match part.strip_prefix(':') {
                Some(name) if !name.is_empty() => Segment::Param(name.to_owned()),
                _ => Segment::Literal(part.to_owned()),
            });
        }
        Ok(Self {
            raw: trimmed.to_owned(),
            segments,
            wildcard,
            component,
        })
    }

    /// The route without its trailing `/...` (`spin-component-route`).
    pub fn component_route(&self) -> &str {
        self.raw.strip_suffix("/...").unwrap_or(&self.raw)
    }

    fn matches(&self, path_segments: &[&str]) -> Option<(String, Vec<(String, String)>)> {
        let n = self.segments.len();
        if path_segments.len() < n || (!self.wildcard && path_segments.len() != n) {
            return None;
        }
        let mut params = Vec::new();
        for (seg, actual) in self.segments.iter().zip(path_segments) {
            match seg {
                Segment::Literal(lit) if lit == actual => {}
                Segment::Literal(_) => return None,
                Segment::Param(name) => params.push((name.clone(), (*actual).to_owned())),
            }
        }
        let rest = &path_segments[n..];
        let path_info = if rest.is_empty() {
            String::new()
        } else {
            format!("/{}", rest.join("/"))
        };
        Some((path_info, params))
    }

    /// Ordering key: more segments first, literals before params at the first
    /// difference, and an exact route before a wildcard of the same prefix.
    fn specificity(&self) -> (usize, Vec<bool>, bool) {
        let literals = self
            .segments
            .iter()
            .map(|s| matches!(s, Segment::Literal(_)))
            .collect();
        (self.segments.len(), literals, !self.wildcard)
    }
}

/// All public routes of an application, most specific first.
#[derive(Debug, Clone, Default)]
pub struct Router {
    routes: Vec<Route>,
}

impl Router {
    /// Builds the router; rejects two components claiming the same route.
    pub fn new(mut routes: Vec<Route>) -> Result<Self, RuntimeError> {
        routes.sort_by_key(|r| std::cmp::Reverse(r.specificity()));
        for pair in routes.windows(2) {
            if pair[0].segments == pair[1].segments && pair[0].wildcard == pair[1].wildcard {
                return Err(RuntimeError::Manifest(format!(
                    "duplicate route `{}` (also `{}`)",
                    pair[0].raw, pair[1].raw
                )));
            }
        }
        Ok(Self { routes })
    }

    /// Finds the most specific route matching a request path (no query).
    pub fn find(&self, path: &str) -> Option<RouteMatch<'_>> {
        let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        self.routes.iter().find_map(|route| {
            route
                .matches(&segments)
                .map(|(path_info, params)| RouteMatch {
                    route,
                    path_info,
                    params,
                })
        })
    }

    /// The routes, most specific first.
    pub fn routes(&self) -> &[Route] {
        &self.routes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn router(raw: &[&str]) -> Router {
        let routes = raw
            .iter()
            .enumerate()
            .map(|(i, r)| Route::parse(r, i).unwrap())
            .collect();
        Router::new(routes).unwrap()
    }

    #[test]
    fn precedence_and_path_info() {
        let r = router(&[
            "/...",
            "/hello/...",
            "/hello",
            "/users/:name",
            "/users/me",
            "/a/:x/...",
        ]);
        let m = r.find("/hello/a/b").unwrap();
        assert_eq!(
            (m.route.raw.as_str(), m.path_info.as_str()),
            ("/hello/...", "/a/b")
        );
        assert_eq!(m.route.component_route(), "/hello");
        assert_eq!(r.find("/hello").unwrap().route.raw, "/hello");
        assert_eq!(r.find("/hellox").unwrap().route.raw, "/...");
        assert_eq!(r.find("/hellox").unwrap().path_info, "/hellox");
        let m = r.find("/users/alice").unwrap();
        assert_eq!(m.params, vec![("name".to_owned(), "alice".to_owned())]);
        assert_eq!(r.find("/users/me").unwrap().route.raw, "/users/me");
        assert_eq!(r.find("/a/1/2/3").unwrap().path_info, "/2/3");
        assert_eq!(r.find("/").unwrap().route.raw, "/...");
    }

    #[test]
    fn no_match_and_duplicates() {
        let r = router(&["/api/...", "/exact"]);
        assert!(r.find("/other").is_none());
        assert!(r.find("/exact/more").is_none());
        assert_eq!(r.find("/api").unwrap().path_info, "");
        let dup = vec![
            Route::parse("/x", 0).unwrap(),
            Route::parse("/x", 1).unwrap(),
        ];
        assert!(Router::new(dup).is_err());
        assert!(Route::parse("nope", 0).is_err());
    }
}
