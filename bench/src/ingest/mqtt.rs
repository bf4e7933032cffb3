//! `iems bench ingest --mqtt`: the same household readings published by many
//! meters over MQTT (QoS 1, one connection and credential per device) through
//! RabbitMQ's MQTT plugin, its HTTP auth backend asking the adapter's broker
//! auth routes, until the adapter has committed every hourly total.

use super::{add_devices, recent_start, start_adapter, BenchDatabase};
use anyhow::{ensure, Context};
use futures::StreamExt;
use iems_broker_adapter::ingest::{Ingest, IngestConfig};
use iems_messaging::{Bus, BusConfig};
use iems_shared::ingest::{DeviceTopics, IssuedCredential};
use iems_simulator::{Course, MqttConfig, MqttDevice, Timeline};
use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

/// What the MQTT case measured.
pub(super) struct MqttFigures {
    /// Readings per second from the first publish to the last commit.
    pub rps: f64,
    /// Seconds to open every connection (each authenticated by the adapter).
    pub connect_s: f64,
    /// RabbitMQ's resident memory with every connection open, MB (`None`: not found).
    pub broker_rss_mb: Option<f64>,
    /// RabbitMQ's resident memory before, MB.
    pub broker_rss_before_mb: Option<f64>,
    /// This process's resident memory (adapter, auth routes and the simulated meters), MB.
    pub bench_rss_mb: f64,
}

/// Where the meters connect and where the broker asks about them.
pub(super) struct MqttTarget<'a> {
    pub amqp_url: &'a str,
    pub mqtt_url: &'a str,
    pub broker_auth: SocketAddr,
}

/// Plays `n` readings over `connections` meters, each with its own credential.
pub(super) async fn mqtt_ingest(
    db: &BenchDatabase,
    target: &MqttTarget<'_>,
    n: usize,
    connections: usize,
) -> anyhow::Result<MqttFigures> {
    let ns = super::namespace("mqtt");
    let topics = DeviceTopics::new(&ns)?;
    let case = db.case().await?;
    let pool = case.pool.clone();
    let ids = add_devices(&pool, connections, i64::MAX / 4).await?;
    let mut credentials = Vec::with_capacity(ids.len());
    for id in &ids {
        let issued = IssuedCredential::generate();
        let statement = iems_shared::sql::credentials::insert(
            &issued.key_id,
            &id.to_string(),
            &issued.secret_sha256,
            0,
        );
        iems_db::statement(&statement).execute(&pool).await?;
        credentials.push(issued);
    }

    let adapter = start_adapter(target.amqp_url, &ns, &pool).await?;
    let bus = Bus::connect(&BusConfig::amqp(target.amqp_url, ns.clone())).await?;
    let ingest = Ingest::new(
        IngestConfig {
            namespace: ns.clone(),
            ..IngestConfig::default()
        },
        pool.clone(),
        bus.clone(),
    )?;
    let listener = tokio::net::TcpListener::bind(target.broker_auth)
        .await
        .with_context(|| {
            format!(
                "binding {} for the broker's auth backend (is an iems with --broker-auth-listen running?)",
                target.broker_auth
            )
        })?;
    let auth =
        tokio::spawn(async move { axum::serve(listener, ingest.broker_auth_router()).await });

    let broker_rss_before_mb = broker_rss_mb();
    let connecting = Instant::now();
    let meters: Vec<MqttDevice> = futures::stream::iter(credentials.iter().enumerate())
        .map(|(i, issued)| {
            let config = MqttConfig {
                window: 100,
                ..MqttConfig::new(
                    target.mqtt_url,
                    &issued.key_id,
                    &issued.secret,
                    &format!("bench-{ns}-{i}"),
                )
            };
            async move { MqttDevice::connect_with(&config).await }
        })
        .buffered(50)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<Result<_, _>>()
        .context("connecting the meters (is RabbitMQ's MQTT listener up? scripts/ensure-mqtt)")?;
    let connect_s = connecting.elapsed().as_secs_f64();

    let per_device = n.div_ceil(connections);
    let course = Course::Registers(iems_simulator::household_registers(7, 5));
    let step = chrono::Duration::minutes(10);
    let timeline = Timeline {
        start: recent_start(step * (per_device as i32)),
        step,
        offset_per_device: 37,
        count: Some(per_device),
    };
    let mut planned = iems_simulator::plan(&course, &ids, &timeline);
    planned.truncate(n);
    let mut by_device: Vec<Vec<Vec<u8>>> = vec![Vec::new(); ids.len()];
    let index: std::collections::HashMap<_, _> =
        ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    for p in &planned {
        by_device[index[&p.device_id]]
            .push(iems_simulator::reading_json(p).to_string().into_bytes());
    }

    let started = Instant::now();
    let sends =
        meters
            .iter()
            .zip(by_device)
            .zip(&credentials)
            .map(|((meter, payloads), issued)| {
                let topic = topics.readings_topic(&issued.key_id);
                async move { meter.publish_all(&topic, payloads).await }
            });
    let sent: u64 = futures::future::try_join_all(sends)
        .await
        .context("publishing")?
        .into_iter()
        .sum();
    ensure!(
        sent == planned.len() as u64,
        "{sent} of {} readings acknowledged",
        planned.len()
    );
    let deadline = Instant::now() + Duration::from_secs(900);
    while adapter.stats.readings_stored.load(Ordering::Relaxed) < planned.len() as u64 {
        ensure!(
            Instant::now() < deadline,
            "the adapter did not store every reading"
        );
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let rps = planned.len() as f64 / started.elapsed().as_secs_f64();
    let broker_rss = broker_rss_mb();
    let bench_rss_mb = rss_mb(std::process::id()).unwrap_or(0.0);

    for meter in meters {
        meter.close().await;
    }
    auth.abort();
    adapter.stop().await?;
    bus.delete_topology().await?;
    bus.close().await;
    case.close().await?;
    Ok(MqttFigures {
        rps,
        connect_s,
        broker_rss_mb: broker_rss,
        broker_rss_before_mb,
        bench_rss_mb,
    })
}

/// Resident memory of a process, MB.
fn rss_mb(pid: u32) -> Option<f64> {
    crate::load::rss_kib(pid)
        .ok()
        .map(|kib| kib as f64 / 1024.0)
}

/// RabbitMQ's resident memory (its `beam.smp` on this machine), MB.
fn broker_rss_mb() -> Option<f64> {
    let pid = std::fs::read_dir("/proc").ok()?.find_map(|entry| {
        let entry = entry.ok()?;
        let pid: u32 = entry.file_name().to_str()?.parse().ok()?;
        let cmdline = std::fs::read(entry.path().join("cmdline")).ok()?;
        let text = String::from_utf8_lossy(&cmdline);
        (text.contains("beam") && text.contains("rabbit")).then_some(pid)
    })?;
    rss_mb(pid)
}
