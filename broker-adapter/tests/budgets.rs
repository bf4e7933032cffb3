//! Budget alerts as readings arrive: stored once per client, month and
//! threshold, and published on the alerts topic for ws-hub.

mod common;

use common::*;
use iems_broker_adapter::AdapterConfig;
use iems_db::{statement, Backend};
use iems_messaging::Topic;
use iems_shared::consumption::Reading;
use iems_shared::domain::Role;
use iems_shared::sql::cost as sql;
use iems_shared::wire::AlertsTopicEvent;
use iems_shared::Energy;
use std::time::Duration;

/// A reading `minutes_ago` before now with the register at `kwh`.
fn recent(minutes_ago: i64, kwh: f64) -> Reading {
    Reading::new(
        chrono::Utc::now() - chrono::Duration::minutes(minutes_ago),
        Energy::from_kwh(kwh).unwrap(),
    )
}

/// A time zone in which the current month began more than a day ago (so
/// that readings of the last half hour fall into it), and the current UTC
/// month otherwise.
fn budget_tz() -> &'static str {
    use chrono::Datelike;
    let now = chrono::Utc::now();
    if now.day() == 1 {
        "Pacific/Kiritimati" // UTC+14: its month began 14 hours earlier
    } else {
        "UTC"
    }
}

#[tokio::test]
async fn a_money_budget_raises_each_alert_once_per_month() {
    let db = TestDb::new().await;
    let bus = amqp_bus("budget").await;
    let dialect = Backend::of_pool(&db.pool).dialect();
    let client = iems_db::testing::insert_user(&db.pool, "budgeted", Role::Client).await;
    let device: uuid::Uuid =
        iems_db::testing::insert_device(&db.pool, "heat pump", 1_000_000_000_000, Some(&client))
            .await
            .parse()
            .unwrap();
    let now_ms = chrono::Utc::now().timestamp_millis();
    let spec = r#"{"kind":"flat","currency":"EUR","tz":"UTC","price_per_kwh":"1.00"}"#;
    let tariff = uuid::Uuid::new_v4().to_string();
    statement(&sql::insert_tariff(&sql::NewTariff {
        id: &tariff,
        name: "Flat",
        currency: "EUR",
        kind: "flat",
        spec,
        created_at_ms: now_ms,
    }))
    .execute(&db.pool)
    .await
    .unwrap();
    let assignment = uuid::Uuid::new_v4().to_string();
    statement(&sql::insert_assignment(&sql::NewAssignment {
        id: &assignment,
        client_id: Some(&client),
        device_id: None,
        tariff_id: Some(&tariff),
        valid_from_ms: 0,
        created_at_ms: now_ms,
        created_by: None,
    }))
    .execute(&db.pool)
    .await
    .unwrap();
    // A budget of 50 EUR (micro-units).
    statement(&sql::upsert_budget(
        dialect,
        &client,
        "money",
        50_000_000,
        budget_tz(),
        now_ms,
        &client,
    ))
    .execute(&db.pool)
    .await
    .unwrap();

    let mut alerts = bus.subscribe(Topic::Alerts).await.unwrap();
    let config = AdapterConfig {
        budget_check_interval: Duration::from_millis(500),
        ..AdapterConfig::default()
    };
    let adapter = Running::start_with(bus.clone(), db.pool.clone(), config);
    // 3 kWh at 1 EUR: under the budget; the projection repeats this hour in
    // each remaining week of the month (at most 5), 18 EUR at most.
    let under = [recent(30, 100.0), recent(20, 101.5), recent(10, 103.0)];
    for r in &under {
        bus.publish_reading(&message(device, r))
            .await
            .unwrap()
            .wait()
            .await
            .unwrap();
    }
    wait_handled(&[&adapter], under.len() as u64).await;
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let budget_events = |event: &[u8]| match serde_json::from_slice(event).unwrap() {
        AlertsTopicEvent::Budget(b) => Some(b.budget_alert),
        AlertsTopicEvent::Limit(_) => None,
    };
    if let Ok(Some(event)) = tokio::time::timeout(Duration::from_millis(300), alerts.next()).await {
        panic!(
            "no alert while under the budget: {}",
            String::from_utf8_lossy(&event)
        );
    }

    // 57 more kWh: 60 EUR spent, over the budget, and so is the projection.
    let over = recent(5, 160.0);
    bus.publish_reading(&message(device, &over))
        .await
        .unwrap()
        .wait()
        .await
        .unwrap();
    let mut kinds = Vec::new();
    while kinds.len() < 2 {
        let event = tokio::time::timeout(Duration::from_secs(10), alerts.next())
            .await
            .expect("two budget alerts")
            .unwrap();
        if let Some(alert) = budget_events(&event) {
            assert_eq!(alert.client_id, client);
            assert_eq!(alert.client_name, "budgeted");
            assert_eq!(alert.budget.kind, "money");
            assert_eq!(alert.budget.amount, 50.0);
            assert_eq!(alert.currency.as_deref(), Some("EUR"));
            assert!((alert.spent - 60.0).abs() < 1e-6, "{alert:?}");
            assert!(alert.projected >= alert.spent, "{alert:?}");
            kinds.push(alert.kind);
        }
    }
    kinds.sort();
    assert_eq!(kinds, ["projected", "spent"]);

    // More readings in the same month raise nothing new.
    let more = recent(1, 161.0);
    bus.publish_reading(&message(device, &more))
        .await
        .unwrap()
        .wait()
        .await
        .unwrap();
    wait_handled(&[&adapter], under.len() as u64 + 2).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    if let Ok(Some(event)) = tokio::time::timeout(Duration::from_millis(300), alerts.next()).await {
        panic!(
            "each threshold once per month: {}",
            String::from_utf8_lossy(&event)
        );
    }
    adapter.stop().await;
    assert_eq!(db.count("SELECT COUNT(*) FROM budget_alerts").await, 2);
    bus.delete_topology().await.unwrap();
}

