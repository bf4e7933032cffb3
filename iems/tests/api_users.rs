//! Admin users CRUD, last-admin protection, password change and login rate
//! limiting, over HTTP against the auth component.

mod common;

use common::{TestApi, ADMIN};
use serde_json::json;

#[tokio::test]
async fn users_crud_and_access() {
    let api = TestApi::start().await;
    let admin = api.admin().await;
    let alice = api.client("alice").await;
    let a = Some(admin.token.as_str());
    let user_path = format!("/api/users/{}", alice.id);
    for (method, path) in [
        ("GET", "/api/users".to_string()),
        ("POST", "/api/users".into()),
        ("GET", user_path.clone()),
        ("PATCH", user_path.clone()),
        ("DELETE", user_path.clone()),
    ] {
        let body = json!({});
        assert_eq!(
            api.call(method, &path, None, Some(&body)).await.status,
            401,
            "anonymous {method} {path}"
        );
        let r = api
            .call(method, &path, Some(alice.token.as_str()), Some(&body))
            .await;
        assert_eq!(
            (r.status, r.error_code().as_str()),
            (403, "forbidden"),
            "client {method} {path}"
        );
    }

    let body = json!({"username": "Carol", "password": "carol-password", "full_name": "Carol C", "role": "admin"});
    let r = api.call("POST", "/api/users", a, Some(&body)).await;
    assert_eq!(r.status, 201, "{}", r.text());
    let carol = r.json();
    assert_eq!(
        (carol["role"].as_str(), carol.get("password_hash")),
        (Some("admin"), None)
    );
    let r = api
        .call(
            "POST",
            "/api/users",
            a,
            Some(&json!({"username": "carol", "password": "carol-password", "full_name": "C"})),
        )
        .await;
    assert_eq!(
        (
            r.status,
            r.error_code().as_str(),
            r.json()["error"]["field"].as_str()
        ),
        (409, "conflict", Some("username"))
    );
    let r = api.call("POST", "/api/users", a, Some(&json!({"username": "dave", "password": "dave-password", "full_name": "D", "role": "root"}))).await;
    assert_eq!(
        (r.status, r.json()["error"]["field"].as_str()),
        (422, Some("role"))
    );

    let page = api
        .call("GET", "/api/users?per_page=2&page=1", a, None)
        .await
        .json();
    assert_eq!(
        (
            page["total"].as_u64(),
            page["items"].as_array().unwrap().len()
        ),
        (Some(3), 2)
    );
    let found = api.call("GET", "/api/users?q=CAROL", a, None).await.json();
    assert_eq!(found["items"][0]["username"], "Carol");

    let r = api.call("GET", &user_path, a, None).await;
    assert_eq!(
        (r.status, r.json()["username"].as_str()),
        (200, Some("alice"))
    );
    let r = api
        .call(
            "PATCH",
            &user_path,
            a,
            Some(
                &json!({"full_name": "Alice B", "address": "Elm 2", "password": "brand-new-pass"}),
            ),
        )
        .await;
    assert_eq!(
        (
            r.status,
            r.json()["full_name"].as_str(),
            r.json()["address"].as_str()
        ),
        (200, Some("Alice B"), Some("Elm 2"))
    );
    assert_eq!(api.login("alice", "brand-new-pass").await.status, 200);
    let r = api
        .call(
            "PATCH",
            &user_path,
            a,
            Some(&json!({"address": null, "full_name": 3})),
        )
        .await;
    assert_eq!(
        (r.status, r.json()["error"]["field"].as_str()),
        (422, Some("full_name"))
    );

    // Deleting a client unassigns their devices and ends their sessions.
    let device = api.seed_device("Alice meter", Some(&alice.id), 1.0).await;
    let login = api.login("alice", "brand-new-pass").await;
    let cookie = format!("iems_refresh={}", login.cookie("iems_refresh").unwrap());
    assert_eq!(api.call("DELETE", &user_path, a, None).await.status, 204);
    assert_eq!(api.call("GET", &user_path, a, None).await.status, 404);
    assert_eq!(api.call("DELETE", &user_path, a, None).await.status, 404);
    let owner: Option<String> = sqlx::query_scalar("SELECT owner_id FROM devices WHERE id = ?")
        .bind(&device)
        .fetch_one(&api.pool)
        .await
        .unwrap();
    assert_eq!(owner, None);
    assert_eq!(
        api.send(
            "POST",
            "/api/auth/refresh",
            &[("cookie", cookie.as_str())],
            ""
        )
        .await
        .status,
        401
    );
    assert_eq!(
        api.call("GET", "/api/auth/me", Some(alice.token.as_str()), None)
            .await
            .status,
        401
    );
}

#[tokio::test]
async fn the_last_admin_stays() {
    let api = TestApi::start().await;
    let admin = api.admin().await;
    let a = Some(admin.token.as_str());
    let me = format!("/api/users/{}", admin.id);
    let r = api.call("DELETE", &me, a, None).await;
    assert_eq!((r.status, r.error_code().as_str()), (409, "last_admin"));
    let r = api
        .call("PATCH", &me, a, Some(&json!({"role": "client"})))
        .await;
    assert_eq!((r.status, r.error_code().as_str()), (409, "last_admin"));
    assert_eq!(
        api.call("PATCH", &me, a, Some(&json!({"role": "admin"})))
            .await
            .status,
        200
    );

    let body = json!({"username": "second", "password": "second-password", "full_name": "Second", "role": "admin"});
    let second = api.call("POST", "/api/users", a, Some(&body)).await.json();
    let second_path = format!("/api/users/{}", second["id"].as_str().unwrap());
    assert_eq!(
        api.call("PATCH", &me, a, Some(&json!({"role": "client"})))
            .await
            .json()["role"],
        "client"
    );
    // The demoted admin's token stops at once; the other admin signs in and goes on.
    let second_login = api.login("second", "second-password").await.json();
    let s = second_login["access_token"].as_str();
    let r = api.call("DELETE", &second_path, s, None).await;
    assert_eq!((r.status, r.error_code().as_str()), (409, "last_admin"));
    assert_eq!(api.call("DELETE", &me, s, None).await.status, 204);
}

