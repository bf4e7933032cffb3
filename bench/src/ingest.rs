//! `iems bench ingest`: (a) the raw broker baseline (persistent messages with
//! confirms, consumed with acks, no database), (b) the same number of readings
//! through the broker-adapter until every hourly total is committed, (c) the same
//! with 100 readings per message, and the latency from publish to alert stored.
//! Each case runs on a fresh database: a temporary SQLite file, or with
//! `--database-url mysql://…` a throwaway database on that MySQL server.

use anyhow::{ensure, Context};
use clap::Args;
use iems_broker_adapter::{AdapterConfig, Stats};
use iems_db::Pool;
use iems_messaging::{Bus, BusConfig, Topic};
use iems_simulator::{Course, PlayConfig, Timeline};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

mod database;
mod mqtt;
use database::BenchDatabase;

/// Arguments of `iems bench ingest`.
#[derive(Debug, Args)]
pub struct BenchIngestArgs {
    /// Smaller run that finishes within 60 seconds.
    #[arg(long)]
    pub quick: bool,
    /// Readings per case (default 100 000, 20 000 with --quick).
    #[arg(long)]
    pub readings: Option<usize>,
    /// Devices the readings are spread over.
    #[arg(long, default_value_t = 50)]
    pub devices: usize,
    /// Readings per message in the batched case.
    #[arg(long, default_value_t = 100)]
    pub batch: usize,
    /// Alerts timed for the latency figure (default 300, 100 with --quick).
    #[arg(long)]
    pub alerts: Option<usize>,
    /// MySQL/MariaDB server to measure on, `mysql://USER:PASSWORD@HOST:PORT/NAME`:
    /// each case runs in a database `NAME_<random>` that the bench creates there
    /// and drops afterwards (NAME defaults to `iems_bench`; the database NAME
    /// itself is never touched). Without it, a temporary SQLite file per case.
    #[arg(long, env = "IEMS_BENCH_DATABASE_URL")]
    pub database_url: Option<String>,
    /// RabbitMQ to measure against.
    #[arg(long, env = "IEMS_AMQP_URL", default_value = iems_messaging::DEFAULT_AMQP_URL, hide_default_value = true)]
    pub amqp_url: String,
    /// Also publish the readings over MQTT, each meter with its own connection
    /// and credential, and compare with the AMQP path (`mqtt_ratio`).
    #[arg(long)]
    pub mqtt: bool,
    /// RabbitMQ's MQTT listener (`scripts/ensure-mqtt`).
    #[arg(long, default_value = "mqtt://127.0.0.1:1884")]
    pub mqtt_url: String,
    /// Meters (connections) of the MQTT case (default 1000, 200 with --quick).
    #[arg(long)]
    pub mqtt_connections: Option<usize>,
    /// Where the broker's HTTP auth backend asks about credentials (`scripts/ensure-mqtt`).
    #[arg(long, default_value = "127.0.0.1:15680")]
    pub broker_auth_listen: std::net::SocketAddr,
}

