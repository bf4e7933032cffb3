//! Sessions: handshake refusals, routing of alerts and consumption, token expiry
//! and renewal, slow readers, restarts.

mod common;

use base64::Engine as _;
use common::*;
use iems_messaging::Topic;
use iems_shared::domain::Role;
use iems_shared::model::{Alert, BudgetAlert, BudgetAmount};
use iems_shared::wire::{AlertEvent, BudgetAlertEvent, ConsumptionUpdate};
use iems_ws_hub::HubConfig;
use serde_json::json;
use std::time::Duration;

fn alert(device_id: &str) -> Alert {
    Alert {
        id: uuid::Uuid::new_v4().to_string(),
        device_id: device_id.into(),
        kind: "limit".into(),
        hour_start: "2026-11-27T10:00:00Z".into(),
        hour_end: "2026-11-27T11:00:00Z".into(),
        hours: 1,
        kwh: 2.5,
        expected_kwh: None,
        direction: None,
        max_hourly_kwh: 2.0,
        created_at: "2026-11-27T10:40:00Z".into(),
        acknowledged_at: None,
    }
}

async fn publish_alert(env: &Env, owner: &str) -> Alert {
    let alert = alert("dev-1");
    let event = AlertEvent {
        alert: alert.clone(),
        owner_id: Some(owner.into()),
    };
    env.bus
        .publish(Topic::Alerts, &serde_json::to_vec(&event).unwrap())
        .await
        .unwrap();
    alert
}

