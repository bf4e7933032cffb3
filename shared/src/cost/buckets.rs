//! Priced hours regrouped into chart buckets, exactly as
//! [`crate::consumption::into_buckets`] regroups energy: an hour straddling an
//! edge (local days of :30 zones, clipped ranges) is split in proportion to its
//! milliseconds on each side with a telescoping scaled floor, for its energy
//! and its cost alike, so the buckets add up exactly to the hours they cover.

use super::money::Money;
use crate::consumption::HOUR_MS;
use crate::Energy;
use serde::Serialize;

/// One bucket's energy and what it cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct BucketCost {
    /// All energy in the bucket, priced or not.
    pub energy: Energy,
    /// The cost of the priced part.
    pub cost: Money,
    /// The part of `energy` that had no price (its cost is unknown, not zero).
    pub unpriced_energy: Energy,
}

/// `floor(value * num / den)` in exact integer arithmetic (`den > 0`).
fn scaled_floor(value: i64, num: i64, den: i64) -> i128 {
    (i128::from(value) * i128::from(num)).div_euclid(i128::from(den))
}

/// The part of `value` (spread over an hour from `start`) inside `[a, b)`.
fn part(value: i64, start: i64, a: i64, b: i64) -> i64 {
    if a == start && b - start == HOUR_MS {
        // The whole hour (the usual case), without 128-bit arithmetic.
        return value;
    }
    let p = scaled_floor(value, b - start, HOUR_MS) - scaled_floor(value, a - start, HOUR_MS);
    // Telescoping parts lie between 0 and `value`, so they fit in i64.
    i64::try_from(p).unwrap_or(0)
}

/// Energy and cost per bucket for `edges` = `[b0, …, bn]` (bucket `i` is
/// `[edges[i], edges[i+1])`, unix ms, increasing), from `hours` =
/// `(hour_start_ms, energy, cost)` sorted by hour; a `None` cost books the
/// hour's energy as unpriced. Hours outside `[b0, bn)` count only for their
/// inside part.
pub fn into_cost_buckets(hours: &[(i64, Energy, Option<Money>)], edges: &[i64]) -> Vec<BucketCost> {
    let n = edges.len().saturating_sub(1);
    let mut totals = vec![BucketCost::default(); n];
    if n == 0 {
        return totals;
    }
    let (lo, hi) = (edges[0], edges[n]);
    for &(start, energy, cost) in hours {
        let end = start.saturating_add(HOUR_MS);
        if end <= lo || start >= hi {
            continue;
        }
        let mut i = edges[..n]
            .partition_point(|&e| e <= start)
            .saturating_sub(1);
        while i < n && edges[i] < end {
            let a = edges[i].max(start);
            let b = edges[i + 1].min(end);
            if b > a {
                let e = Energy::from_uwh(part(energy.uwh(), start, a, b));
                let bucket = &mut totals[i];
                bucket.energy += e;
                match cost {
                    Some(c) => bucket.cost += Money::from_micros(part(c.micros(), start, a, b)),
                    None => bucket.unpriced_energy += e,
                }
            }
            i += 1;
        }
    }
    totals
}

/// The standing charge per bucket: each bucket gets the charge of every local
/// day that starts inside it, from `day_starts` = `(day_start_ms, charge)`
/// (see [`super::Pricer::standing_days`]). Days starting outside
/// `[b0, bn)` are not charged in this range.
pub fn standing_charges(day_starts: &[(i64, Money)], edges: &[i64]) -> Vec<Money> {
    let n = edges.len().saturating_sub(1);
    let mut totals = vec![Money::ZERO; n];
    if n == 0 {
        return totals;
    }
    for &(day, charge) in day_starts {
        if day < edges[0] || day >= edges[n] {
            continue;
        }
        let i = edges[..n].partition_point(|&e| e <= day).saturating_sub(1);
        totals[i] += charge;
    }
    totals
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: i64 = HOUR_MS;

    fn m(micros: i64) -> Option<Money> {
        Some(Money::from_micros(micros))
    }

    fn e(uwh: i64) -> Energy {
        Energy::from_uwh(uwh)
    }

    #[test]
    fn half_hour_edges_split_energy_and_cost_alike() {
        let half = H / 2;
        let hours = [(0, e(1_000_000_001), m(3)), (H, e(4), None)];
        let got = into_cost_buckets(&hours, &[-half, half, H + half, 2 * H + half]);
        assert_eq!(
            got[0],
            BucketCost {
                energy: e(500_000_000),
                cost: Money::from_micros(1),
                unpriced_energy: e(0)
            }
        );
        assert_eq!(
            got[1],
            BucketCost {
                energy: e(500_000_001 + 2),
                cost: Money::from_micros(2),
                unpriced_energy: e(2)
            }
        );
        assert_eq!(
            got[2],
            BucketCost {
                energy: e(2),
                cost: Money::ZERO,
                unpriced_energy: e(2)
            }
        );
    }

    /// The energy of the cost buckets is exactly `into_buckets`' (the
    /// queries component takes it from there).
    #[test]
    fn energy_is_exactly_into_buckets() {
        let mut seed = 0x1234_5678_9abc_def1u64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..2000 {
            let hours: Vec<(i64, Energy, Option<Money>)> = (0..(next() % 60) as i64)
                .map(|k| {
                    let cost =
                        (next() % 3 != 0).then(|| Money::from_micros((next() % 1000) as i64 - 100));
                    (k * H - 5 * H, e((next() % 5_000_000_000) as i64), cost)
                })
                .collect();
            let mut edges: Vec<i64> = (0..(next() % 8) + 1)
                .map(|_| (next() % (70 * H as u64)) as i64 - 8 * H)
                .collect();
            edges.sort_unstable();
            edges.dedup();
            let energy: Vec<(i64, Energy)> = hours.iter().map(|h| (h.0, h.1)).collect();
            let costs: Vec<Energy> = into_cost_buckets(&hours, &edges)
                .into_iter()
                .map(|b| b.energy)
                .collect();
            assert_eq!(costs, crate::consumption::into_buckets(&energy, &edges));
        }
    }

    #[test]
    fn negative_costs_split_exactly() {
        let got = into_cost_buckets(&[(0, e(10), m(-7))], &[0, H / 3, H]);
        assert_eq!(got[0].cost.micros() + got[1].cost.micros(), -7);
        assert_eq!(got[0].cost.micros(), -3);
    }

    #[test]
    fn standing_charge_goes_to_the_bucket_where_the_day_starts() {
        let c = Money::from_micros(450_000);
        let days = [(-H, c), (0, c), (22 * H, c), (46 * H, c), (70 * H, c)];
        let got = standing_charges(&days, &[0, 24 * H, 48 * H]);
        assert_eq!(
            got,
            [Money::from_micros(900_000), Money::from_micros(450_000)]
        );
        assert!(standing_charges(&days, &[0]).is_empty());
    }
}
