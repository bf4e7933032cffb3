//! The in-process simulator of `iems up --demo/--simulate`: backfills recent
//! meter history at full speed, then plays on at the chosen speed.

use chrono::{DurationRound, Utc};
use iems_messaging::Bus;
use iems_simulator::{plan, Course, PlayConfig, Speed, Timeline};
use std::future::Future;
use std::path::PathBuf;

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
    let planned = plan(&course, &devices, &timeline);
    let split = planned.partition_point(|r| r.at <= now);
    let (history, live) = planned.split_at(split);
    tracing::info!(
        devices = devices.len(),
        history = history.len(),
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
