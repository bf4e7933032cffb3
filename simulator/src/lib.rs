//! The smart-meter simulator: plays a CSV onto the bus as meters would, with
//! publisher confirms, pacing (real time × factor, as fast as confirms allow, or
//! a steady rate), or as one device over MQTT with its credential, and
//! generates the repository's own `sensor.csv`. It can add a heater left on at
//! night to the readings ([`inject_heater`]) and score the day-ahead forecast
//! on a register series ([`backtest_registers`]).

mod backtest;
mod course;
mod generate;
mod heater;
mod mqtt;
mod plan;

pub use backtest::{
    backtest, backtest_registers, hourly_rows, Backtest, BacktestError, DayScore, SERIES_START_MS,
};
pub use course::{Course, CourseError, Row};
pub use generate::{household_csv, household_registers, SplitMix64};
pub use heater::{
    inject_heater, last_nights, Heater, HeaterError, Injected, Night, MAX_HEATER_KW,
    MAX_HEATER_NIGHTS, NIGHT_END_HOUR, NIGHT_START_HOUR,
};
pub use mqtt::{parse_mqtt_url, MqttConfig, MqttDevice, MqttError, PubAck, DEFAULT_MQTT_PORT};
pub use plan::{continue_from, parse_step, plan, LastReading, Planned, Timeline};

use iems_messaging::{Bus, BusError, Confirm};
use indicatif::{ProgressBar, ProgressStyle};
use std::collections::VecDeque;
use std::future::Future;
use std::time::{Duration, Instant};

/// How fast meter time runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Speed {
    /// Meter time runs this many times faster than wall time.
    Factor(f64),
    /// As fast as the broker confirms.
    Max,
}

impl std::str::FromStr for Speed {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "max" => Ok(Speed::Max),
            _ => match s.trim_end_matches('x').parse::<f64>() {
                Ok(f) if f.is_finite() && f > 0.0 => Ok(Speed::Factor(f)),
                _ => Err(format!(
                    "{s:?}: expected a positive factor (e.g. 60) or `max`"
                )),
            },
        }
    }
}

/// How to play.
#[derive(Debug, Clone)]
pub struct PlayConfig {
    /// Pacing by meter time (ignored when `rate` is set).
    pub speed: Speed,
    /// A steady load of this many readings per second, regardless of meter time.
    pub rate: Option<f64>,
    /// Readings per message: 1 sends the single-reading message, more a JSON array.
    pub batch: usize,
    /// Messages published but not yet confirmed, at most.
    pub max_in_flight: usize,
    /// Show a progress bar on a terminal.
    pub progress: bool,
}

impl Default for PlayConfig {
    fn default() -> Self {
        PlayConfig {
            speed: Speed::Max,
            rate: None,
            batch: 1,
            max_in_flight: 1000,
            progress: false,
        }
    }
}

/// What a play did (counted in readings).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Summary {
    /// Readings published.
    pub sent: u64,
    /// Readings the broker confirmed.
    pub confirmed: u64,
    /// Readings given up after retries.
    pub failed: u64,
    /// Wall time taken.
    pub elapsed: Duration,
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let secs = self.elapsed.as_secs_f64().max(1e-9);
        write!(
            f,
            "sent={} confirmed={} failed={} elapsed_s={:.2} rps={:.0}",
            self.sent,
            self.confirmed,
            self.failed,
            secs,
            self.confirmed as f64 / secs
        )
    }
}

/// The wire message of one reading (timestamp in unix milliseconds).
pub fn reading_json(p: &Planned) -> serde_json::Value {
    serde_json::json!({
        "device_id": p.device_id.to_string(),
        "timestamp": p.at.timestamp_millis(),
        "measurement_value": p.register_kwh,
    })
}

/// Publishing attempts per message before it counts as failed.
const ATTEMPTS: u32 = 5;

/// Where [`play`] publishes: the bus, or one device's MQTT connection.
trait Outlet {
    /// A published message's acknowledgement, to wait for.
    type Pending: Send;
    type Error: std::fmt::Display;
    async fn send(&self, payload: &[u8]) -> Result<Self::Pending, Self::Error>;
    async fn settle(pending: Self::Pending) -> Result<(), Self::Error>;
    /// Whether nothing more can go out (a device's MQTT connection ended).
    fn ended(&self) -> bool;
}

impl Outlet for Bus {
    type Pending = Confirm;
    type Error = BusError;
    async fn send(&self, payload: &[u8]) -> Result<Confirm, BusError> {
        self.publish_reading(payload).await
    }
    async fn settle(pending: Confirm) -> Result<(), BusError> {
        pending.wait().await
    }
    fn ended(&self) -> bool {
        false
    }
}

/// One device's readings topic on its MQTT connection.
struct MqttTopic<'a> {
    device: &'a MqttDevice,
    topic: &'a str,
}

impl Outlet for MqttTopic<'_> {
    type Pending = PubAck;
    type Error = MqttError;
    async fn send(&self, payload: &[u8]) -> Result<PubAck, MqttError> {
        self.device.send(self.topic, payload.to_vec()).await
    }
    async fn settle(pending: PubAck) -> Result<(), MqttError> {
        pending.wait().await
    }
    fn ended(&self) -> bool {
        self.device.ended().is_some()
    }
}

