//! The in-process simulator of `iems up --demo/--simulate`: backfills recent
//! meter history at full speed, then plays on at the chosen speed. A meter
//! with stored readings goes on from its last one (a restart on the same data
//! neither replays its history nor steps its register back).

use anyhow::Context;
use chrono::{DurationRound, Utc};
use iems_db::Pool;
use iems_messaging::Bus;
use iems_simulator::{continue_from, plan, Course, LastReading, PlayConfig, Speed, Timeline};
use sqlx::Row;
use std::collections::HashMap;
use std::future::Future;
use std::path::PathBuf;

/// µWh per kWh, as the `readings` table stores registers.
const UWH_PER_KWH: f64 = 1e9;

/// Each device's last stored reading (by meter time).
pub async fn last_readings(pool: &Pool) -> anyhow::Result<HashMap<uuid::Uuid, LastReading>> {
    let rows = sqlx::query(
        "SELECT r.device_id, r.ts, r.register_uwh FROM readings r \
         JOIN (SELECT device_id, MAX(ts) AS ts FROM readings GROUP BY device_id) m \
         ON r.device_id = m.device_id AND r.ts = m.ts",
    )
    .fetch_all(pool)
    .await
    .context("reading each meter's last reading")?;
    let mut last = HashMap::new();
    for row in rows {
        let id: String = row.try_get(0)?;
        let ts: i64 = row.try_get(1)?;
        let register_uwh: i64 = row.try_get(2)?;
        let (Ok(device), Some(at)) = (
            uuid::Uuid::parse_str(&id),
            chrono::DateTime::from_timestamp_millis(ts),
        ) else {
            continue;
        };
        last.insert(
            device,
            LastReading {
                at,
                register_kwh: register_uwh as f64 / UWH_PER_KWH,
            },
        );
    }
    Ok(last)
}

/// What to play.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The CSV to play (the repository's `sensor.csv`).
    pub csv: PathBuf,
    /// Hours of history before now.
    pub backfill_hours: u32,
    /// Meter-time speed after the backfill.
    pub speed: f64,
}

/// Plays every device until `shutdown`; logs instead of failing the server.
pub async fn run(
    p: Plan,
    bus: Bus,
    devices: Vec<uuid::Uuid>,
    last: HashMap<uuid::Uuid, LastReading>,
    shutdown: impl Future<Output = ()> + Send,
) {
    if devices.is_empty() {
        tracing::info!("simulator: no devices to play");
        return;
    }
    let text = match std::fs::read_to_string(&p.csv) {
        Ok(t) => t,
        Err(e) => return tracing::error!("simulator: reading {}: {e}", p.csv.display()),
    };
    let course = match Course::parse(&text) {
        Ok(c) => c,
        Err(e) => return tracing::error!("simulator: {}: {e}", p.csv.display()),
    };
    let step = chrono::Duration::minutes(10);
    let now = Utc::now();
    let start = (now - chrono::Duration::hours(i64::from(p.backfill_hours)))
        .duration_trunc(step)
        .unwrap_or(now);
    let timeline = Timeline {
        start,
        step,
        offset_per_device: 997,
        count: None,
    };
    let planned = continue_from(plan(&course, &devices, &timeline), &last);
    let split = planned.partition_point(|r| r.at <= now);
    let (history, live) = planned.split_at(split);
    tracing::info!(
        devices = devices.len(),
        history = history.len(),
        resumed = last.len(),
        "simulator: backfilling"
    );
    let mut shutdown = std::pin::pin!(shutdown);
    let fast = PlayConfig {
        speed: Speed::Max,
        ..PlayConfig::default()
    };
    let summary = iems_simulator::play(&fast, &bus, history, &mut shutdown).await;
    tracing::info!(%summary, "simulator: backfill done, playing live");
    let live_config = PlayConfig {
        speed: Speed::Factor(p.speed.max(0.001)),
        ..PlayConfig::default()
    };
    let summary = iems_simulator::play(&live_config, &bus, live, &mut shutdown).await;
    tracing::info!(%summary, "simulator: stopped");
}
