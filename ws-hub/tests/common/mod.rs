//! Helpers: a throwaway database (SQLite, or MySQL with
//! `IEMS_TEST_DATABASE=mysql`), a real RabbitMQ namespace per test, ws-hub
//! instances on their own ports, and a WebSocket client.
#![allow(dead_code)]

use futures::{SinkExt, StreamExt};
use iems_db::testing::TestDatabase;
use iems_db::Pool;
use iems_messaging::{Bus, BusConfig};
use iems_shared::domain::Role;
use iems_shared::identity::{generate_keypair, KeyPair, TokenSigner, TokenVerifier};
use iems_ws_hub::{Hub, HubConfig};
use serde_json::Value;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// One test's world: database, bus namespace, keys.
pub struct Env {
    pub database: TestDatabase,
    pub pool: Pool,
    pub amqp_url: String,
    pub namespace: String,
    pub keys: KeyPair,
    pub bus: Bus,
}

impl Env {
    pub async fn new() -> Env {
        let database = TestDatabase::from_env().await;
        let pool = database.pool(4).await.unwrap();
        iems_testkit::rabbitmq::require_rabbitmq();
        let amqp_url = iems_testkit::rabbitmq::default_vhost_url();
        let namespace = iems_testkit::rabbitmq::unique("wshub");
        let bus = connect_bus(&amqp_url, &namespace).await;
        Env {
            database,
            pool,
            amqp_url,
            namespace,
            keys: generate_keypair(),
            bus,
        }
    }

    /// A hub instance with its own pool and bus connection, as a separate process would have.
    pub async fn instance(&self, config: HubConfig) -> Instance {
        let pool = self.database.pool(4).await.unwrap();
        let bus = connect_bus(&self.amqp_url, &self.namespace).await;
        let verifier = TokenVerifier::from_pem(&self.keys.public_pem).unwrap();
        let hub = Hub::start(config, bus, pool, verifier).await.unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let app = hub.router();
        let server = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Instance { hub, addr, server }
    }

    /// Inserts a user and returns its id.
    pub async fn user(&self, username: &str, role: Role) -> String {
        iems_db::testing::insert_user(&self.pool, username, role).await
    }

    /// A valid access token issued `age_secs` ago (15-minute lifetime).
    pub fn token_aged(&self, user_id: &str, role: Role, age_secs: i64) -> String {
        let signer = TokenSigner::from_pem(&self.keys.private_pem).unwrap();
        let now = chrono::Utc::now().timestamp() - age_secs;
        signer.issue(user_id, role, "Test User", now).unwrap().0
    }

    /// A fresh access token.
    pub fn token(&self, user_id: &str, role: Role) -> String {
        self.token_aged(user_id, role, 0)
    }

    /// Deletes the test's exchanges and queues.
    pub async fn cleanup(self) {
        self.bus.delete_topology().await.unwrap();
        self.bus.close().await;
    }
}

async fn connect_bus(url: &str, namespace: &str) -> Bus {
    let mut config = BusConfig::amqp(url, namespace);
    config.connect_timeout = Duration::from_secs(10);
    Bus::connect(&config)
        .await
        .expect("RabbitMQ on 127.0.0.1:5672")
}

/// A running instance.
pub struct Instance {
    pub hub: Hub,
    pub addr: SocketAddr,
    pub server: tokio::task::JoinHandle<()>,
}

impl Instance {
    pub async fn stop(self) {
        self.hub.shutdown().await;
        self.server.abort();
    }
}

pub type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Opens `/ws` offering the given subprotocol header (and Origin, if any).
pub async fn connect_raw(
    addr: SocketAddr,
    protocols: Option<&str>,
    origin: Option<&str>,
) -> Result<Socket, tokio_tungstenite::tungstenite::Error> {
    let mut req = format!("ws://{addr}/ws").into_client_request().unwrap();
    if let Some(p) = protocols {
        req.headers_mut()
            .insert("sec-websocket-protocol", p.parse().unwrap());
    }
    if let Some(o) = origin {
        req.headers_mut().insert("origin", o.parse().unwrap());
    }
    tokio_tungstenite::connect_async(req)
        .await
        .map(|(s, resp)| {
            assert_eq!(resp.headers()["sec-websocket-protocol"], "iems.v1");
            s
        })
}

/// Opens `/ws` with a token, panicking if refused.
pub async fn connect(addr: SocketAddr, token: &str) -> Socket {
    connect_raw(addr, Some(&format!("iems.v1, bearer.{token}")), None)
        .await
        .expect("handshake accepted")
}

/// The HTTP status of a refused handshake.
pub async fn refused_status(
    addr: SocketAddr,
    protocols: Option<&str>,
    origin: Option<&str>,
) -> u16 {
    match connect_raw(addr, protocols, origin).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(resp)) => resp.status().as_u16(),
        Ok(_) => panic!("handshake unexpectedly accepted"),
        Err(e) => panic!("unexpected error {e}"),
    }
}

/// Sends a JSON frame.
pub async fn send(ws: &mut Socket, frame: Value) {
    ws.send(Message::text(frame.to_string())).await.unwrap();
}

/// Sends raw text.
pub async fn send_text(ws: &mut Socket, text: &str) {
    ws.send(Message::text(text)).await.unwrap();
}

/// The next JSON frame (pings skipped), within 10 s.
pub async fn next(ws: &mut Socket) -> Value {
    loop {
        let msg = tokio::time::timeout(Duration::from_secs(10), ws.next())
            .await
            .expect("a frame within 10 s")
            .expect("socket open")
            .expect("no socket error");
        match msg {
            Message::Text(t) => return serde_json::from_str(&t).unwrap(),
            Message::Ping(_) | Message::Pong(_) => continue,
            other => panic!("unexpected {other:?}"),
        }
    }
}

/// The next frame, which must be of `kind`.
pub async fn expect(ws: &mut Socket, kind: &str) -> Value {
    let v = next(ws).await;
    assert_eq!(v["type"], kind, "unexpected frame {v}");
    v
}

/// Reads until the server closes; returns the close frame.
pub async fn expect_close(ws: &mut Socket) -> Option<CloseFrame> {
    loop {
        let msg = tokio::time::timeout(Duration::from_secs(20), ws.next())
            .await
            .expect("closed within 20 s");
        match msg {
            Some(Ok(Message::Close(frame))) => return frame,
            Some(Ok(_)) => continue,
            None | Some(Err(_)) => return None,
        }
    }
}
