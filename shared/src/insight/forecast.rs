//! The day-ahead forecast: each hour of a local day is expected to use its
//! slot's baseline median, and a forecast's accuracy is the mean absolute
//! percentage error (MAPE) of the day's hours.
//!
//! A local day has 23, 24 or 25 UTC hours. On a fall-back day both UTC hours
//! of the repeated local hour are expected to use the slot's median (most of
//! its samples are single hours); the skipped hour of a spring-forward day is
//! simply absent.

use super::baseline::Baseline;
use crate::consumption::HOUR_MS;
use crate::time::{day_hours, to_unix_ms};
use crate::Energy;
use chrono::{DateTime, NaiveDate};
use chrono_tz::Tz;
use std::collections::{BTreeMap, HashMap};

/// The local date after the one containing `now_ms` in `tz`.
pub fn tomorrow(now_ms: i64, tz: Tz) -> Option<NaiveDate> {
    DateTime::from_timestamp_millis(now_ms)?
        .with_timezone(&tz)
        .date_naive()
        .succ_opt()
}

/// The expected energy of each UTC hour (`hour_start_ms`, energy) of the local
/// day `date` in the baseline's zone; `None` while the baseline is not ready.
pub fn forecast_day(baseline: &Baseline, date: NaiveDate) -> Option<Vec<(i64, Energy)>> {
    if !baseline.ready {
        return None;
    }
    let hours = day_hours(date, baseline.tz)
        .into_iter()
        .map(to_unix_ms)
        .map(|h| (h, baseline.slot_at(h).map(|s| s.median).unwrap_or_default()))
        .collect();
    Some(hours)
}

/// The hour-by-hour sum of several devices' forecasts, in time order.
pub fn sum_forecasts(forecasts: &[Vec<(i64, Energy)>]) -> Vec<(i64, Energy)> {
    let mut total: BTreeMap<i64, Energy> = BTreeMap::new();
    for &(h, e) in forecasts.iter().flatten() {
        *total.entry(h).or_default() += e;
    }
    total.into_iter().collect()
}

/// The mean absolute percentage error, in per cent, of a day's `forecast`
/// against its `actual` hours: mean over the hours whose actual energy is not
/// zero of |forecast − actual| / actual × 100 (a forecast hour with no row is
/// 0). Hours with zero actual are skipped, as the ratio has no value there;
/// `None` when every hour was zero.
pub fn mape(forecast: &[(i64, Energy)], actual: &[(i64, Energy)]) -> Option<f64> {
    let mut expected: HashMap<i64, Energy> = HashMap::new();
    for &(h, e) in forecast {
        *expected.entry(h.div_euclid(HOUR_MS)).or_default() += e;
    }
    let mut observed: BTreeMap<i64, Energy> = BTreeMap::new();
    for &(h, e) in actual {
        *observed.entry(h.div_euclid(HOUR_MS)).or_default() += e;
    }
    let (mut sum, mut hours) = (0.0, 0u32);
    for (h, a) in observed {
        if a == Energy::ZERO {
            continue;
        }
        let f = expected.get(&h).copied().unwrap_or_default();
        sum += (f.uwh() as f64 - a.uwh() as f64).abs() / (a.uwh() as f64).abs();
        hours += 1;
    }
    (hours > 0).then(|| sum / f64::from(hours) * 100.0)
}

#[cfg(test)]
mod tests;
