//! When and over which path each device last reported (docs/ingest.md): written
//! after a commit, at most once per device per interval (or when the path
//! changes), so that a meter reporting every second costs no write per reading.

use iems_db::Pool;
use iems_shared::ingest::Via;
use iems_shared::sql;
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// Devices remembered at most; past it the memory starts afresh (a few more writes).
const MAX_ENTRIES: usize = 100_000;

/// Which devices' "last reported" is due for a write.
#[derive(Debug)]
pub(crate) struct ReportedThrottle {
    interval: Duration,
    written: HashMap<String, (Instant, Via)>,
}

impl ReportedThrottle {
    pub(crate) fn new(interval: Duration) -> Self {
        ReportedThrottle {
            interval,
            written: HashMap::new(),
        }
    }

    /// Whether the device's report over `via` should be written now (and
    /// remembers it as written).
    pub(crate) fn due(&mut self, device_id: &str, via: Via, now: Instant) -> bool {
        if let Some((at, last_via)) = self.written.get(device_id) {
            if *last_via == via && now.duration_since(*at) < self.interval {
                return false;
            }
        }
        if self.written.len() >= MAX_ENTRIES {
            self.written.clear();
        }
        self.written.insert(device_id.to_string(), (now, via));
        true
    }
}

/// Writes the reports that are due; a failure is logged (it is only a display).
pub(crate) async fn write(pool: &Pool, due: Vec<(String, Via)>, at_ms: i64) {
    for (device_id, via) in due {
        let statement = sql::credentials::touch_reported(&device_id, at_ms, via.as_str());
        if let Err(err) = iems_db::statement(&statement).execute(pool).await {
            tracing::warn!(error = %err, device = %device_id, "recording the device's last report failed");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_device_is_written_once_per_interval_unless_its_path_changes() {
        let mut throttle = ReportedThrottle::new(Duration::from_secs(10));
        let t0 = Instant::now();
        assert!(throttle.due("a", Via::Mqtt, t0));
        assert!(!throttle.due("a", Via::Mqtt, t0 + Duration::from_secs(9)));
        assert!(throttle.due("b", Via::Mqtt, t0));
        assert!(throttle.due("a", Via::Http, t0 + Duration::from_secs(9)));
        assert!(throttle.due("a", Via::Http, t0 + Duration::from_secs(20)));
    }
}