/// Runs the three cases and the alert latency, prints a table and the summary line.
pub async fn run(args: BenchIngestArgs) -> anyhow::Result<()> {
    let n = args
        .readings
        .unwrap_or(if args.quick { 20_000 } else { 100_000 });
    let alerts = args.alerts.unwrap_or(if args.quick { 100 } else { 300 });
    let devices = args.devices.max(1);
    let db = BenchDatabase::new(args.database_url.as_deref())?;
    println!("database: {}", db.describe());
    let broker_rps = broker_baseline(&args.amqp_url, n)
        .await
        .context("broker baseline")?;
    println!("(a) broker baseline   {n} messages            {broker_rps:>10.0} msg/s");
    let ingest_rps = ingest(&db, &args.amqp_url, n, devices, 1)
        .await
        .context("ingest")?;
    println!("(b) broker-adapter    {n} readings, {devices} devices {ingest_rps:>10.0} readings/s");
    let batched_rps = ingest(&db, &args.amqp_url, n, devices, args.batch)
        .await
        .context("batched ingest")?;
    println!(
        "(c) batched ×{}      {n} readings            {batched_rps:>10.0} readings/s",
        args.batch
    );
    let mqtt = if args.mqtt {
        let connections = args
            .mqtt_connections
            .unwrap_or(if args.quick { 200 } else { 1000 })
            .max(1);
        let target = mqtt::MqttTarget {
            amqp_url: &args.amqp_url,
            mqtt_url: &args.mqtt_url,
            broker_auth: args.broker_auth_listen,
        };
        let figures = mqtt::mqtt_ingest(&db, &target, n, connections)
            .await
            .context("MQTT ingest")?;
        let mb = |v: Option<f64>| v.map_or("?".to_string(), |v| format!("{v:.0}"));
        println!(
            "(m) MQTT QoS 1       {n} readings, {connections} meters {:>10.0} readings/s (connected in {:.1} s; broker RSS {} → {} MB, bench process RSS {:.0} MB)",
            figures.rps,
            figures.connect_s,
            mb(figures.broker_rss_before_mb),
            mb(figures.broker_rss_mb),
            figures.bench_rss_mb
        );
        Some((connections, figures))
    } else {
        None
    };
    let (p50, p99) = alert_latency(&db, &args.amqp_url, alerts)
        .await
        .context("alert latency")?;
    println!(
        "alert latency (publish → alert stored), {alerts} alerts: p50 {p50:.2} ms, p99 {p99:.2} ms"
    );
    println!(
        "bench=ingest readings={n} devices={devices} broker_rps={broker_rps:.0} ingest_rps={ingest_rps:.0} ratio={:.2} batched_rps={batched_rps:.0} alert_p50_ms={p50:.2} alert_p99_ms={p99:.2} database={} load_avg={}",
        ingest_rps / broker_rps,
        db.backend_name(),
        crate::load::machine_load()
    );
    if let Some((connections, m)) = mqtt {
        println!(
            "bench=ingest-mqtt readings={n} connections={connections} mqtt_rps={:.0} amqp_rps={ingest_rps:.0} mqtt_ratio={:.2} connect_s={:.1} broker_rss_mb={} broker_rss_before_mb={} bench_rss_mb={:.0}",
            m.rps,
            m.rps / ingest_rps,
            m.connect_s,
            m.broker_rss_mb.map_or("?".into(), |v| format!("{v:.0}")),
            m.broker_rss_before_mb.map_or("?".into(), |v| format!("{v:.0}")),
            m.bench_rss_mb
        );
    }
    Ok(())
}

async fn bus(url: &str, namespace: &str) -> anyhow::Result<Bus> {
    Ok(Bus::connect(&BusConfig::amqp(url, namespace)).await?)
}

fn namespace(case: &str) -> String {
    format!("bench-{case}-{}", uuid::Uuid::new_v4().simple())
}

/// Publishes `n` persistent messages with confirms while a consumer acks them.
async fn broker_baseline(url: &str, n: usize) -> anyhow::Result<f64> {
    let ns = namespace("broker");
    let publisher = bus(url, &ns).await?;
    let mut consumer = bus(url, &ns).await?.consume_readings(2000).await?;
    let body = br#"{"device_id":"5f0c8a4e-3b1d-4c11-9a57-2f0a6b7c8d9e","timestamp":1767571200000,"measurement_value":1234.567891}"#;
    let started = Instant::now();
    let consume = tokio::spawn(async move {
        for _ in 0..n {
            let delivery = consumer.next().await.context("consumer ended")?;
            delivery.ack().await?;
        }
        anyhow::Ok(())
    });
    let mut window = std::collections::VecDeque::new();
    for _ in 0..n {
        window.push_back(publisher.publish_reading(body).await?);
        if window.len() >= 1000 {
            window.pop_front().context("window")?.wait().await?;
        }
    }
    for confirm in window {
        confirm.wait().await?;
    }
    consume.await??;
    let rps = n as f64 / started.elapsed().as_secs_f64();
    publisher.delete_topology().await?;
    publisher.close().await;
    Ok(rps)
}

async fn add_devices(
    pool: &Pool,
    count: usize,
    max_hourly_uwh: i64,
) -> anyhow::Result<Vec<uuid::Uuid>> {
    let mut ids = Vec::with_capacity(count);
    for _ in 0..count {
        let id = uuid::Uuid::new_v4();
        let device = iems_shared::sql::devices::NewDevice {
            id: &id.to_string(),
            name: "bench",
            address: None,
            max_hourly_uwh,
            max_power_w: None,
            owner_id: None,
            created_at_ms: 0,
        };
        iems_db::statement(&iems_shared::sql::devices::insert(&device))
            .execute(pool)
            .await?;
        ids.push(id);
    }
    Ok(ids)
}

/// An adapter running in this process on its own connection.
struct Adapter {
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<Result<(), iems_broker_adapter::AdapterError>>,
    stats: Arc<Stats>,
}

async fn start_adapter(url: &str, ns: &str, pool: &Pool) -> anyhow::Result<Adapter> {
    let bus = bus(url, ns).await?;
    let stats = Arc::new(Stats::default());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let shutdown = async move {
        let _ = stopped.await;
    };
    let task = tokio::spawn(iems_broker_adapter::run_with_stats(
        AdapterConfig::default(),
        bus,
        pool.clone(),
        Arc::clone(&stats),
        shutdown,
    ));
    Ok(Adapter { stop, task, stats })
}

