//! Each UTC month's total of a device (`monthly_consumption`): the same
//! numbers as `hourly_consumption`, kept in the same transaction, so that a
//! year of all of a client's devices reads one row per device and month
//! (docs/insight.md). [`month_changes`] turns changes of hours into changes of
//! month rows; [`bucket_energy`] answers buckets whose edges lie near month
//! starts (the months of a local year) from month rows alone: each holds the
//! month's total and the hours of its first and last UTC days, where a local
//! month's edge lies.

use super::daily::{day_start, DayHours, DAY_MS, HOURS_PER_DAY};
use super::{into_buckets, HOUR_MS};
use crate::Energy;
use chrono::{DateTime, Datelike, NaiveDate};
use std::collections::BTreeMap;
use std::ops::Range;

/// The first instant (unix ms) of the UTC month containing `ms`.
pub fn month_start(ms: i64) -> i64 {
    let Some(t) = DateTime::from_timestamp_millis(ms) else {
        return ms;
    };
    NaiveDate::from_ymd_opt(t.year(), t.month(), 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map_or(ms, |d| d.and_utc().timestamp_millis())
}

/// The first instant of the UTC month after the one starting at `month_ms`.
pub fn next_month(month_ms: i64) -> i64 {
    month_start(month_ms.saturating_add(32 * DAY_MS))
}

/// A UTC month's change (or totals): the whole month's, and each hour's of
/// its first and of its last UTC day (a local month's edge lies in one of them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MonthHours {
    /// The whole month, µWh.
    pub total: i64,
    /// The hours of its first UTC day, from 00:00.
    pub first: DayHours,
    /// The hours of its last UTC day, from 00:00.
    pub last: DayHours,
}

impl Default for MonthHours {
    fn default() -> Self {
        MonthHours {
            total: 0,
            first: [0; HOURS_PER_DAY],
            last: [0; HOURS_PER_DAY],
        }
    }
}

/// The changes `(hour_start_ms, change_µWh)` grouped by UTC month.
pub fn month_changes(changes: &[(i64, i64)]) -> BTreeMap<i64, MonthHours> {
    let mut months: BTreeMap<i64, MonthHours> = BTreeMap::new();
    for &(hour, change) in changes {
        let start = month_start(hour);
        let m = months.entry(start).or_default();
        m.total = m.total.saturating_add(change);
        let day = day_start(hour);
        let index = ((hour - day) / HOUR_MS) as usize;
        if day == start {
            m.first[index] = m.first[index].saturating_add(change);
        }
        if day + DAY_MS == next_month(start) {
            m.last[index] = m.last[index].saturating_add(change);
        }
    }
    months
}

/// Which hours of the months' first days (a prefix, `0..a`) and last days (a
/// suffix, `b..24`) [`bucket_energy`] needs for `edges`: for an edge in a
/// month's first day, the hours before it (and the one it splits); in a last
/// day, the hours from the one it falls in. `None` when an edge lies in
/// neither (edges far from month starts: read the hours instead).
pub fn edge_columns(edges: &[i64]) -> Option<(Range<usize>, Range<usize>)> {
    let (mut first, mut last) = (0usize, HOURS_PER_DAY);
    for &e in edges {
        let day = day_start(e);
        if e == day && day == month_start(day) {
            continue;
        }
        let into = e - day;
        let hour = (into / HOUR_MS) as usize;
        if day == month_start(day) {
            first = first.max(hour + usize::from(into % HOUR_MS != 0));
        } else if day + DAY_MS == next_month(month_start(day)) {
            last = last.min(hour);
        } else {
            return None;
        }
    }
    Some((0..first, last..HOURS_PER_DAY))
}

