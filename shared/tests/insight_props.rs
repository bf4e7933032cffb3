//! Properties of the baseline: a constant load is its own baseline with a
//! small spread, one outlier week barely moves a median, the work stays
//! bounded by the window, and a forecast day has 23 to 25 hours.

use chrono_tz::Tz;
use iems_shared::consumption::HOUR_MS;
use iems_shared::insight::baseline::{MAX_ROWS, SLOTS, SPREAD_FLOOR_UWH, WEEK_MS};
use iems_shared::insight::{forecast_day, history_from_ms, learn_baseline, BaselineParams};
use iems_shared::Energy;
use proptest::prelude::*;

const H: i64 = HOUR_MS;
/// 2024-01-01T00:00:00Z, a Monday.
const T0: i64 = 1_704_067_200_000;

const ZONES: [Tz; 5] = [
    chrono_tz::UTC,
    chrono_tz::Europe::Bucharest,
    chrono_tz::America::New_York,
    chrono_tz::Asia::Kolkata,
    chrono_tz::Australia::Lord_Howe,
];

/// A deterministic energy for week `w`, slot `s` of a seed, 0–2 kWh.
fn energy_of(seed: u64, w: i64, s: i64) -> i64 {
    let x = seed ^ (w as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (s as u64) << 20;
    let x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9) ^ (x >> 31);
    (x % 2_000_000) as i64 * 1_000
}

proptest! {
    #[test]
    fn a_constant_load_is_its_own_baseline(
        load_wh in 0i64..5_000,
        weeks in 4u32..=8,
        zone in 0usize..ZONES.len(),
        now_offset in 0i64..3 * 365 * 24 * H,
    ) {
        let now = T0 + 8 * WEEK_MS + now_offset;
        let (from, to) = history_from_ms(now, weeks);
        let e = Energy::from_uwh(load_wh * 1_000_000);
        let rows: Vec<_> = (from / H..to / H).map(|h| (h * H, e)).collect();
        let params = BaselineParams::new(weeks, 3).unwrap();
        let b = learn_baseline(&rows, Some(from), now, ZONES[zone], params);
        prop_assert!(b.ready);
        let small = (e.uwh() / 20).max(SPREAD_FLOOR_UWH);
        for (i, slot) in b.slots.iter().enumerate() {
            // A slot may miss one day (a skipped hour) and hold one double
            // hour (a repeated one); the median stays the load.
            prop_assert!(slot.samples >= weeks - 1, "slot {i}: {slot:?}");
            prop_assert_eq!(slot.median, e, "slot {}", i);
            prop_assert_eq!(slot.spread.uwh(), small, "slot {}", i);
        }
    }

    #[test]
    fn one_outlier_week_moves_a_median_at_most_by_the_others_range(
        seed in any::<u64>(),
        weeks in 4u32..=8,
        outlier in 0u32..8,
        flat in any::<bool>(),
    ) {
        let outlier = i64::from(outlier % weeks);
        let now = T0 + 8 * WEEK_MS;
        let (from, to) = history_from_ms(now, weeks);
        let value = |w: i64, s: i64| if flat { energy_of(seed, 0, s) } else { energy_of(seed, w, s) };
        let rows = |times: i64| -> Vec<(i64, Energy)> {
            (from / H..to / H)
                .map(|h| {
                    let (w, s) = ((h * H - from) / WEEK_MS, (h * H - from) % WEEK_MS / H);
                    let k = if w == outlier { times } else { 1 };
                    (h * H, Energy::from_uwh(value(w, s) * k))
                })
                .collect()
        };
        let params = BaselineParams::new(weeks, 3).unwrap();
        let plain = learn_baseline(&rows(1), Some(from), now, chrono_tz::UTC, params);
        let spiked = learn_baseline(&rows(10), Some(from), now, chrono_tz::UTC, params);
        for s in 0..SLOTS as i64 {
            let others: Vec<i64> = (0..i64::from(weeks)).filter(|&w| w != outlier).map(|w| value(w, s)).collect();
            let range = others.iter().max().unwrap() - others.iter().min().unwrap();
            let moved = (spiked.slots[s as usize].median.uwh() - plain.slots[s as usize].median.uwh()).abs();
            prop_assert!(moved <= range, "slot {s}: moved {moved} > range {range}");
            if flat {
                prop_assert_eq!(moved, 0);
            }
        }
    }

    #[test]
    fn work_is_bounded_by_the_window(
        seed in any::<u64>(),
        weeks in 4u32..=8,
        zone in 0usize..ZONES.len(),
    ) {
        let now = T0 + 20 * WEEK_MS + 1_234;
        let (from, to) = history_from_ms(now, weeks);
        let inside: Vec<_> = (from / H..to / H)
            .map(|h| (h * H, Energy::from_uwh(energy_of(seed, 0, h))))
            .collect();
        // As many rows again outside the window, before it and after now.
        let mut all = inside.clone();
        let extra = MAX_ROWS - inside.len();
        all.extend((0..extra as i64).map(|k| {
            let h = if k % 2 == 0 { from - (k + 1) * H } else { to + k * H };
            (h, Energy::from_uwh(7_000_000_000))
        }));
        prop_assert_eq!(all.len(), MAX_ROWS);
        let params = BaselineParams::new(weeks, 3).unwrap();
        let tz = ZONES[zone];
        let a = learn_baseline(&inside, Some(T0), now, tz, params);
        let b = learn_baseline(&all, Some(T0), now, tz, params);
        prop_assert_eq!(&a, &b);
        let samples: u32 = b.slots.iter().map(|s| s.samples).sum();
        prop_assert!(samples <= weeks * SLOTS as u32);
        let day = chrono::DateTime::from_timestamp_millis(now).unwrap().date_naive();
        let hours = forecast_day(&b, day).unwrap().len();
        prop_assert!((23..=25).contains(&hours), "{hours} hours");
    }
}
