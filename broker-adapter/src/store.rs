//! One batched write transaction: readings, the hourly totals they change,
//! meter events (resets, gaps) and alerts, as the shared planner decides.
//!
//! The neighbours of new readings are read under a lock that every writer of
//! the same devices takes first, so several adapters serialize and the totals
//! stay exact whatever the order of arrival: on SQLite `BEGIN IMMEDIATE` (the
//! database's write lock), on MySQL the batch's device rows, locked in id order
//! (`SELECT … FOR UPDATE`) so that two batches cannot wait on each other in a
//! cycle. A batch that MySQL still picks as a deadlock victim, or whose lock
//! wait times out, is rolled back whole and run again.

use crate::decode::Incoming;
use crate::devices::DeviceInfo;
use iems_db::{Backend, Pool};
use iems_shared::consumption::plan::{plan_device, EventKind, MeterEvent, Stored};
use iems_shared::consumption::policy::{ReadingPolicy, Refusal};
use iems_shared::consumption::{daily, exceeds_limit, monthly, Reading, HOUR_MS};
use iems_shared::sql;
use iems_shared::time::from_unix_ms;
use iems_shared::Energy;
use sqlx::{Any, Transaction};
use std::collections::BTreeMap;
use std::time::Duration;

/// Rows per multi-row INSERT (4 parameters each, far below either database's limit).
const INSERT_CHUNK: usize = 200;

/// Runs of a batch transaction before a lock conflict counts as a failure.
const ATTEMPTS: u32 = 5;

/// New readings of one device further apart than this get a window query each,
/// so the stored rows read for a batch stay near its readings.
const CLUSTER_SPLIT_MS: i64 = 6 * HOUR_MS;

/// An hour whose total changed, with its new total.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HourTotal {
    pub(crate) device: DeviceInfo,
    pub(crate) hour_ms: i64,
    pub(crate) total_uwh: i64,
}

/// An alert stored by this transaction (the first for its device and hour).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NewAlert {
    pub(crate) id: String,
    pub(crate) device: DeviceInfo,
    pub(crate) hour_ms: i64,
    pub(crate) total_uwh: i64,
    pub(crate) created_at_ms: i64,
}

/// What a committed batch changed.
#[derive(Debug, Default)]
pub(crate) struct Applied {
    pub(crate) inserted: u64,
    pub(crate) duplicates: u64,
    pub(crate) hours: Vec<HourTotal>,
    pub(crate) alerts: Vec<NewAlert>,
    /// Readings the policy refused: index into the batch, and why.
    pub(crate) refused: Vec<(usize, Refusal)>,
}

type Tx = Transaction<'static, Any>;

/// Readings grouped by device, in device id order (the lock order), each with
/// its index in the batch.
type ByDevice<'a> = BTreeMap<&'a str, (DeviceInfo, Vec<(usize, Reading)>)>;

/// Stores the readings and everything they change in one transaction, run
/// again (from scratch) when MySQL aborts it for a lock conflict.
pub(crate) async fn apply(
    pool: &Pool,
    backend: Backend,
    policy: &ReadingPolicy,
    incoming: &[Incoming],
    now_ms: i64,
) -> Result<Applied, sqlx::Error> {
    let mut by_device: ByDevice = BTreeMap::new();
    for (index, inc) in incoming.iter().enumerate() {
        by_device
            .entry(inc.device.id.as_str())
            .or_insert_with(|| (inc.device.clone(), Vec::new()))
            .1
            .push((index, inc.reading));
    }
    let mut attempt = 1;
    loop {
        match apply_once(pool, backend, policy, &by_device, now_ms).await {
            Err(err) if attempt < ATTEMPTS && is_lock_conflict(&err) => {
                tracing::debug!(attempt, error = %err, "batch lost a lock conflict, running it again");
                tokio::time::sleep(retry_pause(attempt)).await;
                attempt += 1;
            }
            result => return result,
        }
    }
}

