//! Sign-in and sessions in the field (issue 15), over HTTP as a browser or a
//! script would call them: throttling that strangers cannot turn against an
//! account's owner, revocation of access tokens at once, concurrent refreshes,
//! the cookie's `Secure` flag, bounded password hashing, and input checks.

mod common;

use common::{TestApi, TestUser, ADMIN};
use serde_json::{json, Value};

/// An API behind a gateway on loopback, so that each test client can say
/// which address it comes from with `X-Forwarded-For`.
async fn behind_gateway() -> TestApi {
    TestApi::start_with(|o| {
        o.variables
            .insert("trusted_proxies".into(), "127.0.0.0/8".into());
    })
    .await
}

async fn login_from(api: &TestApi, from: &str, username: &str, password: &str) -> common::Reply {
    let body = json!({ "username": username, "password": password }).to_string();
    api.send(
        "POST",
        "/api/auth/login",
        &[
            ("content-type", "application/json"),
            ("x-forwarded-for", from),
        ],
        body,
    )
    .await
}

fn token(reply: &common::Reply) -> String {
    reply.json()["access_token"].as_str().unwrap().to_string()
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

#[tokio::test]
async fn strangers_cannot_lock_the_owner_out() {
    let api = behind_gateway().await;
    let home = "198.51.100.7";
    assert_eq!(login_from(&api, home, ADMIN.0, ADMIN.1).await.status, 200);
    // Forty wrong passwords from ten other addresses (four each: under the
    // per-address-and-username limit, so every one is a real guess).
    let mut refused = 0;
    for n in 0..40 {
        let from = format!("203.0.113.{}", n % 10);
        let r = login_from(&api, &from, ADMIN.0, "not-the-password").await;
        match r.status {
            401 => {}
            429 => refused += 1,
            other => panic!("guess {n}: {other} {}", r.text()),
        }
    }
    // Guessing stays bounded: once the username's limit is reached, strangers
    // get 429, even a new address with the right password.
    assert!(refused >= 20, "only {refused} of 40 guesses were refused");
    let stranger = login_from(&api, "203.0.113.200", ADMIN.0, ADMIN.1).await;
    assert_eq!(
        (stranger.status, stranger.error_code().as_str()),
        (429, "rate_limited")
    );
    assert!(stranger.header("retry-after").is_some());
    // The owner, from where they signed in before, is not stopped.
    let owner = login_from(&api, home, ADMIN.0, ADMIN.1).await;
    assert_eq!(owner.status, 200, "{}", owner.text());
}

#[tokio::test]
async fn one_users_failures_do_not_stop_a_shared_address() {
    let api = behind_gateway().await;
    let office = "192.0.2.1";
    api.client("alice").await;
    api.client("bob").await;
    for attempt in 1..=5 {
        let r = login_from(&api, office, "bob", "forgotten-password").await;
        assert_eq!(r.status, 401, "attempt {attempt}");
    }
    let r = login_from(&api, office, "bob", "bob-password").await;
    assert_eq!((r.status, r.error_code().as_str()), (429, "rate_limited"));
    let retry: i64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=900).contains(&retry), "{retry}");
    // Alice, behind the same address and never signed in from it, is not stopped.
    let alice = login_from(&api, office, "alice", "alice-password").await;
    assert_eq!(alice.status, 200, "{}", alice.text());
    // Bob from his phone's network is not stopped either.
    let elsewhere = login_from(&api, "198.51.100.50", "bob", "bob-password").await;
    assert_eq!(elsewhere.status, 200, "{}", elsewhere.text());
}

