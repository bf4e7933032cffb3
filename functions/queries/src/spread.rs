//! Hourly totals (UTC clock hours) regrouped into buckets whose edges need not
//! fall on whole UTC hours (local hours in `Asia/Kolkata`, local days of a
//! zone with a :30 or :45 offset, a range clipped at `from`/`to`).
//!
//! An hour that straddles an edge is split in proportion to the milliseconds
//! on each side, in exact integer µWh: each part is floored and the last part
//! of the hour takes the remainder, so the buckets add up exactly to the hours
//! they cover.

use iems_shared::consumption::HOUR_MS;

/// Totals per bucket for `edges` = `[b0, b1, …, bn]` (bucket `i` is
/// `[edges[i], edges[i+1])`, unix ms, increasing), from `hours` = `(hour_start,
/// µWh)` sorted by hour. Hours outside `[b0, bn)` count only for their inside part.
pub fn into_buckets(hours: &[(i64, i64)], edges: &[i64]) -> Vec<i64> {
    let n = edges.len().saturating_sub(1);
    let mut totals = vec![0i64; n];
    if n == 0 {
        return totals;
    }
    let (lo, hi) = (edges[0], edges[n]);
    for &(start, uwh) in hours {
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
            if b > a {
                // Telescoping floors: the parts of one hour sum exactly to it.
                totals[i] += share(uwh, b - start) - share(uwh, a - start);
            }
            i += 1;
        }
    }
    totals
}

/// `floor(uwh * ms / HOUR_MS)` without overflow.
fn share(uwh: i64, ms: i64) -> i64 {
    (i128::from(uwh) * i128::from(ms)).div_euclid(i128::from(HOUR_MS)) as i64
}

/// A µWh amount as an exact decimal kWh string (`1500000000` → `1.5`), for CSV.
pub fn kwh_text(uwh: i64) -> String {
    let sign = if uwh < 0 { "-" } else { "" };
    let abs = uwh.unsigned_abs();
    let (int, frac) = (abs / 1_000_000_000, abs % 1_000_000_000);
    if frac == 0 {
        return format!("{sign}{int}");
    }
    let frac = format!("{frac:09}");
    format!("{sign}{int}.{}", frac.trim_end_matches('0'))
}

/// A µWh amount as a JSON kWh number.
pub fn kwh(uwh: i64) -> f64 {
    uwh as f64 / 1e9
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: i64 = HOUR_MS;

    #[test]
    fn aligned_buckets_take_whole_hours() {
        let hours = [(0, 5), (H, 7), (2 * H, 11), (5 * H, 100)];
        assert_eq!(into_buckets(&hours, &[0, H, 2 * H, 3 * H]), [5, 7, 11]);
        assert_eq!(into_buckets(&hours, &[0, 3 * H]), [23]);
        assert_eq!(into_buckets(&hours, &[H, 2 * H]), [7]);
    }

    #[test]
    fn half_hour_edges_split_exactly() {
        let half = H / 2;
        let hours = [(0, 1_000_000_001), (H, 3)];
        let got = into_buckets(&hours, &[-half, half, H + half, 2 * H + half]);
        assert_eq!(got, [500_000_000, 500_000_001 + 1, 2]);
        assert_eq!(got.iter().sum::<i64>(), 1_000_000_004);
    }

    #[test]
    fn clipped_range_counts_only_the_inside() {
        let hours = [(0, 600)];
        assert_eq!(into_buckets(&hours, &[H / 3, H]), [400]);
        assert_eq!(into_buckets(&hours, &[H, 2 * H]), [0]);
        assert!(into_buckets(&hours, &[0]).is_empty());
    }

    #[test]
    fn exact_decimal_text() {
        assert_eq!(kwh_text(1_500_000_000), "1.5");
        assert_eq!(kwh_text(0), "0");
        assert_eq!(kwh_text(1), "0.000000001");
        assert_eq!(kwh_text(-2_000_000_000), "-2");
    }
}
