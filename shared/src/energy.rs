//! Energy as an exact integer count of micro-watt-hours (1 kWh = 10^9 µWh).
//!
//! Readings, hourly totals and limits are all kept in this unit so that hourly
//! totals add up *exactly* to the register increase: floating point is used only
//! at the edges (JSON in, JSON out).

use serde::{Deserialize, Serialize};
use std::fmt;
use std::ops::{Add, AddAssign, Neg, Sub, SubAssign};

/// Micro-watt-hours per kilowatt-hour.
pub const UWH_PER_KWH: i64 = 1_000_000_000;

/// The largest register value accepted, in kWh (keeps every sum far from `i64` overflow).
pub const MAX_REGISTER_KWH: f64 = 1e9;

/// An amount of energy (or a register value) in micro-watt-hours.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Energy(i64);

/// Why a kWh number is not an energy value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EnergyError {
    /// NaN or infinite.
    #[error("must be a finite number")]
    NotFinite,
    /// Negative where only non-negative values make sense.
    #[error("must not be negative")]
    Negative,
    /// Beyond [`MAX_REGISTER_KWH`].
    #[error("must be at most {MAX_REGISTER_KWH} kWh")]
    TooLarge,
}

impl Energy {
    /// Zero energy.
    pub const ZERO: Energy = Energy(0);

    /// From micro-watt-hours.
    pub const fn from_uwh(uwh: i64) -> Self {
        Energy(uwh)
    }

    /// In micro-watt-hours.
    pub const fn uwh(self) -> i64 {
        self.0
    }

    /// From a non-negative, finite kWh value, rounded to the nearest µWh.
    pub fn from_kwh(kwh: f64) -> Result<Self, EnergyError> {
        if !kwh.is_finite() {
            return Err(EnergyError::NotFinite);
        }
        if kwh < 0.0 {
            return Err(EnergyError::Negative);
        }
        if kwh > MAX_REGISTER_KWH {
            return Err(EnergyError::TooLarge);
        }
        Ok(Energy((kwh * UWH_PER_KWH as f64).round() as i64))
    }

    /// In kWh (for JSON and display).
    pub fn kwh(self) -> f64 {
        self.0 as f64 / UWH_PER_KWH as f64
    }

    /// In kWh as an exact decimal (`1500000000` µWh → `1.5`), for CSV.
    pub fn kwh_decimal(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let per_kwh = UWH_PER_KWH.unsigned_abs();
        let (int, frac) = (abs / per_kwh, abs % per_kwh);
        if frac == 0 {
            return format!("{sign}{int}");
        }
        let frac = format!("{frac:09}");
        format!("{sign}{int}.{}", frac.trim_end_matches('0'))
    }

    /// True when negative (only differences can be).
    pub const fn is_negative(self) -> bool {
        self.0 < 0
    }

    /// `self + rhs`, or an error instead of a wrapped total.
    pub fn checked_add(self, rhs: Energy) -> Result<Energy, EnergyOverflow> {
        self.0.checked_add(rhs.0).map(Energy).ok_or(EnergyOverflow)
    }

    /// `self - rhs`, or an error instead of a wrapped total.
    pub fn checked_sub(self, rhs: Energy) -> Result<Energy, EnergyOverflow> {
        self.0.checked_sub(rhs.0).map(Energy).ok_or(EnergyOverflow)
    }

    /// The sum of `parts`, or an error instead of a wrapped total.
    pub fn checked_sum(parts: impl IntoIterator<Item = Energy>) -> Result<Energy, EnergyOverflow> {
        parts
            .into_iter()
            .try_fold(Energy::ZERO, |acc, e| acc.checked_add(e))
    }
}

/// An energy sum left the range of `i64` µWh (about ±9.2 × 10^9 kWh).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("energy sum out of range (beyond ±9.2e9 kWh)")]
pub struct EnergyOverflow;

impl fmt::Display for Energy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} kWh", self.kwh())
    }
}

// The operators saturate at the ends of the range instead of wrapping (display
// sums of stored totals); the ingestion path uses the `checked_*` methods, where
// an overflow is an error with a reason.

impl Add for Energy {
    type Output = Energy;
    fn add(self, rhs: Energy) -> Energy {
        Energy(self.0.saturating_add(rhs.0))
    }
}

impl AddAssign for Energy {
    fn add_assign(&mut self, rhs: Energy) {
        *self = *self + rhs;
    }
}

impl Sub for Energy {
    type Output = Energy;
    fn sub(self, rhs: Energy) -> Energy {
        Energy(self.0.saturating_sub(rhs.0))
    }
}

impl SubAssign for Energy {
    fn sub_assign(&mut self, rhs: Energy) {
        *self = *self - rhs;
    }
}

impl Neg for Energy {
    type Output = Energy;
    fn neg(self) -> Energy {
        Energy(self.0.saturating_neg())
    }
}

impl std::iter::Sum for Energy {
    fn sum<I: Iterator<Item = Energy>>(iter: I) -> Energy {
        iter.fold(Energy::ZERO, |acc, e| acc + e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_decimal_text() {
        let text = |uwh| Energy::from_uwh(uwh).kwh_decimal();
        assert_eq!(text(1_500_000_000), "1.5");
        assert_eq!(text(0), "0");
        assert_eq!(text(1), "0.000000001");
        assert_eq!(text(-2_000_000_000), "-2");
        assert_eq!(text(i64::MIN), "-9223372036.854775808");
    }

    #[test]
    fn kwh_round_trips_to_the_microwatt_hour() {
        let e = Energy::from_kwh(47952.68755).unwrap();
        assert_eq!(e.uwh(), 47_952_687_550_000);
        assert_eq!(e.kwh(), 47952.68755);
    }

    #[test]
    fn sums_never_wrap() {
        let max = Energy::from_uwh(i64::MAX);
        assert_eq!(max.checked_add(Energy::from_uwh(1)), Err(EnergyOverflow));
        assert_eq!(
            Energy::from_uwh(i64::MIN).checked_sub(Energy::from_uwh(1)),
            Err(EnergyOverflow)
        );
        assert_eq!(Energy::checked_sum([max, max]), Err(EnergyOverflow));
        assert_eq!(max + max, max);
        assert_eq!([max, max, max].into_iter().sum::<Energy>(), max);
        assert_eq!(-Energy::from_uwh(i64::MIN), max);
    }

    #[test]
    fn rejects_bad_values() {
        assert_eq!(Energy::from_kwh(f64::NAN), Err(EnergyError::NotFinite));
        assert_eq!(Energy::from_kwh(-0.1), Err(EnergyError::Negative));
        assert_eq!(Energy::from_kwh(2e9), Err(EnergyError::TooLarge));
    }
}
