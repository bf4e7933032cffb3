//! Wire formats between the parts: the AMQP reading message, the events the
//! broker-adapter and ws-hub exchange, and the WebSocket frames.

mod reading;
mod ws;

pub use reading::{decode_readings, DecodeError, MeterReading, ReadingError};
pub use ws::{
    decode_client_frame, validate_chat_body, validate_client_msg_id, ClientFrame, ServerFrame,
};

use crate::model::{Alert, ChatMessage};
use serde::{Deserialize, Serialize};

/// An alert as published by the broker-adapter for ws-hub (routing needs the owner).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertEvent {
    /// The stored alert.
    pub alert: Alert,
    /// The device's owner at the time, if assigned.
    pub owner_id: Option<String>,
}

/// A changed hourly total, published for live charts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConsumptionUpdate {
    /// The device.
    pub device_id: String,
    /// The device's owner, if assigned.
    pub owner_id: Option<String>,
    /// Start of the clock hour (RFC 3339 UTC).
    pub hour_start: String,
    /// The hour's total now.
    pub kwh: f64,
}

/// A chat event fanned out between ws-hub instances.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ChatEvent {
    /// A message was stored.
    Message {
        /// The message.
        message: ChatMessage,
    },
    /// Someone started or stopped typing.
    Typing {
        /// The conversation (the client's id).
        conversation_id: String,
        /// Who is typing.
        user_id: String,
        /// True while typing.
        typing: bool,
    },
    /// A read mark moved.
    Read {
        /// The conversation (the client's id).
        conversation_id: String,
        /// Who read.
        user_id: String,
        /// The last message read.
        up_to_id: String,
    },
}
