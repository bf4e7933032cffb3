//! Unit tests of unusual-consumption runs on hand-made households.

use super::super::baseline::{history_from_ms, learn_baseline, BaselineParams, WEEK_MS};
use super::*;

const H: i64 = HOUR_MS;
/// 2026-01-05T00:00:00Z, a Monday.
const MONDAY: i64 = 1_767_571_200_000;
/// Now: six weeks later, Monday 2026-02-16 06:00 UTC.
const NOW: i64 = MONDAY + 6 * WEEK_MS + 6 * H;

fn wh(w: i64) -> Energy {
    Energy::from_uwh(w * 1_000_000)
}

fn hour_of_day(h: i64) -> i64 {
    h.rem_euclid(24 * H) / H
}

/// A small wobble, −10 % … +10 %, different for every hour.
fn wobble(h: i64, e: i64) -> Energy {
    let k = (h / H).wrapping_mul(2_654_435_761).rem_euclid(21) - 10;
    wh(e + e * k / 100)
}

/// A baseline learned from six weeks of `energy`, in UTC.
fn baseline_of(first_ms: i64, energy: impl Fn(i64) -> Energy) -> Baseline {
    let (from, to) = history_from_ms(NOW, 6);
    let rows: Vec<_> = (from / H..to / H)
        .map(|h| (h * H, energy(h * H)))
        .filter(|&(h, _)| h >= first_ms)
        .collect();
    learn_baseline(
        &rows,
        Some(first_ms),
        NOW,
        chrono_tz::UTC,
        BaselineParams::default(),
    )
}

/// A heater that runs 1 kWh an hour 17:00–22:00 and idles at 20 Wh otherwise.
fn heater(h: i64) -> Energy {
    match hour_of_day(h) {
        17..=21 => wobble(h, 1000),
        _ => wobble(h, 20),
    }
}

/// The last night, 22:00 Sunday to 06:00 Monday (now).
fn night(energy: impl Fn(i64) -> Energy) -> Vec<(i64, Energy)> {
    (NOW / H - 8..NOW / H)
        .map(|h| (h * H, energy(h * H)))
        .collect()
}

#[test]
fn a_heater_left_on_all_night_at_half_the_limit_is_found() {
    // The limit is 2 kWh an hour: 1 kWh an hour never raises a limit alert.
    let b = baseline_of(MONDAY, heater);
    let observed = night(|_| wh(1000));
    let run = find_unusual(&b, &observed, NOW - 8 * H, NOW, UnusualSettings::default()).unwrap();
    assert_eq!(run.direction, Direction::High);
    assert_eq!((run.from_ms, run.to_ms, run.hours), (NOW - 8 * H, NOW, 8));
    assert_eq!(run.observed, wh(8000));
    assert!(
        run.expected_kwh() > 0.1 && run.expected_kwh() < 0.2,
        "{run:?}"
    );
    assert_eq!(serde_json::to_value(run).unwrap()["direction"], "high");
}

#[test]
fn normal_variation_is_not_unusual() {
    let b = baseline_of(MONDAY, heater);
    // The next day, the same habits with a wobble of their own.
    let observed: Vec<_> = (NOW / H..NOW / H + 24)
        .map(|h| {
            (
                h * H,
                wobble(
                    h * H + 7 * H,
                    if (17..22).contains(&hour_of_day(h * H)) {
                        1000
                    } else {
                        20
                    },
                ),
            )
        })
        .collect();
    assert_eq!(
        find_unusual(&b, &observed, NOW, NOW + 24 * H, UnusualSettings::default()),
        None
    );
    // Two hours on is not sustained.
    let observed = night(|h| if h >= NOW - 2 * H { wh(1000) } else { wh(20) });
    assert_eq!(
        find_unusual(&b, &observed, NOW - 8 * H, NOW, UnusualSettings::default()),
        None
    );
}

#[test]
fn a_fridge_that_never_stops_is_found() {
    // The compressor runs about half of each hour: 50 Wh an hour, ±10 %.
    let b = baseline_of(MONDAY, |h| wobble(h, 50));
    let observed: Vec<_> = (NOW / H - 24..NOW / H).map(|h| (h * H, wh(100))).collect();
    let run = find_unusual(&b, &observed, NOW - 24 * H, NOW, UnusualSettings::default()).unwrap();
    assert_eq!((run.direction, run.hours), (Direction::High, 24));
    assert_eq!(run.observed, wh(2400));
}

