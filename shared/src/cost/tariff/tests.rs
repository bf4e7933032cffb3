//! Unit tests of the tariff rules, with hand-computed values.

use super::*;
use chrono::{NaiveDate, Utc};

fn tou(json: serde_json::Value) -> Result<Tariff, ApiError> {
    serde_json::from_value::<TariffSpec>(json)
        .unwrap()
        .validate()
}

fn two_seasons() -> serde_json::Value {
    serde_json::json!({
        "kind": "time_of_use", "currency": "EUR", "tz": "Europe/Berlin",
        "standing_charge_per_day": "0.45",
        "seasons": [
            {"months": [11, 2], "default_price_per_kwh": "0.20", "periods": [
                {"days": ["mon","tue","wed","thu","fri"], "from": "07:00", "to": "23:00", "price_per_kwh": "0.30"},
                {"days": ["mon"], "from": "00:00", "to": "24:00", "price_per_kwh": "9"}
            ]},
            {"months": [3, 10], "default_price_per_kwh": 0.1, "periods": []}
        ]
    })
}

fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> i64 {
    // Local Berlin wall time to unix ms (unambiguous times only).
    chrono_tz::Europe::Berlin
        .from_local_datetime(
            &NaiveDate::from_ymd_opt(y, m, d)
                .unwrap()
                .and_hms_opt(h, min, 0)
                .unwrap(),
        )
        .unwrap()
        .with_timezone(&Utc)
        .timestamp_millis()
}

#[test]
fn time_of_use_picks_first_season_and_first_period() {
    let t = tou(two_seasons()).unwrap();
    assert_eq!(t.standing_charge_per_day, Money::from_micros(450_000));
    let p = |ms| t.static_price_at(ms).unwrap().micros();
    // 2026-01-05 is a Monday: the weekday period comes first and wins 07–23.
    assert_eq!(p(at(2026, 1, 5, 7, 0)), 300_000);
    assert_eq!(p(at(2026, 1, 5, 6, 45)), 9_000_000);
    assert_eq!(p(at(2026, 1, 6, 6, 59)), 200_000);
    assert_eq!(p(at(2026, 1, 6, 22, 59)), 300_000);
    assert_eq!(p(at(2026, 1, 6, 23, 0)), 200_000);
    assert_eq!(p(at(2026, 1, 10, 12, 0)), 200_000); // Saturday
    assert_eq!(p(at(2026, 7, 6, 12, 0)), 100_000); // summer season
    assert_eq!(p(at(2026, 2, 28, 12, 0)), 200_000); // wrap [11, 2]
}

#[test]
fn validation_names_the_field_path() {
    let field = |patch: &dyn Fn(&mut serde_json::Value)| {
        let mut v = two_seasons();
        patch(&mut v);
        tou(v).unwrap_err().field.unwrap()
    };
    assert_eq!(field(&|v| v["currency"] = "eur".into()), "currency");
    assert_eq!(field(&|v| v["tz"] = "Mars/Base".into()), "tz");
    assert_eq!(
        field(&|v| v["seasons"][0]["periods"][0]["to"] = "23:10".into()),
        "seasons[0].periods[0].to"
    );
    assert_eq!(
        field(&|v| v["seasons"][0]["periods"][0]["to"] = "06:00".into()),
        "seasons[0].periods[0].to"
    );
    assert_eq!(
        field(&|v| v["seasons"][0]["periods"][1]["from"] = "24:15".into()),
        "seasons[0].periods[1].from"
    );
    assert_eq!(
        field(&|v| v["seasons"][0]["periods"][0]["days"][2] = "Wed".into()),
        "seasons[0].periods[0].days[2]"
    );
    assert_eq!(
        field(&|v| v["seasons"][1]["months"] = serde_json::json!([3, 9])),
        "seasons"
    );
    assert_eq!(
        field(&|v| v["seasons"][1]["months"] = serde_json::json!([0, 9])),
        "seasons[1].months"
    );
    assert_eq!(
        field(&|v| v["seasons"][1]["default_price_per_kwh"] = "1e3".into()),
        "seasons[1].default_price_per_kwh"
    );
    assert_eq!(
        field(&|v| v["standing_charge_per_day"] = "x".into()),
        "standing_charge_per_day"
    );
    let err = tou(
        serde_json::json!({"kind": "dynamic", "currency": "EUR", "tz": "UTC", "slot_minutes": 30}),
    )
    .unwrap_err();
    assert_eq!(err.field.as_deref(), Some("slot_minutes"));
}

#[test]
fn list_sizes_are_bounded() {
    let mut v = two_seasons();
    v["seasons"] = serde_json::Value::Array(vec![v["seasons"][1].clone(); 13]);
    assert_eq!(tou(v).unwrap_err().field.as_deref(), Some("seasons"));
    let mut v = two_seasons();
    let period = v["seasons"][0]["periods"][0].clone();
    v["seasons"][0]["periods"] = serde_json::Value::Array(vec![period; 49]);
    assert_eq!(
        tou(v).unwrap_err().field.as_deref(),
        Some("seasons[0].periods")
    );
}

#[test]
fn flat_and_defaults() {
    let t = tou(serde_json::json!({"kind": "flat", "currency": "RON", "tz": "Europe/Bucharest", "price_per_kwh": "0.2534"})).unwrap();
    assert_eq!(t.rule, PriceRule::Flat(Price::from_micros(253_400)));
    assert_eq!(t.standing_charge_per_day, Money::ZERO);
    assert_eq!(t.static_price_at(0), Some(Price::from_micros(253_400)));
    let spec: TariffSpec = serde_json::from_value(
        serde_json::json!({"kind": "flat", "currency": "RON", "tz": "UTC", "price_per_kwh": 0.21}),
    )
    .unwrap();
    assert_eq!(
        serde_json::to_value(&spec).unwrap()["price_per_kwh"],
        "0.21"
    );
}

#[test]
fn stored_json_is_bounded_by_the_column() {
    let spec: TariffSpec = serde_json::from_value(two_seasons()).unwrap();
    let json = spec.to_stored_json().unwrap();
    assert_eq!(serde_json::from_str::<TariffSpec>(&json).unwrap(), spec);
    // 12 seasons of 48 periods validate, but are too long to store.
    let period = serde_json::json!({"days": ["mon","tue","wed","thu","fri","sat","sun"], "from": "07:00", "to": "07:15", "price_per_kwh": "0.123456"});
    let seasons: Vec<_> = (1..=12)
        .map(|m| serde_json::json!({"months": [m, m], "default_price_per_kwh": "0.1", "periods": vec![period.clone(); 48]}))
        .collect();
    let big: TariffSpec = serde_json::from_value(serde_json::json!({
        "kind": "time_of_use", "currency": "EUR", "tz": "UTC", "seasons": seasons
    }))
    .unwrap();
    big.validate().unwrap();
    let err = big.to_stored_json().unwrap_err();
    assert_eq!(err.field.as_deref(), Some("seasons"));
    assert!(err.message.contains("at most 8000"), "{}", err.message);
}
