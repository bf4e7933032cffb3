//! The production topology as separate processes on loopback, on the real
//! MariaDB and RabbitMQ: the functions on iems' runtime (`iems serve-functions`
//! with `db_backend = mysql`), two `iems broker-adapter`s, two `iems ws-hub`s
//! and `iems simulate`. A client on hub A and an admin on hub B get the
//! client's alerts and chat with each other across the hubs; halfway through the
//! readings one adapter and hub A are killed (SIGKILL), the client reconnects to
//! hub B, and in the end every reading is stored once and the hourly totals and
//! alerts are exactly what the stored readings make. `scripts/topology` starts
//! the same processes by hand.

mod common;

use std::collections::BTreeMap;
use std::panic::AssertUnwindSafe;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use futures::{FutureExt, SinkExt, StreamExt};
use iems_db::testing::TestDatabase;
use iems_db::{Backend, Pool};
use iems_shared::consumption::{hourly_totals, Reading};
use iems_shared::domain::Role;
use iems_shared::identity::{generate_keypair, hash_password};
use iems_shared::sql;
use iems_shared::time::from_unix_ms;
use iems_shared::Energy;
use iems_testkit::rabbitmq::{default_vhost_url, require_rabbitmq, unique};
use iems_testkit::{free_addrs, wait_for};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

/// Readings per device; two devices.
const PER_DEVICE: usize = 600;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A child process killed when the test ends, however it ends.
struct Proc {
    name: String,
    child: Child,
}

impl Proc {
    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Starts `iems <args>` with the environment every part shares.
fn spawn(name: &str, args: &[&str], env: &[(&str, &str)]) -> Proc {
    let child = Command::new(env!("CARGO_BIN_EXE_iems"))
        .args(args)
        .envs(env.iter().copied())
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("start {name}: {e}"));
    Proc {
        name: name.to_owned(),
        child,
    }
}

