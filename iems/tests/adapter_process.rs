//! `iems broker-adapter` as a real process: killed with SIGKILL mid-stream and
//! restarted it loses no reading and counts none twice; SIGTERM stops it cleanly.
//! On the database `IEMS_TEST_DATABASE` selects (SQLite by default, or MySQL).

mod common;

use iems_testkit::rabbitmq::{default_vhost_url, require_rabbitmq, unique};
use iems_testkit::{free_addrs, wait_for};

use iems_db::testing::TestDatabase;
use iems_db::Pool;
use iems_messaging::{Bus, BusConfig};
use iems_shared::consumption::{hourly_totals, Reading};
use iems_shared::Energy;
use std::collections::BTreeMap;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn adapter(db_url: &str, namespace: &str) -> Child {
    adapter_with(db_url, namespace, &[])
}

fn adapter_with(db_url: &str, namespace: &str, extra: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_iems"))
        .args([
            "broker-adapter",
            "--migrate",
            "--batch-size",
            "100",
            "--prefetch",
            "200",
        ])
        .args([
            "--database-url",
            db_url,
            "--amqp-url",
            &default_vhost_url(),
            "--namespace",
            namespace,
        ])
        .args(extra)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .expect("start iems broker-adapter")
}

async fn count(pool: &Pool) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM readings")
        .fetch_one(pool)
        .await
        .unwrap_or(0)
}

struct Setup {
    db: TestDatabase,
    pool: Pool,
    bus: Bus,
    device: uuid::Uuid,
    readings: Vec<Reading>,
}

async fn setup(prefix: &str, n: usize) -> Setup {
    require_rabbitmq();
    let db = TestDatabase::from_env().await;
    let pool = db.pool(2).await.unwrap();
    let device: uuid::Uuid = iems_db::testing::insert_device(&pool, "m", 1_000_000_000_000, None)
        .await
        .parse()
        .unwrap();
    let namespace = unique(prefix);
    let bus = Bus::connect(&BusConfig::amqp(default_vhost_url(), namespace))
        .await
        .unwrap();
    // Recent meter time, all of it past: the reading policy refuses readings
    // over a year old and readings dated ahead of now (12,000 readings span 84 days).
    let start = {
        use chrono::DurationRound;
        (chrono::Utc::now() - chrono::Duration::days(90))
            .duration_trunc(chrono::Duration::days(1))
            .unwrap()
    };
    let readings = (0..n)
        .map(|i| {
            Reading::new(
                start + chrono::Duration::minutes(10 * i as i64),
                Energy::from_uwh(i as i64 * 123_456_789),
            )
        })
        .collect();
    Setup {
        db,
        pool,
        bus,
        device,
        readings,
    }
}

async fn publish(s: &Setup) {
    let mut confirms = Vec::new();
    for r in &s.readings {
        let body = serde_json::json!({"device_id": s.device, "timestamp": r.at_ms(), "measurement_value": r.register.kwh()});
        confirms.push(
            s.bus
                .publish_reading(body.to_string().as_bytes())
                .await
                .unwrap(),
        );
    }
    for c in confirms {
        c.wait().await.unwrap();
    }
}

async fn stored_totals(s: &Setup) -> BTreeMap<i64, i64> {
    sqlx::query_as::<_, (i64, i64)>(
        "SELECT hour_start, energy_uwh FROM hourly_consumption WHERE energy_uwh <> 0",
    )
    .fetch_all(&s.pool)
    .await
    .unwrap()
    .into_iter()
    .collect()
}

fn expected(s: &Setup) -> BTreeMap<i64, i64> {
    hourly_totals(&s.readings)
        .unwrap()
        .into_iter()
        .map(|(h, e)| (h.timestamp_millis(), e.uwh()))
        .collect()
}

#[tokio::test]
async fn sigkill_mid_stream_then_restart_loses_nothing_and_counts_nothing_twice() {
    let s = setup("kill", 12000).await;
    publish(&s).await;
    let mut first = adapter(s.db.url(), s.bus.names().namespace());
    wait_for("the first readings", 60, async || {
        count(&s.pool).await >= 300
    })
    .await;
    first.kill().unwrap(); // SIGKILL: no chance to finish the batch
    first.wait().unwrap();
    let at_kill = count(&s.pool).await;
    assert!(at_kill < 12000, "killed mid-stream ({at_kill} stored)");

    let mut second = adapter(s.db.url(), s.bus.names().namespace());
    wait_for("every reading", 120, async || count(&s.pool).await == 12000).await;
    wait_for("an empty queue", 30, async || {
        s.bus.pending_readings().await.unwrap_or(1) == 0
    })
    .await;
    second.kill().unwrap();
    second.wait().unwrap();
    assert_eq!(stored_totals(&s).await, expected(&s));
    s.bus.delete_topology().await.unwrap();
}

#[tokio::test]
async fn sigterm_finishes_the_batch_and_exits() {
    let s = setup("term", 2000).await;
    let mut child = adapter(s.db.url(), s.bus.names().namespace());
    // Wait until it consumes (the topology exists already, so readings wait in the queue).
    tokio::time::sleep(Duration::from_millis(800)).await;
    publish(&s).await;
    wait_for("the first readings", 60, async || {
        count(&s.pool).await >= 100
    })
    .await;
    let pid = child.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    let deadline = Instant::now() + Duration::from_secs(15);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "still running 15 s after SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(status.success(), "exit status {status}");
    // Whatever it stored is consistent; a restart finishes the rest exactly.
    let mut again = adapter(s.db.url(), s.bus.names().namespace());
    wait_for("every reading", 120, async || count(&s.pool).await == 2000).await;
    again.kill().unwrap();
    again.wait().unwrap();
    assert_eq!(stored_totals(&s).await, expected(&s));
    s.bus.delete_topology().await.unwrap();
}

/// `--listen` serves `/healthz` and Prometheus `/metrics`, whose counters match
/// what the adapter stored.
#[tokio::test]
async fn health_and_metrics_report_what_was_stored() {
    let s = setup("ops", 500).await;
    let listen = free_addrs(1).remove(0);
    let mut child = adapter_with(
        s.db.url(),
        s.bus.names().namespace(),
        &["--listen", &listen],
    );
    publish(&s).await;
    wait_for("every reading", 120, async || count(&s.pool).await == 500).await;
    let http = reqwest::Client::new();
    let health = http
        .get(format!("http://{listen}/healthz"))
        .send()
        .await
        .expect("/healthz answers");
    assert_eq!(health.status(), 200);
    let metrics = http
        .get(format!("http://{listen}/metrics"))
        .send()
        .await
        .expect("/metrics answers");
    assert_eq!(metrics.status(), 200);
    let text = metrics.text().await.unwrap();
    assert!(
        text.contains("# TYPE iems_adapter_readings_stored counter"),
        "{text}"
    );
    assert!(
        text.contains("iems_adapter_readings_stored_total 500"),
        "{text}"
    );
    assert!(text.contains("iems_adapter_batches_total "), "{text}");
    let last_batch: u64 = text
        .lines()
        .find_map(|l| l.strip_prefix("iems_adapter_last_batch_size "))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no last batch size in {text}"));
    assert!(
        (1..=100).contains(&last_batch),
        "batches of at most --batch-size 100: {last_batch}"
    );
    assert!(
        text.contains("# TYPE iems_adapter_queue_depth gauge"),
        "{text}"
    );
    child.kill().unwrap();
    child.wait().unwrap();
    s.bus.delete_topology().await.unwrap();
}
