//! Where the month will end: spent so far plus the expected use of the hours
//! left, and the budget thresholds that raise alerts.
//!
//! The method: *spent* is the month's hours from its start through the current
//! (unfinished) hour. Each remaining whole hour after the current one is
//! expected to use the mean of the same UTC hour of the week in the four most
//! recent weeks before the current hour (for the next 7 days: the same hour 1,
//! 2, 3 and 4 weeks earlier; further ahead, the same four weeks shifted back
//! so that every sample is already measured). Only weeks at or after the
//! device's first stored row count (a new device is averaged over the weeks it
//! has; none → 0); a week without a row used nothing. Each expected hour is
//! priced at its own price. A month's last hour that ends after the month's
//! end (zones with :30 offsets) is left out of the projection.

use super::buckets::into_cost_buckets;
use super::money::{parse_micros, Money};
use crate::consumption::HOUR_MS;
use crate::{ApiError, Energy};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Milliseconds in a week.
pub const WEEK_MS: i64 = 7 * 24 * HOUR_MS;
/// The most hours projected (a month has at most 744, plus a clock change).
pub const MAX_MONTH_HOURS: usize = 745;

/// A month's spend and its projection to the month's end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Projection {
    /// Energy from the month's start through now.
    pub spent_energy: Energy,
    /// The cost of the priced part of `spent_energy`.
    pub spent_cost: Money,
    /// Spent plus the expected energy of the remaining hours.
    pub projected_energy: Energy,
    /// Spent cost plus the expected cost of the remaining hours.
    pub projected_cost: Money,
    /// Energy (spent or expected) that had no price, left out of the costs.
    pub unpriced_energy: Energy,
}

/// The hourly rows [`project_month`] reads: `[from, to)` from the earlier of
/// four weeks before the current hour and the month's start, through the
/// current hour.
pub fn history_window(now_ms: i64, month_start_ms: i64) -> (i64, i64) {
    let current = now_ms.div_euclid(HOUR_MS) * HOUR_MS;
    let from = (current - 4 * WEEK_MS).min(month_start_ms.div_euclid(HOUR_MS) * HOUR_MS);
    (from, current + HOUR_MS)
}

/// Projects the month `[month_start_ms, month_end_ms)` at `now_ms` from hourly
/// rows `history` = `(hour_start_ms, energy)` covering at least
/// [`history_window`]; `first_row_ms` is the device's
/// first stored row ever; `price_hour(hour_start_ms, energy)` prices an hour
/// (`None`: unpriced). Work is bounded by the rows plus [`MAX_MONTH_HOURS`] × 4.
pub fn project_month(
    history: &[(i64, Energy)],
    first_row_ms: Option<i64>,
    now_ms: i64,
    month_start_ms: i64,
    month_end_ms: i64,
    price_hour: impl Fn(i64, Energy) -> Option<Money>,
) -> Projection {
    let mut p = Projection::default();
    if month_end_ms <= month_start_ms {
        return p;
    }
    let current = now_ms.div_euclid(HOUR_MS) * HOUR_MS;
    let spent_end = (current + HOUR_MS).min(month_end_ms);
    if spent_end > month_start_ms {
        let mut hours: Vec<_> = history
            .iter()
            .filter(|&&(h, _)| h + HOUR_MS > month_start_ms && h < spent_end)
            .map(|&(h, e)| (h, e, price_hour(h, e)))
            .collect();
        hours.sort_by_key(|h| h.0);
        let b = into_cost_buckets(&hours, &[month_start_ms, spent_end]);
        p.spent_energy = b[0].energy;
        p.spent_cost = b[0].cost;
        p.unpriced_energy = b[0].unpriced_energy;
    }
    p.projected_energy = p.spent_energy;
    p.projected_cost = p.spent_cost;
    let by_hour: HashMap<i64, Energy> = history.iter().copied().collect();
    let first_hour = first_row_ms.map(|f| f.div_euclid(HOUR_MS) * HOUR_MS);
    let mut hour = (current + HOUR_MS).max(month_start_ms.div_euclid(HOUR_MS) * HOUR_MS);
    for _ in 0..MAX_MONTH_HOURS {
        if hour < month_start_ms {
            hour += HOUR_MS;
            continue;
        }
        if hour + HOUR_MS > month_end_ms {
            break;
        }
        let expected = expected_use(&by_hour, first_hour, current, hour);
        if expected != Energy::ZERO {
            p.projected_energy += expected;
            match price_hour(hour, expected) {
                Some(c) => p.projected_cost += c,
                None => p.unpriced_energy += expected,
            }
        }
        hour += HOUR_MS;
    }
    p
}

