//! Chat across two ws-hub instances sharing one database and one RabbitMQ namespace.

mod common;

use common::*;
use iems_shared::domain::Role;
use iems_ws_hub::HubConfig;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_and_admin_chat_across_instances() {
    let env = Env::new().await;
    let a = env.instance(HubConfig::default()).await;
    let b = env.instance(HubConfig::default()).await;
    let client = env.user("carla", Role::Client).await;
    let admin = env.user("adam", Role::Admin).await;
    let mut c = connect(a.addr, &env.token(&client, Role::Client)).await;
    let mut m = connect(b.addr, &env.token(&admin, Role::Admin)).await;

    send(
        &mut c,
        json!({"type":"chat.typing","conversation_id":client,"typing":true}),
    )
    .await;
    let typing = expect(&mut m, "chat.typing").await;
    assert_eq!(typing["user_id"], client);
    assert_eq!(typing["typing"], true);

    let send_hello = json!({"type":"chat.send","conversation_id":client,"body":"  My meter is odd ","client_msg_id":"c-1"});
    send(&mut c, send_hello.clone()).await;
    let echo = expect(&mut c, "chat.message").await["message"].clone();
    assert_eq!(echo["body"], "My meter is odd");
    assert_eq!(echo["sender_id"], client);
    assert_eq!(echo["conversation_id"], client);
    assert_eq!(echo["client_msg_id"], "c-1");
    assert_eq!(expect(&mut m, "chat.message").await["message"], echo);

    send(
        &mut m,
        json!({"type":"chat.typing","conversation_id":client,"typing":true}),
    )
    .await;
    assert_eq!(expect(&mut c, "chat.typing").await["user_id"], admin);
    send(
        &mut m,
        json!({"type":"chat.read","conversation_id":client,"up_to_id":echo["id"]}),
    )
    .await;
    let read = expect(&mut c, "chat.read").await;
    assert_eq!(
        (read["user_id"].clone(), read["up_to_id"].clone()),
        (json!(admin), echo["id"].clone())
    );

    send(&mut m, json!({"type":"chat.send","conversation_id":client,"body":"Looking into it","client_msg_id":"a-1"})).await;
    let reply = expect(&mut m, "chat.message").await["message"].clone();
    assert_eq!(expect(&mut c, "chat.message").await["message"], reply);
    send(
        &mut c,
        json!({"type":"chat.read","conversation_id":client,"up_to_id":reply["id"]}),
    )
    .await;
    assert_eq!(expect(&mut m, "chat.read").await["up_to_id"], reply["id"]);

    // A retry of the first message returns the stored one and stores nothing new.
    send(&mut c, send_hello).await;
    assert_eq!(expect(&mut c, "chat.message").await["message"], echo);

    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT id, sender_id, body FROM chat_messages WHERE conversation_id = ? ORDER BY seq",
    )
    .bind(&client)
    .fetch_all(&env.pool)
    .await
    .unwrap();
    let expected = vec![
        (
            echo["id"].as_str().unwrap().to_string(),
            client.clone(),
            "My meter is odd".to_string(),
        ),
        (
            reply["id"].as_str().unwrap().to_string(),
            admin.clone(),
            "Looking into it".to_string(),
        ),
    ];
    assert_eq!(rows, expected);
    let reads: Vec<(String, i64, String)> = sqlx::query_as(
        "SELECT side, up_to_seq, read_by FROM chat_reads WHERE conversation_id = ? ORDER BY side",
    )
    .bind(&client)
    .fetch_all(&env.pool)
    .await
    .unwrap();
    assert_eq!(reads.len(), 2);
    assert_eq!(
        (reads[0].0.as_str(), reads[0].2.as_str()),
        ("client", client.as_str())
    );
    assert_eq!(
        (reads[1].0.as_str(), reads[1].2.as_str()),
        ("support", admin.as_str())
    );
    assert!(reads[0].1 > reads[1].1, "client read the later message");

    // A read mark only moves forward: another admin reads the reply, then the
    // first one the older message; support's mark stays at the reply, by the other admin.
    let admin2 = env.user("ada", Role::Admin).await;
    let mut m2 = connect(a.addr, &env.token(&admin2, Role::Admin)).await;
    for (socket, up_to) in [(&mut m2, &reply), (&mut m, &echo)] {
        send(
            socket,
            json!({"type":"chat.read","conversation_id":client,"up_to_id":up_to["id"]}),
        )
        .await;
        assert_eq!(expect(&mut c, "chat.read").await["up_to_id"], up_to["id"]);
    }
    let support: (i64, String) = sqlx::query_as(
        "SELECT up_to_seq, read_by FROM chat_reads WHERE conversation_id = ? AND side = 'support'",
    )
    .bind(&client)
    .fetch_one(&env.pool)
    .await
    .unwrap();
    assert_eq!(support, (reads[0].1, admin2.clone()));

    a.stop().await;
    b.stop().await;
    env.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conversations_of_others_are_refused_and_bad_frames_answered() {
    let env = Env::new().await;
    let a = env.instance(HubConfig::default()).await;
    let x = env.user("xavier", Role::Client).await;
    let y = env.user("yvonne", Role::Client).await;
    let admin = env.user("adam", Role::Admin).await;
    let mut cx = connect(a.addr, &env.token(&x, Role::Client)).await;
    let mut cy = connect(a.addr, &env.token(&y, Role::Client)).await;
    let mut m = connect(a.addr, &env.token(&admin, Role::Admin)).await;

    for frame in [
        json!({"type":"chat.send","conversation_id":y,"body":"hi","client_msg_id":"x-1"}),
        json!({"type":"chat.typing","conversation_id":y,"typing":true}),
    ] {
        send(&mut cx, frame).await;
        assert_eq!(expect(&mut cx, "error").await["error"]["code"], "not_found");
    }
    // Admins write only into existing clients' conversations.
    send(
        &mut m,
        json!({"type":"chat.send","conversation_id":admin,"body":"hi","client_msg_id":"m-1"}),
    )
    .await;
    assert_eq!(expect(&mut m, "error").await["error"]["code"], "not_found");

    send(&mut cx, json!("{not json")).await;
    assert_eq!(
        expect(&mut cx, "error").await["error"]["code"],
        "invalid_json"
    );
    send_text(&mut cx, "{not json").await;
    assert_eq!(
        expect(&mut cx, "error").await["error"]["code"],
        "invalid_json"
    );
    send(&mut cx, json!({"type":"chat.shout","conversation_id":x})).await;
    assert_eq!(
        expect(&mut cx, "error").await["error"]["code"],
        "invalid_json"
    );
    send(
        &mut cx,
        json!({"type":"chat.send","conversation_id":x,"body":"   ","client_msg_id":"x-2"}),
    )
    .await;
    let err = expect(&mut cx, "error").await;
    assert_eq!(
        (err["error"]["code"].clone(), err["error"]["field"].clone()),
        (json!("validation_failed"), json!("body"))
    );

    // Still usable: a valid message goes through, and Y sees none of X's traffic.
    send(
        &mut cx,
        json!({"type":"chat.send","conversation_id":x,"body":"ok now","client_msg_id":"x-3"}),
    )
    .await;
    let msg = expect(&mut cx, "chat.message").await;
    assert_eq!(msg["message"]["body"], "ok now");
    assert_eq!(expect(&mut m, "chat.message").await, msg);
    send(
        &mut cy,
        json!({"type":"chat.send","conversation_id":y,"body":"me","client_msg_id":"y-1"}),
    )
    .await;
    assert_eq!(
        expect(&mut cy, "chat.message").await["message"]["body"],
        "me"
    );

    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM chat_messages")
        .fetch_one(&env.pool)
        .await
        .unwrap();
    assert_eq!(stored, 2);
    a.stop().await;
    env.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chat_frames_are_rate_limited() {
    let env = Env::new().await;
    let config = HubConfig {
        chat_rate_per_sec: 0.5,
        chat_burst: 3,
        ..HubConfig::default()
    };
    let a = env.instance(config).await;
    let x = env.user("xavier", Role::Client).await;
    let mut cx = connect(a.addr, &env.token(&x, Role::Client)).await;
    for _ in 0..4 {
        send(
            &mut cx,
            json!({"type":"chat.typing","conversation_id":x,"typing":true}),
        )
        .await;
    }
    assert_eq!(
        expect(&mut cx, "error").await["error"]["code"],
        "rate_limited"
    );
    a.stop().await;
    env.cleanup().await;
}

/// The hub shuts down while a chat message waits for the database (another
/// writer holds it): the message is still stored, not cut off half-way when
/// the connection's write side closes. (SQLite shows the difference; MySQL
/// finishes a statement it has received even when the hub drops its side.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chat_message_in_flight_is_stored_when_the_hub_shuts_down() {
    use iems_db::Backend;
    use std::time::Duration;

    let env = Env::new().await;
    let a = env.instance(HubConfig::default()).await;
    let client = env.user("carla", Role::Client).await;
    let mut c = connect(a.addr, &env.token(&client, Role::Client)).await;

    // Another writer holds the chat table, so the hub's insert waits.
    let mut own = env.pool.acquire().await.unwrap();
    let (lock, unlock) = match env.database.backend() {
        Backend::Sqlite => ("BEGIN IMMEDIATE", "COMMIT"),
        Backend::Mysql => ("LOCK TABLES chat_messages WRITE", "UNLOCK TABLES"),
    };
    sqlx::query(lock).execute(&mut *own).await.unwrap();
    send(
        &mut c,
        json!({"type":"chat.send","conversation_id":client,"body":"still there?","client_msg_id":"late-1"}),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let release = async {
        tokio::time::sleep(Duration::from_millis(500)).await;
        sqlx::query(unlock).execute(&mut *own).await.unwrap();
    };
    tokio::join!(a.hub.shutdown(), release);
    drop(own);

    let stored: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM chat_messages WHERE sender_id = ? AND client_msg_id = 'late-1'",
    )
    .bind(&client)
    .fetch_one(&env.pool)
    .await
    .unwrap();
    assert_eq!(stored, 1, "the message in flight was lost");
    a.server.abort();
    env.cleanup().await;
}
