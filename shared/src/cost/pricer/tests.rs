//! Unit tests of the pricer rules, with hand-computed values.

use super::*;
use crate::cost::tariff::TariffSpec;

const H: i64 = 3_600_000;
const T0: i64 = 1_767_225_600_000; // 2026-01-01T00:00:00Z, a Thursday

fn tariff(json: serde_json::Value) -> PricedTariff {
    let tariff = serde_json::from_value::<TariffSpec>(json)
        .unwrap()
        .validate()
        .unwrap();
    PricedTariff {
        tariff,
        series: DynamicPrices::default(),
    }
}

fn flat(price: &str, charge: &str) -> PricedTariff {
    tariff(
        serde_json::json!({"kind": "flat", "currency": "EUR", "tz": "UTC",
        "price_per_kwh": price, "standing_charge_per_day": charge}),
    )
}

#[test]
fn an_assignment_mid_hour_prices_quarters_apart() {
    let timeline = TariffTimeline::new(
        vec![(T0, "a".into()), (T0 + H + 30 * 60_000, "b".into())],
        vec![],
    );
    let tariffs = BTreeMap::from([
        ("a".into(), flat("0.10", "0")),
        ("b".into(), flat("0.30", "0")),
    ]);
    let pricer = Pricer::new(timeline, tariffs).unwrap();
    let kwh = Energy::from_uwh(1_000_000_000);
    let rows = pricer.price_rows(&[
        (T0 - H, kwh),
        (T0, kwh),
        (T0 + H, kwh),
        (T0 + 2 * H, Energy::ZERO),
    ]);
    assert_eq!(rows[0].cost, None);
    assert_eq!(rows[1].cost, Some(Money::from_micros(100_000)));
    assert_eq!(rows[2].cost, Some(Money::from_micros(200_000)));
    assert_eq!(rows[2].price, Some(Price::from_micros(200_000)));
    assert_eq!(rows[3].cost, Some(Money::ZERO));
    let buckets = pricer.buckets(&[(T0 - H, kwh), (T0, kwh)], &[T0 - H, T0 + H]);
    assert_eq!(buckets[0].unpriced_energy, kwh);
    assert_eq!(buckets[0].cost, Money::from_micros(100_000));
}

#[test]
fn dynamic_slots_and_missing_slots() {
    let mut t = tariff(
        serde_json::json!({"kind": "dynamic", "currency": "EUR", "tz": "UTC", "slot_minutes": 15}),
    );
    t.series = DynamicPrices::parse_csv(15, "start,price\n2026-01-01T00:00:00Z,0.1\n2026-01-01T00:15:00Z,0.2\n2026-01-01T00:30:00Z,-0.3\n2026-01-01T00:45:00Z,0.4\n2026-01-01T01:00:00Z,1").unwrap();
    let pricer = Pricer::new(
        TariffTimeline::new(vec![(0, "d".into())], vec![]),
        BTreeMap::from([("d".into(), t)]),
    )
    .unwrap();
    let kwh = Energy::from_uwh(2_000_000_000);
    assert_eq!(pricer.hour_cost(T0, kwh), Some(Money::from_micros(200_000)));
    assert_eq!(pricer.hour_cost(T0 + H, kwh), None);
}

#[test]
fn standing_charge_per_local_day_of_the_tariff() {
    let berlin = tariff(
        serde_json::json!({"kind": "flat", "currency": "EUR", "tz": "Europe/Berlin",
        "price_per_kwh": "0.3", "standing_charge_per_day": "0.5"}),
    );
    let timeline = TariffTimeline::new(vec![(T0, "b".into())], vec![]);
    let pricer = Pricer::new(timeline, BTreeMap::from([("b".into(), berlin)])).unwrap();
    // Berlin days start at 23:00 UTC in winter; the first day starting at or after T0 is Jan 1 23:00Z.
    let days = pricer.standing_days(T0 - 48 * H, T0 + 48 * H);
    assert_eq!(
        days,
        vec![
            (T0 + 23 * H, Money::from_micros(500_000)),
            (T0 + 47 * H, Money::from_micros(500_000))
        ]
    );
    let per_bucket = pricer.standing_charges(&[T0, T0 + 24 * H, T0 + 48 * H]);
    assert_eq!(
        per_bucket,
        [Money::from_micros(500_000), Money::from_micros(500_000)]
    );
}

#[test]
fn one_currency_per_device() {
    let mut usd = flat("1", "0");
    usd.tariff.currency = Currency::parse("c", "USD").unwrap();
    let tariffs = BTreeMap::from([("a".into(), flat("1", "0")), ("b".into(), usd)]);
    assert!(Pricer::new(TariffTimeline::default(), tariffs).is_err());
}

/// A two-season time-of-use tariff in `tz` with quarter-hour periods.
fn tou_in(tz: &str) -> PricedTariff {
    tariff(
        serde_json::json!({"kind": "time_of_use", "currency": "EUR", "tz": tz,
        "standing_charge_per_day": "0.45",
        "seasons": [
          {"months": [11, 2], "default_price_per_kwh": "0.22", "periods": [
            {"days": ["mon", "tue", "wed", "thu", "fri"], "from": "07:15", "to": "23:00", "price_per_kwh": "0.34"},
            {"days": ["sun"], "from": "00:00", "to": "02:45", "price_per_kwh": "-0.02"}
          ]},
          {"months": [3, 10], "default_price_per_kwh": "0.18", "periods": [
            {"days": ["mon", "tue", "wed", "thu", "fri"], "from": "07:00", "to": "22:30", "price_per_kwh": "0.28"},
            {"days": ["sat", "sun"], "from": "01:45", "to": "03:15", "price_per_kwh": "0.05"}
          ]}
        ]}),
    )
}

