//! Any payload a real meter (or anyone holding a device's credential) sends,
//! in every format and with or without a device time zone: decoding never
//! panics, and every reading it yields belongs to the reporting device and
//! has a register within the readings' limits.
#![no_main]

use iems_shared::wire::meter_formats::{decode, MeterFormat};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (u8, bool, i64, &[u8])| {
    let (which, with_tz, received_at_ms, payload) = input;
    let format = MeterFormat::ALL[which as usize % MeterFormat::ALL.len()];
    let device = uuid::Uuid::from_u128(0x5eed);
    let tz = with_tz.then_some(chrono_tz::Europe::Berlin);
    let topics = [None, Some("tele/plug/SENSOR"), Some("shelly-1/events/rpc")];
    for topic in topics {
        if let Ok(readings) = decode(format, device, topic, payload, received_at_ms, tz) {
            for r in readings {
                assert_eq!(r.device_id, device);
                assert!(r.reading.register.uwh() >= 0);
            }
        }
    }
});
