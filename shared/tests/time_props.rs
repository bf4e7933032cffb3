//! Local days in IANA zones: 23, 24 or 25 hours, each exactly one hour apart.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use iems_shared::time::{bucket_start, bucket_starts, day_hours, day_window, parse_tz, Bucket};
use proptest::prelude::*;

/// Zones with whole-hour clock changes, several of them at midnight (Havana,
/// Santiago, Beirut, and São Paulo until 2019), plus fixed half-hour offsets.
const ZONES: &[&str] = &[
    "UTC",
    "Europe/Bucharest",
    "Europe/London",
    "America/New_York",
    "America/Sao_Paulo",
    "America/Santiago",
    "America/Havana",
    "Asia/Beirut",
    "Australia/Sydney",
    "Pacific/Auckland",
    "Asia/Kolkata",
    "America/St_Johns",
    "Africa/Cairo",
];

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn hours_in(zone: &str, y: i32, m: u32, d: u32) -> usize {
    day_hours(date(y, m, d), parse_tz(zone).unwrap()).len()
}

#[test]
fn dst_days_have_23_or_25_hours() {
    let cases = [
        ("Europe/Bucharest", (2026, 3, 29), 23),
        ("Europe/Bucharest", (2026, 10, 25), 25),
        ("Europe/Bucharest", (2026, 6, 15), 24),
        ("America/New_York", (2026, 3, 8), 23),
        ("America/New_York", (2026, 11, 1), 25),
        ("America/New_York", (2026, 3, 9), 24),
        ("Australia/Sydney", (2026, 4, 5), 25),
        ("Australia/Sydney", (2026, 10, 4), 23),
        ("Australia/Sydney", (2026, 3, 29), 24),
        // Midnight clock changes: 00:00 did not exist on 2018-11-04, and on
        // 2019-02-17 00:00 became 2019-02-16 23:00 again.
        ("America/Sao_Paulo", (2018, 11, 4), 23),
        ("America/Sao_Paulo", (2019, 2, 16), 25),
        ("America/Sao_Paulo", (2019, 2, 17), 24),
        // Havana: 00:00 -> 01:00 in March; 01:00 -> 00:00 in November, so
        // the day's first hour is lived twice and the day starts at the first.
        ("America/Havana", (2026, 3, 8), 23),
        ("America/Havana", (2026, 11, 1), 25),
        // Santiago changes at 24:00.
        ("America/Santiago", (2026, 4, 4), 25),
        ("America/Santiago", (2026, 9, 6), 23),
    ];
    for (zone, (y, m, d), hours) in cases {
        assert_eq!(hours_in(zone, y, m, d), hours, "{zone} {y}-{m}-{d}");
    }
    for (y, m, d) in [
        (2026, 3, 29),
        (2026, 10, 25),
        (2026, 3, 8),
        (2026, 11, 1),
        (2026, 4, 5),
    ] {
        assert_eq!(hours_in("UTC", y, m, d), 24);
    }
}

#[test]
fn bucharest_spring_forward_skips_the_local_3_oclock_hour() {
    let tz = parse_tz("Europe/Bucharest").unwrap();
    let hours = day_hours(date(2026, 3, 29), tz);
    assert_eq!(
        hours[0],
        Utc.with_ymd_and_hms(2026, 3, 28, 22, 0, 0).unwrap()
    );
    let local: Vec<String> = hours
        .iter()
        .take(5)
        .map(|h| h.with_timezone(&tz).format("%H:%M").to_string())
        .collect();
    assert_eq!(local, ["00:00", "01:00", "02:00", "04:00", "05:00"]);
}

fn zone() -> impl Strategy<Value = Tz> {
    prop::sample::select(ZONES).prop_map(|z| parse_tz(z).unwrap())
}

fn any_date() -> impl Strategy<Value = NaiveDate> {
    (0i64..70 * 366).prop_map(|d| date(1990, 1, 1) + Duration::days(d))
}

proptest! {
    #[test]
    fn day_hours_are_one_hour_apart_and_fill_the_day(day in any_date(), tz in zone()) {
        let (start, end) = day_window(day, tz);
        let hours = day_hours(day, tz);
        prop_assert!((23..=25).contains(&hours.len()), "{} hours", hours.len());
        prop_assert_eq!(hours[0], start);
        prop_assert_eq!(end - start, Duration::hours(hours.len() as i64));
        for pair in hours.windows(2) {
            prop_assert_eq!(pair[1] - pair[0], Duration::hours(1));
        }
        for hour in &hours {
            prop_assert_eq!(hour.with_timezone(&tz).date_naive(), day);
            prop_assert_eq!(bucket_start(*hour, Bucket::Day, tz), start);
        }
        prop_assert_eq!(day_window(day.succ_opt().unwrap(), tz).0, end);
    }

    #[test]
    fn day_buckets_tile_the_range(
        from_day in any_date(), tz in zone(), from_s in 0i64..86_400, length_s in 0i64..90 * 86_400
    ) {
        let from = from_day.and_hms_opt(0, 0, 0).unwrap().and_utc() + Duration::seconds(from_s);
        let to: DateTime<Utc> = from + Duration::seconds(length_s);
        let starts = bucket_starts(from, to, Bucket::Day, tz);
        prop_assert_eq!(starts.is_empty(), length_s == 0);
        if let (Some(first), Some(last)) = (starts.first(), starts.last()) {
            prop_assert!(*first <= from && *last < to);
            prop_assert!(day_window(last.with_timezone(&tz).date_naive(), tz).1 >= to);
        }
        for pair in starts.windows(2) {
            prop_assert_eq!(day_window(pair[0].with_timezone(&tz).date_naive(), tz), (pair[0], pair[1]));
        }
        let months = bucket_starts(from, to, Bucket::Month, tz);
        prop_assert!(months.iter().all(|m| starts.is_empty() || m <= starts.last().unwrap()));
        prop_assert!(months.iter().all(|m| m.with_timezone(&tz).date_naive().format("%d").to_string() == "01"));
    }
}
