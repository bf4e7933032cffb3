//! Which tariff applies to a device at an instant: the history of the client's
//! assignments and of the device's own (which override the client's).
//!
//! The latest assignment at or before the instant wins (of two at the same
//! instant, the later in the list); a device assignment of `None` sends the
//! device back to its client's tariff; no assignment means unpriced. So an
//! assignment from `from_ms` on changes prices only from `from_ms`: the past
//! keeps its tariff and its costs.

/// A tariff's id (a UUID string, as stored).
pub type TariffId = String;

/// The assignment history of one device and its client.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TariffTimeline {
    client: Vec<(i64, TariffId)>,
    device: Vec<(i64, Option<TariffId>)>,
}

impl TariffTimeline {
    /// From the client's `(from_ms, tariff)` and the device's `(from_ms,
    /// Some(tariff) | None)` assignments, in any order.
    pub fn new(mut client: Vec<(i64, TariffId)>, mut device: Vec<(i64, Option<TariffId>)>) -> Self {
        // Stable: of equal instants, the later in the list stays later and wins.
        client.sort_by_key(|a| a.0);
        device.sort_by_key(|a| a.0);
        TariffTimeline { client, device }
    }

    /// The tariff in force at `at_ms`, if any (O(log n)).
    pub fn tariff_at(&self, at_ms: i64) -> Option<&str> {
        let d = self.device.partition_point(|a| a.0 <= at_ms).checked_sub(1);
        if let Some(Some(id)) = d.map(|i| &self.device[i].1) {
            return Some(id);
        }
        let c = self
            .client
            .partition_point(|a| a.0 <= at_ms)
            .checked_sub(1)?;
        Some(&self.client[c].1)
    }

    /// True when an assignment starts in `(from_ms, to_ms]`, i.e. the tariff
    /// at `from_ms` may not be the tariff throughout (O(log n)).
    pub fn changes_within(&self, from_ms: i64, to_ms: i64) -> bool {
        let c = self.client.partition_point(|a| a.0 <= from_ms);
        let d = self.device.partition_point(|a| a.0 <= from_ms);
        self.client.get(c).is_some_and(|a| a.0 <= to_ms)
            || self.device.get(d).is_some_and(|a| a.0 <= to_ms)
    }

    /// The first instant after `at_ms` at which an assignment starts, if any
    /// (O(log n)): the tariff at `at_ms` holds until then.
    pub fn next_change_after(&self, at_ms: i64) -> Option<i64> {
        let c = self.client.partition_point(|a| a.0 <= at_ms);
        let d = self.device.partition_point(|a| a.0 <= at_ms);
        match (self.client.get(c), self.device.get(d)) {
            (Some(a), Some(b)) => Some(a.0.min(b.0)),
            (a, b) => a.map(|a| a.0).or(b.map(|b| b.0)),
        }
    }

    /// The pieces of `[from_ms, to_ms)` over which the tariff is constant:
    /// `(start, end, tariff)` in order, covering the whole span.
    pub fn segments(&self, from_ms: i64, to_ms: i64) -> Vec<(i64, i64, Option<&str>)> {
        if to_ms <= from_ms {
            return Vec::new();
        }
        let mut cuts: Vec<i64> = self
            .client
            .iter()
            .map(|a| a.0)
            .chain(self.device.iter().map(|a| a.0))
            .filter(|&t| t > from_ms && t < to_ms)
            .collect();
        cuts.sort_unstable();
        cuts.dedup();
        let mut pieces = Vec::with_capacity(cuts.len() + 1);
        let mut start = from_ms;
        for end in cuts.into_iter().chain(std::iter::once(to_ms)) {
            pieces.push((start, end, self.tariff_at(start)));
            start = end;
        }
        pieces
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(s: &str) -> TariffId {
        s.to_string()
    }

    #[test]
    fn device_overrides_client_until_sent_back() {
        let t = TariffTimeline::new(
            vec![(100, id("b")), (0, id("a"))],
            vec![(50, Some(id("d"))), (150, None)],
        );
        assert_eq!(t.tariff_at(-1), None);
        assert_eq!(t.tariff_at(0), Some("a"));
        assert_eq!(t.tariff_at(50), Some("d"));
        assert_eq!(t.tariff_at(120), Some("d"));
        assert_eq!(t.tariff_at(150), Some("b"));
        assert_eq!(
            t.segments(-10, 200),
            vec![
                (-10, 0, None),
                (0, 50, Some("a")),
                (50, 100, Some("d")),
                (100, 150, Some("d")),
                (150, 200, Some("b"))
            ]
        );
        assert!(t.segments(5, 5).is_empty());
        assert_eq!(t.next_change_after(-10), Some(0));
        assert_eq!(t.next_change_after(0), Some(50));
        assert_eq!(t.next_change_after(99), Some(100));
        assert_eq!(t.next_change_after(150), None);
        assert!(t.changes_within(0, 50) && t.changes_within(149, 150));
        assert!(
            !t.changes_within(0, 49)
                && !t.changes_within(50, 99)
                && !t.changes_within(150, i64::MAX)
        );
    }

    #[test]
    fn of_two_at_one_instant_the_later_wins() {
        let t = TariffTimeline::new(vec![(0, id("a")), (0, id("b"))], vec![]);
        assert_eq!(t.tariff_at(0), Some("b"));
    }
}
