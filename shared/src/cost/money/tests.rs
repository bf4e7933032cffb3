//! Unit tests of the money rules, with hand-computed values.

use super::*;

#[test]
fn decimals_round_trip_exactly() {
    assert_eq!(Price::parse("p", "0.2534").unwrap().micros(), 253_400);
    assert_eq!(Price::parse("p", "0.2534").unwrap().to_decimal(), "0.2534");
    assert_eq!(Price::parse("p", "-0.01").unwrap().micros(), -10_000);
    assert_eq!(Price::parse("p", "12").unwrap().to_decimal(), "12");
    assert_eq!(Price::parse("p", "000.000001").unwrap().micros(), 1);
    assert_eq!(
        Price::parse("p", "1000000").unwrap().micros(),
        1_000_000_000_000
    );
    assert_eq!(Price::parse("p", "-0").unwrap(), Price::ZERO);
    assert_eq!(
        Money::from_micros(i64::MIN).to_decimal(),
        "-9223372036854.775808"
    );
    assert_eq!(Money::parse("m", "12.5").unwrap().to_decimal(), "12.5");
}

#[test]
fn rejects_inexact_or_absurd_text() {
    for bad in [
        "",
        "-",
        ".5",
        "5.",
        "+1",
        "1e3",
        "1E3",
        "NaN",
        "inf",
        " 1",
        "1 ",
        "0.1234567",
        "1,5",
        "1000000.000001",
        "99999999999999999999",
        "--1",
        "0x10",
    ] {
        let e = Price::parse("price_per_kwh", bad).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("price_per_kwh"), "{bad:?}");
        assert!(e.message.starts_with("price_per_kwh: "), "{}", e.message);
    }
    assert!(Money::parse("m", "1000000000000.5").is_err());
}

#[test]
fn currency_codes_are_three_uppercase_letters() {
    assert_eq!(Currency::parse("currency", "EUR").unwrap().as_str(), "EUR");
    for bad in ["eur", "EU", "EURO", "E1R", "ÉUR", ""] {
        assert!(Currency::parse("currency", bad).is_err(), "{bad}");
    }
}

#[test]
fn sums_saturate_and_checked_sums_say_so() {
    let max = Money::MAX;
    assert_eq!(max + Money::from_micros(1), max);
    assert_eq!(max.checked_add(Money::from_micros(1)), None);
    assert_eq!(-Money::MIN, max);
    assert_eq!(Money::saturating_from_i128(i128::MIN), Money::MIN);
}
