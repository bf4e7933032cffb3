//! Properties of the cost rules: a range costs exactly the sum of its parts,
//! time-of-use periods follow local wall time across clock changes, constant
//! prices cost a floor-sum, extremes never panic, and a new assignment never
//! changes the past.

use chrono::{Datelike, NaiveDate, TimeZone, Timelike, Utc, Weekday};
use chrono_tz::Tz;
use iems_shared::consumption::HOUR_MS;
use iems_shared::cost::{
    hour_cost, into_cost_buckets, project_month, BucketCost, DynamicPrices, Money, Price,
    PricedTariff, Pricer, TariffSpec, TariffTimeline,
};
use iems_shared::time::{bucket_starts, day_hours, day_window, Bucket};
use iems_shared::Energy;
use proptest::prelude::*;
use std::collections::BTreeMap;

const H: i64 = HOUR_MS;
const QUARTER: i64 = 900_000;
/// 2026-01-01T00:00:00Z.
const T0: i64 = 1_767_225_600_000;

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

/// Weekdays 07:00–23:00 at 0.30, otherwise 0.10, all year.
fn peak_tariff(tz: &str) -> PricedTariff {
    tariff(serde_json::json!({
        "kind": "time_of_use", "currency": "EUR", "tz": tz,
        "seasons": [{"months": [1, 12], "default_price_per_kwh": "0.10", "periods": [
            {"days": ["mon", "tue", "wed", "thu", "fri"], "from": "07:00", "to": "23:00", "price_per_kwh": "0.30"}
        ]}]
    }))
}

fn flat(price_micros: i64) -> PricedTariff {
    tariff(
        serde_json::json!({"kind": "flat", "currency": "EUR", "tz": "UTC",
        "price_per_kwh": Price::from_micros(price_micros).to_decimal()}),
    )
}

fn pricer(client: Vec<(i64, &str)>, tariffs: Vec<(&str, PricedTariff)>) -> Pricer {
    let timeline = TariffTimeline::new(
        client
            .into_iter()
            .map(|(t, id)| (t, id.to_string()))
            .collect(),
        vec![],
    );
    let tariffs = tariffs
        .into_iter()
        .map(|(id, t)| (id.to_string(), t))
        .collect::<BTreeMap<_, _>>();
    Pricer::new(timeline, tariffs).unwrap()
}

/// A device under a time-of-use tariff in Asia/Kolkata (+05:30), then from
/// `switch_ms` a dynamic one whose series has gaps (unpriced quarters).
fn mixed_pricer(switch_ms: i64) -> Pricer {
    let mut dynamic = tariff(
        serde_json::json!({"kind": "dynamic", "currency": "EUR", "tz": "UTC", "slot_minutes": 15}),
    );
    let rows = (0..2000)
        .filter(|i| i % 7 != 3)
        .map(|i| {
            (
                T0 + i * QUARTER,
                Price::from_micros((i * 7919) % 900_000 - 300_000),
                i as usize + 2,
            )
        })
        .collect();
    dynamic.series = DynamicPrices::from_rows(15, rows).unwrap();
    pricer(
        vec![(T0, "tou"), (switch_ms, "dyn")],
        vec![("tou", peak_tariff("Asia/Kolkata")), ("dyn", dynamic)],
    )
}

fn total(buckets: &[BucketCost]) -> (i128, i128, i128) {
    buckets.iter().fold((0, 0, 0), |acc, b| {
        (
            acc.0 + i128::from(b.energy.uwh()),
            acc.1 + i128::from(b.cost.micros()),
            acc.2 + i128::from(b.unpriced_energy.uwh()),
        )
    })
}

