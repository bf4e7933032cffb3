use super::*;
use crate::course::Course;
use crate::plan::{plan, Timeline};

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().to_utc()
}

/// `devices` meters from `start`, one reading every `step_min` minutes for
/// `hours`, each using 0.125 kWh a step (device d starts d × 3 lines in).
fn steady(devices: &[Uuid], start: &str, step_min: i64, hours: i64) -> Vec<Planned> {
    let count = (hours * 60 / step_min) as usize + 1;
    let values: Vec<f64> = (0..count).map(|i| 100.0 + i as f64 * 0.125).collect();
    let timeline = Timeline {
        start: at(start),
        step: Duration::minutes(step_min),
        offset_per_device: 3,
        count: Some(count),
    };
    plan(&Course::Registers(values), devices, &timeline)
}

fn heater(kw: f64, nights: u32, tz: &str) -> Heater {
    Heater::new(kw, nights, tz.parse().unwrap()).unwrap()
}

/// Each reading's added energy: injected register minus planned register.
fn added(before: &[Planned], after: &[Planned], device: Uuid) -> Vec<(DateTime<Utc>, f64)> {
    before
        .iter()
        .zip(after)
        .filter(|(b, _)| b.device_id == device)
        .map(|(b, a)| {
            assert_eq!((b.device_id, b.at), (a.device_id, a.at));
            (a.at, a.register_kwh - b.register_kwh)
        })
        .collect()
}

fn added_at(added: &[(DateTime<Utc>, f64)], t: &str) -> f64 {
    added.iter().find(|(a, _)| *a == at(t)).unwrap().1
}

#[test]
fn adds_power_times_night_hours_on_the_last_whole_night() {
    let d = Uuid::new_v4();
    // Monday 00:00 to Thursday 00:00 UTC: the nights of Monday and Tuesday are
    // whole, Wednesday's has not ended.
    let planned = steady(&[d], "2026-03-02T00:00:00Z", 10, 72);
    let out = inject_heater(planned.clone(), &heater(1.5, 1, "UTC")).unwrap();
    assert_eq!(out.nights.len(), 1);
    assert_eq!(
        out.nights[0].date,
        NaiveDate::from_ymd_opt(2026, 3, 3).unwrap()
    );
    assert_eq!(out.added_kwh[&d], 12.0, "1.5 kW × 8 h");
    let a = added(&planned, &out.planned, d);
    assert_eq!(added_at(&a, "2026-03-03T22:00:00Z"), 0.0);
    assert_eq!(added_at(&a, "2026-03-03T22:10:00Z"), 0.25);
    assert_eq!(added_at(&a, "2026-03-04T02:00:00Z"), 6.0);
    assert_eq!(added_at(&a, "2026-03-04T06:00:00Z"), 12.0);
    assert_eq!(added_at(&a, "2026-03-05T00:00:00Z"), 12.0);

    let two = inject_heater(planned.clone(), &heater(1.5, 2, "UTC")).unwrap();
    assert_eq!(two.added_kwh[&d], 24.0, "1.5 kW × 2 × 8 h");
}

#[test]
fn only_the_last_nights_and_nothing_before_them() {
    let d = Uuid::new_v4();
    // Five whole nights (Monday to Friday); the heater runs on the last two.
    let planned = steady(&[d], "2026-03-02T00:00:00Z", 10, 6 * 24);
    let out = inject_heater(planned.clone(), &heater(2.0, 2, "UTC")).unwrap();
    let dates: Vec<String> = out.nights.iter().map(|n| n.date.to_string()).collect();
    assert_eq!(dates, ["2026-03-05", "2026-03-06"]);
    for (t, extra) in added(&planned, &out.planned, d) {
        if t <= at("2026-03-05T22:00:00Z") {
            assert_eq!(extra, 0.0, "{t}: before the heater's nights");
        }
        if (at("2026-03-06T06:00:00Z")..=at("2026-03-06T22:00:00Z")).contains(&t) {
            assert_eq!(extra, 16.0, "{t}: a whole night at 2 kW, then the day off");
        }
        if t >= at("2026-03-07T06:00:00Z") {
            assert_eq!(extra, 32.0, "{t}: two nights");
        }
    }
}

