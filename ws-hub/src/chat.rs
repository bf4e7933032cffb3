//! Chat persistence: who may write where, storing messages (idempotent on the
//! client message id) and read marks.

use iems_db::{Backend, Pool};
use iems_shared::access::{self, ConversationCheck};
use iems_shared::error::ApiError;
use iems_shared::identity::Claims;
use iems_shared::model::ChatMessage;
use iems_shared::sql;
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
    let id = uuid::Uuid::new_v4().to_string();
    let message = sql::chat::NewMessage {
        id: &id,
        conversation_id,
        sender_id: &claims.sub,
        body: &body,
        client_msg_id,
        created_at_ms: chrono::Utc::now().timestamp_millis(),
    };
    // A retry keeps the first message.
    iems_db::statement(&sql::chat::insert_message(backend.dialect(), &message))
        .execute(pool)
        .await
        .map_err(|e| match e.as_database_error() {
            // The sender or the conversation's client was deleted meanwhile.
            Some(db) if db.is_foreign_key_violation() => ApiError::not_found("user"),
            _ => internal(e),
        })?;
    let row: sql::chat::MessageRow = sqlx::query_as(sql::chat::BY_CLIENT_MSG_ID)
        .bind(&claims.sub)
        .bind(client_msg_id)
        .fetch_one(pool)
        .await
        .map_err(internal)?;
    Ok(sql::chat::message(row))
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
    let mark = sql::chat::mark_read(
        backend.dialect(),
        conversation_id,
        side,
        seq,
        &claims.sub,
        chrono::Utc::now().timestamp_millis(),
    );
    iems_db::statement(&mark)
        .execute(pool)
        .await
        .map_err(internal)?;
    Ok(())
}

fn internal(e: sqlx::Error) -> ApiError {
    tracing::error!(error = %e, "chat database error");
    ApiError::internal()
}
