//! `iems broker-adapter`: the reading ingestion service as its own process.

use anyhow::Context;
use iems_broker_adapter::metrics::MetricKind;
use iems_broker_adapter::{AdapterConfig, ReadingPolicy};
use iems_messaging::{Bus, BusConfig};
use iems_shared::consumption::HOUR_MS;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use super::ops;

/// Arguments of `iems broker-adapter`.
#[derive(Debug, clap::Args)]
pub struct BrokerAdapterArgs {
    /// Database with the readings, hourly totals and alerts: `sqlite://PATH` or
    /// `mysql://USER:PASSWORD@HOST:PORT/DATABASE`.
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
    /// Reading policy: readings dated more than this many seconds after they are
    /// received are dead-lettered (`future_timestamp`).
    #[arg(long, env = "IEMS_READING_MAX_AHEAD_S", default_value_t = 300)]
    pub reading_max_ahead_s: u32,
    /// Reading policy: readings dated more than this many days before they are
    /// received are dead-lettered (`stale_timestamp`, e.g. a meter clock reset to 2000).
    #[arg(long, env = "IEMS_READING_MAX_AGE_DAYS", default_value_t = 366)]
    pub reading_max_age_days: u32,
    /// Reading policy: the energy between two readings further apart than this
    /// many hours is booked as a gap event, not spread over the hours.
    #[arg(long, env = "IEMS_READING_MAX_GAP_HOURS", default_value_t = 48, value_parser = clap::value_parser!(u32).range(1..=8784))]
    pub reading_max_gap_hours: u32,
    /// Least seconds between two budget checks of one client (a client is
    /// checked as its devices send readings); 0 turns budget alerts off.
    #[arg(long, env = "IEMS_BUDGET_CHECK_INTERVAL_S", default_value_t = 60)]
    pub budget_check_interval_s: u64,
    /// Least seconds between two insight checks of one device (its baseline
    /// and unusual consumption, docs/insight.md; a device is checked as it
    /// sends readings); 0 turns unusual alerts off.
    #[arg(long, env = "IEMS_INSIGHT_CHECK_INTERVAL_S", default_value_t = 60)]
    pub insight_check_interval_s: u64,
    /// Serve `GET /healthz` and Prometheus `GET /metrics` on this address.
    #[arg(long, env = "IEMS_ADAPTER_LISTEN")]
    pub listen: Option<SocketAddr>,
    /// Apply the database migrations before starting.
    #[arg(long, env = "IEMS_MIGRATE")]
    pub migrate: bool,
    /// Readings from real meters: `POST /api/ingest` (on `--listen`) and MQTT devices.
    #[command(flatten)]
    pub ingest: super::ingest::IngestArgs,
}

/// Runs the adapter until SIGTERM or Ctrl-C; the batch in flight is finished first.
pub async fn run(args: BrokerAdapterArgs) -> anyhow::Result<()> {
    let redacted = iems_db::redact(&args.database_url);
    if args.migrate {
        iems_db::migrate(&args.database_url)
            .await
            .with_context(|| format!("migrating {redacted}"))?;
    }
    let pool = iems_db::connect(&args.database_url, 4)
        .await
        .with_context(|| format!("opening {redacted}"))?;
    let bus = Bus::connect(&BusConfig::amqp(args.amqp_url, args.namespace.clone())).await?;
    let config = AdapterConfig {
        prefetch: args.prefetch,
        batch_size: args.batch_size,
        device_cache_ttl: Duration::from_millis(args.device_cache_ms),
        policy: ReadingPolicy {
            max_ahead_ms: i64::from(args.reading_max_ahead_s) * 1000,
            max_age_ms: i64::from(args.reading_max_age_days) * 24 * HOUR_MS,
            max_gap_ms: i64::from(args.reading_max_gap_hours) * HOUR_MS,
            ..ReadingPolicy::default()
        },
        budget_check_interval: Duration::from_secs(args.budget_check_interval_s),
        insight_check_interval: Duration::from_secs(args.insight_check_interval_s),
        ..AdapterConfig::default()
    };
    let ingest = args
        .ingest
        .ingest(&args.namespace, config.policy, pool.clone(), bus.clone())?;
    let broker_auth = args.ingest.serve_broker_auth(&ingest).await?;
    let stats = Arc::new(iems_broker_adapter::Stats::default());
    let ops_server = match args.listen {
        Some(addr) => {
            let listener = tokio::net::TcpListener::bind(addr)
                .await
                .with_context(|| format!("binding {addr}"))?;
            tracing::info!(listen = %addr, "serving /healthz, /metrics and /api/ingest");
            let router = ops::router(metrics(&stats), pool.clone()).merge(ingest.router());
            Some((
                tokio::spawn(crate::listen::serve(
                    listener,
                    router,
                    std::future::pending(),
                )),
                iems_broker_adapter::metrics::watch_queue(bus.clone(), stats.clone()),
            ))
        }
        None => None,
    };
    iems_broker_adapter::run_with_stats(
        config,
        bus.clone(),
        pool.clone(),
        stats,
        iems_runtime::shutdown_signal(),
    )
    .await?;
    if let Some((server, watcher)) = ops_server {
        server.abort();
        watcher.abort();
    }
    if let Some(server) = broker_auth {
        server.abort();
    }
    bus.close().await;
    pool.close().await;
    Ok(())
}

/// The adapter's metrics (named by the adapter) in the ops router's form.
fn metrics(stats: &Arc<iems_broker_adapter::Stats>) -> ops::Sampled {
    iems_broker_adapter::metrics::metrics(stats)
        .into_iter()
        .fold(ops::Sampled::default(), |sampled, m| match m.kind {
            MetricKind::Counter => sampled.counter(m.name, m.help, m.read),
            MetricKind::Gauge => sampled.gauge(m.name, m.help, m.read),
        })
}
