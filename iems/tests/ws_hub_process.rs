//! `iems ws-hub` as its own process: `/healthz` and Prometheus `/metrics`
//! beside `/ws`, the open-socket gauge following a real WebSocket. On the
//! database `IEMS_TEST_DATABASE` selects (SQLite by default, or MySQL).

mod common;

use iems_db::testing::TestDatabase;
use iems_shared::domain::Role;
use iems_shared::identity::{generate_keypair, TokenSigner};
use iems_shared::sql;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

struct Hub {
    child: Child,
    addr: String,
}

impl Drop for Hub {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn metrics(http: &reqwest::Client, addr: &str) -> String {
    let reply = http
        .get(format!("http://{addr}/metrics"))
        .send()
        .await
        .expect("/metrics answers");
    assert_eq!(reply.status(), 200);
    reply.text().await.unwrap()
}

/// Waits until `/metrics` shows `line`.
async fn wait_for_metric(http: &reqwest::Client, addr: &str, line: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let text = metrics(http, addr).await;
        if text.lines().any(|l| l == line) {
            return;
        }
        assert!(Instant::now() < deadline, "no `{line}` in:\n{text}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn health_and_metrics_beside_the_websockets() {
    let db = TestDatabase::from_env().await;
    let dir = tempfile::tempdir().unwrap();
    let keys = generate_keypair();
    let key_file = dir.path().join("jwt.pub.pem");
    std::fs::write(&key_file, &keys.public_pem).unwrap();
    let addr = iems_testkit::free_addrs(1).remove(0);
    let child = Command::new(env!("CARGO_BIN_EXE_iems"))
        .args(["ws-hub", "--listen", &addr, "--public-key-file"])
        .arg(&key_file)
        .args(["--database-url", db.url()])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .expect("start iems ws-hub");
    let hub = Hub { child, addr };
    let http = reqwest::Client::new();

    let deadline = Instant::now() + Duration::from_secs(30);
    let health = loop {
        match http
            .get(format!("http://{}/healthz", hub.addr))
            .send()
            .await
        {
            Ok(reply) => break reply,
            Err(err) => {
                assert!(Instant::now() < deadline, "ws-hub never answered: {err}");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    };
    assert_eq!(health.status(), 200);
    assert_eq!(health.text().await.unwrap(), r#"{"status":"ok"}"#);
    let text = metrics(&http, &hub.addr).await;
    assert!(text.contains("# TYPE iems_ws_sockets_open gauge"), "{text}");
    wait_for_metric(&http, &hub.addr, "iems_ws_sockets_open 0").await;

    // The hub checks that the token's user exists (a deleted user's token is refused).
    let pool = db.pool(1).await.unwrap();
    let hubby = sql::users::NewUser {
        id: "00000000-0000-4000-8000-000000000001",
        username: "hubby",
        username_key: "hubby",
        full_name: "Hubby",
        address: None,
        role: Role::Client,
        password_hash: "x",
        created_at_ms: 0,
    };
    iems_db::statement(&sql::users::insert(&hubby))
        .execute(&pool)
        .await
        .unwrap();
    let token = TokenSigner::from_pem(&keys.private_pem)
        .unwrap()
        .issue(
            "00000000-0000-4000-8000-000000000001",
            Role::Client,
            "Test",
            chrono::Utc::now().timestamp(),
        )
        .unwrap()
        .0;
    let mut req = format!("ws://{}/ws", hub.addr)
        .into_client_request()
        .unwrap();
    req.headers_mut().insert(
        "sec-websocket-protocol",
        format!("iems.v1, bearer.{token}").parse().unwrap(),
    );
    let (socket, _) = tokio_tungstenite::connect_async(req)
        .await
        .expect("the socket opens");
    wait_for_metric(&http, &hub.addr, "iems_ws_sockets_open 1").await;
    drop(socket);
    wait_for_metric(&http, &hub.addr, "iems_ws_sockets_open 0").await;
}
