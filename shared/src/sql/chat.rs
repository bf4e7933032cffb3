//! Statements on `chat_messages` and `chat_reads`.

/// The sequence number of message `?` (id) in conversation `?`, which read
/// marks count in.
pub const SEQ_OF_MESSAGE: &str =
    "SELECT seq FROM chat_messages WHERE id = ? AND conversation_id = ?";