/// The mean use of `hour`'s hour of the week over the four most recent weeks
/// measured before `current`, from `first_hour` on.
fn expected_use(
    by_hour: &HashMap<i64, Energy>,
    first_hour: Option<i64>,
    current: i64,
    hour: i64,
) -> Energy {
    let Some(first) = first_hour else {
        return Energy::ZERO;
    };
    // The fewest weeks back that land strictly before the current hour.
    let k0 = (hour - current + 1 + WEEK_MS - 1)
        .div_euclid(WEEK_MS)
        .max(1);
    let (mut sum, mut weeks) = (0i128, 0i128);
    for k in k0..k0 + 4 {
        let sample = hour - k * WEEK_MS;
        if sample >= first {
            sum += i128::from(by_hour.get(&sample).map_or(0, |e| e.uwh()));
            weeks += 1;
        }
    }
    if weeks == 0 {
        return Energy::ZERO;
    }
    Energy::from_uwh(sum.div_euclid(weeks) as i64)
}

/// A monthly budget, in money or in energy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "amount", rename_all = "snake_case")]
pub enum Budget {
    /// At most this much money per month.
    Money(Money),
    /// At most this much energy per month.
    Energy(Energy),
}

impl Budget {
    /// From the API's `kind` (`money` | `kwh`, as stored) and a positive
    /// decimal amount (currency units, or kWh), at most 6 decimals.
    pub fn parse(kind: &str, amount: &str) -> Result<Self, ApiError> {
        let budget = match kind {
            "money" => Budget::Money(Money::parse("amount", amount)?),
            "kwh" => {
                let micro_kwh = parse_micros("amount", amount, 1_000_000_000)?;
                Budget::Energy(Energy::from_uwh(micro_kwh * 1_000))
            }
            _ => return Err(ApiError::invalid("kind", "kind: must be money or kwh")),
        };
        let positive = match budget {
            Budget::Money(m) => m > Money::ZERO,
            Budget::Energy(e) => e > Energy::ZERO,
        };
        if !positive {
            return Err(ApiError::invalid("amount", "amount: must be more than 0"));
        }
        Ok(budget)
    }

    /// From the `budgets` columns `kind` and `amount` (micro-units or µWh);
    /// `None` for a kind that is neither.
    pub fn from_stored(kind: &str, amount: i64) -> Option<Self> {
        match kind {
            "money" => Some(Budget::Money(Money::from_micros(amount))),
            "kwh" => Some(Budget::Energy(Energy::from_uwh(amount))),
            _ => None,
        }
    }

    /// The kind as the API and the table name it: `money` or `kwh`.
    pub fn kind(self) -> &'static str {
        match self {
            Budget::Money(_) => "money",
            Budget::Energy(_) => "kwh",
        }
    }

    /// The amount as stored: micro-units of the currency, or µWh.
    pub fn stored_amount(self) -> i64 {
        match self {
            Budget::Money(m) => m.micros(),
            Budget::Energy(e) => e.uwh(),
        }
    }

    /// An amount in this budget's stored unit as the API shows it:
    /// currency units, or kWh.
    pub fn units_of(self, stored: i64) -> f64 {
        match self {
            Budget::Money(_) => Money::from_micros(stored).units(),
            Budget::Energy(_) => Energy::from_uwh(stored).kwh(),
        }
    }

    /// A projection's spent and projected amounts in this budget's stored unit.
    pub fn spent_and_projected(self, p: &Projection) -> (i64, i64) {
        match self {
            Budget::Money(_) => (p.spent_cost.micros(), p.projected_cost.micros()),
            Budget::Energy(_) => (p.spent_energy.uwh(), p.projected_energy.uwh()),
        }
    }
}

/// Which thresholds of a budget a projection passes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct BudgetStatus {
    /// The projection to the month's end exceeds the budget.
    pub projected_over: bool,
    /// Spent so far has reached 100 % of the budget.
    pub spent_over: bool,
}

/// Compares a projection with a budget: `projected_over` when the projection is
/// above it, `spent_over` when spending has reached it (costs leave unpriced
/// energy out).
pub fn budget_status(budget: Budget, projection: &Projection) -> BudgetStatus {
    match budget {
        Budget::Money(b) => BudgetStatus {
            projected_over: projection.projected_cost > b,
            spent_over: projection.spent_cost >= b,
        },
        Budget::Energy(b) => BudgetStatus {
            projected_over: projection.projected_energy > b,
            spent_over: projection.spent_energy >= b,
        },
    }
}

#[cfg(test)]
mod tests;
