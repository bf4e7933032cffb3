//! The consume loop: fill a batch from what is ready, store it, settle it.

use crate::decode::{self, Incoming, Rejected};
use crate::devices::DeviceCache;
use crate::events::{alert_event, UpdateThrottle};
use crate::store;
use crate::{AdapterConfig, AdapterError};
use iems_db::{Backend, Pool};
use iems_messaging::{Bus, Delivery, Topic};
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Counters of what the adapter did since it started.
#[derive(Debug, Default)]
pub struct Stats {
    /// Readings newly stored.
    pub readings_stored: AtomicU64,
    /// Readings already stored before (counted once).
    pub duplicates: AtomicU64,
    /// Messages or batch items dead-lettered.
    pub dead_lettered: AtomicU64,
    /// Alerts stored.
    pub alerts: AtomicU64,
    /// Transactions committed.
    pub batches: AtomicU64,
    /// Readings in the last committed transaction (stored and duplicates).
    pub last_batch_readings: AtomicU64,
    /// Readings waiting in the queue, as last asked of the broker (the consumers' lag).
    pub queue_depth: AtomicU64,
}

impl Stats {
    /// Readings stored plus duplicates plus dead letters: every reading handled.
    pub fn handled(&self) -> u64 {
        self.readings_stored.load(Ordering::Relaxed)
            + self.duplicates.load(Ordering::Relaxed)
            + self.dead_lettered.load(Ordering::Relaxed)
    }
}

pub(crate) struct Worker {
    config: AdapterConfig,
    bus: Bus,
    pool: Pool,
    backend: Backend,
    stats: Arc<Stats>,
    devices: DeviceCache,
    updates: UpdateThrottle,
}

impl Worker {
    pub(crate) fn new(config: AdapterConfig, bus: Bus, pool: Pool, stats: Arc<Stats>) -> Self {
        let backend = Backend::of_pool(&pool);
        let devices = DeviceCache::new(config.device_cache_ttl);
        let updates = UpdateThrottle::new(config.update_interval);
        Worker {
            config,
            bus,
            pool,
            backend,
            stats,
            devices,
            updates,
        }
    }

    pub(crate) async fn run(
        mut self,
        shutdown: impl Future<Output = ()> + Send,
    ) -> Result<(), AdapterError> {
        let mut consumer = self.bus.consume_readings(self.config.prefetch).await?;
        tracing::info!(
            prefetch = self.config.prefetch,
            batch = self.config.batch_size,
            "broker-adapter consuming"
        );
        let mut shutdown = std::pin::pin!(shutdown);
        let mut tick = tokio::time::interval(Duration::from_millis(200));
        loop {
            let first = tokio::select! {
                biased;
                () = &mut shutdown => break,
                next = consumer.next() => match next {
                    Some(delivery) => delivery,
                    None => break,
                },
                _ = tick.tick() => {
                    self.flush_updates().await;
                    continue;
                }
            };
            // Take whatever else is ready: big batches under load, no waiting when idle.
            let mut batch = vec![first];
            while batch.len() < self.config.batch_size {
                match consumer.try_next() {
                    Some(delivery) => batch.push(delivery),
                    None => break,
                }
            }
            // The batch in flight is finished even when shutdown comes meanwhile.
            self.process(batch).await;
            self.flush_updates().await;
        }
        tracing::info!("broker-adapter stopping");
        drop(consumer);
        Ok(())
    }

    async fn process(&mut self, batch: Vec<Delivery>) {
        let mut readings: Vec<Incoming> = Vec::new();
        let mut parts: Vec<Rejected> = Vec::new();
        let mut to_ack = Vec::with_capacity(batch.len());
        let mut whole_bad = Vec::new();
        for delivery in batch {
            match decode::sort(delivery.payload(), &mut self.devices, &self.pool).await {
                Ok(sorted) => {
                    if let Some(reason) = sorted.whole {
                        whole_bad.push((delivery, reason));
                        continue;
                    }
                    readings.extend(sorted.readings);
                    parts.extend(sorted.parts);
                    to_ack.push(delivery);
                }
                Err(err) => {
                    tracing::warn!(error = %err, "device lookup failed, requeueing");
                    settle(delivery.requeue().await);
                }
            }
        }
        for (delivery, reason) in whole_bad {
            tracing::warn!(%reason, "dead-lettering a message");
            settle(delivery.dead_letter(&reason).await);
            self.stats.dead_lettered.fetch_add(1, Ordering::Relaxed);
        }
        if !readings.is_empty() {
            let now_ms = chrono::Utc::now().timestamp_millis();
            match store::apply(&self.pool, self.backend, &readings, now_ms).await {
                Ok(applied) => {
                    self.stats.batches.fetch_add(1, Ordering::Relaxed);
                    self.stats
                        .last_batch_readings
                        .store(applied.inserted + applied.duplicates, Ordering::Relaxed);
                    self.stats
                        .readings_stored
                        .fetch_add(applied.inserted, Ordering::Relaxed);
                    self.stats
                        .duplicates
                        .fetch_add(applied.duplicates, Ordering::Relaxed);
                    self.stats
                        .alerts
                        .fetch_add(applied.alerts.len() as u64, Ordering::Relaxed);
                    for alert in &applied.alerts {
                        let event = serde_json::to_vec(&alert_event(alert)).unwrap_or_default();
                        self.publish(Topic::Alerts, &event).await;
                    }
                    for total in applied.hours {
                        self.updates.record(total);
                    }
                }
                Err(err) => {
                    // Nothing was stored: give every delivery back. One that keeps failing
                    // reaches the queue's delivery limit and RabbitMQ dead-letters it.
                    tracing::error!(error = %err, deliveries = to_ack.len(), "storing readings failed, requeueing");
                    for delivery in to_ack {
                        settle(delivery.requeue().await);
                    }
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    return;
                }
            }
        }
        for rejected in parts {
            tracing::warn!(reason = %rejected.reason, "dead-lettering a reading");
            if let Err(err) = self
                .bus
                .publish_dead_letter(&rejected.payload, &rejected.reason)
                .await
            {
                tracing::error!(error = %err, "dead-lettering failed");
            }
            self.stats.dead_lettered.fetch_add(1, Ordering::Relaxed);
        }
        // One `basic.ack` for the batch: batches are settled in delivery order.
        settle(Delivery::ack_all(to_ack).await);
    }

    async fn flush_updates(&mut self) {
        if self.updates.is_empty() {
            return;
        }
        for update in self.updates.due(Instant::now()) {
            self.publish(
                Topic::Consumption,
                &serde_json::to_vec(&update).unwrap_or_default(),
            )
            .await;
        }
    }

    async fn publish(&self, topic: Topic, payload: &[u8]) {
        if let Err(err) = self.bus.publish(topic, payload).await {
            tracing::warn!(topic = topic.as_str(), error = %err, "publishing an event failed");
        }
    }
}

/// A settle that fails leaves the message with the broker, which redelivers it;
/// storing is idempotent, so this only costs a repeat.
fn settle(result: Result<(), iems_messaging::BusError>) {
    if let Err(err) = result {
        tracing::warn!(error = %err, "settling a delivery failed; it will be redelivered");
    }
}
