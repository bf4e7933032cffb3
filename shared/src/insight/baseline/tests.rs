//! Unit tests of the baseline: medians, spreads, history and clock changes.

use super::*;

const H: i64 = HOUR_MS;
/// 2026-01-05T00:00:00Z, a Monday.
const MONDAY: i64 = 1_767_571_200_000;

fn wh(w: i64) -> Energy {
    Energy::from_uwh(w * 1_000_000)
}

/// One row per hour of `[from, to)`, energy by hour start.
fn rows(from: i64, to: i64, energy: impl Fn(i64) -> Energy) -> Vec<(i64, Energy)> {
    (from / H..to / H).map(|h| (h * H, energy(h * H))).collect()
}

#[test]
fn a_constant_load_is_its_own_baseline() {
    let now = MONDAY + 6 * WEEK_MS + 10 * 60_000;
    let (from, to) = history_from_ms(now, 6);
    assert_eq!((from, to), (MONDAY, MONDAY + 6 * WEEK_MS));
    let b = learn_baseline(
        &rows(from, to, |_| wh(1000)),
        Some(from),
        now,
        chrono_tz::UTC,
        BaselineParams::default(),
    );
    assert!(b.ready);
    assert_eq!(b.weeks_of_history, 6);
    for slot in &b.slots {
        assert_eq!(slot.median, wh(1000));
        assert_eq!(slot.spread, wh(50)); // 5 % of the median, MAD being 0
        assert_eq!(slot.samples, 6);
    }
}

#[test]
fn the_spread_is_the_scaled_mad_with_floors() {
    let mut samples: Vec<i64> = [10, 20, 30, 40, 1000].map(|w| wh(w).uwh()).to_vec();
    let s = slot_stats(&mut samples);
    assert_eq!(s.median, wh(30));
    assert_eq!(s.spread, Energy::from_uwh(14_826_000)); // MAD 10 Wh × 1.4826
    assert_eq!(s.samples, 5);
    // Even counts take the mean of the middle two; a tiny load gets 10 Wh.
    let s = slot_stats(&mut [0, 2_000_000]);
    assert_eq!((s.median, s.spread), (wh(1), wh(10)));
    assert_eq!(slot_stats(&mut []), SlotStats::default());
}

#[test]
fn missing_rows_are_zero_and_hours_before_the_first_are_not_samples() {
    let now = MONDAY + 6 * WEEK_MS;
    // Rows only in weeks 0, 2 and 4 of the window: three of six samples are 0.
    let history: Vec<_> = rows(MONDAY, now, |_| wh(600))
        .into_iter()
        .filter(|&(h, _)| ((h - MONDAY) / WEEK_MS) % 2 == 0)
        .collect();
    let b = learn_baseline(
        &history,
        Some(MONDAY),
        now,
        chrono_tz::UTC,
        Default::default(),
    );
    assert_eq!(b.slots[0].median, wh(300));
    assert_eq!(b.slots[0].samples, 6);
    // A device first seen two weeks ago has two samples a slot and is not ready.
    let first = now - 2 * WEEK_MS;
    let b = learn_baseline(
        &rows(MONDAY, now, |_| wh(600)),
        Some(first + 1),
        now,
        chrono_tz::UTC,
        Default::default(),
    );
    assert_eq!((b.weeks_of_history, b.ready), (2, false));
    assert!(b
        .slots
        .iter()
        .all(|s| s.samples == 2 && s.median == wh(600)));
    let none = learn_baseline(&[], None, now, chrono_tz::UTC, Default::default());
    assert!(!none.ready && none.slots.iter().all(|s| s.samples == 0));
}

#[test]
fn a_repeated_local_hour_is_one_sample_of_both_hours() {
    // Bucharest fell back on Sunday 2025-10-26: 03:00 local happened twice.
    let now = 1_762_128_000_000; // 2025-11-03T00:00:00Z, a Monday
    let (from, to) = history_from_ms(now, 6);
    let tz = chrono_tz::Europe::Bucharest;
    let b = learn_baseline(
        &rows(from, to, |_| wh(1000)),
        Some(from),
        now,
        tz,
        Default::default(),
    );
    let sunday_3am = b.slots[6 * 24 + 3];
    assert_eq!(sunday_3am.samples, 6);
    assert_eq!(sunday_3am.median, wh(1000)); // five 1 kWh samples and one of 2 kWh
    let total: u32 = b.slots.iter().map(|s| s.samples).sum();
    assert_eq!(total, 6 * 168 - 1);
}

