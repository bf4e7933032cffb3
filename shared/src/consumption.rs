//! The consumption rules: from readings of a cumulative energy register to
//! totals per UTC clock hour.
//!
//! Consumption between two consecutive readings (by timestamp) is the register
//! difference, or the new register value after a reset (a drop), spread linearly
//! over the time between them and split at UTC hour boundaries. Everything is
//! exact integer arithmetic on [`Energy`] (µWh), so hour totals add up exactly to
//! the consumption of the readings, whatever order they arrive in.
//!
//! Times are taken at millisecond precision, the precision readings are stored
//! with: two readings in the same millisecond are the same reading.
//!
//! Meters in the field misbehave: [`policy`] says which readings are refused and
//! which steps are booked as resets or gaps, and [`plan`] applies it to new
//! readings among stored ones. The functions here are the rules without a
//! policy (every drop a reset, every gap spread).

mod buckets;
pub mod daily;
pub mod monthly;
pub mod plan;
pub mod policy;

pub use buckets::into_buckets;

use crate::energy::EnergyOverflow;
use crate::Energy;
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

/// Milliseconds in an hour.
pub const HOUR_MS: i64 = 3_600_000;

/// Totals per UTC clock hour, keyed by the hour's start.
pub type HourlyTotals = BTreeMap<DateTime<Utc>, Energy>;

/// One reading of a meter's cumulative register.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reading {
    /// When the meter read the register.
    pub at: DateTime<Utc>,
    /// The register value.
    pub register: Energy,
}

impl Reading {
    /// A reading at a time and register value.
    pub fn new(at: DateTime<Utc>, register: Energy) -> Self {
        Reading { at, register }
    }

    /// The reading's time in unix milliseconds, the key that makes readings idempotent.
    pub fn at_ms(&self) -> i64 {
        self.at.timestamp_millis()
    }
}

