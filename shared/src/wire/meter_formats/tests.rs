use super::*;
use proptest::prelude::*;

const DEV: &str = "6f1c2a3e-1111-4222-8333-944455556666";
/// 2026-03-29T01:10:00Z, when the frames below are received.
const RECEIVED_MS: i64 = 1_774_746_600_000;
const HA_KWH: MeterFormat = MeterFormat::HomeAssistant {
    unit: EnergyUnit::Kwh,
};
const HA_WH: MeterFormat = MeterFormat::HomeAssistant {
    unit: EnergyUnit::Wh,
};

fn dev() -> uuid::Uuid {
    DEV.parse().unwrap()
}

fn run(
    format: MeterFormat,
    topic: Option<&str>,
    payload: &str,
    tz: Option<chrono_tz::Tz>,
) -> Result<Vec<MeterReading>, DecodeError> {
    decode(format, dev(), topic, payload.as_bytes(), RECEIVED_MS, tz)
}

/// The single reading's (µWh, unix ms).
fn one(format: MeterFormat, topic: Option<&str>, payload: &str) -> (i64, i64) {
    one_in(format, topic, payload, None)
}

fn one_in(
    format: MeterFormat,
    topic: Option<&str>,
    payload: &str,
    tz: Option<chrono_tz::Tz>,
) -> (i64, i64) {
    let out = run(format, topic, payload, tz).unwrap_or_else(|e| panic!("{payload}: {e}"));
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].device_id, dev());
    let r = out[0].reading;
    (r.register.uwh(), r.at.timestamp_millis())
}

fn code(format: MeterFormat, payload: &str) -> String {
    run(format, None, payload, None).unwrap_err().to_string()
}

const TASMOTA: &str = r#"{"Time":"2018-01-17T18:59:50","ENERGY":{"TotalStartTime":"2018-01-01T00:00:00","Total":1.956,"Yesterday":0.054,"Today":0.049,"Period":0,"Power":9,"Factor":0.43,"Voltage":231,"Current":0.089}}"#;
const SHELLY_SWITCH: &str = r#"{"id":0,"output":true,"apower":9.2,"voltage":231.0,"current":0.04,"aenergy":{"total":1234.567,"by_minute":[0.1,0.2,0.3],"minute_ts":1700000000}}"#;
const SHELLY_NOTIFY: &str = r#"{"src":"shellyplus1pm-a8032ab12345","dst":"shellyplus1pm-a8032ab12345/events","method":"NotifyStatus","params":{"ts":1700000000.12,"switch:0":{"id":0,"aenergy":{"total":1234.567}}}}"#;