#[tokio::test]
async fn only_a_client_with_a_budget_gets_budget_alerts() {
    let db = TestDb::new().await;
    let bus = amqp_bus("nobudget").await;
    let dialect = Backend::of_pool(&db.pool).dialect();
    // Two clients with the same readings; only the second has a budget (1 kWh,
    // which needs no tariff), so the first's silence is not checks never run.
    let mut devices = Vec::new();
    let mut clients = Vec::new();
    for name in ["unbudgeted", "kwh-budgeted"] {
        let client = iems_db::testing::insert_user(&db.pool, name, Role::Client).await;
        let device: uuid::Uuid =
            iems_db::testing::insert_device(&db.pool, "meter", 1_000_000_000_000, Some(&client))
                .await
                .parse()
                .unwrap();
        clients.push(client);
        devices.push(device);
    }
    let now_ms = chrono::Utc::now().timestamp_millis();
    statement(&sql::upsert_budget(
        dialect,
        &clients[1],
        "kwh",
        1_000_000_000,
        budget_tz(),
        now_ms,
        &clients[1],
    ))
    .execute(&db.pool)
    .await
    .unwrap();
    let config = AdapterConfig {
        budget_check_interval: Duration::from_millis(100),
        ..AdapterConfig::default()
    };
    let adapter = Running::start_with(bus.clone(), db.pool.clone(), config);
    let readings = [recent(20, 1.0), recent(10, 500.0)];
    for device in &devices {
        for r in &readings {
            bus.publish_reading(&message(*device, r))
                .await
                .unwrap()
                .wait()
                .await
                .unwrap();
        }
    }
    wait_handled(&[&adapter], 2 * readings.len() as u64).await;
    let alerts_of = |client: String| {
        let pool = db.pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM budget_alerts WHERE client_id = ?")
                .bind(client)
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while alerts_of(clients[1].clone()).await < 2 && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    adapter.stop().await;
    assert_eq!(
        alerts_of(clients[1].clone()).await,
        2,
        "spent and projected"
    );
    assert_eq!(alerts_of(clients[0].clone()).await, 0);
    bus.delete_topology().await.unwrap();
}
