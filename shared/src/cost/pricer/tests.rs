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
