//! The adapter's counters as the metrics an operator scrapes, and the watcher
//! that keeps the queue-depth gauge current. The names are part of the
//! operations contract (dashboards and alerts use them); the command that
//! serves them adds the `iems_` prefix.

use crate::Stats;
use iems_messaging::Bus;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Whether a metric only grows (a counter) or goes up and down (a gauge).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetricKind {
    /// Only grows; exposed as `<name>_total`.
    Counter,
    /// Goes up and down.
    Gauge,
}

/// A value read at every scrape.
pub type Read = Box<dyn Fn() -> u64 + Send + Sync>;

/// One metric: its name, help text and kind, and how to read its value.
pub struct Metric {
    /// The name, without the `iems_` prefix.
    pub name: &'static str,
    /// One line on what it counts.
    pub help: &'static str,
    /// Counter or gauge.
    pub kind: MetricKind,
    /// Reads the current value.
    pub read: Read,
}

impl std::fmt::Debug for Metric {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metric")
            .field("name", &self.name)
            .field("kind", &self.kind)
            .finish()
    }
}

/// The adapter's counters in `stats` as metrics, read at scrape time.
pub fn metrics(stats: &Arc<Stats>) -> Vec<Metric> {
    let metric = |name, help, kind, field: fn(&Stats) -> &AtomicU64| {
        let stats = Arc::clone(stats);
        Metric {
            name,
            help,
            kind,
            read: Box::new(move || field(&stats).load(Ordering::Relaxed)),
        }
    };
    use MetricKind::{Counter, Gauge};
    vec![
        metric(
            "adapter_readings_stored",
            "Readings newly stored.",
            Counter,
            |s| &s.readings_stored,
        ),
        metric(
            "adapter_readings_duplicate",
            "Readings that were stored before (counted once).",
            Counter,
            |s| &s.duplicates,
        ),
        metric(
            "adapter_dead_lettered",
            "Messages or batch items sent to the dead-letter queue.",
            Counter,
            |s| &s.dead_lettered,
        ),
        metric(
            "adapter_alerts_raised",
            "Alerts stored (one per device and hour).",
            Counter,
            |s| &s.alerts,
        ),
        metric(
            "adapter_budget_alerts_raised",
            "Budget alerts stored (one per client, month and threshold).",
            Counter,
            |s| &s.budget_alerts,
        ),
        metric(
            "adapter_unusual_alerts_raised",
            "Unusual-consumption alerts stored (one per device and run).",
            Counter,
            |s| &s.unusual_alerts,
        ),
        metric(
            "adapter_database_outages",
            "Times the database became unavailable; the batch in hand waited for it.",
            Counter,
            |s| &s.outages,
        ),
        metric(
            "adapter_mqtt_frames_without_energy",
            "Meters' MQTT frames without an energy register (acked, not stored).",
            Counter,
            |s| &s.frames_without_energy,
        ),
        metric(
            "adapter_mqtt_frames_revoked",
            "MQTT frames under a revoked or rotated credential (acked, not stored).",
            Counter,
            |s| &s.frames_revoked,
        ),
        metric("adapter_batches", "Transactions committed.", Counter, |s| {
            &s.batches
        }),
        metric(
            "adapter_last_batch_size",
            "Readings in the last committed transaction.",
            Gauge,
            |s| &s.last_batch_readings,
        ),
        metric(
            "adapter_queue_depth",
            "Readings waiting in the queue (asked of the broker every 5 s): the consumers' lag.",
            Gauge,
            |s| &s.queue_depth,
        ),
    ]
}

/// Asks the broker how many readings wait, every 5 s, for the queue-depth gauge.
pub fn watch_queue(bus: Bus, stats: Arc<Stats>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(5));
        loop {
            every.tick().await;
            match bus.pending_readings().await {
                Ok(n) => stats.queue_depth.store(n, Ordering::Relaxed),
                Err(e) => tracing::debug!(error = %e, "queue depth unavailable"),
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_read_the_counters_at_scrape_time() {
        let stats = Arc::new(Stats::default());
        let metrics = metrics(&stats);
        stats.readings_stored.store(7, Ordering::Relaxed);
        let stored = metrics
            .iter()
            .find(|m| m.name == "adapter_readings_stored")
            .expect("the stored readings counter");
        assert_eq!(stored.kind, MetricKind::Counter);
        assert_eq!((stored.read)(), 7);
    }
}
