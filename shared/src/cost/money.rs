//! Money and prices as exact integers of micro-units (10^-6) of a currency,
//! parsed from and printed as exact decimals (`"0.2534"` ↔ `253_400`).
//!
//! Floating point never touches a price: the API takes decimal strings (or
//! JSON numbers, read from their shortest decimal text) and answers with them.
//!
//! Overflow: the operators (`+`, `-`, `Sum`) saturate at the ends of `i64`
//! instead of wrapping or panicking, like [`crate::Energy`]'s; the `checked_*`
//! methods say when that happened. Validated prices are at most 10^6 per kWh,
//! so saturation needs energies beyond 9 × 10^6 kWh in a single hour.

use crate::ApiError;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::ops::{Add, AddAssign, Neg, Sub, SubAssign};

/// Micro-units per unit of currency.
pub const MICROS_PER_UNIT: i64 = 1_000_000;

/// The largest price accepted, in currency units per kWh (either sign).
pub const MAX_PRICE_PER_KWH: i64 = 1_000_000;

/// The largest amount of money accepted as input (standing charges, budgets), in units.
pub const MAX_MONEY_INPUT: i64 = 1_000_000_000_000;

/// An amount of money in micro-units of a currency (may be negative: credits,
/// negative day-ahead prices).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Money(i64);

/// A price in micro-units of a currency per kWh (may be negative).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Price(i64);

impl Money {
    /// No money.
    pub const ZERO: Money = Money(0);
    /// The saturation bounds.
    pub const MAX: Money = Money(i64::MAX);
    /// The saturation bounds.
    pub const MIN: Money = Money(i64::MIN);

    /// From micro-units.
    pub const fn from_micros(micros: i64) -> Self {
        Money(micros)
    }

    /// In micro-units.
    pub const fn micros(self) -> i64 {
        self.0
    }

    /// From an `i128` result, saturated to the range of `i64`.
    pub fn saturating_from_i128(micros: i128) -> Self {
        Money(micros.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64)
    }

    /// An exact decimal (`"12.5"`), at most 6 decimals and [`MAX_MONEY_INPUT`] in size.
    pub fn parse(field: &str, text: &str) -> Result<Self, ApiError> {
        parse_micros(field, text, MAX_MONEY_INPUT).map(Money)
    }

    /// As an exact decimal with no trailing zeros (`12_500_000` → `"12.5"`).
    pub fn to_decimal(self) -> String {
        format_micros(self.0)
    }

    /// `self + rhs`, or `None` instead of a saturated sum.
    pub fn checked_add(self, rhs: Money) -> Option<Money> {
        self.0.checked_add(rhs.0).map(Money)
    }

    /// `self - rhs`, or `None` instead of a saturated difference.
    pub fn checked_sub(self, rhs: Money) -> Option<Money> {
        self.0.checked_sub(rhs.0).map(Money)
    }

    /// In currency units, for JSON numbers and charts (not for sums).
    pub fn units(self) -> f64 {
        self.0 as f64 / MICROS_PER_UNIT as f64
    }
}

impl Price {
    /// A price of zero.
    pub const ZERO: Price = Price(0);

    /// From micro-units per kWh.
    pub const fn from_micros(micros: i64) -> Self {
        Price(micros)
    }

    /// In micro-units per kWh.
    pub const fn micros(self) -> i64 {
        self.0
    }

    /// An exact decimal per kWh (`"0.2534"`, `"-0.01"`), at most 6 decimals and
    /// at most [`MAX_PRICE_PER_KWH`] in size.
    pub fn parse(field: &str, text: &str) -> Result<Self, ApiError> {
        parse_micros(field, text, MAX_PRICE_PER_KWH).map(Price)
    }

    /// As an exact decimal with no trailing zeros (`253_400` → `"0.2534"`).
    pub fn to_decimal(self) -> String {
        format_micros(self.0)
    }

    /// True when within the bounds [`Price::parse`] accepts.
    pub fn is_valid(self) -> bool {
        self.0.unsigned_abs() <= (MAX_PRICE_PER_KWH * MICROS_PER_UNIT).unsigned_abs()
    }
}

