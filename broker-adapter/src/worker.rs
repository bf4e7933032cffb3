//! The consume loop: fill a batch from what is ready, store it, settle it.

use crate::budgets::{self, BudgetWatch};
use crate::credentials::CredentialCache;
use crate::decode::{self, Incoming, Rejected};
use crate::devices::DeviceCache;
use crate::events::{alert_event, UpdateThrottle};
use crate::insight;
use crate::reported::{self, ReportedThrottle};
use crate::store;
use crate::watch::Watch;
use crate::{AdapterConfig, AdapterError};
use iems_db::{Backend, Pool};
use iems_messaging::{Bus, Delivery, Origin, Topic};
use iems_shared::ingest::DeviceTopics;
use iems_shared::wire::{AlertEvent, BudgetAlertEvent};
use std::collections::HashSet;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The first pause while the database is unavailable; it doubles up to the most.
const OUTAGE_FIRST_PAUSE: Duration = Duration::from_millis(250);
const OUTAGE_MAX_PAUSE: Duration = Duration::from_secs(10);
/// Least time between two writes of a device's "last reported" over one path.
const REPORTED_INTERVAL: Duration = Duration::from_secs(10);
/// How long a credential lookup for MQTT frames is trusted: a revoked key's
/// frames are refused within this.
const CREDENTIAL_TTL: Duration = Duration::from_secs(2);

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
    /// Budget alerts stored.
    pub budget_alerts: AtomicU64,
    /// Unusual-consumption alerts stored.
    pub unusual_alerts: AtomicU64,
    /// Transactions committed.
    pub batches: AtomicU64,
    /// Readings in the last committed transaction (stored and duplicates).
    pub last_batch_readings: AtomicU64,
    /// Readings waiting in the queue, as last asked of the broker (the consumers' lag).
    pub queue_depth: AtomicU64,
    /// Times the database became unavailable (the batch in hand waited for it).
    pub outages: AtomicU64,
    /// Meters' MQTT frames without an energy register (acked, not stored).
    pub frames_without_energy: AtomicU64,
    /// MQTT frames under a revoked or rotated credential (acked, not stored).
    pub frames_revoked: AtomicU64,
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
    /// The MQTT topics of devices under the bus namespace (`None` in process).
    topics: Option<DeviceTopics>,
    credentials: CredentialCache,
    reported: ReportedThrottle,
    /// Alerts stored and not yet published.
    alerts: Vec<AlertEvent>,
    /// Clients whose budgets to check.
    budgets: BudgetWatch,
    /// Devices whose baselines and recent hours to check.
    insight: Watch,
}

/// The shutdown signal, awaitable more than once.
struct Shutdown<'a> {
    signal: Pin<Box<dyn Future<Output = ()> + Send + 'a>>,
    done: bool,
}

impl Shutdown<'_> {
    async fn wait(&mut self) {
        if !self.done {
            (&mut self.signal).await;
            self.done = true;
        }
    }
}

/// A delivery of the batch in hand, until it is settled.
struct Held {
    delivery: Delivery,
    /// Why the whole message is dead-lettered (a single reading that failed).
    dead: Option<String>,
}

