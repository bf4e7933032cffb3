//! Migration 0007 fills the day rows (`daily_consumption`) from the hourly
//! totals already stored: the same hours, in the 24 columns and the text,
//! on SQLite and MySQL/MariaDB; migration 0008 the month rows
//! (`monthly_consumption`: totals and the hours of first and last days).

use iems_db::testing::{backend_from_env, TestDatabase};
use iems_db::{Backend, MYSQL_MIGRATIONS, SQLITE_MIGRATIONS};
use iems_shared::consumption::daily::hours_of_days;
use iems_shared::consumption::monthly::{month_changes, MonthHours};
use iems_shared::sql::daily::{hour_columns, parse_hours};
use sqlx::migrate::Migrator;
use sqlx::Row;
use std::collections::BTreeMap;

const H: i64 = 3_600_000;
const T0: i64 = 1_735_689_600_000; // 2025-01-01T00:00:00Z

#[tokio::test]
async fn migration_0007_fills_the_day_rows_from_the_hours() {
    let backend = backend_from_env();
    let db = TestDatabase::create_empty(backend).await;
    let pool = db.pool(2).await.unwrap();
    let all = match backend {
        Backend::Sqlite => &SQLITE_MIGRATIONS,
        Backend::Mysql => &MYSQL_MIGRATIONS,
    };
    let before = Migrator {
        migrations: all
            .migrations
            .iter()
            .filter(|m| m.version < 7)
            .cloned()
            .collect::<Vec<_>>()
            .into(),
        ignore_missing: false,
        locking: all.locking,
        no_tx: all.no_tx,
    };
    before.run(&pool).await.unwrap();
    // Two devices with hours over a few days, one of them before 1970, some zero.
    let mut expected: BTreeMap<(String, i64), i64> = BTreeMap::new();
    for (d, first) in [("a", T0 - 5 * H), ("b", -30 * H)] {
        let id = iems_db::testing::insert_device(&pool, d, i64::MAX / 4, None).await;
        for k in 0..100 {
            let (hour, uwh) = (first + k * 7 / 3 * H, (k * 7919 % 3001) * 1_000_003);
            if expected.contains_key(&(id.clone(), hour)) {
                continue;
            }
            sqlx::query(
                "INSERT INTO hourly_consumption (device_id, hour_start, energy_uwh, updated_at) VALUES (?, ?, ?, 0)",
            )
            .bind(&id)
            .bind(hour)
            .bind(uwh)
            .execute(&pool)
            .await
            .unwrap();
            if uwh != 0 {
                expected.insert((id.clone(), hour), uwh);
            }
        }
    }
    all.run(&pool).await.unwrap();
    let sql = format!(
        "SELECT device_id, day_start, hours, {} FROM daily_consumption",
        hour_columns()
    );
    let mut days: BTreeMap<String, Vec<_>> = BTreeMap::new();
    for row in sqlx::query(&sql).fetch_all(&pool).await.unwrap() {
        let text: String = row.get(2);
        let hours = parse_hours(&text).unwrap();
        let columns: Vec<i64> = (3..27).map(|i| row.get::<i64, _>(i)).collect();
        assert_eq!(columns, hours.to_vec());
        days.entry(row.get::<String, _>(0))
            .or_default()
            .push((row.get::<i64, _>(1), hours));
    }
    let mut found = BTreeMap::new();
    for (device, rows) in days {
        for (hour, energy) in hours_of_days(&rows, i64::MIN, i64::MAX) {
            found.insert((device.clone(), hour), energy.uwh());
        }
    }
    assert_eq!(found, expected);

    // The month rows: as the adapter would have kept them, hour by hour.
    let mut want = BTreeMap::new();
    for ((device, hour), uwh) in &expected {
        want.entry(device.clone())
            .or_insert_with(Vec::new)
            .push((*hour, *uwh));
    }
    let want: BTreeMap<(String, i64), MonthHours> = want
        .into_iter()
        .flat_map(|(device, hours)| {
            month_changes(&hours)
                .into_iter()
                .map(move |(m, change)| ((device.clone(), m), change))
        })
        .collect();
    let columns: Vec<String> = (0..24)
        .map(|h| format!("f{h:02}"))
        .chain((0..24).map(|h| format!("l{h:02}")))
        .collect();
    let sql = format!(
        "SELECT device_id, month_start, energy_uwh, {} FROM monthly_consumption",
        columns.join(", ")
    );
    let mut got = BTreeMap::new();
    for row in sqlx::query(&sql).fetch_all(&pool).await.unwrap() {
        let mut m = MonthHours {
            total: row.get(2),
            ..MonthHours::default()
        };
        for h in 0..24 {
            m.first[h] = row.get(3 + h);
            m.last[h] = row.get(27 + h);
        }
        got.insert((row.get::<String, _>(0), row.get::<i64, _>(1)), m);
    }
    assert!(want.len() >= 4, "{want:?}");
    assert_eq!(got, want);
    pool.close().await;
}
