//! What the adapter tells ws-hub: alerts at once, hourly totals coalesced to
//! at most one flush per device per second, of its latest hours only (a
//! backfill or a late reading of a device touching many hours costs a few
//! frames, not one per hour).

use crate::store::{HourTotal, NewAlert};
use iems_shared::model::{StoredAlert, ALERT_LIMIT};
use iems_shared::time::rfc3339_ms;
use iems_shared::wire::{AlertEvent, ConsumptionUpdate};
use iems_shared::Energy;
use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

/// The event published for a newly stored alert.
pub(crate) fn alert_event(alert: &NewAlert) -> AlertEvent {
    AlertEvent {
        alert: StoredAlert {
            id: alert.id.clone(),
            device_id: alert.device.id.clone(),
            kind: ALERT_LIMIT.to_string(),
            hour_start_ms: alert.hour_ms,
            hours: 1,
            energy_uwh: alert.total_uwh,
            expected_uwh: None,
            direction: None,
            max_hourly_uwh: alert.device.max_hourly_uwh,
            created_at_ms: alert.created_at_ms,
            acknowledged_at_ms: None,
        }
        .into(),
        owner_id: alert.device.owner_id.clone(),
    }
}

/// Hours of one device published per flush at most: the latest ones changed.
pub(crate) const HOURS_PER_FLUSH: usize = 2;

/// Latest totals waiting to be published, per device and hour.
#[derive(Debug)]
pub(crate) struct UpdateThrottle {
    interval: Duration,
    last_flush: HashMap<String, Instant>,
    pending: BTreeMap<(String, i64), HourTotal>,
}

impl UpdateThrottle {
    pub(crate) fn new(interval: Duration) -> Self {
        UpdateThrottle {
            interval,
            last_flush: HashMap::new(),
            pending: BTreeMap::new(),
        }
    }

    /// Remembers a changed total (a later one for the same hour replaces it);
    /// of each device only the latest [`HOURS_PER_FLUSH`] hours are kept.
    pub(crate) fn record(&mut self, total: HourTotal) {
        let device = total.device.id.clone();
        self.pending.insert((device.clone(), total.hour_ms), total);
        let held: Vec<(String, i64)> = self
            .pending
            .range((device.clone(), i64::MIN)..=(device, i64::MAX))
            .map(|(key, _)| key.clone())
            .collect();
        for key in held.iter().rev().skip(HOURS_PER_FLUSH) {
            self.pending.remove(key);
        }
    }

    /// The updates of every device whose last flush is at least the interval ago.
    pub(crate) fn due(&mut self, now: Instant) -> Vec<ConsumptionUpdate> {
        let mut flushed_devices = Vec::new();
        let mut out = Vec::new();
        let interval = self.interval;
        let last_flush = &self.last_flush;
        self.pending.retain(|(device, _), total| {
            let ready = last_flush
                .get(device)
                .is_none_or(|t| now.duration_since(*t) >= interval);
            if ready {
                out.push(ConsumptionUpdate {
                    device_id: device.clone(),
                    owner_id: total.device.owner_id.clone(),
                    hour_start: rfc3339_ms(total.hour_ms),
                    kwh: Energy::from_uwh(total.total_uwh).kwh(),
                });
                flushed_devices.push(device.clone());
            }
            !ready
        });
        for device in flushed_devices {
            self.last_flush.insert(device, now);
        }
        // Forget devices idle for a while so the map does not grow forever.
        self.last_flush
            .retain(|_, t| now.duration_since(*t) < interval * 60);
        out
    }

    /// True when nothing waits.
    pub(crate) fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::devices::DeviceInfo;

    fn total(device: &str, hour_ms: i64, total_uwh: i64) -> HourTotal {
        let device = DeviceInfo {
            id: device.into(),
            max_hourly_uwh: 1,
            max_power_w: None,
            owner_id: None,
            meter_format: None,
            time_zone: None,
        };
        HourTotal {
            device,
            hour_ms,
            total_uwh,
        }
    }

    #[test]
    fn coalesces_to_one_flush_per_device_per_interval() {
        let mut throttle = UpdateThrottle::new(Duration::from_secs(1));
        let start = Instant::now();
        throttle.record(total("a", 0, 5));
        throttle.record(total("a", 0, 7));
        throttle.record(total("b", 3_600_000, 1));
        let first = throttle.due(start);
        assert_eq!(first.len(), 2);
        assert_eq!(first[0].kwh, Energy::from_uwh(7).kwh());
        throttle.record(total("a", 0, 9));
        assert!(throttle.due(start + Duration::from_millis(500)).is_empty());
        assert!(!throttle.is_empty());
        let later = throttle.due(start + Duration::from_millis(1000));
        assert_eq!(later.len(), 1);
        assert_eq!(later[0].device_id, "a");
        assert!(throttle.is_empty());
    }

    #[test]
    fn a_device_touching_many_hours_sends_only_its_latest() {
        let mut throttle = UpdateThrottle::new(Duration::from_secs(1));
        for hour in 0..5_000 {
            throttle.record(total("a", hour * 3_600_000, hour));
        }
        throttle.record(total("b", 0, 1));
        let sent = throttle.due(Instant::now());
        let of_a: Vec<_> = sent.iter().filter(|u| u.device_id == "a").collect();
        assert_eq!(of_a.len(), HOURS_PER_FLUSH);
        assert_eq!(of_a.last().unwrap().kwh, Energy::from_uwh(4_999).kwh());
        assert_eq!(sent.len(), HOURS_PER_FLUSH + 1);
    }
}