impl Worker {
    pub(crate) fn new(config: AdapterConfig, bus: Bus, pool: Pool, stats: Arc<Stats>) -> Self {
        let backend = Backend::of_pool(&pool);
        let devices = DeviceCache::new(config.device_cache_ttl);
        let updates = UpdateThrottle::new(config.update_interval);
        let budgets = BudgetWatch::new(config.budget_check_interval);
        let insight = Watch::new(config.insight_check_interval, insight::MAX_PENDING);
        let topics = (!bus.is_in_process())
            .then(|| DeviceTopics::new(bus.names().namespace()).ok())
            .flatten();
        Worker {
            config,
            bus,
            pool,
            backend,
            stats,
            devices,
            updates,
            alerts: Vec::new(),
            topics,
            credentials: CredentialCache::new(CREDENTIAL_TTL),
            reported: ReportedThrottle::new(REPORTED_INTERVAL),
            budgets,
            insight,
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
        let mut shutdown = Shutdown {
            signal: Box::pin(shutdown),
            done: false,
        };
        let mut tick = tokio::time::interval(Duration::from_millis(200));
        loop {
            let first = tokio::select! {
                biased;
                () = shutdown.wait() => break,
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
            // The batch in flight is finished even when shutdown comes meanwhile,
            // unless the database is down: then it is left to the broker.
            self.process(batch, &mut shutdown).await;
            self.flush_updates().await;
            if shutdown.done {
                break;
            }
        }
        tracing::info!("broker-adapter stopping");
        drop(consumer);
        Ok(())
    }

    /// Runs `op` until it succeeds or fails for a reason of its own; while the
    /// database is unreachable it waits, backing off, without taking deliveries.
    /// `None` when shutdown came during the wait.
    async fn patiently<T, F, Fut>(
        &self,
        shutdown: &mut Shutdown<'_>,
        what: &str,
        mut op: F,
    ) -> Option<Result<T, sqlx::Error>>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, sqlx::Error>>,
    {
        let mut pause = OUTAGE_FIRST_PAUSE;
        let mut since: Option<Instant> = None;
        loop {
            match op().await {
                Err(err) if store::is_outage(&err) => {
                    if since.is_none() {
                        tracing::error!(error = %err, "{what}: the database is unavailable; holding the batch and retrying");
                        self.stats.outages.fetch_add(1, Ordering::Relaxed);
                    } else {
                        tracing::warn!(error = %err, retry_in = ?pause, "{what}: the database is still unavailable");
                    }
                    since.get_or_insert_with(Instant::now);
                    tokio::select! {
                        () = shutdown.wait() => return None,
                        () = tokio::time::sleep(pause) => {}
                    }
                    pause = (pause * 2).min(OUTAGE_MAX_PAUSE);
                }
                result => {
                    if let Some(started) = since {
                        tracing::info!(waited = ?started.elapsed(), "{what}: the database is back");
                    }
                    return Some(result);
                }
            }
        }
    }

    async fn process(&mut self, batch: Vec<Delivery>, shutdown: &mut Shutdown<'_>) {
        // Decode and look the devices up; a lookup that cannot reach the database waits.
        let mut held: Vec<Held> = Vec::with_capacity(batch.len());
        let mut readings: Vec<(usize, Incoming)> = Vec::new();
        let mut parts: Vec<Rejected> = Vec::new();
        for delivery in batch {
            let sorted = {
                let mut pause = OUTAGE_FIRST_PAUSE;
                loop {
                    match decode::sort(
                        &delivery,
                        self.topics.as_ref(),
                        &mut self.devices,
                        &mut self.credentials,
                        &self.pool,
                    )
                    .await
                    {
                        Ok(sorted) => break sorted,
                        Err(err) => {
                            if pause == OUTAGE_FIRST_PAUSE {
                                self.stats.outages.fetch_add(1, Ordering::Relaxed);
                            }
                            tracing::warn!(error = %err, retry_in = ?pause, "device lookup failed; holding the batch");
                            tokio::select! {
                                () = shutdown.wait() => return,
                                () = tokio::time::sleep(pause) => {}
                            }
                            pause = (pause * 2).min(OUTAGE_MAX_PAUSE);
                        }
                    }
                }
            };
            if sorted.revoked {
                self.stats.frames_revoked.fetch_add(1, Ordering::Relaxed);
            }
            if sorted.without_energy {
                self.stats
                    .frames_without_energy
                    .fetch_add(1, Ordering::Relaxed);
            }
            let index = held.len();
            readings.extend(sorted.readings.into_iter().map(|r| (index, r)));
            parts.extend(sorted.parts);
            held.push(Held {
                delivery,
                dead: sorted.whole,
            });
        }

        let incoming: Vec<Incoming> = readings.iter().map(|(_, r)| r.clone()).collect();
        let mut failed: Vec<(usize, String)> = Vec::new();
        if !incoming.is_empty() {
            let now_ms = chrono::Utc::now().timestamp_millis();
            let (pool, backend, policy) = (self.pool.clone(), self.backend, self.config.policy);
            let (pool, policy) = (&pool, &policy);
            let whole = self
                .patiently(shutdown, "storing readings", || {
                    store::apply(pool, backend, policy, &incoming, now_ms)
                })
                .await;
            match whole {
                None => return, // shutdown during an outage: the broker keeps the batch
                Some(Ok(applied)) => {
                    // Duplicates too: a client whose budget changed since is checked again.
                    let now = Instant::now();
                    let mut due = Vec::new();
                    for inc in &incoming {
                        if let Some(owner) = &inc.device.owner_id {
                            self.budgets.mark(owner);
                        }
                        if self.reported.due(&inc.device.id, inc.via, now) {
                            due.push((inc.device.id.clone(), inc.via));
                        }
                    }
                    reported::write(&self.pool, due, now_ms).await;
                    // Only stored readings move a device's data time: a refused
                    // one (a clock far ahead) must not make hours look whole.
                    let refused: HashSet<usize> = applied.refused.iter().map(|(i, _)| *i).collect();
                    let latest = insight::latest_by_device(
                        incoming
                            .iter()
                            .enumerate()
                            .filter(|(i, _)| !refused.contains(i))
                            .map(|(_, inc)| (inc.device.id.as_str(), inc.reading.at_ms())),
                    );
                    for (device, at) in latest {
                        self.insight.mark(device, at);
                    }
                    self.applied(applied, &mut failed)
                }
                Some(Err(err)) => {
                    // Something in the batch is wrong: store each reading alone, so
                    // only the one at fault is dead-lettered.
                    tracing::warn!(error = %err, readings = incoming.len(), "a batch failed; storing its readings one by one");
                    for (i, one) in incoming.iter().enumerate() {
                        let alone = self
                            .patiently(shutdown, "storing a reading", || {
                                store::apply(
                                    pool,
                                    backend,
                                    policy,
                                    std::slice::from_ref(one),
                                    now_ms,
                                )
                            })
                            .await;
                        match alone {
                            None => return,
                            Some(Ok(applied)) => {
                                if applied.refused.is_empty() {
                                    self.insight.mark(&one.device.id, one.reading.at_ms());
                                }
                                let mut refused = Vec::new();
                                self.applied(applied, &mut refused);
                                failed.extend(refused.into_iter().map(|(_, why)| (i, why)));
                            }
                            Some(Err(err)) => failed.push((i, format!("storage: {err}"))),
                        }
                    }
                }
            }
        }

        // Readings that could not be stored: a message of one reading is
        // dead-lettered itself, a batch item alone.
        for (i, why) in failed {
            let (index, inc) = &readings[i];
            let why = match why.split_once(": ") {
                Some((code, detail)) => decode::reason(code, detail, inc.item),
                None => why,
            };
            match inc.item {
                None => held[*index].dead = Some(why),
                Some(item) => parts.push(Rejected {
                    payload: decode::item_payload(held[*index].delivery.payload(), item),
                    reason: why,
                    origin: Some(held[*index].delivery.origin().clone()),
                }),
            }
        }
        for rejected in parts {
            tracing::warn!(reason = %rejected.reason, "dead-lettering a reading");
            if let Err(err) = self
                .bus
                .publish_dead_letter_from(
                    &rejected.payload,
                    &rejected.reason,
                    rejected
                        .origin
                        .as_ref()
                        .unwrap_or(&Origin::Readings { source: None }),
                )
                .await
            {
                tracing::error!(error = %err, "dead-lettering failed");
            }
            self.stats.dead_lettered.fetch_add(1, Ordering::Relaxed);
        }
        let mut to_ack = Vec::with_capacity(held.len());
        for h in held {
            match h.dead {
                Some(reason) => {
                    tracing::warn!(%reason, "dead-lettering a message");
                    settle(h.delivery.dead_letter(&reason).await);
                    self.stats.dead_lettered.fetch_add(1, Ordering::Relaxed);
                }
                None => to_ack.push(h.delivery),
            }
        }
        // One `basic.ack` for the rest: batches are settled in delivery order.
        settle(Delivery::ack_all(to_ack).await);
    }

    /// Counts and publishes what a commit changed; the refused readings go to `failed`.
    fn applied(&mut self, applied: store::Applied, failed: &mut Vec<(usize, String)>) {
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
            self.alerts.push(alert_event(alert));
        }
        for total in applied.hours {
            self.updates.record(total);
        }
        failed.extend(
            applied
                .refused
                .into_iter()
                .map(|(i, why)| (i, why.to_string())),
        );
    }

    async fn flush_updates(&mut self) {
        for event in std::mem::take(&mut self.alerts) {
            let payload = serde_json::to_vec(&event).unwrap_or_default();
            self.publish(Topic::Alerts, &payload).await;
        }
        for client in self.budgets.due(Instant::now()) {
            let now_ms = chrono::Utc::now().timestamp_millis();
            match budgets::check(&self.pool, self.backend, &client, now_ms).await {
                Ok(stored) => {
                    for alert in stored {
                        self.stats.budget_alerts.fetch_add(1, Ordering::Relaxed);
                        tracing::info!(client = %client, month = %alert.month, kind = %alert.kind, "budget alert");
                        let event = BudgetAlertEvent {
                            budget_alert: alert,
                        };
                        let payload = serde_json::to_vec(&event).unwrap_or_default();
                        self.publish(Topic::Alerts, &payload).await;
                    }
                }
                Err(err) => {
                    tracing::warn!(client = %client, error = %err, "checking a budget failed; retried an interval later");
                    self.budgets.retry(&client);
                }
            }
        }
        for (device, latest_ms) in self.insight.due(Instant::now(), insight::CHECKS_PER_FLUSH) {
            let now_ms = chrono::Utc::now().timestamp_millis();
            match insight::check(&self.pool, self.backend, &device, latest_ms, now_ms).await {
                Ok(checked) => {
                    if let Some(event) = checked.alert {
                        self.stats.unusual_alerts.fetch_add(1, Ordering::Relaxed);
                        tracing::info!(device = %device, hour = %event.alert.hour_start, hours = event.alert.hours, "unusual consumption");
                        let payload = serde_json::to_vec(&event).unwrap_or_default();
                        self.publish(Topic::Alerts, &payload).await;
                    }
                }
                Err(err) => {
                    tracing::warn!(device = %device, error = %err, "checking a device's consumption pattern failed; retried an interval later");
                    self.insight.mark(&device, latest_ms);
                }
            }
        }
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
