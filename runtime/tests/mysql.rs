//! Spin's MySQL interface (`fermyon:spin/mysql@2.0.0`, `spin_sdk::mysql`)
//! through the probe component, on the server at `IEMS_TEST_MYSQL_URL`
//! (default `mysql://root@127.0.0.1:3306`, the MariaDB `scripts/test` starts),
//! each test in a database `iems_rt_<random>` of its own.

mod common;

use std::time::Duration;

use iems_db::testing::TestDatabase;
use iems_db::Backend;
use serde_json::{json, Value};
use sqlx::Connection;

/// A throwaway database (`iems_db::testing`), dropped with the value.
struct TestDb {
    db: TestDatabase,
    server: String,
    name: String,
}

impl TestDb {
    async fn create() -> Self {
        let db = TestDatabase::create_empty(Backend::Mysql).await;
        let name = db.mysql_name().expect("a MySQL database").to_owned();
        Self {
            db,
            server: iems_db::testing::mysql_server_url(),
            name,
        }
    }

    /// The address a guest opens.
    fn address(&self) -> String {
        self.db.url().to_owned()
    }

    /// `host:port` of the server, for `allowed_outbound_hosts`.
    fn host(&self) -> String {
        self.db.mysql_host().expect("a MySQL database")
    }

    /// A connection of the test's own, beside the runtime's.
    async fn connect(&self) -> sqlx::MySqlConnection {
        sqlx::MySqlConnection::connect(&self.address())
            .await
            .expect("connect to the test database")
    }
}

async fn start(db: &TestDb, connections: u32) -> common::TestApp {
    let host = db.host();
    common::start(move |o| {
        o.variables.insert("mysql_host".into(), host);
        o.limits.mysql_max_connections = connections;
    })
    .await
}

/// Runs a probe script on one connection to `address`; the raw reply.
async fn run(app: &common::TestApp, address: &str, steps: Value) -> common::Reply {
    common::send(
        app.addr,
        "POST",
        "/probe/mysql",
        &[("x-probe-op", "mysql"), ("x-probe-arg", address)],
        steps.to_string(),
    )
    .await
}

