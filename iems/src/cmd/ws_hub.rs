//! `iems ws-hub`: the WebSocket hub as its own process (one of several behind a
//! load balancer, all sharing the database and RabbitMQ).

use anyhow::Context;
use iems_messaging::{Bus, BusConfig};
use iems_shared::identity::TokenVerifier;
use iems_ws_hub::{Hub, HubConfig};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Arguments of `iems ws-hub`.
#[derive(Debug, clap::Args)]
pub struct WsHubArgs {
    /// Address to listen on (serves `GET /ws`, `/healthz` and Prometheus `/metrics`).
    #[arg(long, env = "IEMS_WS_LISTEN", default_value = "127.0.0.1:8081")]
    pub listen: SocketAddr,
    /// Database holding users and chat messages: `sqlite://PATH` or
    /// `mysql://USER:PASSWORD@HOST:PORT/DATABASE`.
    #[arg(
        long,
        env = "IEMS_DATABASE_URL",
        default_value = "sqlite://data/iems.db"
    )]
    pub database_url: String,
    /// RabbitMQ URL; without it the bus is in-process (only useful for trying it out).
    #[arg(long, env = "IEMS_AMQP_URL")]
    pub amqp_url: Option<String>,
    /// Prefix of the exchange and queue names on RabbitMQ.
    #[arg(long, env = "IEMS_AMQP_NAMESPACE", default_value = "iems")]
    pub amqp_namespace: String,
    /// File with the Ed25519 public key (SPKI PEM) that verifies access tokens.
    #[arg(long, env = "IEMS_JWT_PUBLIC_KEY_FILE", conflicts_with = "public_key")]
    pub public_key_file: Option<PathBuf>,
    /// The Ed25519 public key itself (SPKI PEM).
    #[arg(long, env = "IEMS_JWT_PUBLIC_KEY", hide_env_values = true)]
    pub public_key: Option<String>,
    /// A browser origin allowed besides the hub's own host (repeatable; `*` allows any).
    #[arg(
        long = "allowed-origin",
        env = "IEMS_WS_ALLOWED_ORIGINS",
        value_delimiter = ','
    )]
    pub allowed_origins: Vec<String>,
    /// Largest client frame in bytes.
    #[arg(long, env = "IEMS_WS_MAX_MESSAGE_BYTES", default_value_t = 64 * 1024)]
    pub max_message_bytes: usize,
    /// Frames queued per connection before a slow reader is disconnected.
    #[arg(long, env = "IEMS_WS_SEND_QUEUE", default_value_t = 256)]
    pub send_queue: usize,
    /// Seconds between server pings.
    #[arg(long, env = "IEMS_WS_PING_SECS", default_value_t = 20)]
    pub ping_secs: u64,
    /// Seconds of silence (not even a pong) after which a connection is closed.
    #[arg(long, env = "IEMS_WS_IDLE_SECS", default_value_t = 60)]
    pub idle_secs: u64,
    /// Chat frames per second and connection, on average.
    #[arg(long, env = "IEMS_WS_CHAT_RATE", default_value_t = 5.0)]
    pub chat_rate_per_sec: f64,
    /// Chat frames allowed in a burst.
    #[arg(long, env = "IEMS_WS_CHAT_BURST", default_value_t = 20)]
    pub chat_burst: u32,
    /// Connection pool size.
    #[arg(long, env = "IEMS_DB_POOL", default_value_t = 8)]
    pub db_pool: u32,
}

impl WsHubArgs {
    /// The hub's limits from the arguments.
    pub fn hub_config(&self) -> HubConfig {
        HubConfig {
            allowed_origins: self.allowed_origins.clone(),
            max_message_bytes: self.max_message_bytes,
            send_queue: self.send_queue.max(1),
            ping_interval: Duration::from_secs(self.ping_secs.max(1)),
            idle_timeout: Duration::from_secs(self.idle_secs.max(2)),
            chat_rate_per_sec: self.chat_rate_per_sec,
            chat_burst: self.chat_burst,
            ..HubConfig::default()
        }
    }

    fn public_key_pem(&self) -> anyhow::Result<String> {
        match (&self.public_key_file, &self.public_key) {
            (Some(path), _) => std::fs::read_to_string(path)
                .with_context(|| format!("reading the public key {}", path.display())),
            (None, Some(pem)) => Ok(pem.clone()),
            (None, None) => {
                anyhow::bail!("no public key: pass --public-key-file or set IEMS_JWT_PUBLIC_KEY")
            }
        }
    }
}

/// Runs the hub until Ctrl-C or SIGTERM, then closes every socket with 1001.
pub async fn run(args: WsHubArgs) -> anyhow::Result<()> {
    let verifier = TokenVerifier::from_pem(&args.public_key_pem()?)?;
    let redacted = iems_db::redact(&args.database_url);
    iems_db::migrate(&args.database_url)
        .await
        .with_context(|| format!("migrating {redacted}"))?;
    let pool = iems_db::connect(&args.database_url, args.db_pool)
        .await
        .with_context(|| format!("opening {redacted}"))?;
    let bus = match &args.amqp_url {
        Some(url) => {
            Bus::connect(&BusConfig::amqp(url.clone(), args.amqp_namespace.clone())).await?
        }
        None => {
            tracing::warn!("no --amqp-url: in-process bus, no alerts from other processes");
            Bus::in_process()
        }
    };
    let pool_for_ops = pool.clone();
    let hub = Hub::start(args.hub_config(), bus.clone(), pool, verifier).await?;
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("binding {}", args.listen))?;
    tracing::info!(listen = %args.listen, "ws-hub listening on /ws");
    let hub = std::sync::Arc::new(hub);
    let sockets: super::ops::Read = {
        let hub = hub.clone();
        Box::new(move || hub.connections() as u64)
    };
    let metrics = super::ops::Sampled::default().gauge(
        "ws_sockets_open",
        "WebSockets open on this instance.",
        sockets,
    );
    let router = hub
        .router()
        .merge(super::ops::router(metrics, pool_for_ops));
    let server = tokio::spawn(crate::listen::serve(
        listener,
        router,
        std::future::pending(),
    ));
    iems_runtime::shutdown_signal().await;
    tracing::info!("shutting down: closing every socket with 1001");
    hub.shutdown().await;
    server.abort();
    bus.close().await;
    Ok(())
}
