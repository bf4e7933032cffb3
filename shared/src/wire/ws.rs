//! WebSocket frames of `/ws` (JSON objects with a `type`).

use crate::error::ApiError;
use crate::model::{Alert, BudgetAlert, ChatMessage};
use serde::{Deserialize, Serialize};

/// Longest chat message, in characters.
pub const CHAT_BODY_MAX: usize = 4000;
/// Longest client message id.
pub const CLIENT_MSG_ID_MAX: usize = 64;

/// Frames the browser sends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum ClientFrame {
    /// Send a chat message; acknowledged by the `chat.message` echo once stored.
    #[serde(rename = "chat.send")]
    ChatSend {
        /// The client's user id (a client may only use its own).
        conversation_id: String,
        /// The text.
        body: String,
        /// The sender's id for this message (retries reuse it).
        client_msg_id: String,
    },
    /// Typing started or stopped.
    #[serde(rename = "chat.typing")]
    ChatTyping {
        /// The conversation.
        conversation_id: String,
        /// True while typing.
        typing: bool,
    },
    /// Everything up to this message has been read.
    #[serde(rename = "chat.read")]
    ChatRead {
        /// The conversation.
        conversation_id: String,
        /// The last message read.
        up_to_id: String,
    },
    /// A renewed access token for this socket.
    #[serde(rename = "auth.renew")]
    AuthRenew {
        /// The new token.
        access_token: String,
    },
}

/// Frames the server sends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum ServerFrame {
    /// An hour passed a device's limit.
    #[serde(rename = "alert")]
    Alert {
        /// The alert.
        alert: Alert,
    },
    /// A client's month passed (or is projected to pass) its budget.
    #[serde(rename = "budget_alert")]
    BudgetAlert {
        /// The alert.
        alert: BudgetAlert,
    },
    /// A device's hourly total changed.
    #[serde(rename = "consumption")]
    Consumption {
        /// The device.
        device_id: String,
        /// Start of the hour (RFC 3339 UTC).
        hour_start: String,
        /// The hour's total.
        kwh: f64,
    },
    /// A stored chat message (also the acknowledgement of `chat.send`).
    #[serde(rename = "chat.message")]
    ChatMessage {
        /// The message.
        message: ChatMessage,
    },
    /// The other side is typing.
    #[serde(rename = "chat.typing")]
    ChatTyping {
        /// The conversation.
        conversation_id: String,
        /// Who.
        user_id: String,
        /// True while typing.
        typing: bool,
    },
    /// The other side has read up to a message.
    #[serde(rename = "chat.read")]
    ChatRead {
        /// The conversation.
        conversation_id: String,
        /// Who.
        user_id: String,
        /// The last message read.
        up_to_id: String,
    },
    /// A frame was refused; the connection stays open.
    #[serde(rename = "error")]
    Error {
        /// The error.
        error: ApiError,
    },
}

/// Decodes a frame the browser sent: an `invalid_json` error (never a panic)
/// for anything that is not one of [`ClientFrame`]'s shapes.
pub fn decode_client_frame(text: &str) -> Result<ClientFrame, ApiError> {
    serde_json::from_str::<ClientFrame>(text).map_err(|e| {
        ApiError::new(
            crate::error::ErrorCode::InvalidJson,
            format!("malformed or unknown frame: {e}"),
        )
    })
}

/// A chat body: trimmed, 1 to 4000 characters, line breaks and tabs allowed,
/// no other control characters and no bidi or invisible formatting characters.
pub fn validate_chat_body(body: &str) -> Result<String, ApiError> {
    let s = body.trim();
    let len = s.chars().count();
    if len == 0 || len > CHAT_BODY_MAX {
        return Err(ApiError::invalid(
            "body",
            "message must be 1 to 4000 characters",
        ));
    }
    crate::domain::check_visible_text("body", s, &['\n', '\r', '\t'])?;
    Ok(s.to_string())
}

/// A client message id: 1 to 64 visible ASCII characters.
pub fn validate_client_msg_id(id: &str) -> Result<(), ApiError> {
    let ok =
        (1..=CLIENT_MSG_ID_MAX).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_graphic());
    if ok {
        Ok(())
    } else {
        Err(ApiError::invalid(
            "client_msg_id",
            "client_msg_id must be 1 to 64 visible ASCII characters",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_frames_parse_by_type() {
        let f: ClientFrame = serde_json::from_str(
            r#"{"type":"chat.send","conversation_id":"c","body":"hi","client_msg_id":"m1"}"#,
        )
        .unwrap();
        assert!(matches!(f, ClientFrame::ChatSend { ref body, .. } if body == "hi"));
        let f: ClientFrame =
            serde_json::from_str(r#"{"type":"auth.renew","access_token":"t"}"#).unwrap();
        assert_eq!(
            f,
            ClientFrame::AuthRenew {
                access_token: "t".into()
            }
        );
        assert!(serde_json::from_str::<ClientFrame>(r#"{"type":"chat.shout"}"#).is_err());
        assert!(serde_json::from_str::<ClientFrame>(
            r#"{"type":"chat.typing","conversation_id":"c"}"#
        )
        .is_err());
    }

    #[test]
    fn server_frames_have_the_contract_shape() {
        let v = serde_json::to_value(ServerFrame::Consumption {
            device_id: "d".into(),
            hour_start: "2026-01-01T10:00:00Z".into(),
            kwh: 1.25,
        })
        .unwrap();
        assert_eq!(
            v,
            serde_json::json!({"type":"consumption","device_id":"d","hour_start":"2026-01-01T10:00:00Z","kwh":1.25})
        );
        let v = serde_json::to_value(ServerFrame::Error {
            error: ApiError::invalid("body", "x"),
        })
        .unwrap();
        assert_eq!(v["type"], "error");
        assert_eq!(v["error"]["code"], "validation_failed");
    }

    #[test]
    fn chat_validation() {
        assert_eq!(validate_chat_body("  hi ").unwrap(), "hi");
        assert!(validate_chat_body("   ").is_err());
        assert!(validate_chat_body(&"x".repeat(4001)).is_err());
        assert_eq!(validate_chat_body("a\nb\tc").unwrap(), "a\nb\tc");
        for bad in [
            "pay \u{202E}gnp.exe",
            "a\u{0007}b",
            "x\u{2066}y",
            "zero\u{200B}width",
        ] {
            let e = validate_chat_body(bad).unwrap_err();
            assert_eq!(e.field.as_deref(), Some("body"), "{bad:?}");
        }
        assert!(validate_client_msg_id("abc-123").is_ok());
        assert!(validate_client_msg_id("").is_err());
        assert!(validate_client_msg_id("a b").is_err());
    }
}