/// Runs a probe script that must complete; the JSON answer.
async fn script(app: &common::TestApp, address: &str, steps: Value) -> Value {
    let reply = run(app, address, steps).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    serde_json::from_slice(&reply.body).expect("JSON answer")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mysql_values_and_types_round_trip() {
    let db = TestDb::create().await;
    let app = start(&db, 4).await;
    let answer = script(
        &app,
        &db.address(),
        json!([
            {"execute": "CREATE TABLE reading (id BIGINT PRIMARY KEY AUTO_INCREMENT, \
                device VARCHAR(40), note TEXT, code CHAR(3), raw VARBINARY(16), \
                kwh DOUBLE, hour INT, micro_wh BIGINT UNSIGNED, price DECIMAL(10,2))"},
            {"execute": "INSERT INTO reading (device, note, code, raw, kwh, hour, micro_wh, price) \
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
             "params": [{"str": "meter-1"}, {"str": "ünïcode"}, {"str": "abc"},
                        {"binary": [0, 1, 255]}, {"floating64": 1.5}, {"int32": 7},
                        {"uint64": 18_000_000_000_000_000_000u64}, {"str": "2.50"}]},
            {"execute": "INSERT INTO reading (device) VALUES (?)", "params": [null]},
            {"query": "SELECT id, device, note, code, raw, kwh, hour, micro_wh FROM reading ORDER BY id"},
            {"query": "SELECT id, device FROM reading WHERE id < ?", "params": [{"int64": 0}]},
            {"query": "SELECT price FROM reading ORDER BY id"},
            {"query": "SELECT price FROM reading WHERE price IS NULL"},
            {"query": "SELECT CAST(1.5 AS DECIMAL(4,2)) AS d"},
            {"query": "SELECT * FROM no_such_table"},
            {"execute": "INSERT INTO reading (id) VALUES (?)", "params": [{"int64": 1}]},
        ]),
    )
    .await;
    let steps = &answer["steps"];
    assert_eq!(steps[0], "ok", "{answer}");
    assert_eq!(steps[1], "ok", "{answer}");
    assert_eq!(steps[2], "ok", "{answer}");
    assert_eq!(
        steps[3]["columns"],
        json!([
            ["id", "int64"],
            ["device", "str"],
            ["note", "str"],
            ["code", "str"],
            ["raw", "binary"],
            ["kwh", "floating64"],
            ["hour", "int32"],
            ["micro_wh", "uint64"]
        ]),
        "{answer}"
    );
    assert_eq!(
        steps[3]["rows"],
        json!([
            [{"int64": 1}, {"str": "meter-1"}, {"str": "ünïcode"}, {"str": "abc"},
             {"binary": [0, 1, 255]}, {"floating64": 1.5}, {"int32": 7},
             {"uint64": 18_000_000_000_000_000_000u64}],
            [{"int64": 2}, null, null, null, null, null, null, null],
        ]),
        "{answer}"
    );
    // No rows: the columns are still described.
    assert_eq!(
        steps[4],
        json!({"columns": [["id", "int64"], ["device", "str"]], "rows": []})
    );
    // DECIMAL is `other`: a value cannot be converted, NULL can.
    assert_eq!(steps[5]["error"], "value-conversion-failed", "{answer}");
    assert_eq!(
        steps[6],
        json!({"columns": [["price", "other"]], "rows": [[null]]})
    );
    assert_eq!(steps[7]["error"], "value-conversion-failed", "{answer}");
    assert_eq!(steps[8]["error"], "query-failed", "{answer}");
    assert_eq!(steps[9]["error"], "query-failed", "{answer}");
    assert!(
        steps[9]["message"].as_str().unwrap().contains("Duplicate"),
        "{answer}"
    );
    // A database that does not exist on an allowed server: connection-failed.
    let missing = format!("{}/{}_missing", db.server, db.name);
    let answer = script(&app, &missing, json!([])).await;
    assert_eq!(answer["open"]["error"], "connection-failed", "{answer}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mysql_refuses_addresses_not_allowed_before_connecting() {
    let db = TestDb::create().await;
    let app = start(&db, 4).await;
    // A server that would accept the connection, on a port the component may not use.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    for (address, shown) in [
        (
            format!("mysql://root@127.0.0.1:{port}/{}", db.name),
            format!("mysql://root@127.0.0.1:{port}/{}", db.name),
        ),
        (
            format!("mysql://root@localhost:{port}/{}", db.name),
            format!("mysql://root@localhost:{port}/{}", db.name),
        ),
        // The message keeps the password out (the guest may log it).
        (
            format!("mysql://root:s3cret@localhost:{port}/{}", db.name),
            format!("mysql://root:***@localhost:{port}/{}", db.name),
        ),
    ] {
        let answer = script(&app, &address, json!([])).await;
        assert_eq!(
            answer["open"],
            json!({
                "error": "connection-failed",
                "message": format!("address {shown} is not permitted"),
            })
        );
    }
    let accepted = tokio::time::timeout(Duration::from_millis(300), listener.accept()).await;
    assert!(
        accepted.is_err(),
        "the runtime connected to a refused address"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mysql_transaction_spans_calls() {
    let db = TestDb::create().await;
    let app = start(&db, 4).await;
    let count = json!({"query": "SELECT COUNT(*) AS n FROM alert"});
    let answer = script(
        &app,
        &db.address(),
        json!([
            {"execute": "CREATE TABLE alert (device_id BIGINT PRIMARY KEY) ENGINE=InnoDB"},
            {"execute": "START TRANSACTION"},
            {"execute": "INSERT INTO alert VALUES (?)", "params": [{"int64": 1}]},
            count,
            {"execute": "ROLLBACK"},
            count,
            {"execute": "BEGIN"},
            {"execute": "INSERT INTO alert VALUES (?)", "params": [{"int64": 2}]},
            {"execute": "COMMIT"},
            count,
        ]),
    )
    .await;
    let steps = answer["steps"].as_array().unwrap();
    let n = |i: usize| steps[i]["rows"][0][0]["int64"].clone();
    assert_eq!(
        (n(3), n(5), n(9)),
        (json!(1), json!(0), json!(1)),
        "{answer}"
    );
    let mut own = db.connect().await;
    let ids: Vec<i64> = sqlx::query_scalar("SELECT device_id FROM alert")
        .fetch_all(&mut own)
        .await
        .unwrap();
    assert_eq!(ids, [2]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mysql_open_transaction_does_not_leak_to_the_next_request() {
    let db = TestDb::create().await;
    // One connection: every request gets the same pool slot.
    let app = start(&db, 1).await;
    let address = db.address();
    let id_and_count = json!([
        {"query": "SELECT CONNECTION_ID() AS id"},
        {"query": "SELECT COUNT(*) AS n FROM alert"},
        {"query": "SELECT @probe AS probe"},
    ]);
    let state = |answer: &Value| {
        let steps = &answer["steps"];
        (
            steps[0]["rows"][0][0].clone(),
            steps[1]["rows"][0][0]["int64"].clone(),
            steps[2]["rows"][0][0].clone(),
        )
    };
    script(
        &app,
        &address,
        json!([{"execute": "CREATE TABLE alert (device_id BIGINT PRIMARY KEY)"}]),
    )
    .await;
    let (first, _, _) = state(&script(&app, &address, id_and_count.clone()).await);
    let (again, count, _) = state(&script(&app, &address, id_and_count.clone()).await);
    assert_eq!(first, again, "a clean connection goes back to the pool");
    assert_eq!(count, json!(0));
    // A statement that fails leaves the connection clean too.
    let failed = script(&app, &address, json!([{"query": "SELECT * FROM missing"}])).await;
    assert_eq!(failed["steps"][0]["error"], "query-failed");
    let (still, _, _) = state(&script(&app, &address, id_and_count.clone()).await);
    assert_eq!(
        still, again,
        "a failed statement does not close the connection"
    );

    // The guest drops its connection in the middle of a transaction.
    let left_open = script(
        &app,
        &address,
        json!([
            {"execute": "START TRANSACTION"},
            {"execute": "INSERT INTO alert VALUES (?)", "params": [{"int64": 1}]},
            {"execute": "SET @probe = 1"},
        ]),
    )
    .await;
    assert_eq!(left_open["steps"], json!(["ok", "ok", "ok"]));
    let (after_drop, count, probe) = state(&script(&app, &address, id_and_count.clone()).await);
    assert_eq!((count, probe), (json!(0), Value::Null), "nothing leaked");
    assert_ne!(after_drop, again, "the connection was closed, not pooled");

    // The instance traps in the middle of a transaction.
    let trapped = run(
        &app,
        &address,
        json!([
            {"execute": "BEGIN"},
            {"execute": "INSERT INTO alert VALUES (?)", "params": [{"int64": 2}]},
            {"trap": true},
        ]),
    )
    .await;
    assert_eq!(trapped.status, 500);
    let (after_trap, count, _) = state(&script(&app, &address, id_and_count).await);
    assert_eq!(count, json!(0), "nothing leaked");
    assert_ne!(
        after_trap, after_drop,
        "the connection was closed, not pooled"
    );
    let mut own = db.connect().await;
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM alert")
        .fetch_one(&mut own)
        .await
        .unwrap();
    assert_eq!(rows, 0, "nothing was committed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mysql_request_timeout_mid_statement_closes_the_connection() {
    let db = TestDb::create().await;
    let host = db.host();
    let app = common::start(move |o| {
        o.variables.insert("mysql_host".into(), host);
        o.limits.mysql_max_connections = 1;
        o.limits.request_timeout = Duration::from_millis(500);
    })
    .await;
    let address = db.address();
    let id = json!([{"query": "SELECT CONNECTION_ID() AS id"}]);
    let before = script(&app, &address, id.clone()).await["steps"][0]["rows"][0][0].clone();
    let slow = run(&app, &address, json!([{"query": "SELECT SLEEP(5)"}])).await;
    assert_eq!(slow.status, 500, "{}", slow.text());
    let started = std::time::Instant::now();
    let after = script(&app, &address, id).await["steps"][0]["rows"][0][0].clone();
    assert_ne!(
        after, before,
        "the interrupted connection was closed, not pooled"
    );
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "waited for the old statement"
    );
}