async fn apply_once(
    pool: &Pool,
    backend: Backend,
    policy: &ReadingPolicy,
    by_device: &ByDevice<'_>,
    now_ms: i64,
) -> Result<Applied, sqlx::Error> {
    let mut tx = match backend {
        Backend::Sqlite => pool.begin_with("BEGIN IMMEDIATE").await?,
        // Read committed: every statement after the device lock sees what the
        // previous holder committed, and InnoDB takes (almost) no gap locks.
        Backend::Mysql => {
            pool.begin_with("SET TRANSACTION ISOLATION LEVEL READ COMMITTED; START TRANSACTION")
                .await?
        }
    };
    if backend == Backend::Mysql {
        lock_devices(&mut tx, backend, by_device.keys().copied()).await?;
    }
    let mut applied = Applied::default();
    for (device, readings) in by_device.values() {
        apply_device(
            &mut tx,
            backend,
            policy,
            device,
            readings,
            now_ms,
            &mut applied,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(applied)
}

/// Locks the devices' rows, in id order, until the transaction ends.
async fn lock_devices<'a>(
    tx: &mut Tx,
    backend: Backend,
    ids: impl ExactSizeIterator<Item = &'a str>,
) -> Result<(), sqlx::Error> {
    let sql = sql::devices::lock_in_order(backend.dialect(), ids.len());
    let mut query = sqlx::query(&sql);
    for id in ids {
        query = query.bind(id);
    }
    query.fetch_all(&mut **tx).await?;
    Ok(())
}

/// MySQL's deadlock (1213) and lock wait timeout (1205): the transaction (or
/// its statement) was given up for another, and running it again succeeds.
fn is_lock_conflict(err: &sqlx::Error) -> bool {
    err.as_database_error()
        .and_then(|e| e.try_downcast_ref::<sqlx::mysql::MySqlDatabaseError>())
        .is_some_and(|e| matches!(e.number(), 1213 | 1205))
}

/// True when the error says the database is unreachable or busy rather than
/// that this batch is wrong: the batch waits and runs again, it is not
/// dead-lettered. Everything else (a constraint, a value out of range) is the
/// batch's own fault.
pub(crate) fn is_outage(err: &sqlx::Error) -> bool {
    use sqlx::Error as E;
    match err {
        E::Io(_)
        | E::Tls(_)
        | E::Protocol(_)
        | E::PoolTimedOut
        | E::PoolClosed
        | E::WorkerCrashed => true,
        E::Database(db) => {
            if let Some(my) = db.try_downcast_ref::<sqlx::mysql::MySqlDatabaseError>() {
                // Lock conflicts past the retries, too many connections, server
                // shutting down or gone, connection killed, read-only.
                return matches!(
                    my.number(),
                    1205 | 1213
                        | 1040
                        | 1053
                        | 1152
                        | 1158
                        | 1159
                        | 1160
                        | 1161
                        | 1290
                        | 1927
                        | 2002
                        | 2003
                        | 2006
                        | 2013
                );
            }
            // SQLite's primary result codes: BUSY, LOCKED, IOERR, FULL, CANTOPEN, READONLY.
            db.code()
                .and_then(|c| c.parse::<i32>().ok())
                .is_some_and(|code| matches!(code & 0xff, 5 | 6 | 8 | 10 | 13 | 14))
        }
        _ => false,
    }
}

/// A growing pause with jitter, so that two victims do not collide again in step.
fn retry_pause(attempt: u32) -> Duration {
    let jitter = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos() % 20)
        .unwrap_or(0);
    Duration::from_millis(u64::from(10 * attempt + jitter))
}

/// The device's readings split where they lie far apart: `(min, max)` of each part.
fn clusters(readings: &[(usize, Reading)]) -> Vec<(i64, i64)> {
    let mut times: Vec<i64> = readings.iter().map(|(_, r)| r.at_ms()).collect();
    times.sort_unstable();
    let mut out: Vec<(i64, i64)> = Vec::new();
    for ts in times {
        match out.last_mut() {
            Some((_, max)) if ts - *max <= CLUSTER_SPLIT_MS => *max = ts,
            _ => out.push((ts, ts)),
        }
    }
    out
}

/// The stored readings around the device's new ones: in each cluster, plus the
/// nearest one before and after (see [`sql::readings::WINDOW`]).
async fn stored_window(
    tx: &mut Tx,
    device_id: &str,
    readings: &[(usize, Reading)],
) -> Result<BTreeMap<i64, Stored>, sqlx::Error> {
    let mut stored = BTreeMap::new();
    for (min, max) in clusters(readings) {
        let rows: Vec<(i64, i64, Option<String>)> = sqlx::query_as(sql::readings::WINDOW)
            .bind(device_id)
            .bind(min)
            .bind(max)
            .bind(device_id)
            .bind(min)
            .bind(device_id)
            .bind(max)
            .fetch_all(&mut **tx)
            .await?;
        for (ts, uwh, kind) in rows {
            if let Some(at) = from_unix_ms(ts) {
                let event = kind.as_deref().and_then(EventKind::parse);
                let reading = Reading::new(at, Energy::from_uwh(uwh));
                stored.insert(ts, Stored { reading, event });
            }
        }
    }
    Ok(stored)
}

