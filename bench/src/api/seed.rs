//! `iems bench api`'s data: one client, its meters and a year of their
//! readings, hourly totals and their day rows, in bulk INSERTs with progress on stderr.

use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::Utc;
use iems_db::Pool;
use iems_shared::domain::Role;
use iems_shared::sql;
use sqlx::any::AnyArguments;
use sqlx::Any;

/// A query with its arguments bound so far.
type AnyQuery<'q> = sqlx::query::Query<'q, Any, AnyArguments<'q>>;

use super::FIRST_DAY;
use crate::load;

const HOUR_MS: i64 = 3_600_000;
/// Meter readings per hour (one every 10 minutes).
const READINGS_PER_HOUR: i64 = 6;
/// Rows per INSERT: four bound parameters each, 2,000 a statement.
const ROWS_PER_INSERT: i64 = 500;
/// The meters' hourly limit, 2.5 kWh in µWh.
const MAX_HOURLY_UWH: i64 = 2_500_000_000;

/// What the seeding put in the database.
pub struct Seeded {
    /// The client who owns every device.
    pub client_id: String,
    /// The devices' ids.
    pub devices: Vec<String>,
    /// Hourly totals stored.
    pub rows: i64,
    /// Readings stored.
    pub readings: i64,
    /// How long the seeding took.
    pub elapsed: Duration,
}

/// Migrates a fresh database and fills it: one client, `devices` meters it
/// owns, and `days` days of readings and hourly totals per meter from
/// [`FIRST_DAY`], with `earlier_days` days of hourly totals (and their day and
/// month rows) before it, one transaction per meter of multi-row INSERTs;
/// progress on stderr.
pub async fn seed(
    db_url: &str,
    devices: u32,
    days: u32,
    earlier_days: u32,
) -> anyhow::Result<Seeded> {
    let started = Instant::now();
    iems_db::migrate(db_url)
        .await
        .context("migrating the bench database")?;
    let pool = iems_db::connect(db_url, 1).await?;
    let now = Utc::now().timestamp_millis();
    let client_id = uuid::Uuid::new_v4().to_string();
    // No one signs in: the bench signs the client's access token itself.
    iems_db::statement(&sql::users::insert(&sql::users::NewUser {
        id: &client_id,
        username: "bench-client",
        username_key: "bench-client",
        full_name: "Bench Client",
        address: None,
        role: Role::Client,
        password_hash: "!",
        created_at_ms: now,
    }))
    .execute(&pool)
    .await
    .context("seeding the client")?;
    let ids: Vec<String> = (0..devices)
        .map(|_| uuid::Uuid::new_v4().to_string())
        .collect();
    insert_devices(&pool, &client_id, &ids, now).await?;

    let hours = i64::from(days) * 24;
    let total = hours * i64::from(devices);
    let first_hour_ms = FIRST_DAY
        .and_hms_opt(0, 0, 0)
        .context("midnight")?
        .and_utc()
        .timestamp_millis();
    let terminal = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let dialect = iems_db::Backend::of_pool(&pool).dialect();
    for (index, id) in ids.iter().enumerate() {
        // A step's energy per hour; the hour's total is exactly its readings' increase.
        let step_uwh = |hour: i64| energy_uwh(index as u64, hour) / READINGS_PER_HOUR;
        let earlier = i64::from(earlier_days) * 24;
        let totals: Vec<(i64, i64)> = (-earlier..hours)
            .map(|hour| {
                (
                    first_hour_ms + hour * HOUR_MS,
                    step_uwh(hour) * READINGS_PER_HOUR,
                )
            })
            .collect();
        // One reading more closes the last hour.
        let steps = hours * READINGS_PER_HOUR + 1;
        let step_ms = HOUR_MS / READINGS_PER_HOUR;
        let readings: Vec<(i64, i64)> = (0..steps)
            .scan(0i64, |register_uwh, step| {
                let reading = (first_hour_ms + step * step_ms, *register_uwh);
                *register_uwh += step_uwh(step / READINGS_PER_HOUR);
                Some(reading)
            })
            .collect();
        let mut tx = pool.begin().await?;
        insert_rows(
            &mut tx,
            |n| sql::hourly::add(dialect, n),
            &totals,
            |query, &(hour_start, uwh)| query.bind(id.clone()).bind(hour_start).bind(uwh).bind(now),
        )
        .await
        .context("seeding hourly_consumption")?;
        let days = iems_shared::consumption::daily::day_changes(&totals);
        for statement in sql::daily::add_days(dialect, id, &days) {
            iems_db::statement(&statement)
                .execute(&mut *tx)
                .await
                .context("seeding daily_consumption")?;
        }
        let months = iems_shared::consumption::monthly::month_changes(&totals);
        iems_db::statement(&sql::daily::add_months(dialect, id, &months))
            .execute(&mut *tx)
            .await
            .context("seeding monthly_consumption")?;
        insert_rows(
            &mut tx,
            sql::readings::insert,
            &readings,
            |query, &(ts, register_uwh)| {
                query.bind(id.clone()).bind(ts).bind(register_uwh).bind(ts)
            },
        )
        .await
        .context("seeding readings")?;
        tx.commit().await?;
        let done = index as u32 + 1;
        let text = format!(
            "seeding: {done} of {devices} devices ({steps} readings and {hours} hourly totals each)"
        );
        // In place on a terminal; in a log, a line per tenth of the devices.
        if terminal {
            eprint!("\r{text}");
        } else if done % devices.div_ceil(10).max(1) == 0 || done == devices {
            eprintln!("{text}");
        }
    }
    let elapsed = started.elapsed();
    if terminal {
        eprintln!();
    }
    eprintln!("seeding: done in {:.1} s", elapsed.as_secs_f64());
    pool.close().await;
    Ok(Seeded {
        client_id,
        devices: ids,
        rows: total + i64::from(earlier_days) * 24 * i64::from(devices),
        readings: (hours * READINGS_PER_HOUR + 1) * i64::from(devices),
        elapsed,
    })
}

