//! The queries component's alerts and chat routes over HTTP: filters, paging,
//! idempotent acknowledgement, unread counts, history pages and the access matrix.

mod common;

use common::world::world;
use common::TestApi;
use serde_json::Value;

const HOUR: i64 = 3_600_000;
/// 2026-03-29T00:00:00Z
const T0: i64 = 1_774_742_400_000;

async fn seed_alert(api: &TestApi, device: &str, hour: i64, acknowledged: bool) -> String {
    let id = common::uuid_v4();
    sqlx::query(
        "INSERT INTO alerts (id, device_id, hour_start, energy_uwh, max_hourly_uwh, created_at, acknowledged_at) \
         VALUES (?, ?, ?, 2500000000, 2000000000, ?, ?)",
    )
    .bind(&id)
    .bind(device)
    .bind(T0 + hour * HOUR)
    .bind(T0 + hour * HOUR + 60_000)
    .bind(acknowledged.then_some(T0))
    .execute(&api.pool)
    .await
    .unwrap();
    id
}

async fn seed_message(
    api: &TestApi,
    conversation: &str,
    sender: &str,
    body: &str,
) -> (String, i64) {
    let id = common::uuid_v4();
    sqlx::query(
        "INSERT INTO chat_messages (id, conversation_id, sender_id, body, client_msg_id, created_at) VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(&id)
    .bind(conversation)
    .bind(sender)
    .bind(body)
    .bind(common::uuid_v4())
    .bind(T0)
    .execute(&api.pool)
    .await
    .unwrap();
    let seq: i64 = sqlx::query_scalar("SELECT seq FROM chat_messages WHERE id = ?")
        .bind(&id)
        .fetch_one(&api.pool)
        .await
        .unwrap();
    (id, seq)
}

fn ids(v: &Value) -> Vec<String> {
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn alerts_list_filters_pages_and_visibility() {
    let w = world().await;
    let a1 = seed_alert(&w.api, &w.mine, 1, false).await;
    let a2 = seed_alert(&w.api, &w.mine, 2, true).await;
    let a3 = seed_alert(&w.api, &w.mine, 3, false).await;
    let b1 = seed_alert(&w.api, &w.theirs, 4, false).await;
    let get = |path: String, token: &str| {
        let token = token.to_string();
        let api = &w.api;
        async move { api.call("GET", &path, Some(&token), None).await }
    };

    let r = get("/api/alerts".into(), &w.alice.token).await;
    assert_eq!(r.status, 200);
    let body = r.json();
    assert_eq!(
        ids(&body),
        [a3.clone(), a2.clone(), a1.clone()],
        "alice sees hers, newest first"
    );
    assert_eq!(
        (
            body["total"].as_u64(),
            body["page"].as_u64(),
            body["per_page"].as_u64()
        ),
        (Some(3), Some(1), Some(20))
    );
    let first = &body["items"][2];
    assert_eq!(first["device_id"], w.mine.as_str());
    assert_eq!(first["hour_start"], "2026-03-29T01:00:00Z");
    assert_eq!(first["created_at"], "2026-03-29T01:01:00Z");
    assert_eq!(
        (first["kwh"].as_f64(), first["max_hourly_kwh"].as_f64()),
        (Some(2.5), Some(2.0))
    );
    assert_eq!(first["acknowledged_at"], Value::Null);
    assert_eq!(body["items"][1]["acknowledged_at"], "2026-03-29T00:00:00Z");

    assert_eq!(
        ids(&get("/api/alerts".into(), &w.bob.token).await.json()),
        std::slice::from_ref(&b1)
    );
    assert_eq!(
        get("/api/alerts".into(), &w.admin.token).await.json()["total"],
        4
    );
    assert_eq!(
        ids(
            &get("/api/alerts?acknowledged=false".into(), &w.alice.token)
                .await
                .json()
        ),
        [a3.clone(), a1.clone()]
    );
    assert_eq!(
        ids(&get("/api/alerts?acknowledged=true".into(), &w.alice.token)
            .await
            .json()),
        std::slice::from_ref(&a2)
    );
    let window = "from=2026-03-29T02:00:00Z&to=2026-03-29T04:00:00Z";
    assert_eq!(
        ids(&get(format!("/api/alerts?{window}"), &w.admin.token)
            .await
            .json()),
        [a3.clone(), a2.clone()]
    );
    assert_eq!(
        ids(&get(
            format!("/api/alerts?device_id={}", w.theirs),
            &w.admin.token
        )
        .await
        .json()),
        std::slice::from_ref(&b1)
    );
    let paged = get("/api/alerts?per_page=2&page=2".into(), &w.alice.token)
        .await
        .json();
    assert_eq!(
        (ids(&paged), paged["total"].as_u64()),
        (vec![a1.clone()], Some(3))
    );

    // Another client's device as a filter is a 404, as everywhere.
    let r = get(
        format!("/api/alerts?device_id={}", w.theirs),
        &w.alice.token,
    )
    .await;
    assert_eq!((r.status, r.error_code().as_str()), (404, "not_found"));
    for (query, field) in [
        ("acknowledged=maybe", "acknowledged"),
        ("device_id=nope", "device_id"),
        ("from=yesterday", "from"),
        ("from=2026-03-29T04:00:00Z&to=2026-03-29T02:00:00Z", "to"),
        ("per_page=0", "per_page"),
        ("per_page=1000", "per_page"),
        ("page=-1", "page"),
    ] {
        let r = get(format!("/api/alerts?{query}"), &w.alice.token).await;
        assert_eq!(r.status, 422, "{query}: {}", r.text());
        assert_eq!(r.json()["error"]["field"], field, "{query}");
    }
    assert_eq!(
        w.api.call("GET", "/api/alerts", None, None).await.status,
        401
    );
    assert_eq!(
        w.api
            .call("DELETE", "/api/alerts", Some(&w.admin.token), None)
            .await
            .status,
        405
    );
}

#[tokio::test]
async fn acknowledging_is_owner_or_admin_and_idempotent() {
    let w = world().await;
    let mine = seed_alert(&w.api, &w.mine, 1, false).await;
    let theirs = seed_alert(&w.api, &w.theirs, 1, false).await;
    let ack = |id: &str, token: Option<&str>| {
        let path = format!("/api/alerts/{id}/ack");
        let token = token.map(str::to_string);
        let api = &w.api;
        async move { api.call("POST", &path, token.as_deref(), None).await }
    };
    assert_eq!(ack(&mine, None).await.status, 401);
    let r = ack(&mine, Some(&w.bob.token)).await;
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (404, "not_found"),
        "bob cannot ack alice's alert"
    );
    assert_eq!(
        ack(&common::uuid_v4(), Some(&w.admin.token)).await.status,
        404
    );
    assert_eq!(ack("not-an-id", Some(&w.admin.token)).await.status, 404);

    let first = ack(&mine, Some(&w.alice.token)).await;
    assert_eq!(first.status, 200, "{}", first.text());
    let at = first.json()["acknowledged_at"]
        .as_str()
        .expect("acknowledged")
        .to_string();
    assert_eq!(first.json()["id"], mine.as_str());
    let by: Option<String> = sqlx::query_scalar("SELECT acknowledged_by FROM alerts WHERE id = ?")
        .bind(&mine)
        .fetch_one(&w.api.pool)
        .await
        .unwrap();
    assert_eq!(by.as_deref(), Some(w.alice.id.as_str()));
    // Again (by the owner or an admin): same answer, nothing changes.
    for token in [&w.alice.token, &w.admin.token] {
        let again = ack(&mine, Some(token)).await;
        assert_eq!(
            (again.status, again.json()["acknowledged_at"].as_str()),
            (200, Some(at.as_str()))
        );
    }
    assert_eq!(
        ack(&theirs, Some(&w.admin.token)).await.status,
        200,
        "admins ack any alert"
    );
    let r = w
        .api
        .call(
            "GET",
            &format!("/api/alerts/{mine}/ack"),
            Some(&w.alice.token),
            None,
        )
        .await;
    assert_eq!(
        (r.status, r.header("allow").as_deref()),
        (405, Some("POST"))
    );
}

#[tokio::test]
async fn conversations_and_history() {
    let w = world().await;
    let (m1, seq1) = seed_message(&w.api, &w.alice.id, &w.alice.id, "hello").await;
    let (m2, _) = seed_message(&w.api, &w.alice.id, &w.admin.id, "hi, how can we help?").await;
    let (m3, _) = seed_message(&w.api, &w.alice.id, &w.alice.id, "'; DROP TABLE users; --").await;
    sqlx::query(
        "INSERT INTO chat_reads (conversation_id, side, up_to_seq, updated_at) VALUES (?, 'support', ?, 0)",
    )
    .bind(&w.alice.id)
    .bind(seq1)
    .execute(&w.api.pool)
    .await
    .unwrap();

    let admin = w
        .api
        .call("GET", "/api/chat/conversations", Some(&w.admin.token), None)
        .await
        .json();
    let items = admin["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "bob has no messages: {admin}");
    assert_eq!(items[0]["client_id"], w.alice.id.as_str());
    assert_eq!(items[0]["client_name"], "Client alice");
    assert_eq!(
        items[0]["unread"], 1,
        "one client message after support's mark"
    );
    assert_eq!(items[0]["last_message"]["id"], m3.as_str());
    assert_eq!(items[0]["last_message"]["body"], "'; DROP TABLE users; --");

    let alice = w
        .api
        .call("GET", "/api/chat/conversations", Some(&w.alice.token), None)
        .await
        .json();
    assert_eq!(alice["items"].as_array().unwrap().len(), 1);
    assert_eq!(alice["items"][0]["client_id"], w.alice.id.as_str());
    assert_eq!(alice["items"][0]["unread"], 1, "support's reply is unread");
    let bob = w
        .api
        .call("GET", "/api/chat/conversations", Some(&w.bob.token), None)
        .await
        .json();
    assert_eq!(bob["items"][0]["client_id"], w.bob.id.as_str());
    assert_eq!(
        (
            bob["items"][0]["unread"].as_u64(),
            bob["items"][0].get("last_message")
        ),
        (Some(0), None)
    );
    assert_eq!(
        w.api
            .call("GET", "/api/chat/conversations", None, None)
            .await
            .status,
        401
    );

    let history = |client: &str, query: &str, token: &str| {
        let path = format!("/api/chat/conversations/{client}/messages{query}");
        let token = token.to_string();
        let api = &w.api;
        async move { api.call("GET", &path, Some(&token), None).await }
    };
    let all = history(&w.alice.id, "", &w.alice.token).await.json();
    assert_eq!(
        (ids(&all), all["has_more"].as_bool()),
        (vec![m1.clone(), m2.clone(), m3.clone()], Some(false))
    );
    assert_eq!(all["items"][0]["sender_id"], w.alice.id.as_str());
    assert_eq!(all["items"][0]["created_at"], "2026-03-29T00:00:00Z");
    let newest = history(&w.alice.id, "?limit=2", &w.admin.token)
        .await
        .json();
    assert_eq!(
        (ids(&newest), newest["has_more"].as_bool()),
        (vec![m2.clone(), m3.clone()], Some(true))
    );
    let older = history(
        &w.alice.id,
        &format!("?limit=2&before={m2}"),
        &w.alice.token,
    )
    .await
    .json();
    assert_eq!(
        (ids(&older), older["has_more"].as_bool()),
        (vec![m1.clone()], Some(false))
    );

    // Access: only one's own conversation; admins any client's.
    for (client, token, status) in [
        (&w.alice.id, &w.bob.token, 404),
        (&w.bob.id, &w.alice.token, 404),
        (&w.bob.id, &w.admin.token, 200),
        (&w.admin.id, &w.admin.token, 404),
    ] {
        assert_eq!(history(client, "", token).await.status, status, "{client}");
    }
    assert_eq!(history("nope", "", &w.admin.token).await.status, 404);
    assert_eq!(
        w.api
            .call(
                "GET",
                &format!("/api/chat/conversations/{}/messages", w.alice.id),
                None,
                None
            )
            .await
            .status,
        401
    );
    for (query, field) in [
        ("?limit=0", "limit"),
        ("?limit=101", "limit"),
        ("?limit=x", "limit"),
        ("?before=nope", "before"),
    ] {
        let r = history(&w.alice.id, query, &w.alice.token).await;
        assert_eq!(
            (r.status, r.json()["error"]["field"].as_str()),
            (422, Some(field)),
            "{query}"
        );
    }
    // A message of another conversation is not a valid cursor.
    let (other, _) = seed_message(&w.api, &w.bob.id, &w.bob.id, "bob here").await;
    let r = history(&w.alice.id, &format!("?before={other}"), &w.alice.token).await;
    assert_eq!(r.status, 422);
}
