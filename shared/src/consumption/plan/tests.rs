//! The planner's rules and properties: totals stay explainable and exact
//! whatever the readings, and each reading's work is bounded.

use super::*;
use crate::consumption::policy::{DeviceLimits, ReadingPolicy};
use crate::consumption::{hourly_totals, HOUR_MS};
use chrono::{TimeZone, Utc};
use proptest::prelude::*;

const HOME: DeviceLimits = DeviceLimits {
    max_power_w: 50_000,
};

fn t0_ms() -> i64 {
    Utc.with_ymd_and_hms(2026, 5, 1, 0, 0, 0)
        .unwrap()
        .timestamp_millis()
}

fn r(minutes: i64, kwh: f64) -> Reading {
    reading_ms(
        t0_ms() + minutes * 60_000,
        Energy::from_kwh(kwh).unwrap().uwh(),
    )
}

fn reading_ms(ms: i64, uwh: i64) -> Reading {
    Reading::new(
        chrono::DateTime::from_timestamp_millis(ms).unwrap(),
        Energy::from_uwh(uwh),
    )
}

/// What a database holds after plans are written: readings with their events, totals.
#[derive(Default, Debug)]
struct Db {
    stored: BTreeMap<i64, Stored>,
    events: BTreeMap<i64, MeterEvent>,
    hours: HourlyTotals,
}

impl Db {
    fn ingest(&mut self, batch: &[Reading], received_ms: i64) -> DevicePlan {
        let plan = plan_device(
            self.stored.clone(),
            batch,
            &ReadingPolicy::default(),
            HOME,
            received_ms,
        );
        for r in &plan.accepted {
            self.stored.insert(
                r.at_ms(),
                Stored {
                    reading: *r,
                    event: None,
                },
            );
        }
        for (ts, event) in &plan.events {
            let s = self
                .stored
                .get_mut(ts)
                .expect("an event belongs to a stored reading");
            s.event = event.map(|e| e.kind);
            match event {
                Some(e) => self.events.insert(*ts, *e),
                None => self.events.remove(ts),
            };
        }
        merge(&mut self.hours, &plan.hours).unwrap();
        plan
    }

    /// Energy booked in hours plus energy booked on gaps.
    fn booked(&self) -> i128 {
        let hours: i128 = self.hours.values().map(|e| i128::from(e.uwh())).sum();
        let gaps: i128 = self
            .events
            .values()
            .map(|e| i128::from(e.unspread.uwh()))
            .sum();
        hours + gaps
    }

    /// The energy of the stored readings' steps (the increase, or the value after a reset).
    fn consumed(&self) -> i128 {
        let readings: Vec<Reading> = self.stored.values().map(|s| s.reading).collect();
        readings
            .windows(2)
            .map(|w| i128::from(super::super::consumed_between(&w[0], &w[1]).uwh()))
            .sum()
    }
}

fn now_after(readings: &[Reading]) -> i64 {
    readings.iter().map(Reading::at_ms).max().unwrap_or(0) + 60_000
}

#[test]
fn a_small_step_back_is_refused_not_booked_as_a_reset() {
    let mut db = Db::default();
    let readings = [
        r(0, 5417.43),
        r(10, 5417.63),
        r(20, 5417.53),
        r(30, 5417.83),
    ];
    let plan = db.ingest(&readings, now_after(&readings));
    assert_eq!(plan.refused.len(), 1);
    assert_eq!(plan.refused[0].0, 2);
    assert_eq!(plan.refused[0].1.code(), "step_back");
    assert!(db.events.is_empty());
    let total: i64 = db.hours.values().map(|e| e.uwh()).sum();
    assert_eq!(total, Energy::from_kwh(0.4).unwrap().uwh());
}

#[test]
fn a_flipping_register_cannot_inflate_or_overflow_the_totals() {
    let mut db = Db::default();
    let flips: Vec<Reading> = (0..60)
        .map(|i| r(i, if i % 2 == 0 { 0.0 } else { 1e9 }))
        .collect();
    let plan = db.ingest(&flips, now_after(&flips));
    assert!(plan
        .refused
        .iter()
        .all(|(_, why)| why.code() == "implausible"));
    let most = db.hours.values().map(|e| e.uwh()).max().unwrap_or(0);
    // Never more than the plausible 50 kW for an hour (50 kWh), plus the slack.
    assert!(most <= Energy::from_kwh(50.1).unwrap().uwh(), "{most}");
}

#[test]
fn a_long_gap_is_booked_on_an_event_and_costs_no_hours() {
    let mut db = Db::default();
    let readings = [r(0, 100.0), r(10, 100.5), r(10 + 20 * 24 * 60, 340.5)];
    let plan = db.ingest(&readings, now_after(&readings));
    assert!(plan.refused.is_empty());
    assert_eq!(plan.hours.len(), 1, "only the first step is spread");
    let gap = db.events.values().next().unwrap();
    assert_eq!(gap.kind, EventKind::Gap);
    assert_eq!(gap.unspread, Energy::from_kwh(240.0).unwrap());
    assert_eq!(db.booked(), db.consumed());
    // A reading inside the gap splits it: both sides are judged anew.
    let inside = [r(10 + 24 * 60, 110.5)];
    let plan = db.ingest(&inside, now_after(&readings));
    assert!(plan.refused.is_empty());
    assert_eq!(
        plan.events.len(),
        1,
        "the gap now starts at the new reading"
    );
    assert_eq!(
        db.events.values().next().unwrap().unspread,
        Energy::from_kwh(230.0).unwrap()
    );
    assert_eq!(db.booked(), db.consumed());
    // One an hour before the last moves the gap before it; the last step is spread.
    let late = [r(10 + 20 * 24 * 60 - 60, 340.0)];
    let plan = db.ingest(&late, now_after(&readings));
    assert_eq!(plan.events.len(), 2);
    assert_eq!(plan.events.values().filter(|e| e.is_none()).count(), 1);
    assert_eq!(db.events.len(), 1);
    assert_eq!(db.booked(), db.consumed());
}