#[test]
fn iems_messages_and_batches_go_through_the_existing_decoder() {
    let msg = format!(r#"{{"device_id":"{DEV}","timestamp":1774746600,"measurement_value":12.5}}"#);
    assert_eq!(
        one(MeterFormat::Iems, None, &msg),
        (12_500_000_000, RECEIVED_MS)
    );
    let batch = format!("[{msg},{msg}]");
    assert_eq!(run(MeterFormat::Iems, None, &batch, None).unwrap().len(), 2);
    let bad =
        format!(r#"[{msg},{{"device_id":"{DEV}","timestamp":1774746600,"measurement_value":-1}}]"#);
    let err = code(MeterFormat::Iems, &bad);
    assert!(
        err.starts_with("invalid: reading 1: field measurement_value"),
        "{err}"
    );
    let other = msg.replace("6666", "7777");
    assert_eq!(
        code(MeterFormat::Iems, &other),
        "other_device: field device_id: not the reporting device"
    );
    assert!(code(MeterFormat::Iems, "[]").starts_with("malformed: "));
    // A reading that names no device is the reporting device's.
    let unnamed = r#"[{"timestamp":1774746600,"measurement_value":12.5},{"device_id":null,"timestamp":1774746660,"measurement_value":12.6}]"#;
    let readings = run(MeterFormat::Iems, None, unnamed, None).unwrap();
    assert_eq!(readings.len(), 2);
    assert!(readings.iter().all(|r| r.device_id.to_string() == DEV));
}

#[test]
fn tasmota_total_is_kwh_at_local_time_in_the_device_zone() {
    let topic = Some("tele/plug1/SENSOR");
    // 18:59:50 in Berlin (UTC+1 in January) is 17:59:50 UTC.
    assert_eq!(
        one_in(
            MeterFormat::Tasmota,
            topic,
            TASMOTA,
            Some(chrono_tz::Europe::Berlin)
        ),
        (1_956_000_000, 1_516_211_990_000)
    );
    // Without a zone the offset-less Time cannot be placed: the receive time.
    assert_eq!(
        one(MeterFormat::Tasmota, topic, TASMOTA),
        (1_956_000_000, RECEIVED_MS)
    );
    // With SetOption52 the Time carries its offset and needs no zone.
    let with_offset = TASMOTA.replace("18:59:50", "18:59:50+01:00");
    assert_eq!(
        one(MeterFormat::Tasmota, topic, &with_offset).1,
        1_516_211_990_000
    );
    let phases = r#"{"ENERGY":{"Total":[1.5,0.25,0.001]}}"#;
    assert_eq!(
        one(MeterFormat::Tasmota, None, phases),
        (1_751_000_000, RECEIVED_MS)
    );
}

#[test]
fn tasmota_local_times_around_clock_changes() {
    let berlin = Some(chrono_tz::Europe::Berlin);
    let at = |time: &str, received_ms: i64| {
        let frame = format!(r#"{{"Time":"{time}","ENERGY":{{"Total":1}}}}"#);
        decode(
            MeterFormat::Tasmota,
            dev(),
            None,
            frame.as_bytes(),
            received_ms,
            berlin,
        )
        .map(|r| r[0].reading.at.timestamp_millis())
    };
    // 2026-10-25 02:30 happens twice in Berlin: 00:30Z and 01:30Z.
    let (first, second) = (1_792_888_200_000, 1_792_891_800_000);
    assert_eq!(at("2026-10-25T02:30:00", first + 5_000), Ok(first));
    assert_eq!(at("2026-10-25T02:30:00", second + 5_000), Ok(second));
    // 2026-03-29 02:30 never happens in Berlin.
    let err = at("2026-03-29T02:30:00", RECEIVED_MS).unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid: Time 2026-03-29T02:30:00: does not exist in Europe/Berlin"
    );
}

#[test]
fn tasmota_frames_without_the_register_are_no_energy() {
    let err = |topic: Option<&str>, payload: &str| {
        run(MeterFormat::Tasmota, topic, payload, None)
            .unwrap_err()
            .to_string()
    };
    assert_eq!(
        err(
            None,
            r#"{"Time":"2018-01-17T18:59:50","ENERGY":{"Power":9}}"#
        ),
        "no_energy: no ENERGY.Total in the frame"
    );
    assert_eq!(
        err(
            None,
            r#"{"Time":"2018-01-17T18:59:50","SML":{"Total_in":1}}"#
        ),
        "no_energy: no ENERGY.Total in the frame"
    );
    assert_eq!(
        err(Some("tele/plug1/LWT"), "Online"),
        "no_energy: tele/plug1/LWT is not a Tasmota SENSOR topic"
    );
    assert_eq!(
        err(None, r#"{"ENERGY":{"Total":"1.9"}}"#),
        "invalid: ENERGY.Total: not a number"
    );
    assert_eq!(
        err(None, r#"{"ENERGY":1.9}"#),
        "invalid: ENERGY: not an object"
    );
    assert_eq!(
        err(None, r#"{"Time":1516211990,"ENERGY":{"Total":1}}"#),
        "invalid: Time: not a string"
    );
    assert!(err(None, r#"{"Time":"yesterday","ENERGY":{"Total":1}}"#).starts_with("invalid: Time"));
    assert!(err(None, "Online").starts_with("malformed: "));
}

#[test]
fn shelly_switch_status_notify_status_and_em_data() {
    let status = Some("shellyplus1pm-a8032ab12345/status/switch:0");
    assert_eq!(
        one(MeterFormat::Shelly, status, SHELLY_SWITCH),
        (1_234_567_000, 1_700_000_000_000)
    );
    let no_minute = r#"{"id":0,"aenergy":{"total":1234.567}}"#;
    assert_eq!(
        one(MeterFormat::Shelly, status, no_minute),
        (1_234_567_000, RECEIVED_MS)
    );
    let rpc = Some("shellyplus1pm-a8032ab12345/events/rpc");
    assert_eq!(
        one(MeterFormat::Shelly, rpc, SHELLY_NOTIFY),
        (1_234_567_000, 1_700_000_000_120)
    );
    // A two-channel device: iems takes switch:0, whatever else the frame carries.
    let two = r#"{"method":"NotifyStatus","params":{"ts":1700000000,"switch:1":{"id":1,"aenergy":{"total":5}},"switch:0":{"id":0,"aenergy":{"total":7}}}}"#;
    assert_eq!(
        one(MeterFormat::Shelly, rpc, two),
        (7_000_000, 1_700_000_000_000)
    );
    let em = r#"{"id":0,"total_act":4321.5,"total_act_ret":10.25}"#;
    assert_eq!(
        one(
            MeterFormat::Shelly,
            Some("shellypro3em-1/status/emdata:0"),
            em
        ),
        (4_321_500_000, RECEIVED_MS)
    );
    let em_notify = r#"{"method":"NotifyStatus","params":{"ts":1700000000.5,"emdata:0":{"id":0,"total_act":4321.5}}}"#;
    assert_eq!(
        one(MeterFormat::Shelly, rpc, em_notify),
        (4_321_500_000, 1_700_000_000_500)
    );
    let em1 = r#"{"id":0,"total_act_energy":99.001,"total_act_ret_energy":0}"#;
    assert_eq!(
        one(MeterFormat::Shelly, None, em1),
        (99_001_000, RECEIVED_MS)
    );
}

#[test]
fn shelly_frames_without_energy_or_with_bad_fields() {
    let err = |topic: Option<&str>, payload: &str| {
        run(MeterFormat::Shelly, topic, payload, None)
            .unwrap_err()
            .to_string()
    };
    let changed_only = r#"{"method":"NotifyStatus","params":{"ts":1700000000.12,"switch:0":{"id":0,"output":false}}}"#;
    assert!(err(None, changed_only).starts_with("no_energy: NotifyStatus without energy"));
    let wifi = r#"{"method":"NotifyStatus","params":{"ts":1700000000.12,"wifi":{"rssi":-60}}}"#;
    assert!(err(None, wifi).starts_with("no_energy: "));
    assert_eq!(
        err(None, r#"{"method":"NotifyEvent","params":{"ts":1}}"#),
        "no_energy: NotifyEvent carries no status"
    );
    assert_eq!(
        err(Some("shelly-1/status/switch:1"), SHELLY_SWITCH),
        "no_energy: switch:1 is not metered (iems takes switch:0, emdata:0, em1data:0)"
    );
    assert_eq!(
        err(None, r#"{"id":1,"aenergy":{"total":5}}"#),
        "no_energy: id 1: iems takes channel 0"
    );
    assert_eq!(
        err(None, r#"{"id":0,"aenergy":{"total":"5"}}"#),
        "invalid: aenergy.total: not a number"
    );
    assert_eq!(
        err(None, r#"{"id":0,"aenergy":{"total":-5}}"#),
        "invalid: aenergy.total: must not be negative"
    );
    assert_eq!(
        err(
            None,
            r#"{"method":"NotifyStatus","params":{"switch:0":{"aenergy":{"total":true}}}}"#
        ),
        "invalid: params.switch:0.aenergy.total: not a number"
    );
    assert!(err(
        None,
        r#"{"method":"NotifyStatus","params":{"ts":"soon","switch:0":{"aenergy":{"total":1}}}}"#
    )
    .starts_with("invalid: params.ts: "));
    assert!(err(
        None,
        r#"{"method":"NotifyStatus","params":{"ts":-1,"switch:0":{"aenergy":{"total":1}}}}"#
    )
    .starts_with("invalid: params.ts: "));
    assert_eq!(
        err(None, r#"{"method":"NotifyStatus"}"#),
        "malformed: params: missing or not an object"
    );
    assert_eq!(
        err(None, r#"{"id":0,"apower":9.2}"#),
        "no_energy: no aenergy.total, total_act or total_act_energy"
    );
}

#[test]
fn home_assistant_states_in_kwh_or_wh() {
    let state = r#"{"state":"12.5","unit_of_measurement":"kWh","last_updated":"2026-03-29T03:10:00+02:00"}"#;
    assert_eq!(one(HA_KWH, None, state), (12_500_000_000, RECEIVED_MS));
    // The state's own unit wins over the configured one.
    assert_eq!(one(HA_WH, None, state), (12_500_000_000, RECEIVED_MS));
    let wh = r#"{"state":1234.567,"unit_of_measurement":"Wh"}"#;
    assert_eq!(one(HA_KWH, None, wh), (1_234_567_000, RECEIVED_MS));
    assert_eq!(one(HA_KWH, None, "12.5\n"), (12_500_000_000, RECEIVED_MS));
    assert_eq!(one(HA_WH, None, "1234.567"), (1_234_567_000, RECEIVED_MS));
    assert_eq!(
        one(HA_WH, None, r#"{"state":"1234.567"}"#),
        (1_234_567_000, RECEIVED_MS)
    );
    assert_eq!(code(HA_KWH, "unavailable"), "no_energy: state unavailable");
    assert_eq!(
        code(HA_KWH, r#"{"state":"unknown"}"#),
        "no_energy: state unknown"
    );
    assert_eq!(
        code(HA_KWH, r#"{"state":"12,5"}"#),
        "invalid: state: not a number"
    );
    assert_eq!(
        code(HA_KWH, r#"{"state":"12.5","unit_of_measurement":"MWh"}"#),
        "invalid: unit \"MWh\": expected kWh or Wh"
    );
    assert!(code(HA_KWH, r#"{"state":"1","last_updated":"today"}"#)
        .starts_with("invalid: last_updated: "));
    assert_eq!(
        code(HA_KWH, r#"{"state":"NaN"}"#),
        "invalid: state: must be a finite number"
    );
    assert_eq!(
        code(HA_KWH, r#"["12.5"]"#),
        "malformed: expected a number or a state object"
    );
}

#[test]
fn plain_numbers_are_kwh_at_the_receive_time() {
    assert_eq!(
        one(MeterFormat::PlainNumber, None, " 12.5 "),
        (12_500_000_000, RECEIVED_MS)
    );
    assert_eq!(
        one(MeterFormat::PlainNumber, None, "0.000000001"),
        (1, RECEIVED_MS)
    );
    assert_eq!(
        code(MeterFormat::PlainNumber, "twelve"),
        "malformed: expected a bare number"
    );
    assert_eq!(
        code(MeterFormat::PlainNumber, "\"12.5\""),
        "malformed: expected a bare number"
    );
}

#[test]
fn wh_converts_exactly() {
    let wh = |x: f64| EnergyUnit::Wh.register(x, "x").unwrap().uwh();
    assert_eq!(wh(1234.567), 1_234_567_000);
    assert_eq!(wh(0.001), 1_000);
    assert_eq!(wh(0.000001), 1);
    assert_eq!(wh(999_999_999.999), 999_999_999_999_000);
    assert_eq!(
        EnergyUnit::Kwh.register(1.234567, "x").unwrap().uwh(),
        1_234_567_000
    );
}

#[test]
fn negative_non_finite_and_huge_registers_are_refused() {
    for (format, payload, detail) in [
        (MeterFormat::PlainNumber, "-0.5", "must not be negative"),
        (MeterFormat::PlainNumber, "NaN", "must be a finite number"),
        (MeterFormat::PlainNumber, "inf", "must be a finite number"),
        (MeterFormat::PlainNumber, "1e10", "must be at most"),
        (HA_WH, "1e13", "must be at most"),
        (
            MeterFormat::Tasmota,
            r#"{"ENERGY":{"Total":-1}}"#,
            "must not be negative",
        ),
        (
            MeterFormat::Tasmota,
            r#"{"ENERGY":{"Total":[6e8,6e8]}}"#,
            "must be at most",
        ),
        (
            MeterFormat::Shelly,
            r#"{"aenergy":{"total":1e300}}"#,
            "must be at most",
        ),
        (
            MeterFormat::Shelly,
            r#"{"total_act":-0.1}"#,
            "must not be negative",
        ),
    ] {
        let err = code(format, payload);
        assert!(
            err.starts_with("invalid: ") && err.contains(detail),
            "{payload}: {err}"
        );
    }
    // JSON has no NaN, and a number beyond f64 is not JSON serde_json accepts.
    assert!(code(MeterFormat::Tasmota, r#"{"ENERGY":{"Total":NaN}}"#).starts_with("malformed: "));
    assert!(code(MeterFormat::Shelly, r#"{"aenergy":{"total":1e400}}"#).starts_with("malformed: "));
}

#[test]
fn oversize_payloads_and_unrepresentable_receive_times_are_refused() {
    let padded = |len: usize| format!("12.5{}", " ".repeat(len - 4));
    let big = padded(MAX_PAYLOAD_BYTES + 1);
    for format in MeterFormat::ALL {
        assert_eq!(
            code(format, &big),
            "invalid: payload of 65537 bytes is over the 65536-byte limit"
        );
    }
    let at_limit = padded(MAX_PAYLOAD_BYTES);
    assert!(run(MeterFormat::PlainNumber, None, &at_limit, None).is_ok());
    let err = decode(MeterFormat::PlainNumber, dev(), None, b"1", i64::MAX, None).unwrap_err();
    assert_eq!(err.to_string(), "invalid: receive time out of range");
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    assert!(code(MeterFormat::Shelly, &deep).starts_with("malformed: "));
}

#[test]
fn formats_have_stable_names() {
    for format in MeterFormat::ALL {
        assert_eq!(format.as_str().parse::<MeterFormat>(), Ok(format));
        let json = serde_json::to_string(&format).unwrap();
        assert_eq!(json, format!("\"{}\"", format.as_str()));
        assert_eq!(serde_json::from_str::<MeterFormat>(&json).unwrap(), format);
    }
    assert_eq!(HA_WH.as_str(), "home_assistant_wh");
    assert!("Tasmota".parse::<MeterFormat>().is_err());
    assert!(serde_json::from_str::<MeterFormat>("\"modbus\"").is_err());
}

#[test]
fn detect_knows_topics_that_name_their_format() {
    for (topic, format) in [
        ("tele/plug1/SENSOR", Some(MeterFormat::Tasmota)),
        (
            "iems/6f1c4a8e-0d3b-4c57-9a51-2b0c6f1d9e10/tele/plug1/SENSOR",
            Some(MeterFormat::Tasmota),
        ),
        (
            "iems/6f1c4a8e-0d3b-4c57-9a51-2b0c6f1d9e10/events/rpc",
            Some(MeterFormat::Shelly),
        ),
        (
            "iems/6f1c4a8e-0d3b-4c57-9a51-2b0c6f1d9e10/status/emdata:0",
            Some(MeterFormat::Shelly),
        ),
        ("iems/6f1c4a8e-0d3b-4c57-9a51-2b0c6f1d9e10/readings", None),
        ("tele/plug1/STATE", None),
        ("tele//SENSOR", None),
        ("stat/plug1/SENSOR", None),
        (
            "shellyplus1pm-a8032ab12345/events/rpc",
            Some(MeterFormat::Shelly),
        ),
        (
            "shellyplus1pm-a8032ab12345/status/switch:0",
            Some(MeterFormat::Shelly),
        ),
        ("shellypro3em-1/status/emdata:0", Some(MeterFormat::Shelly)),
        ("shelly-1/status/switch:1", None),
        ("shelly-1/online", None),
        ("iems/devices/6f1c2a3e/readings", None),
        ("", None),
    ] {
        assert_eq!(detect(topic), format, "{topic}");
    }
}

/// Bytes that are often almost a frame of some format, so that the field
/// checks are reached, not only the JSON parser.
fn near_frames() -> impl Strategy<Value = Vec<u8>> {
    let leaf = prop_oneof![
        any::<f64>().prop_map(|x| serde_json::json!(x)),
        any::<i64>().prop_map(|x| serde_json::json!(x)),
        ".{0,12}".prop_map(|s| serde_json::json!(s)),
        Just(serde_json::json!(null)),
        Just(serde_json::json!("2026-10-25T02:30:00")),
        Just(serde_json::json!("unavailable")),
        Just(serde_json::json!("NotifyStatus")),
    ];
    let names = prop::sample::select(vec![
        "ENERGY",
        "Total",
        "Time",
        "method",
        "params",
        "ts",
        "switch:0",
        "emdata:0",
        "aenergy",
        "total",
        "minute_ts",
        "total_act",
        "id",
        "state",
        "unit_of_measurement",
        "last_updated",
        "NotifyStatus",
    ]);
    let tree = leaf.prop_recursive(4, 32, 4, move |inner| {
        prop::collection::btree_map(names.clone(), inner, 0..4).prop_map(|m| serde_json::json!(m))
    });
    prop_oneof![
        tree.prop_map(|v| v.to_string().into_bytes()),
        prop::collection::vec(any::<u8>(), 0..256),
    ]
}

proptest! {
    #[test]
    fn decode_never_panics(
        payload in near_frames(),
        received_at_ms in any::<i64>(),
        topic in prop::option::of("(tele/x/SENSOR|s/status/switch:0|s/events/rpc|[a-z:/]{0,12})"),
    ) {
        for format in MeterFormat::ALL {
            for tz in [None, Some(chrono_tz::Europe::Berlin)] {
                match decode(format, dev(), topic.as_deref(), &payload, received_at_ms, tz) {
                    Ok(readings) => {
                        prop_assert!(!readings.is_empty());
                        for r in readings {
                            prop_assert!(r.reading.register.uwh() >= 0);
                        }
                    }
                    Err(e) => prop_assert!(!e.detail.is_empty()),
                }
            }
        }
    }
}
