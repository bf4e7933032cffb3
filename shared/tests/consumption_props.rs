//! Property tests of the consumption rules: hour totals add up exactly, and
//! neither arrival order nor duplicates change them.

use chrono::{DateTime, Duration, TimeZone, Utc};
use iems_shared::consumption::{
    apply_delta, consumed_between, distinct_sorted, hour_start, hourly_totals, insertion_delta,
    spread_over_hours, HourlyTotals, Reading, HOUR_MS,
};
use iems_shared::Energy;
use proptest::prelude::*;

fn base() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 28, 20, 17, 3).unwrap()
}

/// Up to 5 days after `base`, at millisecond precision, so several hours and
/// days are crossed and many readings share an hour.
fn offset_ms() -> impl Strategy<Value = i64> {
    0i64..5 * 24 * HOUR_MS
}

/// A register value of up to 10^6 kWh.
fn register() -> impl Strategy<Value = i64> {
    0i64..1_000_000_000_000_000
}

fn reading(ms: i64, register_uwh: i64) -> Reading {
    Reading::new(
        base() + Duration::milliseconds(ms),
        Energy::from_uwh(register_uwh),
    )
}

/// Readings with any registers (so resets happen) at any times.
fn any_readings() -> impl Strategy<Value = Vec<Reading>> {
    prop::collection::vec((offset_ms(), register()), 0..40)
        .prop_map(|v| v.into_iter().map(|(ms, reg)| reading(ms, reg)).collect())
}

/// Readings whose register never drops as time goes on (no resets), in time order.
fn growing_readings() -> impl Strategy<Value = Vec<Reading>> {
    prop::collection::vec((offset_ms(), 0i64..50_000_000_000_000), 1..40).prop_map(|v| {
        let mut times: Vec<i64> = v.iter().map(|(ms, _)| *ms).collect();
        times.sort_unstable();
        times.dedup();
        let mut register = 7_000_000_000;
        times
            .into_iter()
            .zip(v.iter().map(|(_, inc)| *inc))
            .map(|(ms, increase)| {
                register += increase;
                reading(ms, register)
            })
            .collect()
    })
}

/// The readings shuffled, with exact copies of some of them added.
fn shuffled_with_copies(readings: Vec<Reading>) -> impl Strategy<Value = Vec<Reading>> {
    let n = readings.len().max(1);
    prop::collection::vec(0..n, 0..10).prop_flat_map(move |copies| {
        let mut all = readings.clone();
        all.extend(copies.iter().filter_map(|&i| readings.get(i).copied()));
        Just(all).prop_shuffle()
    })
}

fn sum(totals: &HourlyTotals) -> Energy {
    totals.values().copied().sum()
}

proptest! {
    #[test]
    fn totals_add_up_to_the_register_increase(readings in growing_readings()) {
        let first = readings.first().unwrap().register;
        let last = readings.last().unwrap().register;
        prop_assert_eq!(sum(&hourly_totals(&readings).unwrap()), last - first);
    }

    #[test]
    fn totals_add_up_to_the_consumption_with_resets(readings in any_readings()) {
        let sorted = distinct_sorted(&readings);
        let consumed: Energy = sorted.windows(2).map(|p| consumed_between(&p[0], &p[1])).sum();
        let totals = hourly_totals(&readings).unwrap();
        prop_assert_eq!(sum(&totals), consumed);
        prop_assert!(totals.keys().all(|h| hour_start(*h) == *h));
        prop_assert!(totals.values().all(|e| *e != Energy::ZERO && !e.is_negative()));
    }

    #[test]
    fn order_and_duplicates_do_not_matter(
        (readings, arrived) in any_readings().prop_flat_map(|r| (Just(r.clone()), shuffled_with_copies(r)))
    ) {
        // Exact copies only: a different register at a repeated time would be a
        // different reading, and then the first one kept is the one that counts.
        let mut firsts = readings.clone();
        firsts.sort_by_key(Reading::at_ms);
        firsts.dedup_by_key(|r| r.at_ms());
        let arrived: Vec<Reading> = arrived
            .into_iter()
            .filter(|r| firsts.iter().any(|f| f == r))
            .collect();
        prop_assert_eq!(hourly_totals(&arrived).unwrap(), hourly_totals(&firsts).unwrap());
    }

    #[test]
    fn inserting_one_by_one_matches_the_batch(
        arrived in any_readings().prop_flat_map(shuffled_with_copies)
    ) {
        let mut stored: Vec<Reading> = Vec::new();
        let mut totals = HourlyTotals::new();
        for new in &arrived {
            let at = stored.partition_point(|r| r.at_ms() < new.at_ms());
            if stored.get(at).is_some_and(|r| r.at_ms() == new.at_ms()) {
                // A duplicate delivery: its neighbour lookup would find itself.
                prop_assert!(insertion_delta(stored.get(at), new, stored.get(at + 1)).unwrap().is_empty());
                continue;
            }
            let prev = at.checked_sub(1).and_then(|i| stored.get(i));
            let delta = insertion_delta(prev, new, stored.get(at)).unwrap();
            prop_assert!(delta.values().all(|e| *e != Energy::ZERO));
            apply_delta(&mut totals, &delta).unwrap();
            stored.insert(at, *new);
            prop_assert_eq!(&totals, &hourly_totals(&stored).unwrap());
        }
    }

    #[test]
    fn parts_lie_in_their_hour_and_are_proportional(
        from in offset_ms(), length in 0i64..30 * HOUR_MS, prev_reg in register(), next_reg in register()
    ) {
        let prev = reading(from, prev_reg);
        let next = reading(from + length, next_reg);
        let parts = spread_over_hours(&prev, &next);
        let energy = i128::from(consumed_between(&prev, &next).uwh());
        let total_ms = i128::from(length);
        prop_assert_eq!(parts.is_empty(), length == 0);
        prop_assert_eq!(parts.iter().map(|(_, e)| *e).sum::<Energy>(),
            if length == 0 { Energy::ZERO } else { consumed_between(&prev, &next) });
        for (i, (hour, part)) in parts.iter().enumerate() {
            prop_assert_eq!(hour_start(*hour), *hour);
            let hour_end = *hour + Duration::hours(1);
            prop_assert!(*hour < next.at && hour_end > prev.at);
            if i > 0 {
                prop_assert_eq!(*hour, parts[i - 1].0 + Duration::hours(1));
            }
            let in_hour = (hour_end.min(next.at) - (*hour).max(prev.at)).num_milliseconds();
            // |part - energy * in_hour / total| < 1 µWh, in integers.
            let error = i128::from(part.uwh()) * total_ms - energy * i128::from(in_hour);
            prop_assert!(error.abs() < total_ms, "part {} off by {}/{}", part.uwh(), error, total_ms);
        }
    }
}