#[test]
fn a_meter_clock_thrown_back_decades_is_refused_without_work() {
    let mut db = Db::default();
    let today = [r(0, 100.0), r(10, 100.2)];
    db.ingest(&today, now_after(&today));
    let year_2000 = reading_ms(946_684_800_000, Energy::from_kwh(100.3).unwrap().uwh());
    let plan = db.ingest(&[year_2000], now_after(&today));
    assert_eq!(plan.refused[0].1.code(), "stale_timestamp");
    assert!(plan.hours.is_empty());
    let year_2199 = reading_ms(7_226_582_400_000, Energy::from_kwh(100.3).unwrap().uwh());
    let plan = db.ingest(&[year_2199], now_after(&today));
    assert_eq!(plan.refused[0].1.code(), "future_timestamp");
}

#[test]
fn a_reset_is_recorded_and_its_value_counted() {
    let mut db = Db::default();
    let readings = [r(0, 900.0), r(10, 900.5), r(20, 0.25)];
    db.ingest(&readings, now_after(&readings));
    let reset = db.events.values().next().unwrap();
    assert_eq!(reset.kind, EventKind::Reset);
    assert_eq!(reset.unspread, Energy::ZERO);
    assert_eq!(db.booked(), Energy::from_kwh(0.75).unwrap().uwh().into());
}

/// Growing registers at 10-minute steps with random timing jitter.
fn well_behaved() -> impl Strategy<Value = Vec<Reading>> {
    prop::collection::vec((0i64..600_000, 0i64..1_500_000_000), 1..50).prop_map(|steps| {
        let mut ms = t0_ms();
        let mut uwh = 7_000_000_000i64;
        steps
            .into_iter()
            .map(|(jitter, inc)| {
                ms += 600_000 + jitter;
                uwh += inc;
                reading_ms(ms, uwh)
            })
            .collect()
    })
}

/// Anything a broken meter may send: times over years, registers up to 10^9 kWh.
fn hostile() -> impl Strategy<Value = Vec<Reading>> {
    let t0 = t0_ms();
    let time = prop_oneof![
        t0 - 2 * 365 * 24 * HOUR_MS..t0 + 2 * 365 * 24 * HOUR_MS,
        t0..t0 + 10 * 24 * HOUR_MS,
        t0..t0 + 3 * HOUR_MS,
    ];
    let register = prop_oneof![0i64..=1_000_000_000_000_000_000, 0i64..100_000_000_000];
    prop::collection::vec((time, register), 1..60)
        .prop_map(|v| v.into_iter().map(|(ms, uwh)| reading_ms(ms, uwh)).collect())
}

proptest! {
    #[test]
    fn any_order_and_batching_gives_the_same_totals(
        readings in well_behaved(),
        seed in any::<u64>(),
        split in 1usize..8,
    ) {
        let mut shuffled = readings.clone();
        shuffled.extend(readings.iter().step_by(3).copied()); // duplicates
        let mut s = seed | 1;
        for i in (1..shuffled.len()).rev() {
            s ^= s << 13; s ^= s >> 7; s ^= s << 17;
            shuffled.swap(i, (s % (i as u64 + 1)) as usize);
        }
        let now = now_after(&readings);
        let mut db = Db::default();
        for batch in shuffled.chunks(split) {
            let plan = db.ingest(batch, now);
            prop_assert!(plan.refused.is_empty(), "{:?}", plan.refused);
        }
        prop_assert_eq!(&db.hours, &hourly_totals(&readings).unwrap());
        prop_assert!(db.events.is_empty());
    }

    #[test]
    fn whatever_arrives_the_totals_stay_explainable_and_the_work_bounded(
        readings in hostile(),
        split in 1usize..8,
    ) {
        let policy = ReadingPolicy::default();
        let now = t0_ms() + 365 * 24 * HOUR_MS;
        let mut db = Db::default();
        for batch in readings.chunks(split) {
            let plan = db.ingest(batch, now);
            // At most three steps of at most max_gap each per accepted reading.
            let per_reading = 3 * (policy.max_gap_ms / HOUR_MS + 2) as usize;
            prop_assert!(plan.hours.len() <= per_reading * plan.accepted.len().max(1));
        }
        // Every booked µWh is explained by a step of the stored readings ...
        prop_assert_eq!(db.booked(), db.consumed());
        // ... and every step between stored readings passes the policy.
        let stored: Vec<Reading> = db.stored.values().map(|s| s.reading).collect();
        for w in stored.windows(2) {
            let step = policy.step(&w[0], &w[1], HOME);
            prop_assert!(step.is_ok(), "{:?}", step);
            let step = step.unwrap();
            prop_assert_eq!(db.events.get(&w[1].at_ms()).map(|e| e.kind), event(&w[0], &w[1], &step).map(|e| e.kind));
        }
        // No hour holds more than the device can plausibly draw in an hour.
        let cap = 50_000i64 * HOUR_MS * 10 / 36 + stored.len() as i64 * (policy.register_slack.uwh() + 1);
        for total in db.hours.values() {
            prop_assert!(total.uwh() >= 0 && total.uwh() <= cap, "{}", total.uwh());
        }
    }
}
