//! The error type of the HTTP API and its stable machine-readable codes.
//!
//! Every 4xx/5xx answer of iems has the body `{"error": {"code", "message"}}`
//! (plus `field` when one input field is at fault). The `code` strings are a
//! contract with the frontend and outside clients: never rename one.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The stable error codes and the HTTP status each maps to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// 400: the body is not valid JSON or not the expected shape.
    InvalidJson,
    /// 422: a field failed validation (`field` names it).
    ValidationFailed,
    /// 401: no credentials, or a token that is expired, tampered with or of the wrong kind.
    Unauthorized,
    /// 401: username or password wrong (deliberately not saying which).
    InvalidCredentials,
    /// 403: signed in, but the role or ownership does not allow this.
    Forbidden,
    /// 404: no such resource (or not visible to this user).
    NotFound,
    /// 405: the route exists but not with this method.
    MethodNotAllowed,
    /// 409: a unique constraint, e.g. a username already taken.
    Conflict,
    /// 409: the action would remove or demote the last admin.
    LastAdmin,
    /// 413: the request body is larger than allowed.
    PayloadTooLarge,
    /// 415: the body is not `application/json` where JSON is required.
    UnsupportedMediaType,
    /// 429: too many attempts; `Retry-After` says when to try again.
    RateLimited,
    /// 500: something broke on our side; details are only in the server log.
    Internal,
    /// 503: a dependency (database, broker) is unavailable.
    Unavailable,
}

impl ErrorCode {
    /// The HTTP status code for this error.
    pub const fn status(self) -> u16 {
        match self {
            ErrorCode::InvalidJson => 400,
            ErrorCode::ValidationFailed => 422,
            ErrorCode::Unauthorized | ErrorCode::InvalidCredentials => 401,
            ErrorCode::Forbidden => 403,
            ErrorCode::NotFound => 404,
            ErrorCode::MethodNotAllowed => 405,
            ErrorCode::Conflict | ErrorCode::LastAdmin => 409,
            ErrorCode::PayloadTooLarge => 413,
            ErrorCode::UnsupportedMediaType => 415,
            ErrorCode::RateLimited => 429,
            ErrorCode::Internal => 500,
            ErrorCode::Unavailable => 503,
        }
    }

    /// The code as it appears on the wire.
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidJson => "invalid_json",
            ErrorCode::ValidationFailed => "validation_failed",
            ErrorCode::Unauthorized => "unauthorized",
            ErrorCode::InvalidCredentials => "invalid_credentials",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::NotFound => "not_found",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::Conflict => "conflict",
            ErrorCode::LastAdmin => "last_admin",
            ErrorCode::PayloadTooLarge => "payload_too_large",
            ErrorCode::UnsupportedMediaType => "unsupported_media_type",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::Internal => "internal",
            ErrorCode::Unavailable => "unavailable",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error as the API answers it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, thiserror::Error)]
#[error("{code}: {message}")]
pub struct ApiError {
    /// The stable code.
    pub code: ErrorCode,
    /// A sentence for a person.
    pub message: String,
    /// The input field at fault, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// The JSON envelope `{"error": ApiError}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// The error.
    pub error: ApiError,
}

impl ApiError {
    /// An error with a code and message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError {
            code,
            message: message.into(),
            field: None,
        }
    }

    /// A validation error naming the field at fault.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        ApiError {
            code: ErrorCode::ValidationFailed,
            message: message.into(),
            field: Some(field.to_string()),
        }
    }

    /// 401 with a fixed message.
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Unauthorized, message)
    }

    /// 403 with a fixed message.
    pub fn forbidden() -> Self {
        Self::new(ErrorCode::Forbidden, "you are not allowed to do this")
    }

    /// 404 for a kind of thing.
    pub fn not_found(what: &str) -> Self {
        Self::new(ErrorCode::NotFound, format!("{what} not found"))
    }

    /// 500 whose details stay in the log, never in the response.
    pub fn internal() -> Self {
        Self::new(ErrorCode::Internal, "internal error")
    }

    /// The HTTP status.
    pub fn status(&self) -> u16 {
        self.code.status()
    }

    /// The response body as JSON bytes.
    pub fn to_body(&self) -> Vec<u8> {
        serde_json::to_vec(&ErrorBody {
            error: self.clone(),
        })
        .expect("an ApiError always serializes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_has_the_contract_shape() {
        let e = ApiError::invalid("max_hourly_kwh", "must be positive");
        let v: serde_json::Value = serde_json::from_slice(&e.to_body()).unwrap();
        assert_eq!(v["error"]["code"], "validation_failed");
        assert_eq!(v["error"]["message"], "must be positive");
        assert_eq!(v["error"]["field"], "max_hourly_kwh");
        assert_eq!(e.status(), 422);
    }

    #[test]
    fn serde_names_match_as_str() {
        for code in [
            ErrorCode::InvalidJson,
            ErrorCode::ValidationFailed,
            ErrorCode::Unauthorized,
            ErrorCode::InvalidCredentials,
            ErrorCode::Forbidden,
            ErrorCode::NotFound,
            ErrorCode::MethodNotAllowed,
            ErrorCode::Conflict,
            ErrorCode::LastAdmin,
            ErrorCode::PayloadTooLarge,
            ErrorCode::UnsupportedMediaType,
            ErrorCode::RateLimited,
            ErrorCode::Internal,
            ErrorCode::Unavailable,
        ] {
            assert_eq!(serde_json::to_value(code).unwrap(), code.as_str());
        }
    }
}
