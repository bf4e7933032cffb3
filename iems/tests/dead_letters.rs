//! `iems dead-letters list|replay` as a second process, in both deployments:
//! the embedded one (the in-process bus keeping its dead letters in the
//! database, SQLite or MariaDB per `IEMS_TEST_DATABASE`, and the replay task of
//! `iems up` re-publishing what the command marked) and RabbitMQ's queue.

use iems::dead_letters::store::{replay_requested, DbStore};
use iems_db::testing::TestDatabase;
use iems_messaging::{Bus, InProcessConfig};
use std::sync::Arc;
use std::time::Duration;
use tokio::time::timeout;

/// Three letters: two of an unknown device, one malformed.
const LETTERS: [(&[u8], &str); 3] = [
    (
        br#"{"device_id":"3fa85f64-5717-4562-b3fc-2c963f66afa6","timestamp":1767225600000,"measurement_value":1.5}"#,
        "unknown_device: 3fa85f64-5717-4562-b3fc-2c963f66afa6",
    ),
    (b"{not json", "malformed: expected a JSON object"),
    (
        br#"{"device_id":"3fa85f64-5717-4562-b3fc-2c963f66afa6","timestamp":"2026-01-01T00:10:00Z","measurement_value":1.6}"#,
        "unknown_device: 3fa85f64-5717-4562-b3fc-2c963f66afa6",
    ),
];

/// Runs `iems <args>`; returns stdout, failing with stderr when it fails.
fn iems(args: &[&str]) -> String {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_iems"))
        .args(args)
        .env_remove("IEMS_AMQP_URL")
        .env_remove("IEMS_DATABASE_URL")
        .env("RUST_LOG", "warn")
        .output()
        .expect("iems runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "iems {args:?} failed: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

async fn dead_letter_all(bus: &Bus) {
    for (payload, reason) in LETTERS {
        bus.publish_dead_letter(payload, reason).await.unwrap();
    }
}

/// What both deployments list: counts per reason and each letter's device and time.
fn assert_lists_all(out: &str) {
    assert!(out.starts_with("3 dead letter(s) in "), "{out}");
    assert!(
        out.contains("  unknown_device  2\n  malformed       1\n"),
        "{out}"
    );
    assert!(
        out.contains(
            "2026-01-01T00:00:00Z  3fa85f64-5717-4562-b3fc-2c963f66afa6  unknown_device: 3fa85f64"
        ),
        "{out}"
    );
    assert!(out.contains("2026-01-01T00:10:00Z"), "{out}");
    assert!(out.contains("malformed: expected a JSON object"), "{out}");
    assert!(out.contains("shown 1-3 of 3\n"), "{out}");
}

// Multi-threaded: the replay task runs while the test waits for the command.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embedded_dead_letters_are_listed_and_replayed_from_another_process() {
    let db = TestDatabase::from_env().await;
    let pool = db.pool(4).await.unwrap();
    let store = Arc::new(DbStore::new(pool.clone(), 1000));
    let bus = Bus::in_process_with(InProcessConfig {
        dead_letter_store: Some(store),
        ..InProcessConfig::default()
    });
    dead_letter_all(&bus).await;
    assert!(
        bus.take_dead_letters().await.unwrap().is_empty(),
        "in the database, not in memory"
    );
    let url = db.url().to_owned();

    let listed = iems(&["dead-letters", "list", "--database-url", &url]);
    assert_lists_all(&listed);
    let page = iems(&[
        "dead-letters",
        "list",
        "--database-url",
        &url,
        "--reason",
        "unknown_device",
        "--limit",
        "1",
    ]);
    assert!(
        page.contains("shown 1-1 of 2 with reason unknown_device\nnext page: --skip 1\n"),
        "{page}"
    );
    assert_eq!(
        listed,
        iems(&["dead-letters", "list", "--database-url", &url]),
        "listing removes nothing"
    );

    // `iems up`'s replay task, and a consumer standing in for the adapter.
    let mut consumer = bus.consume_readings(10).await.unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let replayer = tokio::spawn(replay_requested(bus.clone(), pool.clone(), async {
        let _ = stopped.await;
    }));
    let replayed = iems(&[
        "dead-letters",
        "replay",
        "--database-url",
        &url,
        "--reason",
        "unknown_device",
        "--wait",
        "20",
    ]);
    assert!(
        replayed.contains("marked 2 dead letter(s) for replay"),
        "{replayed}"
    );
    assert!(replayed.contains("replayed 2 dead letter(s)"), "{replayed}");
    let mut back = Vec::new();
    for _ in 0..2 {
        let d = timeout(Duration::from_secs(10), consumer.next())
            .await
            .unwrap()
            .unwrap();
        back.push(d.payload().to_vec());
        d.ack().await.unwrap();
    }
    assert_eq!(back, vec![LETTERS[0].0.to_vec(), LETTERS[2].0.to_vec()]);
    let left = iems(&["dead-letters", "list", "--database-url", &url]);
    assert!(left.starts_with("1 dead letter(s)"), "{left}");
    assert!(left.contains("malformed: expected a JSON object"), "{left}");
    let nothing = iems(&[
        "dead-letters",
        "replay",
        "--database-url",
        &url,
        "--reason",
        "unknown_device",
    ]);
    assert!(nothing.contains("no dead letters to replay"), "{nothing}");
    let _ = stop.send(());
    replayer.await.unwrap();
    pool.close().await;
}

#[tokio::test]
async fn replay_marked_while_nothing_runs_waits_for_the_next_start() {
    let db = TestDatabase::from_env().await;
    let pool = db.pool(2).await.unwrap();
    let bus = Bus::in_process_with(InProcessConfig {
        dead_letter_store: Some(Arc::new(DbStore::new(pool.clone(), 1000))),
        ..InProcessConfig::default()
    });
    dead_letter_all(&bus).await;
    let out = iems(&[
        "dead-letters",
        "replay",
        "--database-url",
        db.url(),
        "--wait",
        "1",
    ]);
    assert!(out.contains("0 of 3 re-published so far"), "{out}");
    // The next `iems up`: a new bus, whose replay task finds the marked rows at once.
    let next = Bus::in_process();
    let mut consumer = next.consume_readings(10).await.unwrap();
    let n = iems::dead_letters::store::replay_batch(&next, &pool)
        .await
        .unwrap();
    assert_eq!(n, 3);
    for (payload, _) in LETTERS {
        let d = timeout(Duration::from_secs(5), consumer.next())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(d.payload(), payload);
    }
    pool.close().await;
}

#[tokio::test]
async fn the_table_is_bounded_oldest_dropped() {
    let db = TestDatabase::from_env().await;
    let pool = db.pool(2).await.unwrap();
    let store = Arc::new(DbStore::new(pool.clone(), 2));
    let bus = Bus::in_process_with(InProcessConfig {
        dead_letter_store: Some(store.clone()),
        ..InProcessConfig::default()
    });
    dead_letter_all(&bus).await;
    assert_eq!(store.dropped(), 1);
    let out = iems(&["dead-letters", "list", "--database-url", db.url()]);
    assert!(out.starts_with("2 dead letter(s)"), "{out}");
    assert!(
        out.contains("  malformed       1\n  unknown_device  1\n"),
        "{out}"
    );
    pool.close().await;
}

#[test]
fn a_missing_database_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_iems"))
        .args(["dead-letters", "list", "--data"])
        .arg(dir.path())
        .env_remove("IEMS_AMQP_URL")
        .env_remove("IEMS_DATABASE_URL")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no database at") && err.contains("start `iems up` first"),
        "{err}"
    );
}

