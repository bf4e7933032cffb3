//! The JSON shapes of the HTTP API that more than one part produces or reads
//! (`User`, `Device`, `Alert`, chat messages, pages). Field names are a contract.

use crate::domain::Role;
use serde::{Deserialize, Serialize};

/// A user as the API shows it (never with the password hash).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    /// UUID.
    pub id: String,
    /// As typed at registration.
    pub username: String,
    /// Display name.
    pub full_name: String,
    /// Postal address, if given.
    pub address: Option<String>,
    /// Admin or client.
    pub role: Role,
    /// RFC 3339 UTC.
    pub created_at: String,
}

/// A smart meter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Device {
    /// UUID.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Where it is installed.
    pub address: Option<String>,
    /// The hourly limit above which an alert is raised.
    pub max_hourly_kwh: f64,
    /// The client it is assigned to.
    pub owner_id: Option<String>,
    /// RFC 3339 UTC.
    pub created_at: String,
}

/// An hour in which a device's consumption passed its limit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    /// UUID.
    pub id: String,
    /// The device.
    pub device_id: String,
    /// Start of the clock hour (RFC 3339 UTC).
    pub hour_start: String,
    /// The hour's total when the limit was passed.
    pub kwh: f64,
    /// The limit at that moment.
    pub max_hourly_kwh: f64,
    /// RFC 3339 UTC.
    pub created_at: String,
    /// When someone acknowledged it.
    pub acknowledged_at: Option<String>,
}

/// A stored chat message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatMessage {
    /// UUID.
    pub id: String,
    /// The client's user id: each client has one conversation with support.
    pub conversation_id: String,
    /// Who wrote it (always the token's user).
    pub sender_id: String,
    /// The text.
    pub body: String,
    /// RFC 3339 UTC.
    pub created_at: String,
    /// The sender's own id for the message, so a retry is stored once.
    pub client_msg_id: String,
}

/// One page of a list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// Items across all pages.
    pub total: u64,
    /// 1-based page number.
    pub page: u32,
    /// Page size.
    pub per_page: u32,
}
