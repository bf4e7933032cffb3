//! Which keys (clients for budgets, devices for insight) are due for a check:
//! a key marked as readings arrive is handed out at most once per
//! `interval`, with the largest value it was marked with (a device's latest
//! reading time; budgets mark 0). Pending keys are bounded: beyond the bound
//! new marks wait for the key's next readings.

use std::collections::HashMap;
use std::time::{Duration, Instant};

/// Keys to check, their values, and when each was last handed out.
#[derive(Debug)]
pub(crate) struct Watch {
    interval: Duration,
    max_pending: usize,
    pending: HashMap<String, i64>,
    last: HashMap<String, Instant>,
}

impl Watch {
    /// Hands each key out at most once per `interval` (zero: never), with at
    /// most `max_pending` keys waiting.
    pub(crate) fn new(interval: Duration, max_pending: usize) -> Self {
        Watch {
            interval,
            max_pending,
            pending: HashMap::new(),
            last: HashMap::new(),
        }
    }

    /// `key` is to be checked, with `value` (the largest of its marks is kept).
    pub(crate) fn mark(&mut self, key: &str, value: i64) {
        if self.interval.is_zero() {
            return;
        }
        if let Some(v) = self.pending.get_mut(key) {
            *v = (*v).max(value);
        } else if self.pending.len() < self.max_pending {
            self.pending.insert(key.to_string(), value);
        }
    }

    /// Up to `limit` keys due now, with their values (taken off the pending list).
    pub(crate) fn due(&mut self, now: Instant, limit: usize) -> Vec<(String, i64)> {
        let interval = self.interval;
        let due: Vec<(String, i64)> = self
            .pending
            .iter()
            .filter(|(k, _)| {
                self.last
                    .get(*k)
                    .is_none_or(|t| now.duration_since(*t) >= interval)
            })
            .take(limit)
            .map(|(k, v)| (k.clone(), *v))
            .collect();
        for (k, _) in &due {
            self.pending.remove(k);
            self.last.insert(k.clone(), now);
        }
        // Forget checks older than the interval: they no longer hold anyone back.
        if self.last.len() > self.max_pending {
            self.last.retain(|_, t| now.duration_since(*t) < interval);
        }
        due
    }
}
