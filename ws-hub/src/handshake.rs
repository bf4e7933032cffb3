//! The `/ws` handshake: origin check, the access token from the subprotocols,
//! refusal (as a JSON HTTP error) before any frame when either is wrong.

use crate::{session, Shared};
use axum::extract::ws::{rejection::WebSocketUpgradeRejection, WebSocketUpgrade};
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use iems_shared::error::{ApiError, ErrorCode};
use std::sync::Arc;

/// The subprotocol the server selects.
pub const PROTOCOL: &str = "iems.v1";
/// The prefix of the subprotocol carrying the access token.
pub const BEARER_PREFIX: &str = "bearer.";

pub(crate) async fn ws_handler(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    let upgrade = match upgrade {
        Ok(u) => u,
        Err(rejection) => return rejection.into_response(),
    };
    if !origin_allowed(&headers, &shared.config.allowed_origins) {
        return refuse(ApiError::new(ErrorCode::Forbidden, "origin not allowed"));
    }
    let offered = offered_protocols(&headers);
    if !offered.iter().any(|p| p == PROTOCOL) {
        return refuse(ApiError::new(
            ErrorCode::Unauthorized,
            "offer the subprotocols iems.v1 and bearer.<access token>",
        ));
    }
    let Some(token) = offered.iter().find_map(|p| p.strip_prefix(BEARER_PREFIX)) else {
        return refuse(ApiError::unauthorized("missing access token"));
    };
    let claims = match shared.verifier.verify(token) {
        Ok(c) => c,
        Err(e) => {
            tracing::debug!(error = %e, "websocket refused");
            return refuse(ApiError::unauthorized("invalid or expired access token"));
        }
    };
    if let Err(e) = crate::revocation::check_live(&shared.pool, &claims).await {
        return refuse(e);
    }
    if shared.shutdown.is_cancelled() {
        return refuse(ApiError::new(ErrorCode::Unavailable, "shutting down"));
    }
    let max = shared.config.max_message_bytes;
    upgrade
        .protocols([PROTOCOL])
        // A small read buffer keeps an idle connection cheap (tungstenite defaults to
        // 128 KiB; frames here are small JSON, larger ones are read in several steps):
        // 1 KiB puts 10,000 connections under 150 MB (`iems bench ws`).
        .read_buffer_size(1024)
        .max_message_size(max)
        .max_frame_size(max)
        .on_upgrade(move |socket| session::run(shared, socket, claims))
}

fn refuse(error: ApiError) -> Response {
    let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::BAD_REQUEST);
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        error.to_body(),
    )
        .into_response()
}

fn offered_protocols(headers: &HeaderMap) -> Vec<String> {
    headers
        .get_all(header::SEC_WEBSOCKET_PROTOCOL)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect()
}

/// A browser's `Origin` must be the hub's own host or one configured; clients
/// without an `Origin` (not browsers, so not cross-site) are let through.
fn origin_allowed(headers: &HeaderMap, allowed: &[String]) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return headers.get(header::ORIGIN).is_none();
    };
    if allowed
        .iter()
        .any(|a| a == "*" || a.eq_ignore_ascii_case(origin))
    {
        return true;
    }
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    let origin_host = origin.split_once("://").map(|(_, rest)| rest);
    matches!((host, origin_host), (Some(h), Some(o)) if h.eq_ignore_ascii_case(o))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(k.clone(), HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn origins() {
        let own = headers(&[
            (header::HOST, "hub:8080"),
            (header::ORIGIN, "http://hub:8080"),
        ]);
        assert!(origin_allowed(&own, &[]));
        let other = headers(&[
            (header::HOST, "hub:8080"),
            (header::ORIGIN, "http://evil.example"),
        ]);
        assert!(!origin_allowed(&other, &[]));
        assert!(origin_allowed(&other, &["http://evil.example".into()]));
        assert!(origin_allowed(&headers(&[(header::HOST, "hub")]), &[]));
    }

    #[test]
    fn protocols_from_one_or_many_headers() {
        let h = headers(&[
            (header::SEC_WEBSOCKET_PROTOCOL, "iems.v1, bearer.a.b.c"),
            (header::SEC_WEBSOCKET_PROTOCOL, "other"),
        ]);
        assert_eq!(offered_protocols(&h), ["iems.v1", "bearer.a.b.c", "other"]);
    }
}
