//! The auth component over HTTP: sessions, tokens, bad input, users CRUD,
//! password change and login rate limiting.

mod common;

use base64::Engine as _;
use common::{TestApi, ADMIN};
use serde_json::json;

#[tokio::test]
async fn register_login_refresh_logout() {
    let api = TestApi::start().await;
    let body = json!({"username": "Alice", "password": "correct horse", "full_name": " Alice A ", "address": "Main St 1"});
    let reg = api
        .call("POST", "/api/auth/register", None, Some(&body))
        .await;
    assert_eq!(reg.status, 201, "{}", reg.text());
    let user = &reg.json()["user"];
    assert_eq!(user["username"], "Alice");
    assert_eq!(user["full_name"], "Alice A");
    assert_eq!(user["role"], "client");
    assert!(user.get("password_hash").is_none());
    assert!(user["created_at"].as_str().unwrap().ends_with('Z'));

    let dup = json!({"username": "ALICE", "password": "another pass", "full_name": "X"});
    let dup = api
        .call("POST", "/api/auth/register", None, Some(&dup))
        .await;
    assert_eq!((dup.status, dup.error_code().as_str()), (409, "conflict"));

    let login = api.login("alice", "correct horse").await;
    assert_eq!(login.status, 200, "{}", login.text());
    let tokens = login.json();
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["expires_in"], 900);
    assert_eq!(tokens["user"]["id"], user["id"]);
    let cookie = login.set_cookie("iems_refresh").expect("refresh cookie");
    for part in ["HttpOnly", "SameSite=Strict", "Path=/api/auth"] {
        assert!(cookie.contains(part), "{cookie}");
    }
    assert!(
        cookie.contains("; Secure"),
        "Secure unless configured off, whatever the host: {cookie}"
    );

    let me = api
        .call("GET", "/api/auth/me", tokens["access_token"].as_str(), None)
        .await;
    assert_eq!(me.status, 200);
    assert_eq!(me.json()["username"], "Alice");

    let first = login.cookie("iems_refresh").unwrap();
    let refresh = |c: String| {
        let api = &api;
        async move {
            let header = format!("iems_refresh={c}");
            api.send(
                "POST",
                "/api/auth/refresh",
                &[("cookie", header.as_str())],
                "",
            )
            .await
        }
    };
    let second = refresh(first.clone()).await;
    assert_eq!(second.status, 200, "{}", second.text());
    let second_cookie = second.cookie("iems_refresh").unwrap();
    assert_ne!(second_cookie, first);
    let me = api
        .call(
            "GET",
            "/api/auth/me",
            second.json()["access_token"].as_str(),
            None,
        )
        .await;
    assert_eq!(me.status, 200);

    // Reusing the rotated token after the grace for concurrent refreshes (the
    // clock is moved, not waited for) revokes the whole family, including the
    // newest token.
    let long_ago = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
        - 60_000;
    sqlx::query("UPDATE refresh_tokens SET rotated_at = ? WHERE rotated_at IS NOT NULL")
        .bind(long_ago)
        .execute(&api.pool)
        .await
        .unwrap();
    let reuse = refresh(first).await;
    assert_eq!(
        (reuse.status, reuse.error_code().as_str()),
        (401, "unauthorized")
    );
    assert_eq!(refresh(second_cookie).await.status, 401);

    // Logout revokes the family of a fresh session and clears the cookie.
    let login = api.login("Alice", "correct horse").await;
    let c = login.cookie("iems_refresh").unwrap();
    let out = api
        .send(
            "POST",
            "/api/auth/logout",
            &[("cookie", format!("iems_refresh={c}").as_str())],
            "",
        )
        .await;
    assert_eq!(out.status, 204);
    assert!(out
        .set_cookie("iems_refresh")
        .unwrap()
        .contains("Max-Age=0"));
    assert_eq!(refresh(c).await.status, 401);
    assert_eq!(refresh("not-a-token".into()).await.status, 401);
    assert_eq!(
        api.send("POST", "/api/auth/refresh", &[], "").await.status,
        401
    );

    let wrong = api.login("alice", "wrong password").await;
    assert_eq!(
        (wrong.status, wrong.error_code().as_str()),
        (401, "invalid_credentials")
    );
    let unknown = api.login("nobody", "whatever1").await;
    assert_eq!(
        (unknown.status, unknown.error_code().as_str()),
        (401, "invalid_credentials")
    );
}