/// The clock's prices are the single-hour lookups', in zones with clock
/// changes, :30 and :45 offsets, historical odd offsets and no DST, over
/// tariff changes mid-hour, a flat tariff, a dynamic one with missing slots
/// and hours with no tariff at all, walked in order, backwards and at random.
#[test]
fn the_clock_gives_exactly_the_quarter_prices() {
    let zones = [
        "Europe/Berlin",
        "America/New_York",
        "Australia/Lord_Howe",
        "Asia/Kolkata",
        "Asia/Kathmandu",
        "Australia/Adelaide",
        "America/St_Johns",
        "Pacific/Chatham",
        "Europe/Amsterdam",
        "Africa/Casablanca",
        "America/Santiago",
        "UTC",
    ];
    let mut dynamic = tariff(
        serde_json::json!({"kind": "dynamic", "currency": "EUR", "tz": "UTC", "slot_minutes": 15}),
    );
    let slots: String = (0..200)
        .filter(|i| i % 7 != 3)
        .map(|i| {
            let t = DateTime::<Utc>::from_timestamp_millis(T0 + 240 * H + i * QUARTER_MS).unwrap();
            format!("{},0.{:02}\n", t.to_rfc3339(), i % 97)
        })
        .collect();
    dynamic.series = DynamicPrices::parse_csv(15, &format!("start,price\n{slots}")).unwrap();
    for zone in zones {
        let tariffs = BTreeMap::from([
            ("tou".into(), tou_in(zone)),
            ("flat".into(), flat("0.30", "0")),
            ("dyn".into(), dynamic.clone()),
        ]);
        // From 1900 on in the zone's time of use, a flat hour-and-a-half, dynamic prices
        // for some days, a quarter back to time of use, and no tariff for a while.
        let timeline = TariffTimeline::new(
            vec![(-2_208_988_800_000, "tou".into())],
            vec![
                (T0 + 100 * H + 30 * 60_000, Some("flat".into())),
                (T0 + 102 * H, None),
                (T0 + 240 * H, Some("dyn".into())),
                (T0 + 250 * H + 15 * 60_000, None),
            ],
        );
        let pricer = Pricer::new(timeline, tariffs).unwrap();
        // Two years around T0, and from 1900 on in steps of 13 hours.
        let recent: Vec<i64> = (-9000..9000).map(|i| T0 + i * H).collect();
        let old: Vec<i64> = (0..100_000)
            .map(|i| -2_208_988_800_000 + i * 13 * H)
            .collect();
        for hours in [recent.clone(), old] {
            let mut clock = pricer.clock();
            for &h in &hours {
                assert_eq!(
                    clock.quarter_prices(h),
                    pricer.quarter_prices(h),
                    "{zone} {h}"
                );
            }
        }
        let mut clock = pricer.clock();
        for &h in recent.iter().rev().step_by(7) {
            assert_eq!(
                clock.quarter_prices(h),
                pricer.quarter_prices(h),
                "{zone} {h}"
            );
        }
    }
    // No tariff at all: nothing priced.
    let none = Pricer::new(TariffTimeline::default(), BTreeMap::new()).unwrap();
    assert_eq!(none.clock().quarter_prices(T0), [None; 4]);
}

/// What the clock relies on, sampled at every quarter hour from 1900 to
/// 2100 in every zone: a UTC day whose two ends have one offset has it at all
/// its quarter starts, and so does an hour on the other days.
/// A few minutes in release: `cargo test --release -p iems-shared -- --ignored`.
#[test]
#[ignore]
fn no_zone_changes_its_offset_and_back_within_a_day() {
    use chrono::{Offset, TimeZone};
    const DAY: i64 = 24 * H;
    let from = -2_208_988_800_000i64; // 1900-01-01
    let to = 4_102_444_800_000i64; // 2100-01-01
    for tz in chrono_tz::TZ_VARIANTS {
        let offset = |ms: i64| {
            tz.offset_from_utc_datetime(
                &DateTime::<Utc>::from_timestamp_millis(ms)
                    .unwrap()
                    .naive_utc(),
            )
            .fix()
            .local_minus_utc()
        };
        let mut day = from;
        let mut at_start = offset(day);
        while day < to {
            let at_end = offset(day + DAY);
            if at_start == at_end {
                for q in 1..96 {
                    assert_eq!(offset(day + q * QUARTER_MS), at_start, "{tz} day {day}");
                }
            } else {
                for hour in (0..24).map(|h| day + h * H) {
                    let first = offset(hour);
                    if first == offset(hour + H) {
                        for q in 1..4 {
                            assert_eq!(offset(hour + q * QUARTER_MS), first, "{tz} hour {hour}");
                        }
                    }
                }
            }
            at_start = at_end;
            day += DAY;
        }
    }
}
