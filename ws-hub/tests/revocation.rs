//! Ended sessions on the WebSocket: a deleted, demoted or signed-out user's
//! sockets close at once (close code 4401) when the auth function logs the
//! revocation, and their tokens are refused at the handshake; other sessions
//! of the same user go on.

mod common;

use common::*;
use iems_shared::domain::Role;
use iems_shared::identity::TokenSigner;
use iems_ws_hub::{HubConfig, CLOSE_SESSION_ENDED};
use serde_json::json;

/// A signed-in session (refresh family) of `user`, as the auth function stores it.
async fn session(env: &Env, user: &str) -> String {
    let family = uuid::Uuid::new_v4().to_string();
    sqlx::query(
        "INSERT INTO refresh_tokens (id, user_id, family_id, token_hash, created_at, expires_at) VALUES (?, ?, ?, ?, 0, ?)",
    )
    .bind(uuid::Uuid::new_v4().to_string())
    .bind(user)
    .bind(&family)
    .bind(uuid::Uuid::new_v4().to_string())
    .bind(i64::MAX / 2)
    .execute(&env.pool)
    .await
    .unwrap();
    family
}

fn session_token(env: &Env, user: &str, role: Role, family: &str) -> String {
    let signer = TokenSigner::from_pem(&env.keys.private_pem).unwrap();
    let now = chrono::Utc::now().timestamp();
    signer
        .issue_in_session(user, role, "Test User", now, Some(family))
        .unwrap()
        .0
}

/// What the auth function writes when sessions end.
async fn log_revocation(env: &Env, user: &str, family: Option<&str>) {
    sqlx::query(
        "INSERT INTO session_revocations (user_id, family_id, created_at) VALUES (?, ?, 0)",
    )
    .bind(user)
    .bind(family)
    .execute(&env.pool)
    .await
    .unwrap();
}

async fn assert_closed_as_ended(ws: &mut Socket) {
    let close = expect_close(ws).await.expect("a close frame");
    assert_eq!(u16::from(close.code), CLOSE_SESSION_ENDED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signed_out_session_closes_and_the_others_go_on() {
    let env = Env::new().await;
    let hub = env.instance(HubConfig::default()).await;
    let x = env.user("xavier", Role::Client).await;
    let laptop = session(&env, &x).await;
    let phone = session(&env, &x).await;
    let laptop_token = session_token(&env, &x, Role::Client, &laptop);
    let mut on_laptop = connect(hub.addr, &laptop_token).await;
    let mut on_phone = connect(hub.addr, &session_token(&env, &x, Role::Client, &phone)).await;

    sqlx::query("UPDATE refresh_tokens SET revoked_at = 1 WHERE family_id = ?")
        .bind(&laptop)
        .execute(&env.pool)
        .await
        .unwrap();
    log_revocation(&env, &x, Some(&laptop)).await;
    assert_closed_as_ended(&mut on_laptop).await;
    assert_eq!(
        refused_status(
            hub.addr,
            Some(&format!("iems.v1, bearer.{laptop_token}")),
            None
        )
        .await,
        401
    );

    send(
        &mut on_phone,
        json!({"type": "chat.send", "conversation_id": x, "body": "still here", "client_msg_id": "m1"}),
    )
    .await;
    let echo = expect(&mut on_phone, "chat.message").await;
    assert_eq!(echo["message"]["body"], "still here");
    hub.stop().await;
    env.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleted_and_demoted_users_sockets_close() {
    let env = Env::new().await;
    let hub = env.instance(HubConfig::default()).await;
    let gone = env.user("gone", Role::Client).await;
    let boss = env.user("boss", Role::Admin).await;
    let gone_token = env.token(&gone, Role::Client);
    let boss_token = env.token(&boss, Role::Admin);
    let mut gone_ws = connect(hub.addr, &gone_token).await;
    let mut boss_ws = connect(hub.addr, &boss_token).await;

    sqlx::query("DELETE FROM users WHERE id = ?")
        .bind(&gone)
        .execute(&env.pool)
        .await
        .unwrap();
    log_revocation(&env, &gone, None).await;
    assert_closed_as_ended(&mut gone_ws).await;

    sqlx::query("UPDATE users SET role = 'client' WHERE id = ?")
        .bind(&boss)
        .execute(&env.pool)
        .await
        .unwrap();
    log_revocation(&env, &boss, None).await;
    assert_closed_as_ended(&mut boss_ws).await;

    for token in [gone_token, boss_token] {
        let offer = format!("iems.v1, bearer.{token}");
        assert_eq!(refused_status(hub.addr, Some(&offer), None).await, 401);
    }
    hub.stop().await;
    env.cleanup().await;
}
