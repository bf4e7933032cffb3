//! Known defect, kept as a reproduction (ignored until fixed; docs/reliability.md):
//! on SQLite, a function's write right after the broker-adapter stored the
//! first reading of a new device can wait out the runtime's 5 s busy timeout
//! and answer 500 ("database is locked"); meanwhile the adapter's next
//! transaction stalls too. Run it with `cargo test -p iems --test
//! sqlite_contention -- --ignored`.

mod common;

use common::ingest::Adapter;
use common::world::world;
use serde_json::json;

#[tokio::test]
#[ignore = "known defect: SQLite lock contention between the runtime and the adapter"]
async fn a_function_write_right_after_the_adapter_stored_a_new_device_s_reading_succeeds() {
    let w = world().await;
    let api = &w.api;
    let admin = Some(w.admin.token.as_str());
    let adapter = Adapter::start(api, "contention").await;
    let bus = adapter.bus.clone();
    let now = chrono::Utc::now().timestamp();
    let mut failed = Vec::new();
    for i in 0..30 {
        let device = api
            .seed_device(&format!("meter {i}"), Some(&w.bob.id), 3.0)
            .await;
        let reading = json!({"device_id": device, "timestamp": now - 60, "measurement_value": 1.0});
        bus.publish_reading(reading.to_string().as_bytes())
            .await
            .unwrap()
            .wait()
            .await
            .unwrap();
        let rename = json!({ "name": format!("renamed {i}") });
        let reply = api
            .call(
                "PATCH",
                &format!("/api/devices/{device}"),
                admin,
                Some(&rename),
            )
            .await;
        if reply.status != 200 {
            failed.push((i, reply.status));
        }
    }
    bus.delete_topology().await.ok();
    assert!(
        failed.is_empty(),
        "writes that failed (iteration, status): {failed:?}"
    );
}