async fn insert_devices(pool: &Pool, owner: &str, ids: &[String], now: i64) -> anyhow::Result<()> {
    // The API's insert, one row each, in one transaction.
    let mut tx = pool.begin().await?;
    for (i, id) in ids.iter().enumerate() {
        let number = i + 1;
        let device = sql::devices::NewDevice {
            id,
            name: &format!("Meter {number:03}"),
            address: Some(&format!("Bench Street {number}")),
            max_hourly_uwh: MAX_HOURLY_UWH,
            max_power_w: None,
            owner_id: Some(owner),
            created_at_ms: now,
        };
        iems_db::statement(&sql::devices::insert(&device))
            .execute(&mut *tx)
            .await
            .context("seeding the devices")?;
    }
    tx.commit().await?;
    Ok(())
}

/// Stores `rows` with the shared multi-row statement `statement(n)`, [`ROWS_PER_INSERT`]
/// rows at a time; `bind` binds one row's values.
async fn insert_rows<T>(
    conn: &mut sqlx::AnyConnection,
    statement: impl Fn(usize) -> String,
    rows: &[T],
    bind: impl for<'a> Fn(AnyQuery<'a>, &'a T) -> AnyQuery<'a>,
) -> Result<(), sqlx::Error> {
    for chunk in rows.chunks(ROWS_PER_INSERT as usize) {
        let text = statement(chunk.len());
        let query = chunk.iter().fold(sqlx::query(&text), &bind);
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// A household-like hour in µWh: a night base load, morning and evening peaks
/// (UTC hours, about two hours behind Bucharest), a per-meter scale and noise.
fn energy_uwh(device: u64, hour: i64) -> i64 {
    let base_wh: i64 = match hour.rem_euclid(24) {
        0..=3 | 22..=23 => 180,
        4..=6 => 450,
        7..=14 => 300,
        15..=19 => 800,
        _ => 400,
    };
    let noise_wh = (load::mix(device, hour as u64) % 200) as i64;
    let scale_percent = 70 + (device % 7) as i64 * 10;
    (base_wh + noise_wh) * scale_percent / 100 * 1_000_000
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn energy_stays_under_the_limit_and_positive() {
        for device in 0..10 {
            for hour in 0..48 {
                let uwh = energy_uwh(device, hour);
                assert!(uwh > 0 && uwh < MAX_HOURLY_UWH, "{uwh}");
            }
        }
    }
}