fn rows_strategy() -> impl Strategy<Value = Vec<(i64, Energy)>> {
    prop::collection::btree_map(0i64..400, 0i64..5_000_000_000, 0..120).prop_map(|m| {
        m.into_iter()
            .map(|(h, e)| (T0 + h * H, Energy::from_uwh(e)))
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// (1) The cost of a range is the sum of the costs of any split of it:
    /// into hours, into local days of a :30 zone, or at arbitrary edges.
    #[test]
    fn range_cost_is_the_sum_of_its_parts(
        rows in rows_strategy(),
        switch in 0i64..400 * 4,
        mut cuts in prop::collection::vec(1i64..400 * H - 1, 0..20),
        lo_off in 0i64..H,
    ) {
        let pricer = mixed_pricer(T0 + switch * QUARTER);
        let (lo, hi) = (T0 + lo_off, T0 + 400 * H);
        let whole = pricer.buckets(&rows, &[lo, hi]);
        // Arbitrary edges.
        cuts.retain(|&c| c > lo && c < hi);
        cuts.sort_unstable();
        cuts.dedup();
        let mut edges = vec![lo];
        edges.extend(cuts);
        edges.push(hi);
        prop_assert_eq!(total(&pricer.buckets(&rows, &edges)), total(&whole));
        // Local days of Asia/Kolkata (edges at 18:30 UTC), clipped to the range.
        let tz: Tz = "Asia/Kolkata".parse().unwrap();
        let from = Utc.timestamp_millis_opt(lo).unwrap();
        let to = Utc.timestamp_millis_opt(hi).unwrap();
        let mut days: Vec<i64> = bucket_starts(from, to, Bucket::Day, tz).iter().map(|d| d.timestamp_millis().max(lo)).collect();
        days.dedup();
        days.push(hi);
        prop_assert_eq!(total(&pricer.buckets(&rows, &days)), total(&whole));
        // Whole hours: a range of whole hours costs the sum of its hours' costs.
        let priced = pricer.price_rows(&rows);
        let hours_cost: i128 = priced.iter().filter_map(|h| h.cost).map(|c| i128::from(c.micros())).sum();
        let aligned = pricer.buckets(&rows, &[T0, hi]);
        prop_assert_eq!(i128::from(aligned[0].cost.micros()), hours_cost);
        let unpriced: i128 = priced.iter().filter(|h| h.cost.is_none()).map(|h| i128::from(h.energy.uwh())).sum();
        prop_assert_eq!(i128::from(aligned[0].unpriced_energy.uwh()), unpriced);
    }

    /// (2) Peak 07:00–23:00 local on weekdays, on random days of 2020–2035.
    #[test]
    fn peak_periods_follow_local_time_on_random_days(day in 0i64..16 * 365, berlin in any::<bool>()) {
        let zone = if berlin { "Europe/Berlin" } else { "America/New_York" };
        let date = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap() + chrono::Duration::days(day);
        check_peak_day(zone, date)?;
    }

    /// (3) A constant price `p` and energy `e` in each of `n` hours cost
    /// exactly `n × floor(e × p / 10^9)`.
    #[test]
    fn constant_price_costs_a_floor_sum(
        p in -1_000_000_000_000i64..=1_000_000_000_000,
        e in 0i64..=10_000_000_000_000,
        n in 1i64..200,
    ) {
        let pricer = pricer(vec![(0, "f")], vec![("f", flat(p))]);
        let rows: Vec<_> = (0..n).map(|i| (T0 + i * H, Energy::from_uwh(e))).collect();
        let got = pricer.buckets(&rows, &[T0, T0 + n * H]);
        let per_hour = (i128::from(e) * i128::from(p)).div_euclid(1_000_000_000);
        prop_assert_eq!(i128::from(got[0].cost.micros()), i128::from(n) * per_hour);
    }

    /// (4) No panic and no wrap for any energy and any valid price.
    #[test]
    fn extremes_never_panic(
        e in any::<i64>(),
        prices in prop::array::uniform4(-1_000_000_000_000i64..=1_000_000_000_000),
        edge in any::<i64>(),
    ) {
        let q = prices.map(|p| Some(Price::from_micros(p)));
        let cost = hour_cost(Energy::from_uwh(e), q).unwrap();
        let exact = i128::from(e) * prices.iter().map(|&p| i128::from(p)).sum::<i128>();
        let exact = exact.div_euclid(4_000_000_000);
        prop_assert_eq!(i128::from(cost.micros()), exact.clamp(i128::from(i64::MIN), i128::from(i64::MAX)));
        let rows = [(T0, Energy::from_uwh(e), Some(cost)), (T0 + H, Energy::from_uwh(e), None)];
        let lo = edge.min(T0 + H / 2);
        let _ = into_cost_buckets(&rows, &[lo, T0 + H / 2, i64::MAX]);
        let history: Vec<_> = (0..24 * 36).map(|i| (T0 + i * H, Energy::from_uwh(e))).collect();
        let start = T0 + 35 * 24 * H;
        let _ = project_month(&history, Some(T0), start + 5 * H, start, start + 31 * 24 * H, |_, en| hour_cost(en, q));
    }

    /// (5) A new assignment from `from_ms` leaves every quarter before it, and
    /// so every hour ending by then, priced as before.
    #[test]
    fn assignments_do_not_change_the_past(
        rows in rows_strategy(),
        from_q in 0i64..400 * 4,
        device in any::<bool>(),
        back in any::<bool>(),
    ) {
        let from_ms = T0 + from_q * QUARTER;
        let tariffs = vec![("tou", peak_tariff("Europe/Berlin")), ("other", flat(-50_000))];
        let before = pricer(vec![(T0 - H, "tou")], tariffs.clone());
        let client = vec![(T0 - H, "tou".to_string())];
        let (client, device_list) = if device {
            (client, vec![(from_ms, if back { None } else { Some("other".to_string()) })])
        } else {
            let mut c = client;
            c.push((from_ms, "other".to_string()));
            (c, vec![])
        };
        let after = Pricer::new(
            TariffTimeline::new(client, device_list),
            tariffs.into_iter().map(|(id, t)| (id.to_string(), t)).collect(),
        ).unwrap();
        let (a, b) = (before.price_rows(&rows), after.price_rows(&rows));
        for (x, y) in a.iter().zip(&b) {
            if x.hour_start_ms + H <= from_ms {
                prop_assert_eq!(x, y);
            }
        }
        let mut t = T0 - H;
        while t < from_ms {
            prop_assert_eq!(before.price_at(t), after.price_at(t));
            t += QUARTER;
        }
        let edges = [T0 - H, from_ms - from_ms.rem_euclid(H)];
        if edges[1] > edges[0] {
            prop_assert_eq!(before.buckets(&rows, &edges), after.buckets(&rows, &edges));
        }
    }
}

/// Every quarter hour of the local day `date` in `zone`: peak exactly when
/// its local time is in [07:00, 23:00) on a weekday; 64 peak quarters on every
/// weekday (16 hours), whatever the day's length.
fn check_peak_day(zone: &str, date: NaiveDate) -> Result<(), TestCaseError> {
    let tz: Tz = zone.parse().unwrap();
    let pricer = pricer(
        vec![(i64::MIN / 2, "tou")],
        vec![("tou", peak_tariff(zone))],
    );
    let (start, end) = day_window(date, tz);
    let (start, end) = (start.timestamp_millis(), end.timestamp_millis());
    let weekday = !matches!(date.weekday(), Weekday::Sat | Weekday::Sun);
    let mut peak_quarters = 0;
    let mut t = start;
    while t < end {
        let local = tz.timestamp_millis_opt(t).unwrap().naive_local();
        prop_assert_eq!(local.date(), date);
        let expect_peak = weekday && (7..23).contains(&local.hour());
        let price = pricer.price_at(t).unwrap().micros();
        prop_assert_eq!(
            price,
            if expect_peak { 300_000 } else { 100_000 },
            "{} {}",
            zone,
            local
        );
        peak_quarters += usize::from(expect_peak);
        t += QUARTER;
    }
    prop_assert_eq!(peak_quarters, if weekday { 64 } else { 0 });
    // The same through the hourly rows: 1 kWh per hour costs 0.30 × 16 + 0.10 × rest.
    let hours = day_hours(date, tz);
    let rows: Vec<_> = hours
        .iter()
        .map(|h| (h.timestamp_millis(), Energy::from_uwh(1_000_000_000)))
        .collect();
    let cost = pricer.buckets(&rows, &[start, end])[0].cost.micros();
    let peak_hours = if weekday { 16 } else { 0 };
    prop_assert_eq!(
        cost,
        peak_hours * 300_000 + (hours.len() as i64 - peak_hours) * 100_000
    );
    Ok(())
}

#[test]
fn peak_periods_hold_on_clock_change_days() {
    // Berlin and New York change on Sundays; Tehran (2022), Havana and Cairo
    // (2023) changed on weekdays, some at midnight. Every 23- and 25-hour day
    // of those years is checked.
    let zones = [
        ("Europe/Berlin", 2026),
        ("America/New_York", 2026),
        ("Asia/Tehran", 2022),
        ("America/Havana", 2023),
        ("Africa/Cairo", 2023),
    ];
    let mut weekday_changes = 0;
    for (zone, year) in zones {
        let tz: Tz = zone.parse().unwrap();
        let mut lengths = Vec::new();
        let mut date = NaiveDate::from_ymd_opt(year, 1, 1).unwrap();
        while date.year() == year {
            let len = day_hours(date, tz).len();
            if len != 24 {
                lengths.push(len);
                check_peak_day(zone, date).unwrap();
                weekday_changes +=
                    usize::from(!matches!(date.weekday(), Weekday::Sat | Weekday::Sun));
            }
            date = date.succ_opt().unwrap();
        }
        lengths.sort_unstable();
        assert_eq!(lengths, [23, 25], "{zone} {year}");
    }
    assert!(weekday_changes >= 4, "{weekday_changes}");
}

#[test]
fn hand_computed_range() {
    // 1.5 kWh at 0.2534/kWh = 0.3801; three such hours 1.1403.
    let pricer = pricer(vec![(0, "f")], vec![("f", flat(253_400))]);
    let e = Energy::from_uwh(1_500_000_000);
    let rows = [(T0, e), (T0 + H, e), (T0 + 2 * H, e)];
    assert_eq!(pricer.hour_cost(T0, e), Some(Money::from_micros(380_100)));
    let b = pricer.buckets(&rows, &[T0, T0 + 3 * H]);
    assert_eq!(b[0].cost.to_decimal(), "1.1403");
}
