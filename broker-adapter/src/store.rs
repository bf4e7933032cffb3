//! One batched write transaction: readings, the hourly totals they change,
//! meter resets and alerts. `BEGIN IMMEDIATE` takes SQLite's write lock before
//! the neighbours are read, so several adapters serialize per database and the
//! totals stay exact whatever the order of arrival.

use crate::decode::Incoming;
use crate::devices::DeviceInfo;
use iems_shared::consumption::{apply_delta, insertion_delta, is_reset, HourlyTotals, Reading};
use iems_shared::time::from_unix_ms;
use iems_shared::Energy;
use sqlx::{Sqlite, SqlitePool, Transaction};
use std::collections::BTreeMap;

/// Rows per multi-row INSERT (4 parameters each, far below SQLite's limit).
const INSERT_CHUNK: usize = 200;

/// The stored readings of a device around a range: inside it, plus the nearest
/// one before and after (the neighbours of any new reading in the range).
const WINDOW_SQL: &str = "\
SELECT ts, register_uwh FROM readings WHERE device_id = ?1 AND ts BETWEEN ?2 AND ?3
UNION ALL SELECT * FROM (SELECT ts, register_uwh FROM readings
    WHERE device_id = ?1 AND ts < ?2 ORDER BY ts DESC LIMIT 1)
UNION ALL SELECT * FROM (SELECT ts, register_uwh FROM readings
    WHERE device_id = ?1 AND ts > ?3 ORDER BY ts ASC LIMIT 1)";

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

/// Stores the readings and everything they change in one transaction.
pub(crate) async fn apply(
    pool: &SqlitePool,
    incoming: &[Incoming],
    now_ms: i64,
) -> Result<Applied, sqlx::Error> {
    let mut by_device: BTreeMap<&str, (DeviceInfo, Vec<Reading>)> = BTreeMap::new();
    for inc in incoming {
        by_device
            .entry(inc.device.id.as_str())
            .or_insert_with(|| (inc.device.clone(), Vec::new()))
            .1
            .push(inc.reading);
    }
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    let mut applied = Applied::default();
    for (device, readings) in by_device.values() {
        apply_device(&mut tx, device, readings, now_ms, &mut applied).await?;
    }
    tx.commit().await?;
    Ok(applied)
}

async fn apply_device(
    tx: &mut Transaction<'static, Sqlite>,
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
        let mut sql =
            String::from("INSERT INTO readings (device_id, ts, register_uwh, received_at) VALUES ");
        sql.push_str(&vec!["(?, ?, ?, ?)"; chunk.len()].join(", "));
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
        write_reset(tx, &device.id, ts, reset, now_ms).await?;
    }
    for (hour, change) in delta {
        let hour_ms = hour.timestamp_millis();
        let total = add_to_hour(tx, &device.id, hour_ms, change.uwh(), now_ms).await?;
        if total > device.max_hourly_uwh {
            if let Some(alert) = store_alert(tx, device, hour_ms, total, now_ms).await? {
                applied.alerts.push(alert);
            }
        }
        applied.hours.push(HourTotal {
            device: device.clone(),
            hour_ms,
            total_uwh: total,
        });
    }
    Ok(())
}

async fn write_reset(
    tx: &mut Transaction<'static, Sqlite>,
    device_id: &str,
    ts: i64,
    reset: Option<(i64, i64)>,
    now_ms: i64,
) -> Result<(), sqlx::Error> {
    match reset {
        None => {
            sqlx::query("DELETE FROM meter_resets WHERE device_id = ? AND ts = ?")
                .bind(device_id)
                .bind(ts)
                .execute(&mut **tx)
                .await?;
        }
        Some((before, after)) => {
            sqlx::query(
                "INSERT INTO meter_resets (device_id, ts, register_before_uwh, register_after_uwh, recorded_at) \
                 VALUES (?, ?, ?, ?, ?) ON CONFLICT (device_id, ts) DO UPDATE SET \
                 register_before_uwh = excluded.register_before_uwh, register_after_uwh = excluded.register_after_uwh",
            )
            .bind(device_id)
            .bind(ts)
            .bind(before)
            .bind(after)
            .bind(now_ms)
            .execute(&mut **tx)
            .await?;
        }
    }
    Ok(())
}

/// Adds `change` to an hour's total and returns the new total.
async fn add_to_hour(
    tx: &mut Transaction<'static, Sqlite>,
    device_id: &str,
    hour_ms: i64,
    change: i64,
    now_ms: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO hourly_consumption (device_id, hour_start, energy_uwh, updated_at) VALUES (?, ?, ?, ?) \
         ON CONFLICT (device_id, hour_start) DO UPDATE SET \
         energy_uwh = energy_uwh + excluded.energy_uwh, updated_at = excluded.updated_at \
         RETURNING energy_uwh",
    )
    .bind(device_id)
    .bind(hour_ms)
    .bind(change)
    .bind(now_ms)
    .fetch_one(&mut **tx)
    .await
}

/// Stores the hour's alert unless one exists: the unique (device, hour) key is the once-only guard.
async fn store_alert(
    tx: &mut Transaction<'static, Sqlite>,
    device: &DeviceInfo,
    hour_ms: i64,
    total_uwh: i64,
    now_ms: i64,
) -> Result<Option<NewAlert>, sqlx::Error> {
    let id = uuid::Uuid::new_v4().to_string();
    let done = sqlx::query(
        "INSERT INTO alerts (id, device_id, hour_start, energy_uwh, max_hourly_uwh, created_at) \
         VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (device_id, hour_start) DO NOTHING",
    )
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