struct InFlight<P> {
    pending: P,
    payload: Vec<u8>,
    readings: u64,
    attempt: u32,
}

/// Plays `planned` onto `bus` until done or `shutdown` resolves; waits for every confirm.
pub async fn play(
    config: &PlayConfig,
    bus: &Bus,
    planned: &[Planned],
    shutdown: impl Future<Output = ()> + Send,
) -> Summary {
    play_on(config, bus, planned, shutdown).await
}

/// Plays `planned` (iems' own JSON, batched as `config.batch` says) to `topic`
/// on a device's MQTT connection (QoS 1: a reading counts as confirmed when
/// its PUBACK arrives) until done, `shutdown` resolves or the connection ends
/// ([`MqttDevice::ended`] tells why; readings not yet sent then are in no count).
pub async fn play_mqtt(
    config: &PlayConfig,
    device: &MqttDevice,
    topic: &str,
    planned: &[Planned],
    shutdown: impl Future<Output = ()> + Send,
) -> Summary {
    play_on(config, &MqttTopic { device, topic }, planned, shutdown).await
}

async fn play_on<O: Outlet>(
    config: &PlayConfig,
    outlet: &O,
    planned: &[Planned],
    shutdown: impl Future<Output = ()> + Send,
) -> Summary {
    let bar = progress_bar(config.progress, planned.len() as u64);
    let started = Instant::now();
    let mut summary = Summary::default();
    let mut window: VecDeque<InFlight<O::Pending>> = VecDeque::new();
    let mut shutdown = std::pin::pin!(shutdown);
    let first_at = planned.first().map(|p| p.at);
    for (index, chunk) in planned.chunks(config.batch.max(1)).enumerate() {
        if let Some(wait) = pace(
            config,
            first_at,
            chunk[0].at,
            index * config.batch.max(1),
            started,
        ) {
            tokio::select! {
                biased;
                () = &mut shutdown => break,
                () = tokio::time::sleep(wait) => {}
            }
        } else {
            tokio::select! {
                biased;
                () = &mut shutdown => break,
                () = std::future::ready(()) => {}
            }
        }
        let payload = match chunk {
            [single] => reading_json(single).to_string(),
            many => serde_json::Value::Array(many.iter().map(reading_json).collect()).to_string(),
        }
        .into_bytes();
        let readings = chunk.len() as u64;
        summary.sent += readings;
        match outlet.send(&payload).await {
            Ok(pending) => window.push_back(InFlight {
                pending,
                payload,
                readings,
                attempt: 1,
            }),
            Err(err) if outlet.ended() => {
                // The caller reports why; the rest cannot go out.
                tracing::debug!(error = %err, "publishing failed, the connection has ended");
                summary.failed += readings;
                break;
            }
            Err(err) => {
                tracing::error!(error = %err, "publishing failed");
                summary.failed += readings;
            }
        }
        while window.len() >= config.max_in_flight.max(1) {
            settle_oldest(outlet, &mut window, &mut summary, &bar).await;
        }
    }
    while !window.is_empty() {
        settle_oldest(outlet, &mut window, &mut summary, &bar).await;
    }
    bar.finish_and_clear();
    summary.elapsed = started.elapsed();
    summary
}

/// How long to wait before sending reading number `sent` (meter time `at`).
fn pace(
    config: &PlayConfig,
    first_at: Option<chrono::DateTime<chrono::Utc>>,
    at: chrono::DateTime<chrono::Utc>,
    sent: usize,
    started: Instant,
) -> Option<Duration> {
    let target = match (config.rate, config.speed) {
        (Some(rate), _) if rate > 0.0 => Duration::from_secs_f64(sent as f64 / rate),
        (_, Speed::Max) => return None,
        (_, Speed::Factor(factor)) => {
            let meter = (at - first_at?).to_std().ok()?;
            meter.div_f64(factor)
        }
    };
    target.checked_sub(started.elapsed())
}

async fn settle_oldest<O: Outlet>(
    outlet: &O,
    window: &mut VecDeque<InFlight<O::Pending>>,
    summary: &mut Summary,
    bar: &ProgressBar,
) {
    let Some(item) = window.pop_front() else {
        return;
    };
    match O::settle(item.pending).await {
        Ok(()) => {
            summary.confirmed += item.readings;
            bar.inc(item.readings);
        }
        Err(err) if outlet.ended() => {
            tracing::debug!(error = %err, "no confirm, the connection has ended");
            summary.failed += item.readings;
        }
        Err(err) if item.attempt < ATTEMPTS => {
            // At least once: the adapter counts a repeated reading once.
            tracing::warn!(error = %err, attempt = item.attempt, "no confirm, publishing again");
            match outlet.send(&item.payload).await {
                Ok(pending) => window.push_back(InFlight {
                    pending,
                    attempt: item.attempt + 1,
                    ..item
                }),
                Err(err) => {
                    tracing::error!(error = %err, "publishing again failed");
                    summary.failed += item.readings;
                }
            }
        }
        Err(err) => {
            tracing::error!(error = %err, "giving up on a message");
            summary.failed += item.readings;
        }
    }
}

fn progress_bar(show: bool, total: u64) -> ProgressBar {
    if !show {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total);
    let style = ProgressStyle::with_template(
        "{bar:40} {pos}/{len} readings confirmed, {per_sec}, eta {eta}",
    )
    .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    bar
}
