//! One batched write transaction: readings, the hourly totals they change,
//! meter resets and alerts.
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
use iems_shared::consumption::{apply_delta, insertion_delta, is_reset, HourlyTotals, Reading};
use iems_shared::time::from_unix_ms;
use iems_shared::Energy;
use sqlx::{Any, Transaction};
use std::collections::BTreeMap;
use std::time::Duration;

/// Rows per multi-row INSERT (4 parameters each, far below either database's limit).
const INSERT_CHUNK: usize = 200;

/// Runs of a batch transaction before a lock conflict counts as a failure.
const ATTEMPTS: u32 = 5;

/// The stored readings of a device around a range: inside it, plus the nearest
/// one before and after (the neighbours of any new reading in the range).
/// Binds: device, min, max, device, min, device, max.
const WINDOW_SQL: &str = "\
SELECT ts, register_uwh FROM readings WHERE device_id = ? AND ts BETWEEN ? AND ?
UNION ALL SELECT * FROM (SELECT ts, register_uwh FROM readings
    WHERE device_id = ? AND ts < ? ORDER BY ts DESC LIMIT 1) AS before_range
UNION ALL SELECT * FROM (SELECT ts, register_uwh FROM readings
    WHERE device_id = ? AND ts > ? ORDER BY ts ASC LIMIT 1) AS after_range";

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
}

type Tx = Transaction<'static, Any>;

/// Readings grouped by device, in device id order (the lock order).
type ByDevice<'a> = BTreeMap<&'a str, (DeviceInfo, Vec<Reading>)>;

/// Stores the readings and everything they change in one transaction, run
/// again (from scratch) when MySQL aborts it for a lock conflict.
pub(crate) async fn apply(
    pool: &Pool,
    backend: Backend,
    incoming: &[Incoming],
    now_ms: i64,
) -> Result<Applied, sqlx::Error> {
    let mut by_device: ByDevice = BTreeMap::new();
    for inc in incoming {
        by_device
            .entry(inc.device.id.as_str())
            .or_insert_with(|| (inc.device.clone(), Vec::new()))
            .1
            .push(inc.reading);
    }
    let mut attempt = 1;
    loop {
        match apply_once(pool, backend, &by_device, now_ms).await {
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
        lock_devices(&mut tx, by_device.keys().copied()).await?;
    }
    let mut applied = Applied::default();
    for (device, readings) in by_device.values() {
        apply_device(&mut tx, backend, device, readings, now_ms, &mut applied).await?;
    }
    tx.commit().await?;
    Ok(applied)
}

/// Locks the devices' rows, in id order, until the transaction ends.
async fn lock_devices<'a>(
    tx: &mut Tx,
    ids: impl ExactSizeIterator<Item = &'a str>,
) -> Result<(), sqlx::Error> {
    let sql = format!(
        "SELECT id FROM devices WHERE id IN ({}) ORDER BY id FOR UPDATE",
        placeholders(ids.len())
    );
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

/// A growing pause with jitter, so that two victims do not collide again in step.
fn retry_pause(attempt: u32) -> Duration {
    let jitter = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos() % 20)
        .unwrap_or(0);
    Duration::from_millis(u64::from(10 * attempt + jitter))
}

fn placeholders(n: usize) -> String {
    vec!["?"; n].join(", ")
}