#[tokio::test]
async fn rabbitmq_dead_letters_are_listed_without_loss_and_replayed_by_reason() {
    iems_testkit::rabbitmq::require_rabbitmq();
    let url = iems_testkit::rabbitmq::default_vhost_url();
    let namespace = iems_testkit::rabbitmq::unique("dl-cli");
    let bus = Bus::connect(&iems_messaging::BusConfig::amqp(
        url.clone(),
        namespace.clone(),
    ))
    .await
    .unwrap();
    dead_letter_all(&bus).await;
    let amqp = [
        "--amqp-url",
        url.as_str(),
        "--amqp-namespace",
        namespace.as_str(),
    ];
    let list = |extra: &[&str]| iems(&[&["dead-letters", "list"], &amqp[..], extra].concat());
    let listed = list(&[]);
    assert_lists_all(&listed);
    assert!(
        listed.contains(&format!("RabbitMQ queue {namespace}.readings.dead-letter")),
        "{listed}"
    );
    assert!(
        !listed.contains("guest:guest"),
        "no password shown: {listed}"
    );
    assert_eq!(listed, list(&[]), "listing removes nothing");

    let mut consumer = bus.consume_readings(10).await.unwrap();
    let replayed = iems(
        &[
            &["dead-letters", "replay"],
            &amqp[..],
            &["--reason", "unknown_device"],
        ]
        .concat(),
    );
    assert!(replayed.contains("replayed 2 dead letter(s)"), "{replayed}");
    assert!(replayed.contains("1 left in"), "{replayed}");
    let mut back = Vec::new();
    for _ in 0..2 {
        let d = timeout(Duration::from_secs(10), consumer.next())
            .await
            .unwrap()
            .unwrap();
        back.push(d.payload().to_vec());
        d.ack().await.unwrap();
    }
    back.sort();
    let mut want = vec![LETTERS[0].0.to_vec(), LETTERS[2].0.to_vec()];
    want.sort();
    assert_eq!(back, want);
    let left = list(&[]);
    assert!(left.starts_with("1 dead letter(s)"), "{left}");
    assert!(left.contains("malformed: expected a JSON object"), "{left}");
    drop(consumer);
    bus.delete_topology().await.unwrap();
}