#[tokio::test]
async fn password_change() {
    let api = TestApi::start().await;
    let alice = api.client("alice").await;
    let other = api.login("alice", &alice.password).await;
    let other_cookie = format!("iems_refresh={}", other.cookie("iems_refresh").unwrap());
    let current = api.login("alice", &alice.password).await;
    let token = current.json()["access_token"].as_str().unwrap().to_string();
    let current_cookie = format!("iems_refresh={}", current.cookie("iems_refresh").unwrap());
    let change = |body: serde_json::Value| {
        let (api, token, cookie) = (&api, token.clone(), current_cookie.clone());
        async move {
            let auth = format!("Bearer {token}");
            let headers = [
                ("authorization", auth.as_str()),
                ("cookie", cookie.as_str()),
                ("content-type", "application/json"),
            ];
            api.send("POST", "/api/auth/password", &headers, body.to_string())
                .await
        }
    };
    let r = change(json!({"current_password": "wrong-password", "new_password": "a-new-password"}))
        .await;
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (401, "invalid_credentials")
    );
    let r = change(json!({"current_password": alice.password, "new_password": "short"})).await;
    assert_eq!(
        (r.status, r.json()["error"]["field"].as_str()),
        (422, Some("new_password"))
    );
    let r = change(json!({"current_password": alice.password})).await;
    assert_eq!(
        (r.status, r.json()["error"]["field"].as_str()),
        (422, Some("new_password"))
    );
    assert_eq!(
        api.call("POST", "/api/auth/password", None, Some(&json!({})))
            .await
            .status,
        401
    );

    let r =
        change(json!({"current_password": alice.password, "new_password": "a-new-password"})).await;
    assert_eq!(r.status, 204, "{}", r.text());
    assert_eq!(api.login("alice", &alice.password).await.status, 401);
    assert_eq!(api.login("alice", "a-new-password").await.status, 200);
    // The other session is revoked, the current one keeps working.
    assert_eq!(
        api.send(
            "POST",
            "/api/auth/refresh",
            &[("cookie", other_cookie.as_str())],
            ""
        )
        .await
        .status,
        401
    );
    assert_eq!(
        api.send(
            "POST",
            "/api/auth/refresh",
            &[("cookie", current_cookie.as_str())],
            ""
        )
        .await
        .status,
        200
    );
}

#[tokio::test]
async fn login_is_rate_limited() {
    let api = TestApi::start().await;
    let alice = api.client("alice").await;
    for attempt in 1..=5 {
        let r = api.login("Alice", "wrong-password").await;
        assert_eq!(r.status, 401, "attempt {attempt}");
    }
    let r = api.login("alice", &alice.password).await;
    assert_eq!((r.status, r.error_code().as_str()), (429, "rate_limited"));
    let retry: i64 = r
        .header("retry-after")
        .expect("Retry-After")
        .parse()
        .unwrap();
    assert!((1..=900).contains(&retry), "{retry}");
    // Alice's failures do not stop other users behind the same address.
    let r = api.login(ADMIN.0, ADMIN.1).await;
    assert_eq!(r.status, 200);
    // Other routes are not limited.
    assert_eq!(
        api.call("GET", "/api/auth/me", Some(alice.token.as_str()), None)
            .await
            .status,
        200
    );
}

async fn login_from(api: &TestApi, forwarded_for: &str, username: &str, password: &str) -> u16 {
    let body = serde_json::json!({ "username": username, "password": password }).to_string();
    api.send(
        "POST",
        "/api/auth/login",
        &[
            ("content-type", "application/json"),
            ("x-forwarded-for", forwarded_for),
        ],
        body,
    )
    .await
    .status
}

/// Behind a gateway named in `trusted_proxies` the login limits count each
/// forwarded client on its own; without it, `X-Forwarded-For` is not
/// believed, so a client cannot dodge the limit by sending one.
#[tokio::test]
async fn login_limit_per_client_behind_a_trusted_gateway() {
    let behind = TestApi::start_with(|o| {
        o.variables
            .insert("trusted_proxies".into(), "127.0.0.0/8".into());
    })
    .await;
    for n in 1..=5 {
        let status = login_from(&behind, "203.0.113.1", ADMIN.0, "wrong-password").await;
        assert_eq!(status, 401, "attempt {n}");
    }
    assert_eq!(
        login_from(&behind, "203.0.113.1", ADMIN.0, ADMIN.1).await,
        429
    );
    assert_eq!(
        login_from(&behind, "6.6.6.6, 203.0.113.2", ADMIN.0, ADMIN.1).await,
        200,
        "another client behind the gateway is not limited"
    );

    let direct = TestApi::start().await;
    for n in 1..=5 {
        let status = login_from(
            &direct,
            &format!("198.51.100.{n}"),
            ADMIN.0,
            "wrong-password",
        )
        .await;
        assert_eq!(status, 401, "attempt {n}");
    }
    assert_eq!(
        login_from(&direct, "198.51.100.99", ADMIN.0, ADMIN.1).await,
        429,
        "an untrusted X-Forwarded-For is ignored"
    );
}