#[test]
fn a_quiet_period_is_found_only_where_the_device_usually_runs() {
    // A pump that runs 08:00–18:00 at 500 Wh an hour and is off at night.
    let pump = |h| {
        if (8..18).contains(&hour_of_day(h)) {
            wobble(h, 500)
        } else {
            Energy::ZERO
        }
    };
    let b = baseline_of(MONDAY, pump);
    // Yesterday (Sunday) it stopped at 12:00 and stayed off: no rows at all.
    let day = NOW - 30 * H; // Sunday 00:00
    let observed: Vec<_> = (0..12).map(|k| (day + k * H, pump(day + k * H))).collect();
    let run = find_unusual(&b, &observed, day, day + 24 * H, UnusualSettings::default()).unwrap();
    assert_eq!(run.direction, Direction::Low);
    assert_eq!(
        (run.from_ms, run.to_ms, run.hours),
        (day + 12 * H, day + 18 * H, 6)
    );
    assert_eq!(run.observed, Energy::ZERO);
    assert!((run.expected_kwh() - 3.0).abs() < 0.2, "{run:?}");
}

#[test]
fn too_little_history_finds_nothing() {
    let b = baseline_of(NOW - 2 * WEEK_MS, heater);
    assert!(!b.ready);
    let observed = night(|_| wh(1000));
    assert_eq!(
        find_unusual(&b, &observed, NOW - 8 * H, NOW, UnusualSettings::default()),
        None
    );
}

#[test]
fn sensitivity_makes_a_run_harder_to_raise() {
    let b = baseline_of(MONDAY, |h| wobble(h, 50));
    let observed: Vec<_> = (NOW / H - 6..NOW / H).map(|h| (h * H, wh(90))).collect();
    let find = |s| {
        find_unusual(
            &b,
            &observed,
            NOW - 6 * H,
            NOW,
            UnusualSettings::new(s, 3).unwrap(),
        )
    };
    assert!(find(3.0).is_some());
    assert_eq!(find(5.0), None);
}

#[test]
fn settings_are_checked() {
    assert_eq!(
        UnusualSettings::new(3.0, 3).unwrap(),
        UnusualSettings::default()
    );
    assert!(UnusualSettings::new(1.0, 1).is_ok() && UnusualSettings::new(10.0, 24).is_ok());
    for (s, hours, field) in [
        (0.9, 3, "sensitivity"),
        (10.1, 3, "sensitivity"),
        (f64::NAN, 3, "sensitivity"),
        (3.0, 0, "sustain_hours"),
        (3.0, 25, "sustain_hours"),
    ] {
        let e = UnusualSettings::new(s, hours).unwrap_err();
        assert_eq!(e.field.as_deref(), Some(field));
    }
}

#[test]
fn a_check_looks_at_new_hours_and_a_day_before() {
    assert_eq!(check_window(NOW, NOW + 30 * 60_000), None);
    assert_eq!(
        check_window(NOW, NOW + 2 * H + 5),
        Some((NOW - 24 * H, NOW + 2 * H))
    );
    // Never more than a week, however long the pause.
    assert_eq!(
        check_window(0, NOW),
        Some((NOW - MAX_OBSERVED_HOURS * H, NOW))
    );
}

#[test]
fn each_run_is_alerted_once() {
    let run = |from: i64, to: i64| UnusualRun {
        from_ms: from,
        to_ms: to,
        hours: ((to - from) / H) as u32,
        expected: Energy::ZERO,
        observed: Energy::ZERO,
        direction: Direction::High,
    };
    assert_eq!(decide(&run(10 * H, 13 * H), 0), AlertDecision::Raise);
    assert_eq!(decide(&run(10 * H, 15 * H), 13 * H), AlertDecision::Extend);
    assert_eq!(decide(&run(10 * H, 13 * H), 13 * H), AlertDecision::Nothing);
    assert_eq!(decide(&run(13 * H, 16 * H), 13 * H), AlertDecision::Raise);
}