fn b64(data: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(data)
}

#[tokio::test]
async fn forged_and_expired_tokens_are_rejected() {
    let api = TestApi::start().await;
    let admin = api.admin().await;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let claims = |iss: &str, exp: i64| json!({"sub": admin.id, "role": "admin", "name": "x", "iat": now, "exp": exp, "iss": iss, "jti": "j"});
    let ed_key = jsonwebtoken::EncodingKey::from_ed_pem(api.keys.private_pem.as_bytes()).unwrap();
    let ed = |c: &serde_json::Value| {
        jsonwebtoken::encode(
            &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::EdDSA),
            c,
            &ed_key,
        )
        .unwrap()
    };
    // Sanity: a token we sign the same way with good claims is accepted.
    let good = ed(&claims("iems", now + 600));
    assert_eq!(
        api.call("GET", "/api/auth/me", Some(good.as_str()), None)
            .await
            .status,
        200
    );

    let expired = ed(&claims("iems", now - 120));
    let wrong_issuer = ed(&claims("evil", now + 600));
    let mut tampered = admin.token.clone();
    let last = tampered.pop().unwrap();
    tampered.push(if last == 'A' { 'B' } else { 'A' });
    let payload = b64(claims("iems", now + 600).to_string().as_bytes());
    let none = format!("{}.{}.", b64(br#"{"alg":"none","typ":"JWT"}"#), payload);
    let hs_key = jsonwebtoken::EncodingKey::from_secret(api.keys.public_pem.as_bytes());
    let hs256 = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &claims("iems", now + 600),
        &hs_key,
    )
    .unwrap();
    // A client's token with the role claim changed to admin (signature no longer matches).
    let client = api.client("mallory").await;
    let parts: Vec<&str> = client.token.split('.').collect();
    let mut body: serde_json::Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(parts[1])
            .unwrap(),
    )
    .unwrap();
    body["role"] = "admin".into();
    let escalated = format!(
        "{}.{}.{}",
        parts[0],
        b64(body.to_string().as_bytes()),
        parts[2]
    );

    for (what, token) in [
        ("expired", expired),
        ("wrong issuer", wrong_issuer),
        ("tampered signature", tampered),
        ("alg none", none),
        ("HS256 with the public key", hs256),
        ("role escalated", escalated.clone()),
        ("garbage", "abc.def.ghi".into()),
    ] {
        let me = api
            .call("GET", "/api/auth/me", Some(token.as_str()), None)
            .await;
        assert_eq!(
            (me.status, me.error_code().as_str()),
            (401, "unauthorized"),
            "{what}"
        );
        assert_eq!(
            api.call("GET", "/api/users", Some(token.as_str()), None)
                .await
                .status,
            401,
            "{what}"
        );
    }
    let basic = api
        .send(
            "GET",
            "/api/auth/me",
            &[("authorization", "Basic YWRtaW46eA==")],
            "",
        )
        .await;
    assert_eq!(basic.status, 401);
    assert_eq!(
        api.call("GET", "/api/auth/me", None, None).await.status,
        401
    );
}

