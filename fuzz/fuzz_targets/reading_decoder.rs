//! Any bytes a meter or a broker hands the adapter: decoding never panics, and
//! whatever decodes goes through the reading policy's planner without a panic
//! or an overflow, with its work bounded.
#![no_main]

use iems_shared::consumption::plan::plan_device;
use iems_shared::consumption::policy::{DeviceLimits, ReadingPolicy};
use iems_shared::consumption::HOUR_MS;
use iems_shared::wire::decode_readings;
use libfuzzer_sys::fuzz_target;
use std::collections::BTreeMap;

fuzz_target!(|body: &[u8]| {
    let Ok(items) = decode_readings(body) else {
        return;
    };
    let readings: Vec<_> = items.into_iter().flatten().map(|m| m.reading).collect();
    let Some(latest) = readings.iter().map(|r| r.at_ms()).max() else {
        return;
    };
    let policy = ReadingPolicy::default();
    let limits = DeviceLimits {
        max_power_w: 50_000,
    };
    let plan = plan_device(BTreeMap::new(), &readings, &policy, limits, latest);
    let per_reading = 3 * (policy.max_gap_ms / HOUR_MS + 2) as usize;
    assert!(plan.hours.len() <= per_reading * plan.accepted.len().max(1));
    assert_eq!(
        plan.accepted.len() + plan.duplicates.len() + plan.refused.len(),
        readings.len()
    );
});
