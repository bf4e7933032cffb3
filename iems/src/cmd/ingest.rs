//! The options of readings from real meters (docs/ingest.md), shared by
//! `iems up` and `iems broker-adapter`: `POST /api/ingest` and the broker's
//! auth listener for MQTT device credentials.

use anyhow::Context;
use iems_broker_adapter::ingest::{Ingest, IngestConfig};
use iems_broker_adapter::ReadingPolicy;
use iems_db::Pool;
use iems_messaging::Bus;
use std::net::SocketAddr;

/// Options of device ingestion.
#[derive(Debug, Clone, clap::Args)]
pub struct IngestArgs {
    /// Where RabbitMQ's HTTP auth backend asks about device credentials
    /// (`scripts/ensure-mqtt` points the broker at 127.0.0.1:15680); only the
    /// broker should reach it. Unset: no MQTT devices.
    #[arg(long, env = "IEMS_BROKER_AUTH_LISTEN")]
    pub broker_auth_listen: Option<SocketAddr>,
    /// The RabbitMQ virtual host MQTT devices connect to.
    #[arg(long, env = "IEMS_MQTT_VHOST", default_value = "/")]
    pub mqtt_vhost: String,
    /// Requests a device may send to `POST /api/ingest` at once.
    #[arg(long, env = "IEMS_INGEST_BURST", default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub ingest_burst: u32,
    /// Requests per second a device may send to `POST /api/ingest` on average.
    #[arg(long, env = "IEMS_INGEST_PER_SECOND", default_value_t = 1.0)]
    pub ingest_per_second: f64,
}

impl IngestArgs {
    /// The ingestion state, checking the options.
    pub fn ingest(
        &self,
        namespace: &str,
        policy: ReadingPolicy,
        pool: Pool,
        bus: Bus,
    ) -> anyhow::Result<Ingest> {
        anyhow::ensure!(
            self.ingest_per_second.is_finite() && self.ingest_per_second > 0.0,
            "--ingest-per-second must be a positive number"
        );
        let config = IngestConfig {
            namespace: namespace.to_string(),
            vhost: self.mqtt_vhost.clone(),
            burst: self.ingest_burst,
            per_second: self.ingest_per_second,
            policy,
            ..IngestConfig::default()
        };
        Ok(Ingest::new(config, pool, bus)?)
    }

    /// Serves the broker's auth routes when `--broker-auth-listen` is set.
    pub async fn serve_broker_auth(
        &self,
        ingest: &Ingest,
    ) -> anyhow::Result<Option<tokio::task::JoinHandle<std::io::Result<()>>>> {
        let Some(addr) = self.broker_auth_listen else {
            return Ok(None);
        };
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("binding the broker auth listener {addr}"))?;
        tracing::info!(listen = %addr, "answering RabbitMQ's HTTP auth backend about device credentials");
        Ok(Some(tokio::spawn(crate::listen::serve(
            listener,
            ingest.broker_auth_router(),
            std::future::pending(),
        ))))
    }
}