#[test]
fn registers_never_go_down_and_straddling_steps_get_their_share() {
    let devices: Vec<Uuid> = (0..3).map(|_| Uuid::new_v4()).collect();
    // 7-minute steps from 00:03: no reading falls on 22:00 or 06:00, so steps
    // straddle the night's edges; devices wrap around the course.
    let planned = steady(&devices, "2026-03-02T00:03:00Z", 7, 4 * 24);
    let out = inject_heater(planned.clone(), &heater(0.7, 3, "Europe/Bucharest")).unwrap();
    for &d in &devices {
        let regs: Vec<f64> = out
            .planned
            .iter()
            .filter(|p| p.device_id == d)
            .map(|p| p.register_kwh)
            .collect();
        assert!(
            regs.windows(2).all(|w| w[1] >= w[0]),
            "device {d}: the register went down"
        );
        // Every reading is at most 0.7 kW × elapsed higher than before the last.
        let a = added(&planned, &out.planned, d);
        assert!(a.windows(2).all(|w| {
            let elapsed_h = (w[1].0 - w[0].0).num_milliseconds() as f64 / MS_PER_HOUR;
            w[1].1 - w[0].1 <= 0.7 * elapsed_h + 1e-9
        }));
        assert!(
            (out.added_kwh[&d] - 0.7 * 8.0 * 3.0).abs() < 1e-9,
            "three whole nights: {}",
            out.added_kwh[&d]
        );
    }
}

#[test]
fn nights_follow_the_clock_changes() {
    let d = Uuid::new_v4();
    // Bucharest springs forward on 29 March 2026 at 03:00: that night is 7 hours.
    let spring = steady(&[d], "2026-03-28T00:00:00Z", 10, 36);
    let out = inject_heater(spring.clone(), &heater(1.5, 1, "Europe/Bucharest")).unwrap();
    let night = out.nights[0];
    assert_eq!(night.start, at("2026-03-28T20:00:00Z"), "22:00 EET");
    assert_eq!(night.end, at("2026-03-29T03:00:00Z"), "06:00 EEST");
    assert_eq!(night.hours(), 7.0);
    assert_eq!(out.added_kwh[&d], 10.5);
    let a = added(&spring, &out.planned, d);
    assert_eq!(added_at(&a, "2026-03-28T20:00:00Z"), 0.0);
    assert_eq!(added_at(&a, "2026-03-28T20:10:00Z"), 0.25);

    // It falls back on 25 October 2026 at 04:00: that night is 9 hours.
    let autumn = steady(&[d], "2026-10-24T00:00:00Z", 10, 36);
    let out = inject_heater(autumn, &heater(1.5, 1, "Europe/Bucharest")).unwrap();
    assert_eq!(
        out.nights[0].start,
        at("2026-10-24T19:00:00Z"),
        "22:00 EEST"
    );
    assert_eq!(out.nights[0].end, at("2026-10-25T04:00:00Z"), "06:00 EET");
    assert_eq!(out.added_kwh[&d], 13.5);
}

#[test]
fn a_plan_too_short_for_the_nights_is_refused() {
    let d = Uuid::new_v4();
    let planned = steady(&[d], "2026-03-02T00:00:00Z", 10, 72);
    let err = inject_heater(planned, &heater(1.5, 3, "UTC")).unwrap_err();
    assert_eq!(
        err,
        HeaterError::TooFewNights {
            found: 2,
            wanted: 3,
            tz: chrono_tz::UTC
        }
    );
    // 23:00 to 05:00: no whole night at all.
    let short = steady(&[d], "2026-03-02T23:00:00Z", 10, 6);
    assert!(inject_heater(short, &heater(1.5, 1, "UTC")).is_err());
    assert!(inject_heater(Vec::new(), &heater(1.5, 1, "UTC")).is_err());
}

#[test]
fn checks_power_and_nights() {
    let utc = chrono_tz::UTC;
    assert!(Heater::new(1.5, 1, utc).is_ok());
    assert!(Heater::new(50.0, 14, utc).is_ok());
    assert_eq!(Heater::new(0.0, 1, utc), Err(HeaterError::Power(0.0)));
    assert_eq!(Heater::new(-1.0, 1, utc), Err(HeaterError::Power(-1.0)));
    assert_eq!(Heater::new(50.5, 1, utc), Err(HeaterError::Power(50.5)));
    assert!(Heater::new(f64::NAN, 1, utc).is_err());
    assert!(Heater::new(f64::INFINITY, 1, utc).is_err());
    assert_eq!(Heater::new(1.0, 0, utc), Err(HeaterError::Nights(0)));
    assert_eq!(Heater::new(1.0, 15, utc), Err(HeaterError::Nights(15)));
}
