//! Unit tests of the day-ahead forecast and its error measure.

use super::super::baseline::{history_from_ms, learn_baseline, BaselineParams, WEEK_MS};
use super::*;
use crate::time::parse_date;

const H: i64 = HOUR_MS;

fn wh(w: i64) -> Energy {
    Energy::from_uwh(w * 1_000_000)
}

/// A baseline of six weeks before `now_ms` where each hour uses 100 Wh × its
/// local hour of day + 10 Wh.
fn baseline_at(now_ms: i64, tz: Tz) -> Baseline {
    let (from, to) = history_from_ms(now_ms, 6);
    let rows: Vec<_> = (from / H..to / H)
        .map(|h| {
            let local = DateTime::from_timestamp_millis(h * H)
                .unwrap()
                .with_timezone(&tz);
            (
                h * H,
                wh(100 * i64::from(chrono::Timelike::hour(&local)) + 10),
            )
        })
        .collect();
    learn_baseline(&rows, Some(from), now_ms, tz, BaselineParams::default())
}

#[test]
fn tomorrow_is_the_slot_medians_of_its_hours() {
    let tz = chrono_tz::Europe::Bucharest;
    let now = 1_768_136_400_000; // 2026-01-11T13:00:00Z, Sunday 15:00 local
    let date = tomorrow(now, tz).unwrap();
    assert_eq!(date, parse_date("2026-01-12").unwrap());
    let f = forecast_day(&baseline_at(now, tz), date).unwrap();
    assert_eq!(f.len(), 24);
    assert_eq!(f[0], (1_768_168_800_000, wh(10))); // 2026-01-11T22:00Z = 00:00 local
    assert_eq!(f[23].1, wh(2310));
}

#[test]
fn clock_change_days_have_23_and_25_hours() {
    let tz = chrono_tz::Europe::Bucharest;
    let spring = 1_774_508_400_000; // 2026-03-26T07:00:00Z
    let f = forecast_day(&baseline_at(spring, tz), parse_date("2026-03-29").unwrap()).unwrap();
    assert_eq!(f.len(), 23);
    assert_eq!(f[3].1, wh(410)); // 03:00 is skipped: the fourth hour is 04:00
    let fall = 1_761_202_800_000; // 2025-10-23T07:00:00Z
    let f = forecast_day(&baseline_at(fall, tz), parse_date("2025-10-26").unwrap()).unwrap();
    assert_eq!(f.len(), 25);
    assert_eq!((f[3].1, f[4].1), (wh(310), wh(310))); // 03:00 twice
}

#[test]
fn devices_add_up_hour_by_hour() {
    let a = vec![(0, wh(1)), (H, wh(2))];
    let b = vec![(H, wh(10)), (2 * H, wh(20))];
    assert_eq!(
        sum_forecasts(&[a, b]),
        vec![(0, wh(1)), (H, wh(12)), (2 * H, wh(20))]
    );
}

#[test]
fn no_forecast_without_enough_history() {
    let tz = chrono_tz::UTC;
    let now = 1_768_136_400_000;
    let (_, to) = history_from_ms(now, 6);
    let two_weeks_ago = to - 2 * WEEK_MS;
    let b = learn_baseline(
        &[(to - H, wh(5))],
        Some(two_weeks_ago),
        now,
        tz,
        BaselineParams::default(),
    );
    assert!(!b.ready);
    assert!(forecast_day(&b, tomorrow(now, tz).unwrap()).is_none());
}

#[test]
fn mape_skips_hours_with_zero_actual() {
    let forecast = [
        (0, wh(100)),
        (H, wh(100)),
        (2 * H, wh(100)),
        (3 * H, wh(100)),
    ];
    // +100 %, skipped (zero), 0 %, skipped (no row): mean 50 %.
    let actual = [(0, wh(50)), (H, Energy::ZERO), (2 * H, wh(100))];
    assert_eq!(mape(&forecast, &actual), Some(50.0));
    // An actual hour the forecast left out was expected to use nothing: 100 %.
    assert_eq!(mape(&[], &[(0, wh(7))]), Some(100.0));
    assert_eq!(mape(&forecast, &[(0, Energy::ZERO)]), None);
}