/// Parses an exact decimal into micro-units: an optional `-`, digits, and
/// optionally `.` and 1 to 6 digits; no `+`, exponent, spaces, `NaN` or `inf`.
/// Magnitudes above `max_units` are refused.
pub fn parse_micros(field: &str, text: &str, max_units: i64) -> Result<i64, ApiError> {
    let bad = |why: &str| {
        ApiError::invalid(
            field,
            format!("{field}: {why} (got {:?})", truncate(text, 40)),
        )
    };
    let (negative, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (int, frac) = match body.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (body, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(int) || frac.is_some_and(|f| !digits(f)) {
        return Err(bad(
            "must be a decimal number such as 0.2534 (no exponent, sign '+' or spaces)",
        ));
    }
    let frac = frac.unwrap_or("");
    if frac.len() > 6 {
        return Err(bad("must have at most 6 decimals"));
    }
    let int = int.trim_start_matches('0');
    let too_large = || bad(&format!("must be at most {max_units} in size"));
    if int.len() > 13 {
        return Err(too_large());
    }
    let whole: i64 = if int.is_empty() {
        0
    } else {
        int.parse().map_err(|_| too_large())?
    };
    let frac_micros: i64 = format!("{frac:0<6}").parse().unwrap_or(0);
    let micros = whole
        .checked_mul(MICROS_PER_UNIT)
        .and_then(|w| w.checked_add(frac_micros))
        .ok_or_else(too_large)?;
    if micros > max_units.saturating_mul(MICROS_PER_UNIT) {
        return Err(too_large());
    }
    Ok(if negative { -micros } else { micros })
}

/// Micro-units as an exact decimal with no trailing zeros.
pub fn format_micros(micros: i64) -> String {
    let sign = if micros < 0 { "-" } else { "" };
    let abs = micros.unsigned_abs();
    let per = MICROS_PER_UNIT.unsigned_abs();
    let (int, frac) = (abs / per, abs % per);
    if frac == 0 {
        return format!("{sign}{int}");
    }
    let frac = format!("{frac:06}");
    format!("{sign}{int}.{}", frac.trim_end_matches('0'))
}

fn truncate(s: &str, max_chars: usize) -> String {
    s.chars().take(max_chars).collect()
}

/// An ISO 4217 currency code: three uppercase ASCII letters (`EUR`, `RON`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency([u8; 3]);

impl Currency {
    /// Three uppercase ASCII letters, or a validation error on `field`.
    pub fn parse(field: &str, code: &str) -> Result<Self, ApiError> {
        match code.as_bytes() {
            &[a, b, c] if [a, b, c].iter().all(u8::is_ascii_uppercase) => Ok(Currency([a, b, c])),
            _ => Err(ApiError::invalid(
                field,
                format!(
                    "{field}: must be an ISO 4217 code of three uppercase letters such as EUR (got {:?})",
                    truncate(code, 20)
                ),
            )),
        }
    }

    /// The code.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or("XXX")
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_decimal())
    }
}

impl fmt::Display for Price {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/kWh", self.to_decimal())
    }
}

impl Add for Money {
    type Output = Money;
    fn add(self, rhs: Money) -> Money {
        Money(self.0.saturating_add(rhs.0))
    }
}

impl AddAssign for Money {
    fn add_assign(&mut self, rhs: Money) {
        *self = *self + rhs;
    }
}

impl Sub for Money {
    type Output = Money;
    fn sub(self, rhs: Money) -> Money {
        Money(self.0.saturating_sub(rhs.0))
    }
}

impl SubAssign for Money {
    fn sub_assign(&mut self, rhs: Money) {
        *self = *self - rhs;
    }
}

impl Neg for Money {
    type Output = Money;
    fn neg(self) -> Money {
        Money(self.0.saturating_neg())
    }
}

impl std::iter::Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, |acc, m| acc + m)
    }
}

#[cfg(test)]
mod tests;