#[test]
fn a_skipped_local_hour_has_no_sample_that_day() {
    // Bucharest sprang forward on Sunday 2026-03-29: 03:00 local never happened.
    let now = 1_775_433_600_000; // 2026-04-06T00:00:00Z, a Monday
    let (from, to) = history_from_ms(now, 6);
    let tz = chrono_tz::Europe::Bucharest;
    let b = learn_baseline(
        &rows(from, to, |_| wh(1000)),
        Some(from),
        now,
        tz,
        Default::default(),
    );
    assert_eq!(b.slots[6 * 24 + 3].samples, 5);
    let total: u32 = b.slots.iter().map(|s| s.samples).sum();
    assert_eq!(total, 6 * 168);
}

#[test]
fn parameters_are_checked() {
    assert_eq!(
        BaselineParams::new(6, 3).unwrap(),
        BaselineParams::default()
    );
    assert!(BaselineParams::new(4, 4).is_ok() && BaselineParams::new(8, 1).is_ok());
    for (weeks, min, field) in [
        (3, 3, "weeks"),
        (9, 3, "weeks"),
        (6, 0, "min_weeks"),
        (5, 6, "min_weeks"),
    ] {
        let e = BaselineParams::new(weeks, min).unwrap_err();
        assert_eq!(e.field.as_deref(), Some(field));
    }
}

#[test]
fn slots_round_trip_through_their_text() {
    let now = MONDAY + 6 * WEEK_MS;
    let (from, to) = history_from_ms(now, 6);
    let b = learn_baseline(
        &rows(from, to, |h| wh((h / H) % 977)),
        Some(from),
        now,
        chrono_tz::Europe::Berlin,
        BaselineParams::default(),
    );
    let text = encode_slots(&b.slots);
    assert_eq!(decode_slots(&text), Some(b.slots.clone()));
    let extreme = vec![
        SlotStats {
            median: Energy::from_uwh(i64::MAX),
            spread: Energy::from_uwh(i64::MAX),
            samples: 2 * MAX_WEEKS + 1, // a fall-back week may add one
        };
        SLOTS
    ];
    assert!(encode_slots(&extreme).len() <= 8000);
    assert_eq!(decode_slots(&encode_slots(&extreme)), Some(extreme));
    assert_eq!(decode_slots(""), None);
    assert_eq!(decode_slots(&format!("{text},1:1:1")), None);
    assert_eq!(decode_slots(&text.replacen(':', ";", 1)), None);
    assert_eq!(weeks_of_history(None, now, 6), 0);
    assert_eq!(weeks_of_history(Some(from), now, 6), 6);
    assert_eq!(weeks_of_history(Some(to - WEEK_MS - H), now, 6), 1);
    assert_eq!(weeks_of_history(Some(to + H), now, 6), 0);
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]
    /// Any constant load is its own baseline, in any zone.
    #[test]
    fn any_constant_load_is_its_baseline(
        load in 0i64..5_000_000_000_000,
        zone in proptest::sample::select(vec!["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata"]),
        weeks in 4u32..=8,
    ) {
        let tz: chrono_tz::Tz = zone.parse().unwrap();
        let now = MONDAY + 9 * WEEK_MS + 5 * H;
        let (from, to) = history_from_ms(now, weeks);
        let b = learn_baseline(&rows(from, to, |_| Energy::from_uwh(load)), Some(from), now, tz, BaselineParams::new(weeks, 3).unwrap());
        for slot in &b.slots {
            // A fall-back day makes one sample of two hours: the median ignores it.
            proptest::prop_assert_eq!(slot.median, Energy::from_uwh(load));
        }
    }

    /// One outlier week, however wild, moves no median beyond the spread of
    /// the usual weeks and leaves the spread of a steady load at its floor.
    #[test]
    fn one_outlier_week_barely_moves_it(
        base in 10_000_000i64..2_000_000_000,
        outlier in 0i64..1_000_000_000_000,
        week in 0i64..6,
        jitter_seed in proptest::prelude::any::<u64>(),
    ) {
        let now = MONDAY + 6 * WEEK_MS;
        let (from, to) = history_from_ms(now, 6);
        let jitter = |h: i64| ((h / H) as u64 ^ jitter_seed) % 3; // 0..2 % of the base
        let energy = |h: i64| {
            if (h - from) / WEEK_MS == week {
                Energy::from_uwh(outlier)
            } else {
                Energy::from_uwh(base + base * jitter(h) as i64 / 100)
            }
        };
        let b = learn_baseline(&rows(from, to, energy), Some(from), now, chrono_tz::UTC, BaselineParams::default());
        for slot in &b.slots {
            let m = slot.median.uwh();
            proptest::prop_assert!(m >= base && m <= base + base * 2 / 100, "median {m} for base {base}");
            proptest::prop_assert!(slot.spread.uwh() <= (base / 20).max(SPREAD_FLOOR_UWH) + base * 3 / 100);
        }
    }
}
