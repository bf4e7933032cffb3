//! Chat persistence: who may write where, storing messages (idempotent on the
//! client message id) and read marks.

use iems_db::{Backend, Pool};
use iems_shared::access::{self, ConversationCheck};
use iems_shared::error::ApiError;
use iems_shared::identity::Claims;
use iems_shared::model::ChatMessage;
use iems_shared::sql;
use iems_shared::time::rfc3339_ms;
use iems_shared::wire::{validate_chat_body, validate_client_msg_id};

/// Checks that `claims` may use `conversation_id`, by the rule in
/// `iems_shared::access` (another's conversation is a 404, as over HTTP).
pub(crate) async fn authorize(
    pool: &Pool,
    claims: &Claims,
    conversation_id: &str,
) -> Result<(), ApiError> {
    match access::conversation(claims, conversation_id)? {
        ConversationCheck::Granted => Ok(()),
        ConversationCheck::IfClient => {
            let row = sqlx::query(sql::users::IS_CLIENT)
                .bind(conversation_id)
                .fetch_optional(pool)
                .await
                .map_err(internal)?;
            access::conversation_of(row.is_some())
        }
    }
}

/// Stores a message from `claims.sub` before anyone sees it; a retry with the same
/// client message id returns the message stored the first time.
pub(crate) async fn store(
    pool: &Pool,
    backend: Backend,
    claims: &Claims,
    conversation_id: &str,
    body: &str,
    client_msg_id: &str,
) -> Result<ChatMessage, ApiError> {
    let body = validate_chat_body(body)?;
    validate_client_msg_id(client_msg_id)?;
    authorize(pool, claims, conversation_id).await?;
    let now = chrono::Utc::now().timestamp_millis();
    // A retry keeps the first message.
    let on_retry = backend.dialect().keep_existing("sender_id, client_msg_id");
    sqlx::query(&format!(
        "INSERT INTO chat_messages (id, conversation_id, sender_id, body, client_msg_id, created_at)
         VALUES (?, ?, ?, ?, ?, ?) {on_retry}"
    ))
    .bind(uuid::Uuid::new_v4().to_string())
    .bind(conversation_id)
    .bind(&claims.sub)
    .bind(&body)
    .bind(client_msg_id)
    .bind(now)
    .execute(pool)
    .await
    .map_err(|e| match e.as_database_error() {
        // The sender or the conversation's client was deleted meanwhile.
        Some(db) if db.is_foreign_key_violation() => ApiError::not_found("user"),
        _ => internal(e),
    })?;
    let row: (String, String, Option<String>, String, String, i64) = sqlx::query_as(
        "SELECT id, conversation_id, sender_id, body, client_msg_id, created_at
         FROM chat_messages WHERE sender_id = ? AND client_msg_id = ?",
    )
    .bind(&claims.sub)
    .bind(client_msg_id)
    .fetch_one(pool)
    .await
    .map_err(internal)?;
    let (id, conversation_id, sender_id, body, client_msg_id, created_at) = row;
    Ok(ChatMessage {
        id,
        conversation_id,
        sender_id,
        body,
        created_at: rfc3339_ms(created_at),
        client_msg_id,
    })
}

/// Moves this side's read mark of a conversation up to a message (never back).
pub(crate) async fn mark_read(
    pool: &Pool,
    backend: Backend,
    claims: &Claims,
    conversation_id: &str,
    up_to_id: &str,
) -> Result<(), ApiError> {
    authorize(pool, claims, conversation_id).await?;
    let seq: Option<i64> = sqlx::query_scalar(sql::chat::SEQ_OF_MESSAGE)
        .bind(up_to_id)
        .bind(conversation_id)
        .fetch_optional(pool)
        .await
        .map_err(internal)?;
    let seq = seq.ok_or_else(|| ApiError::not_found("message"))?;
    let side = if claims.is_admin() {
        "support"
    } else {
        "client"
    };
    let only_forward = match backend {
        Backend::Sqlite => {
            "ON CONFLICT (conversation_id, side) DO UPDATE SET
                 up_to_seq = excluded.up_to_seq, read_by = excluded.read_by, updated_at = excluded.updated_at
             WHERE excluded.up_to_seq > chat_reads.up_to_seq"
        }
        // MySQL assigns left to right, each assignment seeing the ones before:
        // the mark itself moves last.
        Backend::Mysql => {
            "ON DUPLICATE KEY UPDATE
                 read_by = IF(VALUES(up_to_seq) > up_to_seq, VALUES(read_by), read_by),
                 updated_at = IF(VALUES(up_to_seq) > up_to_seq, VALUES(updated_at), updated_at),
                 up_to_seq = GREATEST(up_to_seq, VALUES(up_to_seq))"
        }
    };
    sqlx::query(&format!(
        "INSERT INTO chat_reads (conversation_id, side, up_to_seq, read_by, updated_at)
         VALUES (?, ?, ?, ?, ?) {only_forward}"
    ))
    .bind(conversation_id)
    .bind(side)
    .bind(seq)
    .bind(&claims.sub)
    .bind(chrono::Utc::now().timestamp_millis())
    .execute(pool)
    .await
    .map_err(internal)?;
    Ok(())
}

fn internal(e: sqlx::Error) -> ApiError {
    tracing::error!(error = %e, "chat database error");
    ApiError::internal()
}