/// The UTC instant of a unix millisecond (only for values chrono can represent).
fn instant(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// The start of the UTC clock hour containing `t`.
pub fn hour_start(t: DateTime<Utc>) -> DateTime<Utc> {
    instant(t.timestamp_millis().div_euclid(HOUR_MS) * HOUR_MS)
}

/// True when the register dropped between two readings: the meter was reset.
pub fn is_reset(prev: &Reading, next: &Reading) -> bool {
    next.register < prev.register
}

/// The energy consumed between two consecutive readings: the register increase,
/// or after a reset everything the meter counted since, i.e. `next.register`.
pub fn consumed_between(prev: &Reading, next: &Reading) -> Energy {
    if is_reset(prev, next) {
        next.register
    } else {
        next.register - prev.register
    }
}

/// `floor(energy * num / den)` in exact integer arithmetic (`den > 0`).
fn scaled_floor(energy: Energy, num: i64, den: i64) -> i128 {
    (i128::from(energy.uwh()) * i128::from(num)).div_euclid(i128::from(den))
}

/// The consumption between two readings split over the UTC hours of the interval,
/// in proportion to the milliseconds of the interval in each hour.
///
/// Gives `(hour_start, part)` for every hour the interval touches, in order; the
/// parts add up exactly to [`consumed_between`] and each is within 1 µWh of its
/// exact share. Empty when `next` is not later than `prev`.
pub fn spread_over_hours(prev: &Reading, next: &Reading) -> Vec<(DateTime<Utc>, Energy)> {
    spread_energy(prev.at_ms(), next.at_ms(), consumed_between(prev, next))
}

/// `energy` spread linearly over `[from_ms, to_ms)` and split at UTC hour
/// boundaries: one part per hour touched, adding up exactly to `energy`.
/// Empty when `to_ms` is not later than `from_ms`.
pub fn spread_energy(from_ms: i64, to_ms: i64, energy: Energy) -> Vec<(DateTime<Utc>, Energy)> {
    let (from, to) = (from_ms, to_ms);
    if to <= from {
        return Vec::new();
    }
    let total_ms = to - from;
    let mut parts = Vec::new();
    let mut hour = from.div_euclid(HOUR_MS) * HOUR_MS;
    let mut done = 0i128;
    while hour < to {
        let elapsed_ms = (hour + HOUR_MS).min(to) - from;
        // Cumulative floor: the parts telescope to exactly `energy`, and each
        // lies between 0 and `energy`, so it fits in `i64`.
        let cumulative = scaled_floor(energy, elapsed_ms, total_ms);
        let part = i64::try_from(cumulative - done).unwrap_or(0);
        parts.push((instant(hour), Energy::from_uwh(part)));
        done = cumulative;
        hour += HOUR_MS;
    }
    parts
}

/// Adds `sign` times each part to the totals, leaving out hours that end at zero.
fn add_parts(
    totals: &mut HourlyTotals,
    parts: &[(DateTime<Utc>, Energy)],
    sign: i64,
) -> Result<(), EnergyOverflow> {
    for &(hour, part) in parts {
        let entry = totals.entry(hour).or_insert(Energy::ZERO);
        let signed = Energy::from_uwh(part.uwh().checked_mul(sign).ok_or(EnergyOverflow)?);
        *entry = entry.checked_add(signed)?;
        if *entry == Energy::ZERO {
            totals.remove(&hour);
        }
    }
    Ok(())
}

/// Readings sorted by time with repeated timestamps removed (the first one in
/// `readings` wins).
pub fn distinct_sorted(readings: &[Reading]) -> Vec<Reading> {
    let mut sorted = readings.to_vec();
    // Stable: among equal timestamps the first occurrence stays first.
    sorted.sort_by_key(Reading::at_ms);
    sorted.dedup_by_key(|r| r.at_ms());
    sorted
}

/// The hourly totals of a set of readings, computed at once: hours whose total
/// is zero are left out. The first reading is only a baseline.
pub fn hourly_totals(readings: &[Reading]) -> Result<HourlyTotals, EnergyOverflow> {
    let sorted = distinct_sorted(readings);
    let mut totals = HourlyTotals::new();
    for pair in sorted.windows(2) {
        add_parts(&mut totals, &spread_over_hours(&pair[0], &pair[1]), 1)?;
    }
    Ok(totals)
}

/// The signed change to the hourly totals when `new` is inserted between its
/// existing neighbours `prev` (the latest earlier reading) and `next` (the
/// earliest later one): `-spread(prev, next) + spread(prev, new) + spread(new, next)`.
///
/// Hours whose change is zero are left out. Empty when `new` repeats the
/// timestamp of a neighbour (it is a duplicate and counts once), so neighbours
/// looked up with `<=` / `>=` are fine.
pub fn insertion_delta(
    prev: Option<&Reading>,
    new: &Reading,
    next: Option<&Reading>,
) -> Result<HourlyTotals, EnergyOverflow> {
    let mut delta = HourlyTotals::new();
    let repeats = |r: Option<&Reading>| r.is_some_and(|r| r.at_ms() == new.at_ms());
    if repeats(prev) || repeats(next) {
        return Ok(delta);
    }
    if let (Some(p), Some(n)) = (prev, next) {
        add_parts(&mut delta, &spread_over_hours(p, n), -1)?;
    }
    if let Some(p) = prev {
        add_parts(&mut delta, &spread_over_hours(p, new), 1)?;
    }
    if let Some(n) = next {
        add_parts(&mut delta, &spread_over_hours(new, n), 1)?;
    }
    Ok(delta)
}

/// Adds a delta (from [`insertion_delta`]) to running totals, dropping hours that reach zero.
pub fn apply_delta(totals: &mut HourlyTotals, delta: &HourlyTotals) -> Result<(), EnergyOverflow> {
    let parts: Vec<_> = delta.iter().map(|(h, e)| (*h, *e)).collect();
    add_parts(totals, &parts, 1)
}

/// The alert rule: an hour whose total is above its device's limit has an
/// alert. The store keeps one per (device, hour), so it is raised the first
/// time a total passes the limit and never again for that hour.
pub fn exceeds_limit(total: Energy, limit: Energy) -> bool {
    total > limit
}

/// True when an hour's total goes from at most `limit` to above it: the moment
/// an alert is raised (once per hour, since afterwards `before` exceeds `limit`).
pub fn crosses_limit(before: Energy, after: Energy, limit: Energy) -> bool {
    exceeds_limit(after, limit) && !exceeds_limit(before, limit)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 29, h, m, 0).unwrap()
    }

    fn kwh(v: f64) -> Energy {
        Energy::from_kwh(v).unwrap()
    }

    #[test]
    fn spreads_linearly_across_the_hour_boundary() {
        let prev = Reading::new(at(10, 50), kwh(0.0));
        let next = Reading::new(at(11, 10), kwh(1.2));
        let parts = spread_over_hours(&prev, &next);
        assert_eq!(parts, vec![(at(10, 0), kwh(0.6)), (at(11, 0), kwh(0.6))]);
    }

    #[test]
    fn a_drop_is_a_reset_and_counts_the_new_value() {
        let prev = Reading::new(at(10, 0), kwh(500.0));
        let next = Reading::new(at(10, 30), kwh(2.5));
        assert!(is_reset(&prev, &next));
        assert_eq!(consumed_between(&prev, &next), kwh(2.5));
        assert_eq!(spread_over_hours(&prev, &next), vec![(at(10, 0), kwh(2.5))]);
        assert!(!is_reset(&next, &Reading::new(at(11, 0), kwh(2.5))));
    }

    #[test]
    fn uneven_split_is_exact_and_deterministic() {
        // 1 µWh over three hours: the cumulative floor puts it in the last hour.
        let prev = Reading::new(at(9, 0), Energy::from_uwh(10));
        let next = Reading::new(at(12, 0), Energy::from_uwh(11));
        let parts = spread_over_hours(&prev, &next);
        let uwh: Vec<i64> = parts.iter().map(|(_, e)| e.uwh()).collect();
        assert_eq!(uwh, vec![0, 0, 1]);
    }

    #[test]
    fn same_timestamp_spreads_nothing() {
        let r = Reading::new(at(9, 0), kwh(1.0));
        assert!(spread_over_hours(&r, &r).is_empty());
    }

    #[test]
    fn hour_start_floors_to_the_utc_hour() {
        assert_eq!(hour_start(at(23, 59)), at(23, 0));
        assert_eq!(hour_start(at(0, 0)), at(0, 0));
        let before_epoch = Utc.with_ymd_and_hms(1969, 12, 31, 23, 30, 0).unwrap();
        assert_eq!(
            hour_start(before_epoch),
            Utc.with_ymd_and_hms(1969, 12, 31, 23, 0, 0).unwrap()
        );
    }

    #[test]
    fn first_reading_is_a_baseline_and_duplicates_count_once() {
        let first = Reading::new(at(10, 0), kwh(5.0));
        assert!(hourly_totals(&[first]).unwrap().is_empty());
        assert!(insertion_delta(None, &first, None).unwrap().is_empty());
        let second = Reading::new(at(10, 30), kwh(6.0));
        let again = Reading::new(at(10, 30), kwh(9.0));
        let totals = hourly_totals(&[second, first, again]).unwrap();
        assert_eq!(totals, BTreeMap::from([(at(10, 0), kwh(1.0))]));
        assert!(insertion_delta(Some(&second), &again, None)
            .unwrap()
            .is_empty());
    }

    #[test]
    fn inserting_between_neighbours_moves_energy() {
        let a = Reading::new(at(10, 0), kwh(0.0));
        let c = Reading::new(at(12, 0), kwh(2.0));
        let b = Reading::new(at(10, 30), kwh(1.5));
        let delta = insertion_delta(Some(&a), &b, Some(&c)).unwrap();
        // Before: 1 + 1 kWh. After: 1.5 + 0.5 * 30/90 in 10:00, 0.5 * 60/90 in 11:00.
        let expected = BTreeMap::from([
            (at(10, 0), Energy::from_uwh(666_666_666)),
            (at(11, 0), Energy::from_uwh(-666_666_666)),
        ]);
        assert_eq!(delta, expected);
    }

    #[test]
    fn crosses_limit_only_on_the_first_excess() {
        let limit = kwh(1.0);
        assert!(crosses_limit(kwh(0.5), kwh(1.5), limit));
        assert!(crosses_limit(limit, limit + Energy::from_uwh(1), limit));
        assert!(!crosses_limit(kwh(0.5), limit, limit));
        assert!(!crosses_limit(kwh(1.2), kwh(1.5), limit));
        assert!(!crosses_limit(kwh(0.2), kwh(0.5), limit));
    }
}