async fn apply_device(
    tx: &mut Tx,
    backend: Backend,
    device: &DeviceInfo,
    readings: &[Reading],
    now_ms: i64,
    applied: &mut Applied,
) -> Result<(), sqlx::Error> {
    let min = readings
        .iter()
        .map(Reading::at_ms)
        .min()
        .unwrap_or_default();
    let max = readings
        .iter()
        .map(Reading::at_ms)
        .max()
        .unwrap_or_default();
    let rows: Vec<(i64, i64)> = sqlx::query_as(WINDOW_SQL)
        .bind(&device.id)
        .bind(min)
        .bind(max)
        .bind(&device.id)
        .bind(min)
        .bind(&device.id)
        .bind(max)
        .fetch_all(&mut **tx)
        .await?;
    let mut window: BTreeMap<i64, Reading> = rows
        .into_iter()
        .filter_map(|(ts, uwh)| Some((ts, Reading::new(from_unix_ms(ts)?, Energy::from_uwh(uwh)))))
        .collect();

    let mut delta = HourlyTotals::new();
    let mut fresh = Vec::new();
    // Reset rows keyed by the timestamp after the drop; `None` deletes a stale one.
    let mut resets: BTreeMap<i64, Option<(i64, i64)>> = BTreeMap::new();
    for reading in readings {
        let ts = reading.at_ms();
        if window.contains_key(&ts) {
            applied.duplicates += 1;
            continue;
        }
        let prev = window.range(..ts).next_back().map(|(_, r)| *r);
        let next = window.range(ts + 1..).next().map(|(_, r)| *r);
        apply_delta(
            &mut delta,
            &insertion_delta(prev.as_ref(), reading, next.as_ref()),
        );
        if let (Some(p), Some(n)) = (prev, next) {
            if is_reset(&p, &n) {
                resets.insert(n.at_ms(), None);
            }
        }
        if let Some(p) = prev.filter(|p| is_reset(p, reading)) {
            resets.insert(ts, Some((p.register.uwh(), reading.register.uwh())));
        }
        if let Some(n) = next.filter(|n| is_reset(reading, n)) {
            resets.insert(n.at_ms(), Some((reading.register.uwh(), n.register.uwh())));
        }
        window.insert(ts, *reading);
        fresh.push(*reading);
    }
    applied.inserted += fresh.len() as u64;

    for chunk in fresh.chunks(INSERT_CHUNK) {
        let sql = format!(
            "INSERT INTO readings (device_id, ts, register_uwh, received_at) VALUES {}",
            vec!["(?, ?, ?, ?)"; chunk.len()].join(", ")
        );
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
    for (ts, reset) in resets {
        write_reset(tx, backend, &device.id, ts, reset, now_ms).await?;
    }
    let changes: Vec<(i64, i64)> = delta
        .into_iter()
        .map(|(hour, change)| (hour.timestamp_millis(), change.uwh()))
        .collect();
    for chunk in changes.chunks(INSERT_CHUNK) {
        for (hour_ms, total) in add_to_hours(tx, backend, &device.id, chunk, now_ms).await? {
            if total > device.max_hourly_uwh {
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

async fn write_reset(
    tx: &mut Tx,
    backend: Backend,
    device_id: &str,
    ts: i64,
    reset: Option<(i64, i64)>,
    now_ms: i64,
) -> Result<(), sqlx::Error> {
    let Some((before, after)) = reset else {
        sqlx::query("DELETE FROM meter_resets WHERE device_id = ? AND ts = ?")
            .bind(device_id)
            .bind(ts)
            .execute(&mut **tx)
            .await?;
        return Ok(());
    };
    let upsert = match backend {
        Backend::Sqlite => {
            "ON CONFLICT (device_id, ts) DO UPDATE SET \
             register_before_uwh = excluded.register_before_uwh, register_after_uwh = excluded.register_after_uwh"
        }
        Backend::Mysql => {
            "ON DUPLICATE KEY UPDATE \
             register_before_uwh = VALUES(register_before_uwh), register_after_uwh = VALUES(register_after_uwh)"
        }
    };
    sqlx::query(&format!(
        "INSERT INTO meter_resets (device_id, ts, register_before_uwh, register_after_uwh, recorded_at) \
         VALUES (?, ?, ?, ?, ?) {upsert}"
    ))
    .bind(device_id)
    .bind(ts)
    .bind(before)
    .bind(after)
    .bind(now_ms)
    .execute(&mut **tx)
    .await?;
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
    let upsert = match backend {
        // SQLite hands the new totals back at once.
        Backend::Sqlite => {
            "ON CONFLICT (device_id, hour_start) DO UPDATE SET \
             energy_uwh = energy_uwh + excluded.energy_uwh, updated_at = excluded.updated_at \
             RETURNING hour_start, energy_uwh"
        }
        Backend::Mysql => {
            "ON DUPLICATE KEY UPDATE \
             energy_uwh = energy_uwh + VALUES(energy_uwh), updated_at = VALUES(updated_at)"
        }
    };
    let sql = format!(
        "INSERT INTO hourly_consumption (device_id, hour_start, energy_uwh, updated_at) VALUES {} {upsert}",
        vec!["(?, ?, ?, ?)"; changes.len()].join(", ")
    );
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
            let sql = format!(
                "SELECT hour_start, energy_uwh FROM hourly_consumption \
                 WHERE device_id = ? AND hour_start IN ({})",
                placeholders(changes.len())
            );
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
    // MySQL's `INSERT IGNORE` reports 0 rows for a duplicate key, as `DO NOTHING` does;
    // every value is an id or an integer, so it has nothing else to ignore.
    let (insert, on_conflict) = match backend {
        Backend::Sqlite => ("INSERT", "ON CONFLICT (device_id, hour_start) DO NOTHING"),
        Backend::Mysql => ("INSERT IGNORE", ""),
    };
    let id = uuid::Uuid::new_v4().to_string();
    let done = sqlx::query(&format!(
        "{insert} INTO alerts (id, device_id, hour_start, energy_uwh, max_hourly_uwh, created_at) \
         VALUES (?, ?, ?, ?, ?, ?) {on_conflict}"
    ))
    .bind(&id)
    .bind(&device.id)
    .bind(hour_ms)
    .bind(total_uwh)
    .bind(device.max_hourly_uwh)
    .bind(now_ms)
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
        let device = DeviceInfo {
            id: uuid::Uuid::new_v4().to_string(),
            max_hourly_uwh: i64::MAX / 4,
            owner_id: None,
        };
        sqlx::query("INSERT INTO devices (id, name, max_hourly_uwh, created_at, updated_at) VALUES (?, 'm', ?, 0, 0)")
            .bind(&device.id)
            .bind(device.max_hourly_uwh)
            .execute(&pool)
            .await
            .unwrap();
        // Another writer holds the device for longer than one lock wait.
        let other = db.pool(1).await.unwrap();
        let mut holder = other.begin().await.unwrap();
        sqlx::query("SELECT id FROM devices WHERE id = ? FOR UPDATE")
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
                reading: Reading::new(
                    start + chrono::Duration::minutes(10 * i),
                    Energy::from_uwh(i * 1_000),
                ),
            })
            .collect();
        let waited = std::time::Instant::now();
        let applied = apply(&pool, Backend::Mysql, &incoming, 0).await.unwrap();
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
