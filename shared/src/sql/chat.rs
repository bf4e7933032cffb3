//! Statements on `chat_messages` and `chat_reads`, and the message row.

use super::{Dialect, Statement, Value};
use crate::model::ChatMessage;
use crate::time::rfc3339_ms;

/// The columns of a message (table alias `m`), in [`MessageRow`]'s order.
pub const COLUMNS: &str =
    "m.id, m.conversation_id, m.sender_id, m.body, m.created_at, m.client_msg_id";

/// A message's row as [`COLUMNS`] reads it: id, conversation id, sender id
/// (`None` once the sender was deleted), body, created at (unix ms), client
/// message id.
pub type MessageRow = (String, String, Option<String>, String, i64, String);

/// The API's message from its row.
pub fn message(row: MessageRow) -> ChatMessage {
    let (id, conversation_id, sender_id, body, created_at_ms, client_msg_id) = row;
    ChatMessage {
        id,
        conversation_id,
        sender_id,
        body,
        created_at: rfc3339_ms(created_at_ms),
        client_msg_id,
    }
}

/// The message sender `?` stored under its client message id `?`: [`COLUMNS`].
pub const BY_CLIENT_MSG_ID: &str = "SELECT m.id, m.conversation_id, m.sender_id, m.body, \
     m.created_at, m.client_msg_id FROM chat_messages m WHERE m.sender_id = ? AND m.client_msg_id = ?";

/// The sequence number of message `?` (id) in conversation `?`, which read
/// marks count in.
pub const SEQ_OF_MESSAGE: &str =
    "SELECT seq FROM chat_messages WHERE id = ? AND conversation_id = ?";

/// A new message, already validated.
#[derive(Debug, Clone)]
pub struct NewMessage<'a> {
    /// UUID.
    pub id: &'a str,
    /// The client's user id.
    pub conversation_id: &'a str,
    /// The writer.
    pub sender_id: &'a str,
    /// The text.
    pub body: &'a str,
    /// The sender's own id for the message.
    pub client_msg_id: &'a str,
    /// Unix ms.
    pub created_at_ms: i64,
}

/// Stores `message`; a retry with the same sender and client message id keeps
/// the message stored the first time (no row changed). A deleted sender or
/// client is a foreign key violation.
pub fn insert_message(dialect: Dialect, message: &NewMessage<'_>) -> Statement {
    Statement::new(
        format!(
            "INSERT INTO chat_messages (id, conversation_id, sender_id, body, client_msg_id, created_at) \
             VALUES (?, ?, ?, ?, ?, ?) {}",
            dialect.keep_existing("sender_id, client_msg_id")
        ),
        vec![
            message.id.into(),
            message.conversation_id.into(),
            message.sender_id.into(),
            message.body.into(),
            message.client_msg_id.into(),
            Value::Int(message.created_at_ms),
        ],
    )
}

/// Moves `side`'s (`client` or `support`) read mark of a conversation up to
/// `up_to_seq`, never back; the reader and the time change only with it.
pub fn mark_read(
    dialect: Dialect,
    conversation_id: &str,
    side: &str,
    up_to_seq: i64,
    read_by: &str,
    now_ms: i64,
) -> Statement {
    let new = |column| dialect.new_value(column);
    let forward = format!("{} > up_to_seq", new("up_to_seq"));
    // The mark itself moves last: MySQL's assignments see the ones before.
    Statement::new(
        format!(
            "INSERT INTO chat_reads (conversation_id, side, up_to_seq, read_by, updated_at) \
             VALUES (?, ?, ?, ?, ?) {} \
             read_by = CASE WHEN {forward} THEN {} ELSE read_by END, \
             updated_at = CASE WHEN {forward} THEN {} ELSE updated_at END, \
             up_to_seq = CASE WHEN {forward} THEN {} ELSE up_to_seq END",
            dialect.on_conflict_update("conversation_id, side"),
            new("read_by"),
            new("updated_at"),
            new("up_to_seq"),
        ),
        vec![
            conversation_id.into(),
            side.into(),
            Value::Int(up_to_seq),
            read_by.into(),
            Value::Int(now_ms),
        ],
    )
}