async fn publish_budget_alert(env: &Env, client: &str) -> BudgetAlert {
    let alert = BudgetAlert {
        id: uuid::Uuid::new_v4().to_string(),
        client_id: client.into(),
        client_name: "X".into(),
        month: "2026-12".into(),
        kind: "projected".into(),
        budget: BudgetAmount {
            kind: "money".into(),
            amount: 120.0,
        },
        spent: 40.0,
        projected: 130.5,
        currency: Some("EUR".into()),
        created_at: "2026-12-05T10:40:00Z".into(),
        acknowledged_at: None,
    };
    let event = BudgetAlertEvent {
        budget_alert: alert.clone(),
    };
    env.bus
        .publish(Topic::Alerts, &serde_json::to_vec(&event).unwrap())
        .await
        .unwrap();
    alert
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn budget_alerts_reach_their_client_and_admins_only() {
    let env = Env::new().await;
    let a = env.instance(HubConfig::default()).await;
    let x = env.user("xenia", Role::Client).await;
    let y = env.user("yusuf", Role::Client).await;
    let admin = env.user("ada", Role::Admin).await;
    let mut cx = connect(a.addr, &env.token(&x, Role::Client)).await;
    let mut cy = connect(a.addr, &env.token(&y, Role::Client)).await;
    let mut m = connect(a.addr, &env.token(&admin, Role::Admin)).await;

    let for_x = publish_budget_alert(&env, &x).await;
    // Y's own comes after X's on the same topic: had Y been sent X's, it would come first.
    let for_y = publish_budget_alert(&env, &y).await;
    assert_eq!(expect(&mut cx, "budget_alert").await["alert"], json!(for_x));
    assert_eq!(
        expect(&mut cy, "budget_alert").await["alert"]["id"],
        for_y.id
    );
    assert_eq!(
        expect(&mut m, "budget_alert").await["alert"]["id"],
        for_x.id
    );
    assert_eq!(
        expect(&mut m, "budget_alert").await["alert"]["id"],
        for_y.id
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alerts_and_consumption_reach_the_owner_and_admins_only() {
    let env = Env::new().await;
    let a = env.instance(HubConfig::default()).await;
    let b = env.instance(HubConfig::default()).await;
    let x = env.user("xavier", Role::Client).await;
    let y = env.user("yvonne", Role::Client).await;
    let admin = env.user("adam", Role::Admin).await;
    let mut cx = connect(a.addr, &env.token(&x, Role::Client)).await;
    let mut cy = connect(b.addr, &env.token(&y, Role::Client)).await;
    let mut m = connect(b.addr, &env.token(&admin, Role::Admin)).await;

    let for_x = publish_alert(&env, &x).await;
    // Y's own alert comes after X's on the same topic: if Y got X's, it would come first.
    let for_y = publish_alert(&env, &y).await;
    assert_eq!(expect(&mut cx, "alert").await["alert"], json!(for_x));
    assert_eq!(expect(&mut cy, "alert").await["alert"]["id"], for_y.id);
    assert_eq!(expect(&mut m, "alert").await["alert"]["id"], for_x.id);
    assert_eq!(expect(&mut m, "alert").await["alert"]["id"], for_y.id);

    let update = ConsumptionUpdate {
        device_id: "dev-1".into(),
        owner_id: Some(x.clone()),
        hour_start: "2026-11-27T10:00:00Z".into(),
        kwh: 1.25,
    };
    env.bus
        .publish(Topic::Consumption, &serde_json::to_vec(&update).unwrap())
        .await
        .unwrap();
    let unowned = ConsumptionUpdate {
        owner_id: None,
        device_id: "dev-2".into(),
        ..update
    };
    env.bus
        .publish(Topic::Consumption, &serde_json::to_vec(&unowned).unwrap())
        .await
        .unwrap();
    let frame = expect(&mut cx, "consumption").await;
    assert_eq!(
        frame,
        json!({"type":"consumption","device_id":"dev-1","hour_start":"2026-11-27T10:00:00Z","kwh":1.25})
    );
    assert_eq!(expect(&mut m, "consumption").await, frame);
    assert_eq!(expect(&mut m, "consumption").await["device_id"], "dev-2");
    // Nothing else arrives for Y (its next frame is its own next alert).
    let again = publish_alert(&env, &y).await;
    assert_eq!(expect(&mut cy, "alert").await["alert"]["id"], again.id);

    a.stop().await;
    b.stop().await;
    env.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_tokens_and_origins_are_refused_at_the_handshake() {
    let env = Env::new().await;
    let a = env
        .instance(HubConfig {
            allowed_origins: vec!["http://localhost:5173".into()],
            ..HubConfig::default()
        })
        .await;
    let x = env.user("xavier", Role::Client).await;
    let good = env.token(&x, Role::Client);
    let expired = env.token_aged(&x, Role::Client, 3600);
    let mut parts: Vec<String> = good.split('.').map(String::from).collect();
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let mut claims: serde_json::Value =
        serde_json::from_slice(&b64.decode(&parts[1]).unwrap()).unwrap();
    claims["role"] = json!("admin");
    parts[1] = b64.encode(claims.to_string());
    let tampered = parts.join(".");
    let alg_none = format!(
        "{}.{}.",
        b64.encode(r#"{"alg":"none","typ":"JWT"}"#),
        parts[1]
    );
    let other_key = iems_shared::identity::generate_keypair();
    let foreign = iems_shared::identity::TokenSigner::from_pem(&other_key.private_pem)
        .unwrap()
        .issue(&x, Role::Client, "X", chrono::Utc::now().timestamp())
        .unwrap()
        .0;

    assert_eq!(refused_status(a.addr, None, None).await, 401);
    assert_eq!(refused_status(a.addr, Some("iems.v1"), None).await, 401);
    assert_eq!(
        refused_status(a.addr, Some(&format!("bearer.{good}")), None).await,
        401
    );
    for bad in [
        &expired,
        &tampered,
        &alg_none,
        &foreign,
        &"garbage".to_string(),
    ] {
        assert_eq!(
            refused_status(a.addr, Some(&format!("iems.v1, bearer.{bad}")), None).await,
            401,
            "{bad}"
        );
    }
    let offer = format!("iems.v1, bearer.{good}");
    assert_eq!(
        refused_status(a.addr, Some(&offer), Some("http://evil.example")).await,
        403
    );
    let mut allowed = connect_raw(a.addr, Some(&offer), Some("http://localhost:5173"))
        .await
        .expect("allowed origin");
    let mut own = connect_raw(a.addr, Some(&offer), Some(&format!("http://{}", a.addr)))
        .await
        .expect("own origin");
    // Both sockets work: a frame gets its answer.
    for ws in [&mut allowed, &mut own] {
        send(
            ws,
            json!({"type":"chat.typing","conversation_id":"someone-else","typing":true}),
        )
        .await;
        assert_eq!(expect(ws, "error").await["error"]["code"], "not_found");
    }
    assert_eq!(a.hub.connections(), 2);
    a.stop().await;
    env.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_socket_closes_at_expiry_unless_renewed() {
    let env = Env::new().await;
    let a = env.instance(HubConfig::default()).await;
    let x = env.user("xavier", Role::Client).await;
    // Issued 14:57 ago: 3 s left.
    let short = env.token_aged(&x, Role::Client, 15 * 60 - 3);
    let mut expiring = connect(a.addr, &short).await;
    let mut renewed = connect(a.addr, &short).await;
    send(
        &mut renewed,
        json!({"type":"auth.renew","access_token":"bogus"}),
    )
    .await;
    assert_eq!(
        expect(&mut renewed, "error").await["error"]["code"],
        "unauthorized"
    );
    let y = env.user("yvonne", Role::Client).await;
    send(
        &mut renewed,
        json!({"type":"auth.renew","access_token":env.token(&y, Role::Client)}),
    )
    .await;
    assert_eq!(
        expect(&mut renewed, "error").await["error"]["code"],
        "forbidden"
    );
    send(
        &mut renewed,
        json!({"type":"auth.renew","access_token":env.token(&x, Role::Client)}),
    )
    .await;

    let close = expect_close(&mut expiring).await.expect("a close frame");
    assert_eq!(u16::from(close.code), 1008);
    tokio::time::sleep(Duration::from_secs(3)).await;
    send(
        &mut renewed,
        json!({"type":"chat.send","conversation_id":x,"body":"still here","client_msg_id":"r-1"}),
    )
    .await;
    assert_eq!(
        expect(&mut renewed, "chat.message").await["message"]["body"],
        "still here"
    );
    a.stop().await;
    env.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reader_that_never_reads_is_disconnected() {
    let env = Env::new().await;
    let config = HubConfig {
        send_queue: 16,
        write_timeout: Duration::from_secs(2),
        ..HubConfig::default()
    };
    let a = env.instance(config).await;
    let x = env.user("xavier", Role::Client).await;
    let _never_reads = connect(a.addr, &env.token(&x, Role::Client)).await;
    // The server registers the socket just after the 101 reaches the client.
    let registered = std::time::Instant::now();
    while a.hub.connections() != 1 {
        assert!(
            registered.elapsed() < Duration::from_secs(10),
            "the connection was never registered"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let update = ConsumptionUpdate {
        device_id: "dev-1".into(),
        owner_id: Some(x.clone()),
        hour_start: "2026-11-27T10:00:00Z".into(),
        kwh: 1.25,
    };
    let payload = serde_json::to_vec(&update).unwrap();
    let started = std::time::Instant::now();
    while a.hub.connections() > 0 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "slow reader still connected"
        );
        for _ in 0..500 {
            env.bus.publish(Topic::Consumption, &payload).await.unwrap();
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    a.stop().await;
    env.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restarting_an_instance_loses_no_stored_message() {
    let env = Env::new().await;
    let a = env.instance(HubConfig::default()).await;
    let x = env.user("xavier", Role::Client).await;
    let token = env.token(&x, Role::Client);
    let mut c = connect(a.addr, &token).await;
    let mut sent = Vec::new();
    for i in 0..5 {
        send(&mut c, json!({"type":"chat.send","conversation_id":x,"body":format!("before {i}"),"client_msg_id":format!("m-{i}")})).await;
        sent.push(expect(&mut c, "chat.message").await["message"].clone());
    }
    a.stop().await;
    let close = expect_close(&mut c).await.expect("close frame on shutdown");
    assert_eq!(u16::from(close.code), 1001);

    let a2 = env.instance(HubConfig::default()).await;
    let mut c = connect(a2.addr, &token).await;
    // The browser resends what it has not seen acknowledged: the stored message comes back.
    send(
        &mut c,
        json!({"type":"chat.send","conversation_id":x,"body":"before 4","client_msg_id":"m-4"}),
    )
    .await;
    assert_eq!(expect(&mut c, "chat.message").await["message"], sent[4]);
    send(
        &mut c,
        json!({"type":"chat.send","conversation_id":x,"body":"after","client_msg_id":"m-5"}),
    )
    .await;
    expect(&mut c, "chat.message").await;
    let bodies: Vec<String> =
        sqlx::query_scalar("SELECT body FROM chat_messages WHERE conversation_id = ? ORDER BY seq")
            .bind(&x)
            .fetch_all(&env.pool)
            .await
            .unwrap();
    assert_eq!(
        bodies,
        ["before 0", "before 1", "before 2", "before 3", "before 4", "after"]
    );
    a2.stop().await;
    env.cleanup().await;
}