async fn apply_device(
    tx: &mut Tx,
    backend: Backend,
    policy: &ReadingPolicy,
    device: &DeviceInfo,
    readings: &[(usize, Reading)],
    now_ms: i64,
    applied: &mut Applied,
) -> Result<(), sqlx::Error> {
    let stored = stored_window(tx, &device.id, readings).await?;
    let new: Vec<Reading> = readings.iter().map(|(_, r)| *r).collect();
    let plan = plan_device(stored, &new, policy, device.limits(), now_ms);
    applied.inserted += plan.accepted.len() as u64;
    applied.duplicates += plan.duplicates.len() as u64;
    applied.refused.extend(
        plan.refused
            .into_iter()
            .map(|(i, why)| (readings[i].0, why)),
    );

    for chunk in plan.accepted.chunks(INSERT_CHUNK) {
        let sql = sql::readings::insert(chunk.len());
        let mut query = sqlx::query(&sql);
        for r in chunk {
            query = query
                .bind(&device.id)
                .bind(r.at_ms())
                .bind(r.register.uwh())
                .bind(now_ms);
        }
        query.execute(&mut **tx).await?;
    }
    for (ts, event) in &plan.events {
        write_event(tx, backend, &device.id, *ts, event.as_ref(), now_ms).await?;
    }
    let changes: Vec<(i64, i64)> = plan
        .hours
        .into_iter()
        .map(|(hour, change)| (hour.timestamp_millis(), change.uwh()))
        .collect();
    // The same changes to the day rows, so both tables always hold the same hours.
    let days = daily::day_changes(&changes);
    for statement in sql::daily::add_days(backend.dialect(), &device.id, &days) {
        iems_db::statement(&statement).execute(&mut **tx).await?;
    }
    // And to the month rows (a year of a client's devices reads those).
    let months = monthly::month_changes(&changes);
    if !months.is_empty() {
        let statement = sql::daily::add_months(backend.dialect(), &device.id, &months);
        iems_db::statement(&statement).execute(&mut **tx).await?;
    }
    let limit = Energy::from_uwh(device.max_hourly_uwh);
    for chunk in changes.chunks(INSERT_CHUNK) {
        for (hour_ms, total) in add_to_hours(tx, backend, &device.id, chunk, now_ms).await? {
            if exceeds_limit(Energy::from_uwh(total), limit) {
                if let Some(alert) =
                    store_alert(tx, backend, device, hour_ms, total, now_ms).await?
                {
                    applied.alerts.push(alert);
                }
            }
            applied.hours.push(HourTotal {
                device: device.clone(),
                hour_ms,
                total_uwh: total,
            });
        }
    }
    Ok(())
}

/// Writes (or, for `None`, deletes) the meter event keyed by the reading at `ts`.
async fn write_event(
    tx: &mut Tx,
    backend: Backend,
    device_id: &str,
    ts: i64,
    event: Option<&MeterEvent>,
    now_ms: i64,
) -> Result<(), sqlx::Error> {
    let Some(event) = event else {
        sqlx::query(sql::meter_events::DELETE)
            .bind(device_id)
            .bind(ts)
            .execute(&mut **tx)
            .await?;
        return Ok(());
    };
    let upsert = sql::meter_events::upsert(backend.dialect(), device_id, ts, event, now_ms);
    iems_db::statement(&upsert).execute(&mut **tx).await?;
    Ok(())
}

/// Adds each `(hour_ms, change)` to its hour's total; returns the new totals, by hour.
async fn add_to_hours(
    tx: &mut Tx,
    backend: Backend,
    device_id: &str,
    changes: &[(i64, i64)],
    now_ms: i64,
) -> Result<Vec<(i64, i64)>, sqlx::Error> {
    // SQLite hands the new totals back at once.
    let sql = sql::hourly::add(backend.dialect(), changes.len());
    let mut query = sqlx::query_as::<_, (i64, i64)>(&sql);
    for (hour_ms, change) in changes {
        query = query
            .bind(device_id)
            .bind(*hour_ms)
            .bind(*change)
            .bind(now_ms);
    }
    let mut totals = match backend {
        Backend::Sqlite => query.fetch_all(&mut **tx).await?,
        Backend::Mysql => {
            query.fetch_all(&mut **tx).await?;
            // The device lock keeps these rows as this transaction left them.
            let sql = sql::hourly::totals(changes.len());
            let mut select = sqlx::query_as::<_, (i64, i64)>(&sql).bind(device_id);
            for (hour_ms, _) in changes {
                select = select.bind(*hour_ms);
            }
            select.fetch_all(&mut **tx).await?
        }
    };
    totals.sort_unstable();
    Ok(totals)
}

