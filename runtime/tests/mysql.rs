//! Spin's MySQL interfaces, `fermyon:spin/mysql@2.0.0` (spin-sdk 5's
//! `spin_sdk::mysql`, through the probe component) and
//! `spin:mysql/mysql@3.0.0` (spin-sdk 7's, through `rt-mysql3`), on the server
//! at `IEMS_TEST_MYSQL_URL`
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
    start_manifest(db, connections, "spin.toml").await
}

async fn start_manifest(db: &TestDb, connections: u32, manifest: &str) -> common::TestApp {
    start_allowing(db.host(), connections, manifest).await
}

/// `manifest` with `mysql_host` (the address its components may open) `host`.
async fn start_allowing(host: String, connections: u32, manifest: &str) -> common::TestApp {
    common::start_manifest(manifest, move |o| {
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

// Spin 4's `spin:mysql/mysql@3.0.0` (spin-sdk 7's `spin_sdk::mysql`), through
// the `rt-mysql3` component: async imports, rows streamed. Its script runs in
// the component's async export `run` (a wasi:http 0.2 handler may not wait
// for an async import; see the last test).

// Only with the runtime's `spin-mysql3` feature.
#[cfg(feature = "spin-mysql3")]
mod v3 {
    use super::*;

    /// The fixture with the `mysql3` component (spin:mysql/mysql@3.0.0).
    async fn start3(db: &TestDb, connections: u32) -> common::TestApp {
        start_manifest(db, connections, "spin-mysql3.toml").await
    }

    /// Runs an `rt-mysql3` script on one connection to `address`: the JSON
    /// answer, or the failure (a trap, the request timeout) as text.
    async fn run3(app: &common::TestApp, address: &str, steps: Value) -> Result<Value, String> {
        let answer = iems_runtime::testing::call_async_export(
            &app.app,
            "mysql3",
            "run",
            (address.to_owned(), steps.to_string()),
        )
        .await?;
        Ok(serde_json::from_str(&answer).expect("JSON answer"))
    }

    /// Runs an `rt-mysql3` script that must complete; the JSON answer.
    async fn script3(app: &common::TestApp, address: &str, steps: Value) -> Value {
        run3(app, address, steps).await.expect("the script runs")
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn mysql3_values_types_and_errors() {
        let db = TestDb::create().await;
        let app = start3(&db, 4).await;
        let answer = script3(
            &app,
            &db.address(),
            json!([
                {"execute": "CREATE TABLE reading (id BIGINT PRIMARY KEY AUTO_INCREMENT, \
                    device VARCHAR(40), note TEXT, raw VARBINARY(16), kwh DOUBLE, hour INT, \
                    phase TINYINT, flags SMALLINT UNSIGNED, micro_wh BIGINT UNSIGNED, price DECIMAL(10,2))"},
                {"execute": "INSERT INTO reading (device, note, raw, kwh, hour, phase, flags, micro_wh, price) \
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                 "params": [{"str": "meter-1"}, {"str": "ünïcode"}, {"binary": [0, 1, 255]},
                            {"floating64": 1.5}, {"int32": -7}, {"int8": 3}, {"uint16": 65535},
                            {"uint64": 18_000_000_000_000_000_000u64}, {"str": "2.50"}]},
                {"execute": "INSERT INTO reading (device) VALUES (?)", "params": [null]},
                {"query": "SELECT id, device, note, raw, kwh, hour, phase, flags, micro_wh \
                    FROM reading ORDER BY id"},
                {"query": "SELECT id, device FROM reading WHERE hour = ? AND device = ?",
                 "params": [{"int64": -7}, {"str": "meter-1"}]},
                {"query": "SELECT id, device FROM reading WHERE id < ?", "params": [{"int64": 0}]},
                {"query": "SELECT id, price FROM reading ORDER BY id DESC"},
                {"query": "SELECT * FROM no_such_table"},
                {"query": "SELEC 1"},
                {"execute": "INSERT INTO reading (id) VALUES (?)", "params": [{"int64": 1}]},
                {"execute": "UPDATE reading SET hour = ? WHERE device IS NULL", "params": [{"int32": 9}]},
                {"query": "SELECT hour FROM reading WHERE device IS NULL"},
            ]),
        )
        .await;
        let steps = &answer["steps"];
        assert_eq!(steps[0], "ok", "{answer}");
        assert_eq!(steps[1], "ok", "{answer}");
        assert_eq!(steps[2], "ok", "{answer}");
        assert_eq!(
            steps[3],
            json!({
                "columns": [["id", "int64"], ["device", "str"], ["note", "str"], ["raw", "binary"],
                            ["kwh", "floating64"], ["hour", "int32"], ["phase", "int8"],
                            ["flags", "uint16"], ["micro_wh", "uint64"]],
                "rows": [
                    [{"int64": 1}, {"str": "meter-1"}, {"str": "ünïcode"}, {"binary": [0, 1, 255]},
                     {"floating64": 1.5}, {"int32": -7}, {"int8": 3}, {"uint16": 65535},
                     {"uint64": 18_000_000_000_000_000_000u64}],
                    [{"int64": 2}, null, null, null, null, null, null, null, null],
                ],
                "result": "ok",
            }),
            "{answer}"
        );
        assert_eq!(
            steps[4],
            json!({"columns": [["id", "int64"], ["device", "str"]],
                   "rows": [[{"int64": 1}, {"str": "meter-1"}]], "result": "ok"}),
        );
        // No rows: the columns are still described.
        assert_eq!(
            steps[5],
            json!({"columns": [["id", "int64"], ["device", "str"]], "rows": [], "result": "ok"})
        );
        // DECIMAL is `other`: NULL converts, a value does not. The rows before it
        // arrive; the error is the query's outcome (its future), not the call's.
        assert_eq!(
            steps[6]["columns"],
            json!([["id", "int64"], ["price", "other"]])
        );
        assert_eq!(steps[6]["rows"], json!([[{"int64": 2}, null]]), "{answer}");
        assert_eq!(
            steps[6]["result"]["error"], "value-conversion-failed",
            "{answer}"
        );
        // A statement the server refuses fails the call itself.
        assert_eq!(steps[7]["error"], "query-failed", "{answer}");
        assert!(
            steps[7]["message"]
                .as_str()
                .unwrap()
                .contains("no_such_table"),
            "{answer}"
        );
        assert_eq!(steps[8]["error"], "query-failed", "{answer}");
        assert_eq!(steps[9]["error"], "query-failed", "{answer}");
        assert!(
            steps[9]["message"].as_str().unwrap().contains("Duplicate"),
            "{answer}"
        );
        assert_eq!(steps[10], "ok", "{answer}");
        assert_eq!(steps[11]["rows"], json!([[{"int32": 9}]]), "{answer}");

        // A database that does not exist on an allowed server: connection-failed.
        let missing = format!("{}/{}_missing", db.server, db.name);
        let answer = script3(&app, &missing, json!([])).await;
        assert_eq!(answer["open"]["error"], "connection-failed", "{answer}");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn mysql3_refuses_addresses_not_allowed_before_connecting() {
        let db = TestDb::create().await;
        let app = start3(&db, 4).await;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        for (address, shown) in [
            (
                format!("mysql://root@127.0.0.1:{port}/{}", db.name),
                format!("mysql://root@127.0.0.1:{port}/{}", db.name),
            ),
            // The message keeps the password out (the guest may log it).
            (
                format!("mysql://root:s3cret@localhost:{port}/{}", db.name),
                format!("mysql://root:***@localhost:{port}/{}", db.name),
            ),
        ] {
            let answer = script3(&app, &address, json!([])).await;
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
    async fn mysql3_streams_many_rows() {
        const ROWS: i64 = 5_000;
        let db = TestDb::create().await;
        // One connection: every request gets the same pool slot.
        let app = start3(&db, 1).await;
        let address = db.address();
        {
            let mut own = db.connect().await;
            sqlx::query("CREATE TABLE sample (id BIGINT PRIMARY KEY, label VARCHAR(20), pad TEXT)")
                .execute(&mut own)
                .await
                .unwrap();
            // 5,000 rows of about 1 KiB: some 5 MB, many batches.
            for chunk in (1..=ROWS).collect::<Vec<_>>().chunks(500) {
                let values: Vec<String> = chunk
                    .iter()
                    .map(|n| format!("({n}, 'row-{n}', REPEAT('x', 1000))"))
                    .collect();
                sqlx::query(&format!("INSERT INTO sample VALUES {}", values.join(",")))
                    .execute(&mut own)
                    .await
                    .unwrap();
            }
        }
        let started = std::time::Instant::now();
        let answer = script3(
            &app,
            &address,
            json!([
                {"query": "SELECT id, label, LENGTH(pad) AS pad FROM sample ORDER BY id", "summary": true},
                {"query": "SELECT id, pad FROM sample ORDER BY id", "summary": true},
                {"query": "SELECT CONNECTION_ID() AS id"},
            ]),
        )
        .await;
        let elapsed = started.elapsed();
        let steps = &answer["steps"];
        assert_eq!(
            steps[0],
            json!({
                "columns": [["id", "int64"], ["label", "str"], ["pad", "int32"]],
                "count": ROWS, "sum": ROWS * (ROWS + 1) / 2,
                "first": [{"int64": 1}, {"str": "row-1"}, {"int32": 1000}],
                "last": [{"int64": ROWS}, {"str": format!("row-{ROWS}")}, {"int32": 1000}],
                "result": "ok",
            }),
        );
        assert_eq!(steps[1]["count"], ROWS, "{}", steps[1]);
        assert_eq!(steps[1]["result"], "ok");
        let pad = &steps[1]["last"][1]["str"];
        assert_eq!(pad.as_str().map(str::len), Some(1000));
        eprintln!("two queries of {ROWS} rows streamed in {elapsed:?}");
    }

    /// A TCP proxy to the test's MySQL server that stops half-way through
    /// every packet from the server larger than `STALL_ABOVE` bytes for
    /// `STALL`: the runtime's reader is then caught between a packet's header
    /// and its payload, where sqlx's reads are not cancel-safe. Its address.
    async fn stalling_proxy(upstream: String) -> std::net::SocketAddr {
        use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
        const STALL_ABOVE: usize = 64 << 10;
        const STALL: Duration = Duration::from_millis(50);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let upstream = upstream.clone();
                tokio::spawn(async move {
                    let Ok(server) = tokio::net::TcpStream::connect(&upstream).await else {
                        return;
                    };
                    let (mut from_client, mut to_client) = client.into_split();
                    let (mut from_server, mut to_server) = server.into_split();
                    tokio::spawn(async move {
                        let _ = tokio::io::copy(&mut from_client, &mut to_server).await;
                    });
                    // Server to client, packet by packet (3-byte length, sequence id).
                    let mut header = [0u8; 4];
                    while from_server.read_exact(&mut header).await.is_ok() {
                        let len = u32::from_le_bytes([header[0], header[1], header[2], 0]) as usize;
                        let mut payload = vec![0; len];
                        if from_server.read_exact(&mut payload).await.is_err() {
                            return;
                        }
                        let half = if len > STALL_ABOVE { len / 2 } else { len };
                        if to_client.write_all(&header).await.is_err()
                            || to_client.write_all(&payload[..half]).await.is_err()
                        {
                            return;
                        }
                        if half < len {
                            tokio::time::sleep(STALL).await;
                            if to_client.write_all(&payload[half..]).await.is_err() {
                                return;
                            }
                        }
                    }
                });
            }
        });
        addr
    }

    /// `BIG_ROWS` rows of `PAD` bytes in the table `sample (id, pad)`, and
    /// the fixture with at most `connections` connections: the app, and the
    /// address of the database through a [`stalling_proxy`].
    async fn big_rows_through_stalling_proxy(
        db: &TestDb,
        connections: u32,
    ) -> (common::TestApp, String) {
        let mut own = db.connect().await;
        sqlx::query("CREATE TABLE sample (id BIGINT PRIMARY KEY, pad MEDIUMTEXT)")
            .execute(&mut own)
            .await
            .unwrap();
        sqlx::query("INSERT INTO sample SELECT seq, REPEAT('x', ?) FROM seq_1_to_10")
            .bind(PAD)
            .execute(&mut own)
            .await
            .unwrap();
        let proxy = stalling_proxy(db.host()).await.to_string();
        let address = db.address().replacen(&db.host(), &proxy, 1);
        (
            start_allowing(proxy, connections, "spin-mysql3.toml").await,
            address,
        )
    }

    /// The rows of [`big_rows_through_stalling_proxy`] (`seq_1_to_10`).
    const ROWS: i64 = 10;
    const PAD: i64 = 100_000;

    /// The guest drops a query's rows (and later its connection) while the
    /// host is half-way through reading a row (see [`stalling_proxy`]): the
    /// rest of the result is drained, not dropped, so the connection stays in
    /// step with the server and serves the next statement. (Before, the next
    /// statement waited until the request timed out.)
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn mysql3_rows_dropped_unread_free_the_connection() {
        let db = TestDb::create().await;
        let (app, address) = big_rows_through_stalling_proxy(&db, 1).await;
        let answer = script3(
            &app,
            &address,
            json!([{"query": "SELECT CONNECTION_ID() AS id"}]),
        )
        .await;
        let connection = answer["steps"][0]["rows"][0][0].clone();
        // Three rows read, the rest dropped unread: the connection serves the
        // next statement, and it is the pooled one (one connection at most).
        for _ in 0..2 {
            let answer = script3(
                &app,
                &address,
                json!([
                    {"query": "SELECT id, LENGTH(pad) AS n, pad FROM sample ORDER BY id", "take": 3},
                    {"query": "SELECT COUNT(*) AS n FROM sample"},
                    {"query": "SELECT CONNECTION_ID() AS id"},
                ]),
            )
            .await;
            let steps = &answer["steps"];
            let ids: Vec<Value> = steps[0]["rows"]
                .as_array()
                .unwrap()
                .iter()
                .map(|row| json!([row[0], row[1]]))
                .collect();
            assert_eq!(
                ids,
                [
                    json!([{"int64": 1}, {"int32": PAD}]),
                    json!([{"int64": 2}, {"int32": PAD}]),
                    json!([{"int64": 3}, {"int32": PAD}]),
                ],
                "{answer}"
            );
            assert_eq!(steps[1]["rows"], json!([[{"int64": ROWS}]]), "{answer}");
            assert_eq!(
                steps[2]["rows"][0][0], connection,
                "the connection was pooled"
            );
        }
        // The guest's connection dropped too, right after a row: the next
        // request's connection (drained and pooled, or a new one if the old one
        // was closed half-way) works.
        for _ in 0..2 {
            let answer = script3(
                &app,
                &address,
                json!([{"query": "SELECT id, pad FROM sample ORDER BY id", "take": 1}]),
            )
            .await;
            assert_eq!(answer["steps"][0]["rows"][0][0], json!({"int64": 1}));
            let answer = script3(
                &app,
                &address,
                json!([{"query": "SELECT COUNT(*) AS n FROM sample"}]),
            )
            .await;
            assert_eq!(
                answer["steps"][0]["rows"],
                json!([[{"int64": ROWS}]]),
                "{answer}"
            );
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn mysql3_transaction_dropped_or_timed_out_does_not_leak() {
        let db = TestDb::create().await;
        let host = db.host();
        let app = common::start_manifest("spin-mysql3.toml", move |o| {
            o.variables.insert("mysql_host".into(), host);
            o.limits.mysql_max_connections = 1;
            o.limits.request_timeout = Duration::from_millis(1500);
        })
        .await;
        let address = db.address();
        let state = json!([
            {"query": "SELECT CONNECTION_ID() AS id"},
            {"query": "SELECT COUNT(*) AS n FROM alert"},
        ]);
        let id_and_count = |answer: &Value| {
            let steps = &answer["steps"];
            (
                steps[0]["rows"][0][0].clone(),
                steps[1]["rows"][0][0]["int64"].clone(),
            )
        };
        script3(
            &app,
            &address,
            json!([{"execute": "CREATE TABLE alert (device_id BIGINT PRIMARY KEY) ENGINE=InnoDB"}]),
        )
        .await;
        let (first, _) = id_and_count(&script3(&app, &address, state.clone()).await);
        let left_open = script3(
            &app,
            &address,
            json!([
                {"execute": "START TRANSACTION"},
                {"execute": "INSERT INTO alert VALUES (?)", "params": [{"int64": 1}]},
            ]),
        )
        .await;
        assert_eq!(left_open["steps"], json!(["ok", "ok"]));
        let (after_drop, count) = id_and_count(&script3(&app, &address, state.clone()).await);
        assert_eq!(count, json!(0), "nothing leaked");
        assert_ne!(after_drop, first, "the connection was closed, not pooled");

        // The request times out while its query waits for the server.
        let slow = run3(&app, &address, json!([{"query": "SELECT SLEEP(5)"}])).await;
        assert_eq!(slow, Err("timed out".to_owned()));
        let started = std::time::Instant::now();
        let (after_timeout, _) = id_and_count(&script3(&app, &address, state).await);
        assert_ne!(
            after_timeout, after_drop,
            "the interrupted connection was pooled"
        );
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "waited for the old statement"
        );
    }

    /// The guest drops its connection before it reads a query's rows, which
    /// come slowly (see [`stalling_proxy`]): the rows still come, every one,
    /// and the outcome after them.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn mysql3_rows_outlive_their_connection() {
        let db = TestDb::create().await;
        let (app, address) = big_rows_through_stalling_proxy(&db, 2).await;
        let answer = script3(
            &app,
            &address,
            json!([{"detached": "SELECT id, pad FROM sample ORDER BY id"}]),
        )
        .await;
        assert_eq!(
            answer["steps"][0],
            json!({"count": ROWS, "result": "ok"}),
            "{answer}"
        );
    }

    /// The guest cancels an `execute` half-way (drops its call): the
    /// connection may be out of step with the server, so it refuses the next
    /// statement and is closed, not pooled, when the guest drops it.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn mysql3_cancelled_execute_retires_the_connection() {
        let db = TestDb::create().await;
        let app = start3(&db, 1).await;
        let address = db.address();
        let id = json!([{"query": "SELECT CONNECTION_ID() AS id"}]);
        let first = script3(&app, &address, id.clone()).await["steps"][0]["rows"][0][0].clone();
        let answer = script3(
            &app,
            &address,
            json!([
                {"cancel": "DO SLEEP(1)"},
                {"execute": "DO 1"},
            ]),
        )
        .await;
        let steps = &answer["steps"];
        assert_eq!(steps[0], "cancelled", "{answer}");
        assert_eq!(steps[1]["error"], "connection-failed", "{answer}");
        // One connection at most: the next request gets a new one, at once.
        let started = std::time::Instant::now();
        let next = script3(&app, &address, id).await["steps"][0]["rows"][0][0].clone();
        assert!(next.is_object(), "{next}");
        assert_ne!(next, first, "the connection was pooled");
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "waited for the old statement"
        );
    }

    /// A wasi:http 0.3 handler (spin-sdk 7's `#[http_service]`, with the
    /// `wasi-http-p3` feature) may wait for the async imports: 3,000 rows
    /// streamed into an HTTP response.
    #[cfg(feature = "wasi-http-p3")]
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn mysql3_from_a_wasi_http_0_3_handler() {
        let db = TestDb::create().await;
        let app = start_manifest(&db, 2, "spin-p3.toml").await;
        let address = db.address();
        let reply = common::send(
            app.addr,
            "GET",
            "/hello3/mysql",
            &[("x-mysql-address", &address), ("x-rows", "3000")],
            bytes::Bytes::new(),
        )
        .await;
        assert_eq!(reply.status, 200, "{}", reply.text());
        let answer = reply.json();
        let rows = answer["rows"].as_array().expect("rows");
        assert_eq!(rows.len(), 3000);
        assert_eq!(rows[0], 1);
        assert_eq!(rows[2999], 3000);
        assert_eq!(answer["result"], "ok");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn mysql3_cannot_be_awaited_from_a_wasi_http_0_2_handler() {
        let db = TestDb::create().await;
        let app = start3(&db, 4).await;
        // The same script from rt-mysql3's wasi:http 0.2 handler, a synchronous
        // export: its first wait traps (the component model's rule, which
        // wasmtime enforces), so the request fails. The host may already have
        // sent the call the guest waits for (here the sleep), so the table is
        // made by the step after it: a step the guest reaches only by waiting,
        // hence never, and nothing of the script's after the first wait is left behind.
        let reply = common::send(
            app.addr,
            "POST",
            "/mysql3/script",
            &[("x-mysql-address", &db.address())],
            json!([
                {"execute": "DO SLEEP(0.5)"},
                {"execute": "CREATE TABLE t (id INT)"}
            ])
            .to_string(),
        )
        .await;
        assert_eq!(reply.status, 500, "{}", reply.text());
        let answer = script3(&app, &db.address(), json!([{"query": "SHOW TABLES"}])).await;
        assert_eq!(answer["steps"][0]["rows"], json!([]), "{answer}");
    }
}
