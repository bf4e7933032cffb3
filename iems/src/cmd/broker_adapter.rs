//! `iems broker-adapter`: the reading ingestion service as its own process.

use anyhow::Context;
use iems_broker_adapter::AdapterConfig;
use iems_messaging::{Bus, BusConfig};
use std::time::Duration;

/// Arguments of `iems broker-adapter`.
#[derive(Debug, clap::Args)]
pub struct BrokerAdapterArgs {
    /// Database with the readings, hourly totals and alerts: `sqlite://PATH`.
    #[arg(long, env = "IEMS_DATABASE_URL")]
    pub database_url: String,
    /// RabbitMQ to consume readings from.
    #[arg(long, env = "IEMS_AMQP_URL", default_value = iems_messaging::DEFAULT_AMQP_URL, hide_default_value = true)]
    pub amqp_url: String,
    /// Prefix of the exchange and queue names.
    #[arg(long, env = "IEMS_AMQP_NAMESPACE", default_value = "iems")]
    pub namespace: String,
    /// Deliveries the broker may hand out before any is acked.
    #[arg(long, env = "IEMS_ADAPTER_PREFETCH", default_value_t = 2000)]
    pub prefetch: u16,
    /// Most messages stored in one transaction.
    #[arg(long, env = "IEMS_ADAPTER_BATCH_SIZE", default_value_t = 1000)]
    pub batch_size: usize,
    /// How long device limits and owners are cached, in milliseconds.
    #[arg(long, env = "IEMS_ADAPTER_DEVICE_CACHE_MS", default_value_t = 2000)]
    pub device_cache_ms: u64,
    /// Apply the database migrations before starting.
    #[arg(long, env = "IEMS_MIGRATE")]
    pub migrate: bool,
}

/// Runs the adapter until SIGTERM or Ctrl-C; the batch in flight is finished first.
pub async fn run(args: BrokerAdapterArgs) -> anyhow::Result<()> {
    let redacted = iems_db::redact(&args.database_url);
    if args.migrate {
        iems_db::migrate(&args.database_url)
            .await
            .with_context(|| format!("migrating {redacted}"))?;
    }
    let pool = iems_db::sqlite_pool(&args.database_url, 4)
        .await
        .with_context(|| format!("opening {redacted}"))?;
    let bus = Bus::connect(&BusConfig::amqp(args.amqp_url, args.namespace)).await?;
    let config = AdapterConfig {
        prefetch: args.prefetch,
        batch_size: args.batch_size,
        device_cache_ttl: Duration::from_millis(args.device_cache_ms),
        ..AdapterConfig::default()
    };
    iems_broker_adapter::run(
        config,
        bus.clone(),
        pool.clone(),
        iems_runtime::shutdown_signal(),
    )
    .await?;
    bus.close().await;
    pool.close().await;
    Ok(())
}