#[tokio::test]
async fn bad_input_gets_a_4xx_error_body() {
    let api = TestApi::start().await;
    let post = |path: &'static str, body: &'static str| {
        let api = &api;
        async move {
            api.send("POST", path, &[("content-type", "application/json")], body)
                .await
        }
    };
    for (body, status, code, field) in [
        ("{", 400, "invalid_json", None),
        ("[1,2]", 400, "invalid_json", None),
        ("", 400, "invalid_json", None),
        (
            r#"{"password":"correct horse","full_name":"A"}"#,
            422,
            "validation_failed",
            Some("username"),
        ),
        (
            r#"{"username":5,"password":"correct horse","full_name":"A"}"#,
            422,
            "validation_failed",
            Some("username"),
        ),
        (
            r#"{"username":"bob","password":"short","full_name":"A"}"#,
            422,
            "validation_failed",
            Some("password"),
        ),
        (
            r#"{"username":"b o b","password":"correct horse","full_name":"A"}"#,
            422,
            "validation_failed",
            Some("username"),
        ),
        (
            r#"{"username":"bob","password":"correct horse","full_name":""}"#,
            422,
            "validation_failed",
            Some("full_name"),
        ),
        (
            r#"{"username":"bob","password":"correct horse","full_name":"A","address":7}"#,
            422,
            "validation_failed",
            Some("address"),
        ),
    ] {
        let r = post("/api/auth/register", body).await;
        assert_eq!(r.status, status, "{body}: {}", r.text());
        assert_eq!(r.error_code(), code, "{body}");
        assert_eq!(r.json()["error"]["field"].as_str(), field, "{body}");
    }
    let r = post("/api/auth/login", r#"{"username":"bob"}"#).await;
    assert_eq!(
        (r.status, r.json()["error"]["field"].as_str()),
        (422, Some("password"))
    );

    let big = format!(
        r#"{{"username":"bob","password":"correct horse","full_name":"{}"}}"#,
        "x".repeat(70_000)
    );
    let r = api
        .send(
            "POST",
            "/api/auth/register",
            &[("content-type", "application/json")],
            big,
        )
        .await;
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (413, "payload_too_large")
    );

    // SQL in a name is stored and returned literally.
    let evil = "Robert'); DROP TABLE users;--";
    let body = json!({"username": "bobby", "password": "correct horse", "full_name": evil, "address": "' OR '1'='1"});
    let r = api
        .call("POST", "/api/auth/register", None, Some(&body))
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(r.json()["user"]["full_name"], evil);
    assert_eq!(r.json()["user"]["address"], "' OR '1'='1");
    let admin = api.admin().await;
    let q = api
        .call(
            "GET",
            "/api/users?q=%27%20OR%201%3D1%20--",
            Some(admin.token.as_str()),
            None,
        )
        .await;
    assert_eq!((q.status, q.json()["total"].as_u64()), (200, Some(0)));
    let q = api
        .call(
            "GET",
            "/api/users?q=DROP%20TABLE",
            Some(admin.token.as_str()),
            None,
        )
        .await;
    assert_eq!(q.json()["items"][0]["full_name"], evil);
    let q = api
        .call("GET", "/api/users?q=%25", Some(admin.token.as_str()), None)
        .await;
    assert_eq!(q.json()["total"], 0, "% is a literal, not a wildcard");

    let r = api.call("GET", "/api/auth/login", None, None).await;
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (405, "method_not_allowed")
    );
    assert_eq!(
        api.call("DELETE", "/api/users", Some(admin.token.as_str()), None)
            .await
            .status,
        405
    );
    assert_eq!(
        api.call("POST", "/api/auth/me", Some(admin.token.as_str()), None)
            .await
            .status,
        405
    );
    assert_eq!(
        api.call("GET", "/api/auth/nothing", None, None)
            .await
            .status,
        404
    );
    assert_eq!(
        api.call(
            "GET",
            "/api/users/not-a-uuid",
            Some(admin.token.as_str()),
            None
        )
        .await
        .status,
        404
    );
    for (query, field) in [
        ("per_page=0", "per_page"),
        ("per_page=101", "per_page"),
        ("page=-1", "page"),
        ("page=x", "page"),
        ("per_page=99999999999999999999", "per_page"),
    ] {
        let r = api
            .call(
                "GET",
                &format!("/api/users?{query}"),
                Some(admin.token.as_str()),
                None,
            )
            .await;
        assert_eq!(
            (r.status, r.json()["error"]["field"].as_str()),
            (422, Some(field)),
            "{query}"
        );
    }
    let _ = ADMIN;
}
