use super::*;

const DEV: &str = "6f1c2a3e-1111-4222-8333-944455556666";

fn one(body: &str) -> Result<MeterReading, ReadingError> {
    decode_readings(body.as_bytes()).unwrap().remove(0)
}

#[test]
fn accepts_seconds_milliseconds_and_rfc3339_for_the_same_instant() {
    let secs = one(&format!(
        r#"{{"device_id":"{DEV}","timestamp":1774746600,"measurement_value":12.5}}"#
    ))
    .unwrap();
    let ms = one(&format!(
        r#"{{"device_id":"{DEV}","timestamp":1774746600000,"measurement_value":12.5}}"#
    ))
    .unwrap();
    let text = one(&format!(
        r#"{{"device_id":"{DEV}","timestamp":"2026-03-29T03:10:00+02:00","measurement_value":12.5}}"#
    ))
    .unwrap();
    assert_eq!(secs, ms);
    assert_eq!(secs, text);
    assert_eq!(secs.reading.register.uwh(), 12_500_000_000);
    assert_eq!(secs.reading.at.to_rfc3339(), "2026-03-29T01:10:00+00:00");
}

#[test]
fn a_batch_is_decoded_reading_by_reading() {
    let body = format!(
        r#"[{{"device_id":"{DEV}","timestamp":1774746600,"measurement_value":1}},
           {{"device_id":"{DEV}","timestamp":1774747200,"measurement_value":-1}},
           {{"device_id":"nope","timestamp":1774747200,"measurement_value":1}}]"#
    );
    let out = decode_readings(body.as_bytes()).unwrap();
    assert_eq!(out.len(), 3);
    assert!(out[0].is_ok());
    assert!(out[1]
        .as_ref()
        .unwrap_err()
        .reason()
        .contains("measurement_value"));
    assert!(out[2].as_ref().unwrap_err().reason().contains("device_id"));
}

#[test]
fn rejects_bad_messages_with_a_reason() {
    assert!(decode_readings(b"not json").is_err());
    assert!(decode_readings(b"42").is_err());
    assert!(decode_readings(b"[]").is_err());
    for (body, field) in [
        (
            r#"{"timestamp":1,"measurement_value":1}"#.to_string(),
            "device_id",
        ),
        (
            format!(r#"{{"device_id":"{DEV}","measurement_value":1}}"#),
            "timestamp",
        ),
        (
            format!(r#"{{"device_id":"{DEV}","timestamp":"yesterday","measurement_value":1}}"#),
            "timestamp",
        ),
        (
            format!(r#"{{"device_id":"{DEV}","timestamp":1774746600,"measurement_value":"12"}}"#),
            "measurement_value",
        ),
        (
            format!(r#"{{"device_id":"{DEV}","timestamp":1774746600,"measurement_value":1e300}}"#),
            "measurement_value",
        ),
        (
            format!(r#"{{"device_id":"{DEV}","timestamp":-5,"measurement_value":1}}"#),
            "timestamp",
        ),
        (
            format!(r#"{{"device_id":"{DEV}","timestamp":5,"measurement_value":1}}"#),
            "timestamp",
        ),
    ] {
        let err = one(&body).unwrap_err();
        assert!(err.reason().contains(field), "{body}: {err}");
    }
}

#[test]
fn to_message_round_trips() {
    let r = one(&format!(
        r#"{{"device_id":"{DEV}","timestamp":1774746600123,"measurement_value":0.000000001}}"#
    ))
    .unwrap();
    let again = serde_json::to_vec(&r.to_message()).unwrap();
    assert_eq!(one(std::str::from_utf8(&again).unwrap()).unwrap(), r);
}

mod arbitrary_bytes {
    //! The decoder's side of fuzzing that always runs (cargo-fuzz runs the
    //! same decoder with coverage guidance where a nightly toolchain is present).
    use super::*;
    use proptest::prelude::*;

    /// Bytes that are often almost a reading message, so that the field
    /// checks are reached, not only the JSON parser.
    fn near_messages() -> impl Strategy<Value = Vec<u8>> {
        let value = prop_oneof![
            any::<f64>().prop_map(|x| serde_json::json!(x)),
            any::<i64>().prop_map(|x| serde_json::json!(x)),
            ".{0,40}".prop_map(|s| serde_json::json!(s)),
            Just(serde_json::json!(null)),
            Just(serde_json::json!("2026-03-29T03:10:00+02:00")),
        ];
        let reading =
            (value.clone(), value.clone(), prop::bool::ANY).prop_map(|(ts, kwh, good_id)| {
                let id = if good_id {
                    serde_json::json!(DEV)
                } else {
                    ts.clone()
                };
                serde_json::json!({"device_id": id, "timestamp": ts, "measurement_value": kwh})
            });
        prop_oneof![
            reading.clone().prop_map(|r| r.to_string().into_bytes()),
            prop::collection::vec(reading, 0..8)
                .prop_map(|rs| serde_json::Value::Array(rs).to_string().into_bytes()),
        ]
    }

    proptest! {
        #[test]
        fn any_bytes_decode_or_fail_cleanly(body in prop::collection::vec(any::<u8>(), 0..512)) {
            if let Ok(items) = decode_readings(&body) {
                prop_assert!(!items.is_empty());
            }
        }

        #[test]
        fn near_messages_give_valid_readings_or_reasons(body in near_messages()) {
            match decode_readings(&body) {
                Ok(items) => {
                    for item in items {
                        match item {
                            Ok(m) => {
                                prop_assert!(m.reading.register.uwh() >= 0);
                                let year = chrono::Datelike::year(&m.reading.at);
                                prop_assert!((1990..=2200).contains(&year));
                            }
                            Err(e) => prop_assert!(!e.reason().is_empty()),
                        }
                    }
                }
                Err(e) => prop_assert!(!e.to_string().is_empty()),
            }
        }
    }
}
