//! Ended sessions: every socket's token is checked against the database when
//! it opens and when it is renewed, and the hub follows the
//! `session_revocations` log that the auth function writes (sign-out,
//! deletion, demotion, password change, refresh-token reuse), so that such a
//! user's sockets close at once, on every instance, without a message bus
//! between the functions and the hubs.

use crate::Shared;
use iems_db::Pool;
use iems_shared::error::ApiError;
use iems_shared::identity::{check_session, Claims, SESSION_STATE_SQL};
use std::sync::Arc;

/// Close code of a socket whose session ended (deleted, demoted or signed
/// out): the browser should go back to the sign-in page, not reconnect.
pub const CLOSE_SESSION_ENDED: u16 = 4401;

/// 401 unless the token's user still exists with its role and its session
/// (when it names one) was not signed out.
pub(crate) async fn check_live(pool: &Pool, claims: &Claims) -> Result<(), ApiError> {
    let sid = claims.sid.as_deref().unwrap_or("");
    let row: Option<(String, i64)> = sqlx::query_as(SESSION_STATE_SQL)
        .bind(sid)
        .bind(&claims.sub)
        .fetch_optional(pool)
        .await
        .map_err(|e| {
            tracing::warn!(error = %e, "session check failed");
            ApiError::new(
                iems_shared::error::ErrorCode::Unavailable,
                "the session could not be checked; try again",
            )
        })?;
    let state = row.as_ref().map(|(role, live)| (role.as_str(), *live != 0));
    check_session(claims, state).map_err(|ended| ApiError::unauthorized(ended.message()))
}

/// The newest revocation's sequence number (where following starts).
async fn newest(pool: &Pool) -> Result<i64, sqlx::Error> {
    let seq: Option<i64> = sqlx::query_scalar("SELECT MAX(seq) FROM session_revocations")
        .fetch_one(pool)
        .await?;
    Ok(seq.unwrap_or(0))
}

/// Follows the revocation log until shutdown, asking the sockets of each
/// named user to check their session again.
pub(crate) async fn follow(shared: Arc<Shared>) {
    let every = shared.config.revocation_poll;
    let mut after = loop {
        match newest(&shared.pool).await {
            Ok(seq) => break seq,
            Err(e) => {
                tracing::warn!(error = %e, "reading session revocations failed");
                tokio::select! {
                    _ = tokio::time::sleep(every) => {}
                    _ = shared.shutdown.cancelled() => return,
                }
            }
        }
    };
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = shared.shutdown.cancelled() => return,
        }
        let rows: Result<Vec<(i64, String)>, _> = sqlx::query_as(
            "SELECT seq, user_id FROM session_revocations WHERE seq > ? ORDER BY seq LIMIT 1000",
        )
        .bind(after)
        .fetch_all(&shared.pool)
        .await;
        match rows {
            Ok(rows) => {
                for (seq, user) in rows {
                    after = after.max(seq);
                    shared.registry.recheck_user(&user);
                }
            }
            Err(e) => tracing::warn!(error = %e, "reading session revocations failed"),
        }
    }
}