/// Waits until `url` answers 200 (a process is up).
async fn wait_healthy(http: &reqwest::Client, proc: &mut Proc, url: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(reply) = http.get(url).send().await {
            if reply.status() == 200 {
                return;
            }
        }
        if let Ok(Some(status)) = proc.child.try_wait() {
            panic!("{} exited with {status} before answering {url}", proc.name);
        }
        assert!(
            Instant::now() < deadline,
            "{} never answered {url}",
            proc.name
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The API of `iems serve-functions`.
struct Api {
    base: String,
    http: reqwest::Client,
}

impl Api {
    async fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut req = self
            .http
            .request(method.parse().unwrap(), format!("{}{path}", self.base));
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        if let Some(body) = body {
            req = req.json(&body);
        }
        let reply = req
            .send()
            .await
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        let status = reply.status().as_u16();
        let text = reply.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    async fn login(&self, username: &str, password: &str) -> (String, String) {
        let (status, body) = self
            .call(
                "POST",
                "/api/auth/login",
                None,
                Some(json!({"username": username, "password": password})),
            )
            .await;
        assert_eq!(status, 200, "login {username}: {body}");
        (
            body["access_token"].as_str().unwrap().to_owned(),
            body["user"]["id"].as_str().unwrap().to_owned(),
        )
    }
}

async fn connect(hub: &str, token: &str) -> Socket {
    let mut req = format!("ws://{hub}/ws").into_client_request().unwrap();
    req.headers_mut().insert(
        "sec-websocket-protocol",
        format!("iems.v1, bearer.{token}").parse().unwrap(),
    );
    tokio_tungstenite::connect_async(req)
        .await
        .unwrap_or_else(|e| panic!("a socket on {hub}: {e}"))
        .0
}

/// The next frame of `type` within `secs` (other frames are skipped), or None.
async fn next_of(socket: &mut Socket, kind: &str, secs: u64) -> Option<Value> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    loop {
        let msg = tokio::time::timeout_at(deadline, socket.next())
            .await
            .ok()??
            .ok()?;
        if let Message::Text(text) = msg {
            let frame: Value = serde_json::from_str(&text).unwrap();
            if frame["type"] == kind {
                return Some(frame);
            }
        }
    }
}

async fn send(socket: &mut Socket, frame: Value) {
    socket
        .send(Message::Text(frame.to_string().into()))
        .await
        .unwrap();
}

async fn stored_readings(pool: &Pool, device: &str) -> Vec<Reading> {
    sqlx::query_as::<_, (i64, i64)>(
        "SELECT ts, register_uwh FROM readings WHERE device_id = ? ORDER BY ts",
    )
    .bind(device)
    .fetch_all(pool)
    .await
    .unwrap()
    .into_iter()
    .map(|(ts, uwh)| Reading::new(from_unix_ms(ts).unwrap(), Energy::from_uwh(uwh)))
    .collect()
}

async fn count(pool: &Pool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap_or(0)
}

#[tokio::test]
async fn separate_processes_on_mariadb_and_rabbitmq_lose_nothing_when_an_adapter_and_a_hub_die() {
    require_rabbitmq();
    let namespace = unique("topology");
    // The queues and exchanges go whether the run passes or fails (its
    // processes are killed first, when their handles drop on the way out).
    let outcome = AssertUnwindSafe(run_topology(&namespace))
        .catch_unwind()
        .await;
    let cleanup = iems_messaging::Bus::connect(&iems_messaging::BusConfig::amqp(
        default_vhost_url(),
        namespace.clone(),
    ))
    .await;
    let removed = match cleanup {
        Ok(bus) => bus.delete_topology().await.map_err(|e| e.to_string()),
        Err(e) => Err(e.to_string()),
    };
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
    removed.expect("the test's queues and exchanges removed");
}

async fn run_topology(namespace: &str) {
    let db = TestDatabase::create(Backend::Mysql).await;
    let pool = db.pool(2).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let keys = generate_keypair();
    let public_key = dir.path().join("jwt.pub.pem");
    std::fs::write(&public_key, &keys.public_pem).unwrap();
    let public_key = public_key.display().to_string();
    let mysql_host = db.mysql_host().unwrap();
    let amqp = default_vhost_url();
    let shared_env = [
        ("IEMS_AMQP_URL", amqp.as_str()),
        ("IEMS_AMQP_NAMESPACE", namespace),
        ("IEMS_DATABASE_URL", db.url()),
    ];

    // The first admin, as `iems migrate --admin-username` makes it.
    let admin_password = "topology-admin-pass";
    let admin = sql::users::NewUser {
        id: &common::uuid_v4(),
        username: "admin",
        username_key: "admin",
        full_name: "Admin",
        address: None,
        role: Role::Admin,
        password_hash: &hash_password(admin_password).unwrap(),
        created_at_ms: 0,
    };
    iems_db::statement(&sql::users::insert(&admin))
        .execute(&pool)
        .await
        .unwrap();

    // The functions on iems' runtime, reading their variables from SPIN_VARIABLE_* as under Spin.
    let manifest = common::wasm::write_manifest(dir.path());
    let mut addrs = free_addrs(6).into_iter();
    let mut next_addr = move || addrs.next().expect("six addresses");
    let api_addr = next_addr();
    let metrics_addr = next_addr();
    let data = dir.path().join("functions-data");
    let mut functions = spawn(
        "serve-functions",
        &[
            "serve-functions",
            "--listen",
            &api_addr,
            "--metrics-listen",
            &metrics_addr,
            "--manifest",
            &manifest.display().to_string(),
            "--data",
            &data.display().to_string(),
        ],
        &[
            ("SPIN_VARIABLE_JWT_PUBLIC_KEY", keys.public_pem.as_str()),
            ("SPIN_VARIABLE_JWT_PRIVATE_KEY", keys.private_pem.as_str()),
            ("SPIN_VARIABLE_DB_BACKEND", "mysql"),
            ("SPIN_VARIABLE_MYSQL_URL", db.url()),
            ("SPIN_VARIABLE_MYSQL_HOST", mysql_host.as_str()),
        ],
    );
    let mut adapters = Vec::new();
    let mut adapter_addrs = Vec::new();
    for n in 0..2 {
        let addr = next_addr();
        adapters.push(spawn(
            &format!("broker-adapter {n}"),
            &[
                "broker-adapter",
                "--listen",
                &addr,
                "--batch-size",
                "50",
                "--prefetch",
                "100",
            ],
            &shared_env,
        ));
        adapter_addrs.push(addr);
    }
    let mut hubs = Vec::new();
    let mut hub_addrs = Vec::new();
    for n in 0..2 {
        let addr = next_addr();
        hubs.push(spawn(
            &format!("ws-hub {n}"),
            &[
                "ws-hub",
                "--listen",
                &addr,
                "--public-key-file",
                &public_key,
            ],
            &shared_env,
        ));
        hub_addrs.push(addr);
    }
    let http = reqwest::Client::new();
    wait_healthy(
        &http,
        &mut functions,
        &format!("http://{api_addr}/.well-known/spin/health"),
    )
    .await;
    for (proc, addr) in adapters.iter_mut().zip(&adapter_addrs) {
        wait_healthy(&http, proc, &format!("http://{addr}/healthz")).await;
    }
    for (proc, addr) in hubs.iter_mut().zip(&hub_addrs) {
        wait_healthy(&http, proc, &format!("http://{addr}/healthz")).await;
    }

    // Through the API on MySQL: a client, a device of theirs with a low limit, a spare device.
    let api = Api {
        base: format!("http://{api_addr}"),
        http: http.clone(),
    };
    let (admin, _) = api.login("admin", admin_password).await;
    let (status, body) = api
        .call(
            "POST",
            "/api/auth/register",
            None,
            Some(json!({"username": "carol", "password": "carol-password", "full_name": "Carol"})),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let (carol, carol_id) = api.login("carol", "carol-password").await;
    let mut devices = Vec::new();
    for (name, limit) in [("Carol meter", 0.5), ("Spare meter", 100.0)] {
        let (status, body) = api
            .call(
                "POST",
                "/api/devices",
                Some(&admin),
                Some(json!({"name": name, "max_hourly_kwh": limit})),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        devices.push(body["id"].as_str().unwrap().to_owned());
    }
    let (status, body) = api
        .call(
            "PUT",
            &format!("/api/devices/{}/owner", devices[0]),
            Some(&admin),
            Some(json!({"user_id": carol_id})),
        )
        .await;
    assert_eq!(status, 200, "{body}");

    // Carol on hub A, the admin on hub B; chat both ways across the hubs.
    let mut carol_ws = connect(&hub_addrs[0], &carol).await;
    let mut admin_ws = connect(&hub_addrs[1], &admin).await;
    send(&mut carol_ws, json!({"type": "chat.send", "conversation_id": carol_id, "body": "Is my meter right?", "client_msg_id": "c-1"})).await;
    let got = next_of(&mut admin_ws, "chat.message", 10)
        .await
        .expect("the admin on hub B gets carol's message");
    assert_eq!(got["message"]["body"], "Is my meter right?");
    send(&mut admin_ws, json!({"type": "chat.send", "conversation_id": carol_id, "body": "Looking now", "client_msg_id": "a-1"})).await;
    let mut reply = None;
    while let Some(frame) = next_of(&mut carol_ws, "chat.message", 10).await {
        if frame["message"]["body"] == "Looking now" {
            reply = Some(frame);
            break;
        }
    }
    assert!(reply.is_some(), "carol on hub A gets the admin's reply");

    // The meters play, 100 readings a second; both adapters consume.
    let sensor = common::wasm::workspace().join("sensor.csv");
    let device_list = devices.join(",");
    let per_device = PER_DEVICE.to_string();
    let csv = sensor.display().to_string();
    // Recent meter time: the reading policy refuses readings over a year old.
    let start = {
        use chrono::DurationRound;
        (chrono::Utc::now() - chrono::Duration::days(30))
            .duration_trunc(chrono::Duration::days(1))
            .unwrap()
            .to_rfc3339()
    };
    let mut simulator = spawn(
        "simulate",
        &[
            "simulate",
            "--csv",
            &csv,
            "--device",
            &device_list,
            "--start",
            &start,
            "--count",
            &per_device,
            "--rate",
            "100",
        ],
        &shared_env,
    );

    let first_alert = next_of(&mut carol_ws, "alert", 30)
        .await
        .expect("carol gets an alert on hub A");
    assert_eq!(first_alert["alert"]["device_id"], devices[0].as_str());
    let admin_alert = next_of(&mut admin_ws, "alert", 30)
        .await
        .expect("the admin gets it on hub B");
    assert_eq!(admin_alert["alert"]["device_id"], devices[0].as_str());

    // Halfway: SIGKILL one adapter and hub A; carol reconnects to hub B.
    let total = (2 * PER_DEVICE) as i64;
    wait_for("a third of the readings", 60, async || {
        count(&pool, "SELECT COUNT(*) FROM readings").await >= total / 3
    })
    .await;
    adapters[0].kill();
    hubs[0].kill();
    assert!(
        count(&pool, "SELECT COUNT(*) FROM readings").await < total,
        "killed mid-stream"
    );
    let mut carol_ws = connect(&hub_addrs[1], &carol).await;
    send(&mut carol_ws, json!({"type": "chat.send", "conversation_id": carol_id, "body": "Still there?", "client_msg_id": "c-2"})).await;
    let got = next_of(&mut admin_ws, "chat.message", 10)
        .await
        .expect("chat goes on through hub B");
    assert_eq!(got["message"]["body"], "Still there?");

    wait_for("the simulator to finish", 120, async || {
        matches!(simulator.child.try_wait(), Ok(Some(_)))
    })
    .await;
    let status = simulator.child.wait().unwrap();
    assert!(status.success(), "the simulator failed: {status}");
    wait_for("every reading", 120, async || {
        count(&pool, "SELECT COUNT(*) FROM readings").await == total
    })
    .await;

    // Exactly once: totals and alerts are what the stored readings make, whoever stored them.
    let limit_uwh = 500_000_000;
    for (n, device) in devices.iter().enumerate() {
        let readings = stored_readings(&pool, device).await;
        assert_eq!(
            readings.len(),
            PER_DEVICE,
            "device {n}: every reading stored once"
        );
        let expected: BTreeMap<i64, i64> = hourly_totals(&readings)
            .unwrap()
            .into_iter()
            .map(|(h, e)| (h.timestamp_millis(), e.uwh()))
            .filter(|&(_, uwh)| uwh != 0)
            .collect();
        let stored: BTreeMap<i64, i64> = sqlx::query_as::<_, (i64, i64)>(
            "SELECT hour_start, energy_uwh FROM hourly_consumption WHERE device_id = ? AND energy_uwh <> 0",
        )
        .bind(device)
        .fetch_all(&pool)
        .await
        .unwrap()
        .into_iter()
        .collect();
        assert_eq!(stored, expected, "device {n}: hourly totals");
        if n == 0 {
            let over: Vec<i64> = expected
                .iter()
                .filter(|&(_, &uwh)| uwh > limit_uwh)
                .map(|(&h, _)| h)
                .collect();
            let alerted: Vec<i64> = sqlx::query_scalar(
                "SELECT hour_start FROM alerts WHERE device_id = ? ORDER BY hour_start",
            )
            .bind(device)
            .fetch_all(&pool)
            .await
            .unwrap();
            assert!(!over.is_empty(), "the played hours pass 0.5 kWh");
            assert_eq!(alerted, over, "one alert for every hour over the limit");
            let (status, body) = api
                .call("GET", "/api/alerts?per_page=100", Some(&carol), None)
                .await;
            assert_eq!(status, 200, "{body}");
            assert_eq!(
                body["total"].as_u64(),
                Some(over.len() as u64),
                "carol sees her alerts: {body}"
            );
        }
    }
    let (status, body) = api
        .call(
            "GET",
            &format!("/api/chat/conversations/{carol_id}/messages"),
            Some(&carol),
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let bodies: Vec<&str> = body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["body"].as_str())
        .collect();
    assert_eq!(
        bodies,
        ["Is my meter right?", "Looking now", "Still there?"]
    );
    assert_spare_has_no_alerts(&pool, &devices[1]).await;

    // The functions counted those requests by spin.toml route and status.
    let metrics = http
        .get(format!("http://{metrics_addr}/metrics"))
        .send()
        .await
        .expect("the functions' /metrics answers")
        .text()
        .await
        .unwrap();
    let logins = metrics
        .lines()
        .find(|l| {
            l.starts_with("iems_http_requests_total{")
                && l.contains(r#"route="/api/auth/...""#)
                && l.contains(r#"component="auth""#)
                && l.contains(r#"method="POST""#)
                && l.contains(r#"status="200""#)
        })
        .unwrap_or_else(|| panic!("no login count in:\n{metrics}"));
    assert!(logins.ends_with(" 2"), "two sign-ins: {logins}");
    assert!(
        metrics.contains(r#"iems_http_request_duration_seconds_count{route="/api/devices/..."} "#),
        "{metrics}"
    );

    // Stop the parts (the caller then removes the queues and exchanges).
    for mut proc in adapters.into_iter().chain(hubs).chain([functions]) {
        proc.kill();
    }
}

async fn assert_spare_has_no_alerts(pool: &Pool, device: &str) {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM alerts WHERE device_id = ?")
        .bind(device)
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(n, 0, "the spare meter's 100 kWh limit is never passed");
}
