//! Unit tests of the dynamic rules, with hand-computed values.

use super::*;

const H: i64 = 3_600_000;
const T0: i64 = 1_767_225_600_000; // 2026-01-01T00:00:00Z

#[test]
fn csv_and_json_give_the_same_series() {
    let csv = "start,price\n2026-01-01T01:00:00Z,0.25\n\n2026-01-01T00:00:00Z,-0.01\n";
    let json = r#"[{"start": "2026-01-01T01:00:00+00:00", "price": 0.25},
                   {"start": "2026-01-01T01:00:00+01:00", "price": "-0.01"}]"#;
    let a = DynamicPrices::parse_csv(60, csv).unwrap();
    let b = DynamicPrices::parse_json(60, json).unwrap();
    assert_eq!(a, b);
    assert_eq!(
        a.price_at(T0 + 59 * 60_000),
        Some(Price::from_micros(-10_000))
    );
    assert_eq!(a.price_at(T0 + H), Some(Price::from_micros(250_000)));
    assert_eq!(a.price_at(T0 + 2 * H), None);
    assert_eq!(a.price_at(T0 - 1), None);
}

#[test]
fn errors_name_the_line() {
    let msg = |r: Result<DynamicPrices, ApiError>| r.unwrap_err().message;
    assert!(msg(DynamicPrices::parse_csv(60, "when,price\n")).contains("line 1"));
    assert!(msg(DynamicPrices::parse_csv(
        60,
        "start,price\n2026-01-01T00:00:00Z,0.1\n2026-01-01T00:15:00Z,0.1"
    ))
    .contains("line 3"));
    assert!(msg(DynamicPrices::parse_csv(
        15,
        "start,price\n2026-01-01T00:15:00Z,0.1\n2026-01-01T00:15:00Z,0.2"
    ))
    .contains("line 3: start repeats line 2"));
    assert!(msg(DynamicPrices::parse_csv(15, "start,price\n2026-01-01,0.1")).contains("line 2"));
    assert!(msg(DynamicPrices::parse_csv(
        15,
        "start,price\n2026-01-01T00:15:00Z,1e-3"
    ))
    .contains("line 2"));
    assert!(msg(DynamicPrices::parse_csv(
        15,
        "start,price\n2026-01-01T00:15:00Z"
    ))
    .contains("line 2"));
    assert!(msg(DynamicPrices::parse_json(
        15,
        r#"[{"start": "2026-01-01T00:15:00Z"}]"#
    ))
    .contains("row 1"));
    assert!(msg(DynamicPrices::parse_json(15, r#"{"start": 1}"#)).contains("JSON array"));
}

#[test]
fn uploads_are_bounded() {
    let mut csv = String::from("start,price\n");
    for i in 0..=MAX_ROWS as i64 {
        csv.push_str(&format!(
            "{},0.1\n",
            crate::time::rfc3339_ms(T0 + i * 900_000)
        ));
    }
    assert!(DynamicPrices::parse_csv(15, &csv)
        .unwrap_err()
        .message
        .contains("at most"));
}
