//! THE rounding rule: how the energy of one UTC clock hour is priced.
//!
//! Consumption is stored per UTC hour, so an hour is priced at the mean of the
//! prices of its four quarter hours, each quarter taking the price in force at
//! its start. The hour's cost is
//! `floor(energy_µWh × (p1 + p2 + p3 + p4) / (4 × 10^9))` micro-units
//! (prices in micro-units per kWh, exact `i128` arithmetic, floor toward −∞),
//! rounded once, per hour. A range costs the sum of its hours, so the cost of
//! a range is exactly the sum of the costs of its parts.

use super::money::{Money, Price};
use crate::energy::UWH_PER_KWH;
use crate::Energy;

/// The prices of the four quarter hours of an hour; `None` where none is known.
pub type QuarterPrices = [Option<Price>; 4];

/// The cost of one hour's energy at its quarter-hour prices: `None` when energy
/// is not zero and a quarter has no price (unpriced is never free); zero energy
/// costs zero. Saturates at the ends of [`Money`] (only for energies beyond any
/// meter: above 9.2 × 10^6 kWh in one hour at the highest valid price).
pub fn hour_cost(energy: Energy, quarters: QuarterPrices) -> Option<Money> {
    if energy == Energy::ZERO {
        return Some(Money::ZERO);
    }
    let sum = price_sum(quarters)?;
    // The same floor in 64 bits when the product surely fits (always, for
    // real meters and prices): 128-bit division and checked 64-bit
    // multiplication are slow library calls on wasm32.
    if let Ok(s) = i64::try_from(sum) {
        let (e, s_abs) = (energy.uwh().unsigned_abs(), s.unsigned_abs());
        if e.leading_zeros() + s_abs.leading_zeros() >= 65 {
            // |e| < 2^a and |s| < 2^b with a + b <= 63: the product is below 2^63.
            let product = energy.uwh() * s;
            return Some(Money::from_micros(product.div_euclid(4 * UWH_PER_KWH)));
        }
    }
    // Fits in i128 for validated prices; unvalidated extremes saturate by sign.
    let scaled = i128::from(energy.uwh())
        .checked_mul(sum)
        .map(|s| s.div_euclid(4 * i128::from(UWH_PER_KWH)))
        .unwrap_or(if (energy.uwh() < 0) == (sum < 0) {
            i128::MAX
        } else {
            i128::MIN
        });
    Some(Money::saturating_from_i128(scaled))
}

/// The mean of the four quarter prices, floored to a micro-unit (for display
/// beside a cost; the cost itself uses the exact sum). `None` if one is missing.
pub fn mean_price(quarters: QuarterPrices) -> Option<Price> {
    price_sum(quarters).map(|s| Price::from_micros(s.div_euclid(4) as i64))
}

fn price_sum(quarters: QuarterPrices) -> Option<i128> {
    quarters
        .iter()
        .try_fold(0i128, |acc, q| q.map(|p| acc + i128::from(p.micros())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(micros: i64) -> Option<Price> {
        Some(Price::from_micros(micros))
    }

    #[test]
    fn hand_computed_costs() {
        // 1.5 kWh at 0.2534/kWh = 0.3801.
        let e = Energy::from_uwh(1_500_000_000);
        assert_eq!(
            hour_cost(e, [p(253_400); 4]),
            Some(Money::from_micros(380_100))
        );
        // 1 kWh at 0.10 for 3 quarters and 0.50 for one: mean 0.20.
        let one = Energy::from_uwh(1_000_000_000);
        let q = [p(100_000), p(100_000), p(100_000), p(500_000)];
        assert_eq!(hour_cost(one, q), Some(Money::from_micros(200_000)));
        assert_eq!(mean_price(q), p(200_000));
        // 1 µWh at 0.000001/kWh floors to 0; a negative price floors toward −∞.
        assert_eq!(hour_cost(Energy::from_uwh(1), [p(1); 4]), Some(Money::ZERO));
        assert_eq!(
            hour_cost(Energy::from_uwh(1), [p(-1); 4]),
            Some(Money::from_micros(-1))
        );
        assert_eq!(mean_price([p(-1), p(0), p(0), p(0)]), p(-1));
    }

    #[test]
    fn unpriced_is_never_free() {
        let q = [p(1), None, p(1), p(1)];
        assert_eq!(hour_cost(Energy::from_uwh(5), q), None);
        assert_eq!(hour_cost(Energy::ZERO, q), Some(Money::ZERO));
        assert_eq!(mean_price(q), None);
    }

    /// The 64-bit shortcut floors exactly as the 128-bit rule, for any sign
    /// and size, up to where it hands over.
    #[test]
    fn the_64_bit_floor_is_the_128_bit_floor() {
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for i in 0..100_000 {
            let energy = (next() >> (next() % 64)) as i64 * if i % 3 == 0 { -1 } else { 1 };
            let prices = [0; 4].map(|_| p((next() % 2_000_000_000_000) as i64 - 1_000_000_000_000));
            let sum: i128 = prices.iter().map(|q| i128::from(q.unwrap().micros())).sum();
            let exact = (i128::from(energy) * sum).div_euclid(4 * i128::from(UWH_PER_KWH));
            assert_eq!(
                hour_cost(Energy::from_uwh(energy), prices),
                Some(Money::saturating_from_i128(exact)),
                "{energy} {prices:?}"
            );
        }
    }

    #[test]
    fn extreme_values_saturate() {
        let max_price = p(1_000_000_000_000);
        assert_eq!(
            hour_cost(Energy::from_uwh(i64::MAX), [max_price; 4]),
            Some(Money::MAX)
        );
        let min_price = p(-1_000_000_000_000);
        assert_eq!(
            hour_cost(Energy::from_uwh(i64::MAX), [min_price; 4]),
            Some(Money::MIN)
        );
        assert_eq!(
            hour_cost(Energy::from_uwh(i64::MIN), [p(i64::MIN); 4]),
            Some(Money::MAX)
        );
    }
}