#[tokio::test]
async fn many_usernames_from_one_address_are_bounded() {
    let api = behind_gateway().await;
    let from = "192.0.2.66";
    let mut statuses = Vec::new();
    for n in 0..31 {
        let r = login_from(&api, from, &format!("nobody{n}"), "whatever-pass").await;
        statuses.push(r.status);
    }
    assert!(statuses[..30].iter().all(|s| *s == 401), "{statuses:?}");
    assert_eq!(statuses[30], 429);
    // The first admin from another address is unaffected.
    assert_eq!(
        login_from(&api, "198.51.100.1", ADMIN.0, ADMIN.1)
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn throttle_state_expires_even_for_unknown_usernames() {
    let api = TestApi::start().await;
    for _ in 0..3 {
        assert_eq!(api.login("ghost-user", "whatever-pass").await.status, 401);
    }
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM auth_throttle")
        .fetch_one(&api.pool)
        .await
        .unwrap();
    assert!(rows >= 2, "the failures were counted: {rows}");
    // The windows pass (the clock is moved, not waited for).
    sqlx::query("UPDATE auth_throttle SET expires_at = ?")
        .bind(now_ms() - 1)
        .execute(&api.pool)
        .await
        .unwrap();
    assert_eq!(
        api.login("another-ghost", "whatever-pass").await.status,
        401
    );
    let dead: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM auth_throttle WHERE expires_at < ?")
        .bind(now_ms())
        .fetch_one(&api.pool)
        .await
        .unwrap();
    assert_eq!(dead, 0, "expired rate-limit keys are swept");
}

async fn change_password(api: &TestApi, user: &TestUser, current: &str) -> common::Reply {
    let body = json!({"current_password": current, "new_password": "a-brand-new-one"});
    api.call("POST", "/api/auth/password", Some(&user.token), Some(&body))
        .await
}

#[tokio::test]
async fn password_change_is_throttled() {
    let api = TestApi::start().await;
    let alice = api.client("alice").await;
    for attempt in 1..=5 {
        let r = change_password(&api, &alice, &format!("guess-number-{attempt}")).await;
        assert_eq!(r.status, 401, "attempt {attempt}");
    }
    let r = change_password(&api, &alice, &alice.password).await;
    assert_eq!((r.status, r.error_code().as_str()), (429, "rate_limited"));
    assert!(r.header("retry-after").is_some());
}

#[tokio::test]
async fn registration_is_throttled_per_address() {
    let api = behind_gateway().await;
    let register = |n: u32, from: &'static str| {
        let api = &api;
        async move {
            let body = json!({"username": format!("user{n}"), "password": "correct horse", "full_name": "U"});
            api.send(
                "POST",
                "/api/auth/register",
                &[
                    ("content-type", "application/json"),
                    ("x-forwarded-for", from),
                ],
                body.to_string(),
            )
            .await
        }
    };
    for n in 0..10 {
        let r = register(n, "203.0.113.9").await;
        assert_eq!(r.status, 201, "registration {n}: {}", r.text());
    }
    let r = register(10, "203.0.113.9").await;
    assert_eq!((r.status, r.error_code().as_str()), (429, "rate_limited"));
    assert!(r.header("retry-after").is_some());
    assert_eq!(register(11, "198.51.100.3").await.status, 201);
}

/// While every hashing slot is taken (held here as another instance would
/// hold it), a registration waits and then answers 503 with `Retry-After`,
/// and requests that hash nothing are served meanwhile.
#[tokio::test]
async fn password_hashing_runs_in_bounded_slots() {
    let api = TestApi::start().await;
    let alice = api.client("alice").await;
    sqlx::query("UPDATE auth_hash_slots SET leased_until = ?, holder = 'test' WHERE slot = 0")
        .bind(now_ms() + 60_000)
        .execute(&api.pool)
        .await
        .unwrap();
    let body = json!({"username": "carol", "password": "correct horse", "full_name": "C"});
    let register = api.call("POST", "/api/auth/register", None, Some(&body));
    let me = api.call("GET", "/api/auth/me", Some(&alice.token), None);
    let (register, me) = tokio::join!(register, me);
    assert_eq!(me.status, 200);
    assert_eq!(
        (register.status, register.error_code().as_str()),
        (503, "unavailable"),
        "{}",
        register.text()
    );
    assert_eq!(register.header("retry-after").as_deref(), Some("1"));
    sqlx::query("UPDATE auth_hash_slots SET leased_until = 0, holder = NULL")
        .execute(&api.pool)
        .await
        .unwrap();
    let again = api
        .call("POST", "/api/auth/register", None, Some(&body))
        .await;
    assert_eq!(again.status, 201, "{}", again.text());
    // The failed wait did not count as a registration attempt against anyone's password.
    assert_eq!(api.login("carol", "correct horse").await.status, 200);
}

async fn revocations_of(api: &TestApi, user_id: &str) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM session_revocations WHERE user_id = ?")
        .bind(user_id)
        .fetch_one(&api.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_deleted_admins_token_stops_at_once() {
    let api = TestApi::start().await;
    let admin = api.admin().await;
    let body = json!({"username": "second", "password": "second-password", "full_name": "Second", "role": "admin"});
    let created = api
        .call("POST", "/api/users", Some(&admin.token), Some(&body))
        .await;
    assert_eq!(created.status, 201, "{}", created.text());
    let second_id = created.json()["id"].as_str().unwrap().to_string();
    let second = token(&api.login("second", "second-password").await);
    let path = format!("/api/users/{second_id}");
    assert_eq!(
        api.call("DELETE", &path, Some(&admin.token), None)
            .await
            .status,
        204
    );
    let new_admin = json!({"username": "third", "password": "third-password", "full_name": "T", "role": "admin"});
    let r = api
        .call("POST", "/api/users", Some(&second), Some(&new_admin))
        .await;
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (401, "unauthorized"),
        "{}",
        r.text()
    );
    for path in [
        "/api/auth/me",
        "/api/devices",
        "/api/alerts",
        "/api/chat/conversations",
    ] {
        let r = api.call("GET", path, Some(&second), None).await;
        assert_eq!(r.status, 401, "{path}: {}", r.text());
    }
    assert!(
        revocations_of(&api, &second_id).await >= 1,
        "the hubs are told"
    );
}

#[tokio::test]
async fn a_demoted_admins_token_stops_at_once() {
    let api = TestApi::start().await;
    let admin = api.admin().await;
    let body = json!({"username": "second", "password": "second-password", "full_name": "Second", "role": "admin"});
    let created = api
        .call("POST", "/api/users", Some(&admin.token), Some(&body))
        .await;
    let second_id = created.json()["id"].as_str().unwrap().to_string();
    let second = token(&api.login("second", "second-password").await);
    assert_eq!(
        api.call("GET", "/api/users", Some(&second), None)
            .await
            .status,
        200
    );
    let path = format!("/api/users/{second_id}");
    let demote = api
        .call(
            "PATCH",
            &path,
            Some(&admin.token),
            Some(&json!({"role": "client"})),
        )
        .await;
    assert_eq!(demote.status, 200, "{}", demote.text());
    let r = api.call("GET", "/api/users", Some(&second), None).await;
    assert_eq!((r.status, r.error_code().as_str()), (401, "unauthorized"));
    // Signing in again gives a client's token.
    let again = token(&api.login("second", "second-password").await);
    assert_eq!(
        api.call("GET", "/api/users", Some(&again), None)
            .await
            .status,
        403
    );
    assert_eq!(
        api.call("GET", "/api/auth/me", Some(&again), None)
            .await
            .status,
        200
    );
    assert!(revocations_of(&api, &second_id).await >= 1);
}

#[tokio::test]
async fn a_signed_out_token_stops_at_once_and_other_sessions_go_on() {
    let api = TestApi::start().await;
    let alice = api.client("alice").await;
    let laptop = api.login("alice", &alice.password).await;
    let laptop_token = token(&laptop);
    let cookie = format!("iems_refresh={}", laptop.cookie("iems_refresh").unwrap());
    let out = api
        .send(
            "POST",
            "/api/auth/logout",
            &[("cookie", cookie.as_str())],
            "",
        )
        .await;
    assert_eq!(out.status, 204);
    for path in ["/api/auth/me", "/api/devices", "/api/chat/conversations"] {
        let r = api.call("GET", path, Some(&laptop_token), None).await;
        assert_eq!(
            (r.status, r.error_code().as_str()),
            (401, "unauthorized"),
            "{path}"
        );
    }
    // The session of `client()` (another sign-in) is untouched.
    assert_eq!(
        api.call("GET", "/api/auth/me", Some(&alice.token), None)
            .await
            .status,
        200
    );
    // A password change ends the other sessions' access tokens too.
    let phone = token(&api.login("alice", &alice.password).await);
    let r = change_password(&api, &alice, &alice.password).await;
    assert_eq!(r.status, 204, "{}", r.text());
    assert_eq!(
        api.call("GET", "/api/auth/me", Some(&phone), None)
            .await
            .status,
        401
    );
    assert_eq!(
        api.call("GET", "/api/auth/me", Some(&alice.token), None)
            .await
            .status,
        200
    );
}

async fn refresh(api: &TestApi, cookie: &str) -> common::Reply {
    let header = format!("iems_refresh={cookie}");
    api.send(
        "POST",
        "/api/auth/refresh",
        &[("cookie", header.as_str())],
        "",
    )
    .await
}

#[tokio::test]
async fn concurrent_refreshes_of_one_cookie_both_succeed() {
    let api = TestApi::start().await;
    api.client("alice").await;
    let login = api.login("alice", "alice-password").await;
    let cookie = login.cookie("iems_refresh").unwrap();
    let (a, b) = tokio::join!(refresh(&api, &cookie), refresh(&api, &cookie));
    assert_eq!(
        (a.status, b.status),
        (200, 200),
        "{} / {}",
        a.text(),
        b.text()
    );
    let (ca, cb) = (
        a.cookie("iems_refresh").unwrap(),
        b.cookie("iems_refresh").unwrap(),
    );
    for t in [token(&a), token(&b)] {
        assert_eq!(
            api.call("GET", "/api/auth/me", Some(&t), None).await.status,
            200
        );
    }
    // Both tabs go on refreshing with their own new cookies.
    assert_eq!(refresh(&api, &ca).await.status, 200);
    assert_eq!(refresh(&api, &cb).await.status, 200);

    // Long after its rotation (the clock is moved back, not waited for), the
    // first cookie is a stolen one: its whole family is revoked.
    sqlx::query("UPDATE refresh_tokens SET rotated_at = ? WHERE rotated_at IS NOT NULL")
        .bind(now_ms() - 60_000)
        .execute(&api.pool)
        .await
        .unwrap();
    let reuse = refresh(&api, &cookie).await;
    assert_eq!(
        (reuse.status, reuse.error_code().as_str()),
        (401, "unauthorized")
    );
    let newest = login_newest_cookie(&api, "alice").await;
    assert_eq!(newest, 0, "no live token is left in the family");
    assert_eq!(
        api.call("GET", "/api/auth/me", Some(&token(&a)), None)
            .await
            .status,
        401
    );
}

async fn login_newest_cookie(api: &TestApi, username: &str) -> i64 {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM refresh_tokens r JOIN users u ON u.id = r.user_id \
         WHERE u.username_key = ? AND r.revoked_at IS NULL AND r.family_id IN \
           (SELECT family_id FROM refresh_tokens WHERE rotated_at IS NOT NULL)",
    )
    .bind(username)
    .fetch_one(&api.pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn the_cookies_secure_flag_comes_from_configuration() {
    let body = json!({"username": ADMIN.0, "password": ADMIN.1}).to_string();
    let login_as = |api: &TestApi, host: &'static str| {
        let body = body.clone();
        let api = api.addr;
        async move {
            iems_testkit::http::send(
                api,
                "POST",
                "/api/auth/login",
                &[("content-type", "application/json"), ("host", host)],
                body,
            )
            .await
        }
    };
    let default = TestApi::start().await;
    for host in ["localhost", "127.0.0.1", "iems.example"] {
        let r = login_as(&default, host).await;
        assert_eq!(r.status, 200);
        let cookie = r.set_cookie("iems_refresh").unwrap();
        assert!(cookie.contains("; Secure"), "Host {host}: {cookie}");
    }
    let plain = TestApi::start_with(|o| {
        o.variables.insert("cookie_secure".into(), "false".into());
    })
    .await;
    let r = login_as(&plain, "iems.example").await;
    assert!(!r.set_cookie("iems_refresh").unwrap().contains("Secure"));
}

#[tokio::test]
async fn names_refuse_control_and_bidi_characters() {
    let api = TestApi::start().await;
    let admin = api.admin().await;
    for (name, shown) in [
        ("Ann\u{202E}nimda", "U+202E"),
        ("Zero\u{200B}Width", "U+200B"),
        ("Bell\u{0007}", "U+0007"),
        ("Isolate\u{2066}x", "U+2066"),
    ] {
        let body = json!({"username": "mallory", "password": "correct horse", "full_name": name});
        let r = api
            .call("POST", "/api/auth/register", None, Some(&body))
            .await;
        assert_eq!(
            (r.status, r.json()["error"]["field"].as_str()),
            (422, Some("full_name")),
            "{name:?}"
        );
        assert!(
            r.json()["error"]["message"]
                .as_str()
                .unwrap()
                .contains(shown),
            "{}",
            r.text()
        );
        let device = json!({"name": name, "max_hourly_kwh": 1.0});
        let r = api
            .call("POST", "/api/devices", Some(&admin.token), Some(&device))
            .await;
        assert_eq!(
            (r.status, r.json()["error"]["field"].as_str()),
            (422, Some("name")),
            "{name:?}"
        );
    }
    let fine =
        json!({"username": "zoe", "password": "correct horse", "full_name": "Zoë Ünal 名前"});
    assert_eq!(
        api.call("POST", "/api/auth/register", None, Some(&fine))
            .await
            .status,
        201
    );
}

#[tokio::test]
async fn json_routes_refuse_other_content_types() {
    let api = TestApi::start().await;
    let admin = api.admin().await;
    let bearer = format!("Bearer {}", admin.token);
    let login = json!({"username": ADMIN.0, "password": ADMIN.1}).to_string();
    for content_type in [
        None,
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
    ] {
        let mut headers = vec![];
        if let Some(c) = content_type {
            headers.push(("content-type", c));
        }
        let r = api
            .send("POST", "/api/auth/login", &headers, login.clone())
            .await;
        assert_eq!(
            (r.status, r.error_code().as_str()),
            (415, "unsupported_media_type"),
            "{content_type:?}"
        );
        headers.push(("authorization", bearer.as_str()));
        let device = json!({"name": "m", "max_hourly_kwh": 1.0}).to_string();
        let r = api.send("POST", "/api/devices", &headers, device).await;
        assert_eq!(r.status, 415, "{content_type:?}");
    }
    let r = api
        .send(
            "POST",
            "/api/auth/login",
            &[("content-type", "application/json; charset=utf-8")],
            login,
        )
        .await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn a_deleted_admins_chat_replies_stay_in_the_conversation() {
    let api = TestApi::start().await;
    let admin = api.admin().await;
    let alice = api.client("alice").await;
    let body = json!({"username": "helper", "password": "helper-password", "full_name": "Helper", "role": "admin"});
    let created = api
        .call("POST", "/api/users", Some(&admin.token), Some(&body))
        .await;
    let helper_id = created.json()["id"].as_str().unwrap().to_string();
    for (sender, text) in [
        (&alice.id, "my meter is stuck"),
        (&helper_id, "we are on it"),
    ] {
        sqlx::query(
            "INSERT INTO chat_messages (id, conversation_id, sender_id, body, client_msg_id, created_at) VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(common::uuid_v4())
        .bind(&alice.id)
        .bind(sender)
        .bind(text)
        .bind(common::uuid_v4())
        .bind(now_ms())
        .execute(&api.pool)
        .await
        .unwrap();
    }
    let path = format!("/api/users/{helper_id}");
    assert_eq!(
        api.call("DELETE", &path, Some(&admin.token), None)
            .await
            .status,
        204
    );
    let history = format!("/api/chat/conversations/{}/messages", alice.id);
    let r = api.call("GET", &history, Some(&alice.token), None).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let items: Vec<Value> = r.json()["items"].as_array().unwrap().clone();
    let bodies: Vec<&str> = items.iter().map(|m| m["body"].as_str().unwrap()).collect();
    assert!(bodies.contains(&"we are on it"), "{bodies:?}");
    let reply = items.iter().find(|m| m["body"] == "we are on it").unwrap();
    assert!(reply["sender_id"].is_null(), "from a deleted user: {reply}");
    let convs = api
        .call("GET", "/api/chat/conversations", Some(&alice.token), None)
        .await;
    assert_eq!(convs.json()["items"][0]["unread"], 1, "{}", convs.text());
}