/// Stores the hour's alert unless one exists: the unique (device, hour) key is the once-only guard.
async fn store_alert(
    tx: &mut Tx,
    backend: Backend,
    device: &DeviceInfo,
    hour_ms: i64,
    total_uwh: i64,
    now_ms: i64,
) -> Result<Option<NewAlert>, sqlx::Error> {
    let id = uuid::Uuid::new_v4().to_string();
    let alert = sql::alerts::NewAlert {
        id: &id,
        device_id: &device.id,
        kind: iems_shared::model::ALERT_LIMIT,
        hour_start_ms: hour_ms,
        hours: 1,
        energy_uwh: total_uwh,
        expected_uwh: None,
        direction: None,
        max_hourly_uwh: device.max_hourly_uwh,
        created_at_ms: now_ms,
    };
    let done = iems_db::statement(&sql::alerts::insert_once(backend.dialect(), &alert))
        .execute(&mut **tx)
        .await?;
    Ok((done.rows_affected() == 1).then(|| NewAlert {
        id,
        device: device.clone(),
        hour_ms,
        total_uwh,
        created_at_ms: now_ms,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use iems_db::testing::TestDatabase;

    /// A batch that waits for a device another transaction holds past MySQL's
    /// lock wait timeout is run again, and then stores its readings once.
    /// (Multi-threaded, so that the holder still commits while a failing test
    /// unwinds and drops the database.)
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_lock_wait_timeout_on_mysql_runs_the_batch_again() {
        let db = TestDatabase::create(Backend::Mysql).await;
        // One connection, so the short lock wait set on it holds for every statement.
        let pool = db.pool(1).await.unwrap();
        sqlx::query("SET SESSION innodb_lock_wait_timeout = 1")
            .execute(&pool)
            .await
            .unwrap();
        let max_hourly_uwh = i64::MAX / 4;
        let device = DeviceInfo {
            id: iems_db::testing::insert_device(&pool, "m", max_hourly_uwh, None).await,
            max_hourly_uwh,
            max_power_w: None,
            owner_id: None,
            meter_format: None,
            time_zone: None,
        };
        // Another writer holds the device for longer than one lock wait.
        let other = db.pool(1).await.unwrap();
        let mut holder = other.begin().await.unwrap();
        sqlx::query(&sql::devices::lock_in_order(Backend::Mysql.dialect(), 1))
            .bind(&device.id)
            .fetch_all(&mut *holder)
            .await
            .unwrap();
        let release = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(1500)).await;
            holder.commit().await.unwrap();
        });
        let start = chrono::DateTime::parse_from_rfc3339("2026-01-05T00:00:00Z")
            .unwrap()
            .to_utc();
        let incoming: Vec<Incoming> = (0..7)
            .map(|i| Incoming {
                device: device.clone(),
                item: None,
                reading: Reading::new(
                    start + chrono::Duration::minutes(10 * i),
                    Energy::from_uwh(i * 1_000),
                ),
                via: iems_shared::ingest::Via::Amqp,
            })
            .collect();
        let waited = std::time::Instant::now();
        let now_ms = incoming[6].reading.at_ms();
        let applied = apply(
            &pool,
            Backend::Mysql,
            &ReadingPolicy::default(),
            &incoming,
            now_ms,
        )
        .await
        .unwrap();
        assert!(
            waited.elapsed() >= Duration::from_secs(1),
            "the first run waited for the lock"
        );
        release.await.unwrap();
        assert_eq!((applied.inserted, applied.duplicates), (7, 0));
        let total: i64 = sqlx::query_scalar(
            "SELECT CAST(SUM(energy_uwh) AS SIGNED) FROM hourly_consumption WHERE device_id = ?",
        )
        .bind(&device.id)
        .fetch_one(&pool)
        .await
        .unwrap();
        assert_eq!(total, 6_000);
    }

    #[test]
    fn only_mysql_lock_conflicts_are_retried() {
        assert!(!is_lock_conflict(&sqlx::Error::RowNotFound));
        assert!(!is_lock_conflict(&sqlx::Error::PoolTimedOut));
    }
}
