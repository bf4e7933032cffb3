//! Taking fields out of a JSON object body, with a `validation_failed` error
//! naming the field when one is missing or of the wrong type.

use iems_shared::{ApiError, ErrorCode};
use serde_json::{Map, Value};

/// A request body that is a JSON object.
#[derive(Debug, Clone)]
pub struct Object(Map<String, Value>);

fn missing(field: &str) -> ApiError {
    ApiError::invalid(field, format!("{field} is required"))
}

fn wrong_type(field: &str, what: &str) -> ApiError {
    ApiError::invalid(field, format!("{field} must be {what}"))
}

impl Object {
    /// Parses a body: 400 `invalid_json` unless it is a JSON object.
    pub fn parse(body: &[u8]) -> Result<Object, ApiError> {
        match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(map)) => Ok(Object(map)),
            Ok(_) => Err(ApiError::new(
                ErrorCode::InvalidJson,
                "the body must be a JSON object",
            )),
            Err(_) => Err(ApiError::new(
                ErrorCode::InvalidJson,
                "the body is not valid JSON",
            )),
        }
    }

    /// True when the field is present (even as `null`).
    pub fn has(&self, field: &str) -> bool {
        self.0.contains_key(field)
    }

    /// The raw value of a field.
    pub fn get(&self, field: &str) -> Option<&Value> {
        self.0.get(field)
    }

    /// A required string.
    pub fn str(&self, field: &str) -> Result<&str, ApiError> {
        self.opt_str(field)?.ok_or_else(|| missing(field))
    }

    /// An optional string: absent or `null` → `None`.
    pub fn opt_str(&self, field: &str) -> Result<Option<&str>, ApiError> {
        match self.0.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(wrong_type(field, "a string")),
        }
    }

    /// For PATCH: absent → `None`, `null` → `Some(None)`, a string → `Some(Some(s))`.
    pub fn patch_str(&self, field: &str) -> Result<Option<Option<&str>>, ApiError> {
        match self.0.get(field) {
            None => Ok(None),
            Some(Value::Null) => Ok(Some(None)),
            Some(Value::String(s)) => Ok(Some(Some(s))),
            Some(_) => Err(wrong_type(field, "a string or null")),
        }
    }

    /// A required number.
    pub fn f64(&self, field: &str) -> Result<f64, ApiError> {
        self.opt_f64(field)?.ok_or_else(|| missing(field))
    }

    /// An optional number: absent or `null` → `None`.
    pub fn opt_f64(&self, field: &str) -> Result<Option<f64>, ApiError> {
        match self.0.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => n
                .as_f64()
                .map(Some)
                .ok_or_else(|| wrong_type(field, "a number")),
            Some(_) => Err(wrong_type(field, "a number")),
        }
    }

    /// An optional boolean: absent or `null` → `None`.
    pub fn opt_bool(&self, field: &str) -> Result<Option<bool>, ApiError> {
        match self.0.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(wrong_type(field, "true or false")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields() {
        assert_eq!(
            Object::parse(b"{").unwrap_err().code,
            ErrorCode::InvalidJson
        );
        assert_eq!(
            Object::parse(b"[1]").unwrap_err().code,
            ErrorCode::InvalidJson
        );
        let o = Object::parse(br#"{"a":"x","n":1.5,"z":null,"b":7}"#).unwrap();
        assert_eq!(o.str("a").unwrap(), "x");
        assert_eq!(o.f64("n").unwrap(), 1.5);
        assert_eq!(o.patch_str("z").unwrap(), Some(None));
        assert_eq!(o.patch_str("nope").unwrap(), None);
        let e = o.str("b").unwrap_err();
        assert_eq!(
            (e.code, e.field.as_deref()),
            (ErrorCode::ValidationFailed, Some("b"))
        );
        assert_eq!(
            o.str("missing").unwrap_err().field.as_deref(),
            Some("missing")
        );
        assert!(o.f64("a").is_err());
    }
}
