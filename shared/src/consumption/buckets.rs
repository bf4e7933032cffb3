//! Hourly totals (UTC clock hours) regrouped into buckets whose edges need not
//! fall on whole UTC hours (local hours in `Asia/Kolkata`, local days of a
//! zone with a :30 or :45 offset, a range clipped at `from`/`to`).
//!
//! An hour that straddles an edge is split in proportion to the milliseconds
//! on each side, with the same scaled floor as [`super::spread_energy`]: the
//! parts of one hour telescope, so the buckets add up exactly to the hours
//! they cover.

use super::{scaled_floor, HOUR_MS};
use crate::Energy;

/// Totals per bucket for `edges` = `[b0, b1, …, bn]` (bucket `i` is
/// `[edges[i], edges[i+1])`, unix ms, increasing), from `hours` = `(hour_start
/// in unix ms, total)` sorted by hour. Hours outside `[b0, bn)` count only for
/// their inside part.
pub fn into_buckets(hours: &[(i64, Energy)], edges: &[i64]) -> Vec<Energy> {
    let n = edges.len().saturating_sub(1);
    let mut totals = vec![Energy::ZERO; n];
    if n == 0 {
        return totals;
    }
    let (lo, hi) = (edges[0], edges[n]);
    for &(start, energy) in hours {
        let end = start + HOUR_MS;
        if end <= lo || start >= hi {
            continue;
        }
        // The first bucket this hour touches: the last edge at or before its start.
        let mut i = edges[..n]
            .partition_point(|&e| e <= start)
            .saturating_sub(1);
        while i < n && edges[i] < end {
            let a = edges[i].max(start);
            let b = edges[i + 1].min(end);
            if a == start && b == end {
                // The whole hour (the usual case), without 128-bit arithmetic.
                totals[i] += energy;
            } else if b > a {
                // Telescoping floors: the parts of one hour sum exactly to it,
                // and each lies between 0 and the hour's total.
                let part = scaled_floor(energy, b - start, HOUR_MS)
                    - scaled_floor(energy, a - start, HOUR_MS);
                totals[i] += Energy::from_uwh(part as i64);
            }
            i += 1;
        }
    }
    totals
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: i64 = HOUR_MS;

    fn uwh(hours: &[(i64, i64)]) -> Vec<(i64, Energy)> {
        hours
            .iter()
            .map(|&(t, e)| (t, Energy::from_uwh(e)))
            .collect()
    }

    fn buckets(hours: &[(i64, i64)], edges: &[i64]) -> Vec<i64> {
        into_buckets(&uwh(hours), edges)
            .into_iter()
            .map(Energy::uwh)
            .collect()
    }

    #[test]
    fn aligned_buckets_take_whole_hours() {
        let hours = [(0, 5), (H, 7), (2 * H, 11), (5 * H, 100)];
        assert_eq!(buckets(&hours, &[0, H, 2 * H, 3 * H]), [5, 7, 11]);
        assert_eq!(buckets(&hours, &[0, 3 * H]), [23]);
        assert_eq!(buckets(&hours, &[H, 2 * H]), [7]);
    }

    #[test]
    fn half_hour_edges_split_exactly() {
        let half = H / 2;
        let hours = [(0, 1_000_000_001), (H, 3)];
        let got = buckets(&hours, &[-half, half, H + half, 2 * H + half]);
        assert_eq!(got, [500_000_000, 500_000_001 + 1, 2]);
        assert_eq!(got.iter().sum::<i64>(), 1_000_000_004);
    }

    #[test]
    fn clipped_range_counts_only_the_inside() {
        let hours = [(0, 600)];
        assert_eq!(buckets(&hours, &[H / 3, H]), [400]);
        assert_eq!(buckets(&hours, &[H, 2 * H]), [0]);
        assert!(buckets(&hours, &[0]).is_empty());
    }
}
