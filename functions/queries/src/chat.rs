//! `/api/chat/...`: conversations with unread counts and their message history
//! (read-only; ws-hub stores messages and moves read marks).
//!
//! Each client has one conversation with support, whose id is the client's user
//! id. A message is the client's when its sender is the conversation's client,
//! support's otherwise. Unread counts are messages of the other side after the
//! reader side's mark in `chat_reads`.

use crate::access;
use crate::params;
use fn_common::db::{Db, Param, Row};
use fn_common::{http, Req};
use iems_shared::identity::Claims;
use iems_shared::model::ChatMessage;
use iems_shared::sql;
use iems_shared::ApiError;
use serde::Serialize;
use spin_sdk::http::Response;

/// The message columns (`m.`), in `sql::chat::MessageRow`'s order.
const MESSAGE: &str = sql::chat::COLUMNS;

#[derive(Serialize)]
struct Conversation {
    client_id: String,
    client_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_message: Option<ChatMessage>,
    unread: u64,
}

#[derive(Serialize)]
struct Items<T> {
    items: Vec<T>,
}

#[derive(Serialize)]
struct History {
    items: Vec<ChatMessage>,
    has_more: bool,
}

/// A message from columns `at..at+6` in [`MESSAGE`] order.
fn message(row: &Row, at: usize) -> Result<ChatMessage, ApiError> {
    Ok(sql::chat::message((
        row.text(at)?,
        row.text(at + 1)?,
        row.opt_text(at + 2)?,
        row.text(at + 3)?,
        row.int(at + 4)?,
        row.text(at + 5)?,
    )))
}

/// Unread messages of `conversation_id` for the reader `side`: the other side's
/// messages after the reader's mark (binds the conversation id twice).
fn unread_sql(side: &str) -> String {
    let others = if side == "support" { "=" } else { "<>" };
    format!(
        "(SELECT COUNT(*) FROM chat_messages u WHERE u.conversation_id = ? \
           AND COALESCE(u.sender_id, '') {others} u.conversation_id \
           AND u.seq > COALESCE((SELECT r.up_to_seq FROM chat_reads r \
                                 WHERE r.conversation_id = ? AND r.side = '{side}'), 0))"
    )
}

/// `GET /api/chat/conversations`: admins get every client that has messages
/// (latest first, unread = the client's messages support has not read);
/// a client gets its own conversation (unread = support's messages it has not read).
pub fn conversations(db: &Db, claims: &Claims) -> Result<Response, ApiError> {
    let side = if claims.is_admin() {
        "support"
    } else {
        "client"
    };
    let mut items = Vec::new();
    if claims.is_admin() {
        let rows = db.query(
            &format!(
                "SELECT {MESSAGE}, c.full_name FROM chat_messages m \
                 JOIN users c ON c.id = m.conversation_id \
                 WHERE m.seq = (SELECT MAX(x.seq) FROM chat_messages x \
                                WHERE x.conversation_id = m.conversation_id) \
                 ORDER BY m.seq DESC"
            ),
            &[],
        )?;
        for row in &rows {
            let last = message(row, 0)?;
            items.push(Conversation {
                client_id: last.conversation_id.clone(),
                client_name: row.text(6)?,
                unread: unread(db, &last.conversation_id, side)?,
                last_message: Some(last),
            });
        }
    } else {
        let me = claims.sub.as_str();
        let name = db
            .query_opt(
                "SELECT full_name FROM users WHERE id = ?",
                &[Param::from(me)],
            )?
            .map(|r| r.text(0))
            .transpose()?
            .unwrap_or_else(|| claims.name.clone());
        let last = db
            .query_opt(
                &format!(
                    "SELECT {MESSAGE} FROM chat_messages m WHERE m.conversation_id = ? \
                     ORDER BY m.seq DESC LIMIT 1"
                ),
                &[Param::from(me)],
            )?
            .map(|r| message(&r, 0))
            .transpose()?;
        items.push(Conversation {
            client_id: me.to_string(),
            client_name: name,
            last_message: last,
            unread: unread(db, me, side)?,
        });
    }
    Ok(http::json(200, &Items { items }))
}

fn unread(db: &Db, conversation_id: &str, side: &str) -> Result<u64, ApiError> {
    let row = db.query_opt(
        &format!("SELECT {}", unread_sql(side)),
        &[Param::from(conversation_id), Param::from(conversation_id)],
    )?;
    Ok(row.map(|r| r.int(0)).transpose()?.unwrap_or(0).max(0) as u64)
}

/// `GET /api/chat/conversations/{client_id}/messages?before=&limit=`: up to
/// `limit` messages before the message `before` (or the latest), oldest first.
pub fn messages(db: &Db, req: &Req, claims: &Claims, raw_id: &str) -> Result<Response, ApiError> {
    let client_id = params::path_id("conversation", raw_id)?;
    access::conversation(db, claims, &client_id)?;
    let limit = params::chat_limit(req)?;
    let before_seq = match params::before(req) {
        None => i64::MAX,
        Some(raw) => {
            let invalid = || {
                ApiError::invalid(
                    "before",
                    "before must be the id of a message of this conversation",
                )
            };
            let id = params::path_id("message", raw).map_err(|_| invalid())?;
            db.query_opt(
                sql::chat::SEQ_OF_MESSAGE,
                &[Param::from(id), Param::from(client_id.as_str())],
            )?
            .ok_or_else(invalid)?
            .int(0)?
        }
    };
    let rows = db.query(
        &format!(
            "SELECT {MESSAGE} FROM chat_messages m WHERE m.conversation_id = ? AND m.seq < ? \
             ORDER BY m.seq DESC LIMIT ?"
        ),
        &[
            Param::from(client_id.as_str()),
            Param::from(before_seq),
            Param::from(i64::from(limit) + 1),
        ],
    )?;
    let has_more = rows.len() > limit as usize;
    let mut items = rows
        .iter()
        .take(limit as usize)
        .map(|r| message(r, 0))
        .collect::<Result<Vec<_>, _>>()?;
    items.reverse();
    Ok(http::json(200, &History { items, has_more }))
}