impl Adapter {
    async fn stop(self) -> anyhow::Result<()> {
        let _ = self.stop.send(());
        self.task.await??;
        Ok(())
    }
}

/// Plays `n` household readings over `devices` meters, `batch` per message, until all are committed.
async fn ingest(
    db: &BenchDatabase,
    url: &str,
    n: usize,
    devices: usize,
    batch: usize,
) -> anyhow::Result<f64> {
    let ns = namespace("ingest");
    let case = db.case().await?;
    let pool = case.pool.clone();
    let ids = add_devices(&pool, devices, i64::MAX / 4).await?;
    let course = Course::Registers(iems_simulator::household_registers(7, 5));
    // Recent meter time, ending before now: the reading policy's window.
    let step = chrono::Duration::minutes(10);
    let start = recent_start(step * (n.div_ceil(devices) as i32));
    let timeline = Timeline {
        start,
        step,
        offset_per_device: 37,
        count: Some(n.div_ceil(devices)),
    };
    let mut planned = iems_simulator::plan(&course, &ids, &timeline);
    planned.truncate(n);
    let publisher = bus(url, &ns).await?;
    let adapter = start_adapter(url, &ns, &pool).await?;
    let config = PlayConfig {
        batch,
        max_in_flight: 2000,
        ..PlayConfig::default()
    };
    let started = Instant::now();
    let summary = iems_simulator::play(&config, &publisher, &planned, std::future::pending()).await;
    ensure!(
        summary.failed == 0,
        "{} readings not confirmed",
        summary.failed
    );
    let deadline = Instant::now() + Duration::from_secs(600);
    while adapter.stats.readings_stored.load(Ordering::Relaxed) < n as u64 {
        ensure!(
            Instant::now() < deadline,
            "the adapter did not store every reading"
        );
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let rps = n as f64 / started.elapsed().as_secs_f64();
    adapter.stop().await?;
    publisher.delete_topology().await?;
    publisher.close().await;
    case.close().await?;
    Ok(rps)
}

/// The start of a UTC day at least `span` before now, so that readings over
/// `span` from it are neither in the future nor too old for the reading policy.
fn recent_start(span: chrono::Duration) -> chrono::DateTime<chrono::Utc> {
    use chrono::DurationRound;
    let day = chrono::Duration::days(1);
    let at = chrono::Utc::now() - span - day;
    at.duration_trunc(day).unwrap_or(at)
}

/// Times `count` alerts, each from one reading that takes a new hour over a tiny limit.
async fn alert_latency(db: &BenchDatabase, url: &str, count: usize) -> anyhow::Result<(f64, f64)> {
    let ns = namespace("alerts");
    let case = db.case().await?;
    let pool = case.pool.clone();
    let device = add_devices(&pool, 1, 1_000).await?[0];
    let publisher = bus(url, &ns).await?;
    let mut events = publisher.subscribe(Topic::Alerts).await?;
    let adapter = start_adapter(url, &ns, &pool).await?;
    let start = recent_start(chrono::Duration::hours(count as i64 + 1));
    let body = |i: usize| {
        let at = start + chrono::Duration::hours(i as i64);
        serde_json::json!({"device_id": device, "timestamp": at.timestamp_millis(), "measurement_value": i as f64})
            .to_string()
    };
    publisher
        .publish_reading(body(0).as_bytes())
        .await?
        .wait()
        .await?;
    let mut latencies = Vec::with_capacity(count);
    for i in 1..=count {
        let sent = Instant::now();
        let confirm = publisher.publish_reading(body(i).as_bytes()).await?;
        // The event is published right after the commit that stored the alert.
        tokio::time::timeout(Duration::from_secs(10), events.next())
            .await?
            .context("alert stream ended")?;
        latencies.push(sent.elapsed().as_secs_f64() * 1000.0);
        confirm.wait().await?;
    }
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM alerts")
        .fetch_one(&pool)
        .await?;
    ensure!(
        stored == count as i64,
        "{stored} alerts stored, {count} expected"
    );
    adapter.stop().await?;
    publisher.delete_topology().await?;
    publisher.close().await;
    case.close().await?;
    latencies.sort_by(f64::total_cmp);
    let pct = |p: f64| {
        latencies[((p * latencies.len() as f64).ceil() as usize).clamp(1, latencies.len()) - 1]
    };
    Ok((pct(0.5), pct(0.99)))
}
