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

    /// True when negative (only differences can be).
    pub const fn is_negative(self) -> bool {
        self.0 < 0
    }
}

impl fmt::Display for Energy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} kWh", self.kwh())
    }
}

impl Add for Energy {
    type Output = Energy;
    fn add(self, rhs: Energy) -> Energy {
        Energy(self.0 + rhs.0)
    }
}

impl AddAssign for Energy {
    fn add_assign(&mut self, rhs: Energy) {
        self.0 += rhs.0;
    }
}

impl Sub for Energy {
    type Output = Energy;
    fn sub(self, rhs: Energy) -> Energy {
        Energy(self.0 - rhs.0)
    }
}

impl SubAssign for Energy {
    fn sub_assign(&mut self, rhs: Energy) {
        self.0 -= rhs.0;
    }
}

impl Neg for Energy {
    type Output = Energy;
    fn neg(self) -> Energy {
        Energy(-self.0)
    }
}

impl std::iter::Sum for Energy {
    fn sum<I: Iterator<Item = Energy>>(iter: I) -> Energy {
        Energy(iter.map(|e| e.0).sum())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kwh_round_trips_to_the_microwatt_hour() {
        let e = Energy::from_kwh(47952.68755).unwrap();
        assert_eq!(e.uwh(), 47_952_687_550_000);
        assert_eq!(e.kwh(), 47952.68755);
    }

    #[test]
    fn rejects_bad_values() {
        assert_eq!(Energy::from_kwh(f64::NAN), Err(EnergyError::NotFinite));
        assert_eq!(Energy::from_kwh(-0.1), Err(EnergyError::Negative));
        assert_eq!(Energy::from_kwh(2e9), Err(EnergyError::TooLarge));
    }
}
