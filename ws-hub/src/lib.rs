//! ws-hub: the WebSocket sessions of iems (`/ws`).
//!
//! Browsers authenticate in the handshake (subprotocols `iems.v1` and
//! `bearer.<access token>`), then receive alerts and live hourly totals of their
//! devices (admins: of all devices) and use the support chat. Chat messages are
//! stored before anyone sees them and fan out to every instance through the bus,
//! so any number of instances can run side by side.

mod chat;
mod events;
mod handshake;
mod registry;
mod revocation;
mod session;

pub use events::ChatEnvelope;
pub use handshake::{BEARER_PREFIX, PROTOCOL};
pub use revocation::CLOSE_SESSION_ENDED;
pub use session::{CLOSE_GOING_AWAY, CLOSE_TOKEN_EXPIRED};

use axum::routing::get;
use axum::Router;
use iems_db::{Backend, Pool};
use iems_messaging::{Bus, BusError, Topic};
use iems_shared::identity::TokenVerifier;
use registry::Registry;
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// Limits and policies of the hub.
#[derive(Debug, Clone)]
pub struct HubConfig {
    /// Browser origins allowed besides the hub's own host (`*` allows any).
    pub allowed_origins: Vec<String>,
    /// Largest frame or message a client may send, in bytes.
    pub max_message_bytes: usize,
    /// Frames queued per connection before it counts as a slow reader and is dropped.
    pub send_queue: usize,
    /// How often the server pings.
    pub ping_interval: Duration,
    /// A connection silent this long (not even a pong) is closed.
    pub idle_timeout: Duration,
    /// A frame the peer does not take within this time ends the connection.
    pub write_timeout: Duration,
    /// Chat frames allowed per second and connection, on average.
    pub chat_rate_per_sec: f64,
    /// Chat frames allowed in a burst.
    pub chat_burst: u32,
    /// How often the hub reads the log of ended sessions (sign-out, deletion,
    /// demotion) to close their sockets.
    pub revocation_poll: Duration,
}

impl Default for HubConfig {
    fn default() -> Self {
        HubConfig {
            allowed_origins: Vec::new(),
            max_message_bytes: 64 * 1024,
            send_queue: 256,
            ping_interval: Duration::from_secs(20),
            idle_timeout: Duration::from_secs(60),
            write_timeout: Duration::from_secs(10),
            chat_rate_per_sec: 5.0,
            chat_burst: 20,
            revocation_poll: Duration::from_millis(500),
        }
    }
}

/// Why the hub could not start.
#[derive(Debug, thiserror::Error)]
pub enum HubError {
    /// Subscribing to the bus failed.
    #[error("cannot subscribe to the bus: {0}")]
    Bus(#[from] BusError),
}

/// What the sessions and the bus pumps share.
pub(crate) struct Shared {
    pub(crate) config: HubConfig,
    pub(crate) pool: Pool,
    pub(crate) backend: Backend,
    pub(crate) bus: Bus,
    pub(crate) verifier: TokenVerifier,
    pub(crate) registry: Registry,
    pub(crate) instance_id: String,
    pub(crate) shutdown: CancellationToken,
}

/// A running hub: mount [`Hub::router`] and call [`Hub::shutdown`] before exiting
/// (dropping the `Hub` leaves the routes and bus pumps running).
pub struct Hub {
    shared: Arc<Shared>,
    pumps: Vec<JoinHandle<()>>,
}

impl Hub {
    /// Subscribes to alerts, consumption and chat on the bus and starts delivering;
    /// events published after this returns reach the connected users.
    pub async fn start(
        config: HubConfig,
        bus: Bus,
        pool: Pool,
        verifier: TokenVerifier,
    ) -> Result<Hub, HubError> {
        let shared = Arc::new(Shared {
            config,
            backend: Backend::of_pool(&pool),
            pool,
            bus: bus.clone(),
            verifier,
            registry: Registry::default(),
            instance_id: uuid::Uuid::new_v4().to_string(),
            shutdown: CancellationToken::new(),
        });
        let mut pumps = Vec::new();
        for topic in Topic::ALL {
            let sub = bus.subscribe(topic).await?;
            pumps.push(tokio::spawn(events::pump(shared.clone(), topic, sub)));
        }
        pumps.push(tokio::spawn(revocation::follow(shared.clone())));
        tracing::info!(instance = %shared.instance_id, "ws-hub started");
        Ok(Hub { shared, pumps })
    }

    /// The routes of the hub: `GET /ws`.
    pub fn router(&self) -> Router {
        Router::new()
            .route("/ws", get(handshake::ws_handler))
            .with_state(self.shared.clone())
    }

    /// Number of open WebSocket connections on this instance.
    pub fn connections(&self) -> usize {
        self.shared.registry.len()
    }

    /// This instance's id (the `origin` of its chat publications).
    pub fn instance_id(&self) -> &str {
        &self.shared.instance_id
    }

    /// Sends close 1001 (going away) to every client, refuses new ones, stops the
    /// bus pumps, and waits up to 5 s for the connections to end.
    pub async fn shutdown(&self) {
        self.shared.shutdown.cancel();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        while self.connections() > 0 && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        for pump in &self.pumps {
            pump.abort();
        }
    }
}