/// Energy per bucket for `edges` (as [`into_buckets`]) from the month rows
/// `months` (`month_start →` [`MonthHours`], every UTC month overlapping the
/// edges that has a row), of which only the `first` hours of first days and
/// the `last` hours of last days are read (from [`edge_columns`]). Each
/// month's other hours form one span, which lies in one bucket (or outside
/// the edges) when the edges are near month starts; `None` when it does not,
/// and the caller reads the hours instead. Equal to [`into_buckets`] over the
/// same hours.
pub fn bucket_energy(
    edges: &[i64],
    months: &BTreeMap<i64, MonthHours>,
    first: Range<usize>,
    last: Range<usize>,
) -> Option<Vec<Energy>> {
    let n = edges.len().checked_sub(1)?;
    let (lo, hi) = (edges[0], edges[n]);
    // -1 before the edges, n after them, else the bucket.
    let place = |t: i64| -> i64 {
        if t < lo {
            -1
        } else if t >= hi {
            n as i64
        } else {
            edges[..n].partition_point(|&e| e <= t) as i64 - 1
        }
    };
    let mut atoms: Vec<(i64, Energy)> = Vec::new();
    for (&month, row) in months {
        let last_day = next_month(month) - DAY_MS;
        let mut known: i64 = 0;
        for i in first.clone() {
            known = known.saturating_add(row.first[i]);
            atoms.push((month + i as i64 * HOUR_MS, Energy::from_uwh(row.first[i])));
        }
        for i in last.clone() {
            known = known.saturating_add(row.last[i]);
            atoms.push((last_day + i as i64 * HOUR_MS, Energy::from_uwh(row.last[i])));
        }
        // The other hours: from the end of the first day's known ones to the
        // start of the last day's, in one bucket.
        let (u0, u1) = (
            month + first.end as i64 * HOUR_MS,
            last_day + last.start as i64 * HOUR_MS,
        );
        let remainder = row.total.saturating_sub(known);
        if remainder != 0 {
            if u1 - u0 < HOUR_MS || place(u0) != place(u1 - 1) {
                return None;
            }
            atoms.push((u0, Energy::from_uwh(remainder)));
        }
    }
    atoms.retain(|a| a.1 != Energy::ZERO);
    atoms.sort_unstable_by_key(|a| a.0);
    Some(into_buckets(&atoms, edges))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::{bucket_starts, to_unix_ms, Bucket};
    use chrono::TimeZone;
    use chrono_tz::Tz;
    use proptest::prelude::*;

    fn ms(y: i32, m: u32, d: u32, h: u32) -> i64 {
        chrono::Utc
            .with_ymd_and_hms(y, m, d, h, 0, 0)
            .unwrap()
            .timestamp_millis()
    }

    #[test]
    fn month_starts() {
        assert_eq!(month_start(ms(2026, 3, 31, 23)), ms(2026, 3, 1, 0));
        assert_eq!(month_start(ms(2026, 3, 1, 0)), ms(2026, 3, 1, 0));
        assert_eq!(next_month(ms(2026, 12, 1, 0)), ms(2027, 1, 1, 0));
        assert_eq!(next_month(ms(2026, 1, 1, 0)), ms(2026, 2, 1, 0));
        let m = month_changes(&[
            (ms(2026, 1, 31, 23), 5),
            (ms(2026, 2, 1, 0), 7),
            (ms(2026, 1, 2, 3), 1),
        ]);
        let jan = m[&ms(2026, 1, 1, 0)];
        assert_eq!((jan.total, jan.last[23], jan.first), (6, 5, [0; 24]));
        let feb = m[&ms(2026, 2, 1, 0)];
        assert_eq!((feb.total, feb.first[0], feb.last), (7, 7, [0; 24]));
    }

    fn year_edges(year: i32, tz: Tz) -> Vec<i64> {
        let from = tz
            .with_ymd_and_hms(year, 1, 1, 0, 0, 0)
            .earliest()
            .unwrap()
            .with_timezone(&chrono::Utc);
        let to = tz
            .with_ymd_and_hms(year + 1, 1, 1, 0, 0, 0)
            .earliest()
            .unwrap()
            .with_timezone(&chrono::Utc);
        let mut edges: Vec<i64> = bucket_starts(from, to, Bucket::Month, tz)
            .into_iter()
            .map(to_unix_ms)
            .collect();
        edges.push(to_unix_ms(to));
        edges
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// Month totals plus edge days give exactly the buckets of the hours.
        #[test]
        fn year_by_month_equals_the_hours(
            zone in prop::sample::select(vec!["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Pacific/Chatham", "Pacific/Kiritimati", "America/St_Johns"]),
            year in 2020i32..2030,
            seed in any::<u64>(),
            dense in any::<bool>(),
        ) {
            let tz: Tz = zone.parse().unwrap();
            let edges = year_edges(year, tz);
            let (lo, hi) = (edges[0] - 3 * DAY_MS, *edges.last().unwrap() + 3 * DAY_MS);
            let mut state = seed;
            let mut hours: Vec<(i64, Energy)> = Vec::new();
            let mut h = lo.div_euclid(HOUR_MS) * HOUR_MS;
            while h < hi {
                state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                if dense || state >> 60 == 0 {
                    hours.push((h, Energy::from_uwh((state >> 33) as i64)));
                }
                h += HOUR_MS;
            }
            let changes: Vec<(i64, i64)> = hours.iter().map(|&(h, e)| (h, e.uwh())).collect();
            let mut months = month_changes(&changes);
            let (first, last) = edge_columns(&edges).unwrap();
            prop_assert!(first.len() <= 15 && last.len() <= 15, "{first:?} {last:?}");
            // Hours not asked for are not read: spoil them.
            for m in months.values_mut() {
                for i in (0..24).filter(|i| !first.contains(i)) {
                    m.first[i] = i64::MIN / 3;
                }
                for i in (0..24).filter(|i| !last.contains(i)) {
                    m.last[i] = i64::MIN / 3;
                }
            }
            let got = bucket_energy(&edges, &months, first, last);
            prop_assert_eq!(got, Some(into_buckets(&hours, &edges)));
        }
    }

    #[test]
    fn edges_inside_months_fall_back() {
        let march = ms(2026, 3, 1, 0);
        // UTC days: edges in the middle of a month.
        let days: Vec<i64> = (0..10).map(|d| march + d * DAY_MS).collect();
        assert_eq!(edge_columns(&days), None);
        // Berlin days: the same.
        let local: Vec<i64> = days.iter().map(|d| d + 10 * DAY_MS - HOUR_MS).collect();
        assert_eq!(edge_columns(&local), None);
        // A month whose unread hours lie in two buckets is no answer.
        let edges = [march, ms(2026, 3, 10, 0), ms(2026, 4, 1, 0)];
        let months = BTreeMap::from([(
            march,
            MonthHours {
                total: 10,
                ..MonthHours::default()
            },
        )]);
        assert_eq!(bucket_energy(&edges, &months, 0..0, 24..24), None);
        // Unless it used nothing.
        let months = BTreeMap::from([(march, MonthHours::default())]);
        assert_eq!(
            bucket_energy(&edges, &months, 0..0, 24..24),
            Some(vec![Energy::ZERO; 2])
        );
        // UTC months need no hours at all.
        let edges = [march, ms(2026, 4, 1, 0), ms(2026, 5, 1, 0)];
        assert_eq!(edge_columns(&edges), Some((0..0, 24..24)));
    }
}
