//! Prices a device's hourly totals under its tariff history.
//!
//! Each quarter hour takes the price of the tariff assigned at its start
//! ([`TariffTimeline`]): a time-of-use price by local wall time in the
//! tariff's zone, a dynamic price from the slot containing it, nothing when no
//! tariff is assigned or the slot is missing. Work is O(rows × log) (a binary
//! search each in the timeline, the zone's transitions and the series).

use super::buckets::{into_cost_buckets, standing_charges, BucketCost};
use super::dynamic::DynamicPrices;
use super::hour::{hour_cost, mean_price, QuarterPrices};
use super::money::{Currency, Money, Price};
use super::tariff::{PriceRule, Tariff, QUARTERS_PER_DAY, QUARTER_MS};
use super::timeline::{TariffId, TariffTimeline};
use crate::time::day_window;
use crate::{ApiError, Energy};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use std::collections::BTreeMap;

/// The most local days whose standing charge one call lists (about 110 years).
pub const MAX_STANDING_DAYS: usize = 40_000;

/// A tariff with its price series (empty unless dynamic).
#[derive(Debug, Clone, PartialEq)]
pub struct PricedTariff {
    /// The validated tariff.
    pub tariff: Tariff,
    /// The uploaded prices of a dynamic tariff.
    pub series: DynamicPrices,
}

/// One hourly row with its cost and the mean price used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PricedHour {
    /// The UTC hour's start, unix ms.
    pub hour_start_ms: i64,
    /// The hour's energy.
    pub energy: Energy,
    /// Its cost; `None` when unpriced.
    pub cost: Option<Money>,
    /// The mean of its quarter prices; `None` when a quarter has none.
    pub price: Option<Price>,
}

/// A device's tariff history with the tariffs it references.
#[derive(Debug, Clone)]
pub struct Pricer {
    timeline: TariffTimeline,
    tariffs: BTreeMap<TariffId, PricedTariff>,
    currency: Option<Currency>,
}

impl Pricer {
    /// A pricer; the tariffs must share one currency (costs are summed). A
    /// tariff id in the timeline but not in `tariffs` prices as unpriced.
    pub fn new(
        timeline: TariffTimeline,
        tariffs: BTreeMap<TariffId, PricedTariff>,
    ) -> Result<Self, ApiError> {
        let mut currency = None;
        for t in tariffs.values() {
            let this = t.tariff.currency;
            match currency {
                Some(c) if c != this => {
                    let why = format!(
                        "the tariffs of one device must share one currency ({c} and {this})"
                    );
                    return Err(ApiError::invalid("currency", format!("currency: {why}")));
                }
                _ => currency = Some(this),
            }
        }
        Ok(Pricer {
            timeline,
            tariffs,
            currency,
        })
    }

    /// The currency of the costs (`None` when there is no tariff at all).
    pub fn currency(&self) -> Option<Currency> {
        self.currency
    }

    /// The tariff history.
    pub fn timeline(&self) -> &TariffTimeline {
        &self.timeline
    }

    fn tariff_at(&self, at_ms: i64) -> Option<&PricedTariff> {
        self.tariffs.get(self.timeline.tariff_at(at_ms)?)
    }

    /// The price in force at `at_ms`, if any.
    pub fn price_at(&self, at_ms: i64) -> Option<Price> {
        let t = self.tariff_at(at_ms)?;
        match t.tariff.rule {
            PriceRule::Dynamic { .. } => t.series.price_at(at_ms),
            _ => t.tariff.static_price_at(at_ms),
        }
    }

    /// The prices of the four quarter hours of the hour starting at `hour_start_ms`.
    pub fn quarter_prices(&self, hour_start_ms: i64) -> QuarterPrices {
        let at = |q: i64| hour_start_ms.saturating_add(q * QUARTER_MS);
        if self.timeline.changes_within(at(0), at(3)) {
            return [0, 1, 2, 3].map(|q| self.price_at(at(q)));
        }
        // One tariff for the whole hour (the usual case): look it up once.
        let Some(t) = self.tariff_at(at(0)) else {
            return [None; 4];
        };
        match &t.tariff.rule {
            PriceRule::Flat(p) => [Some(*p); 4],
            PriceRule::Dynamic { .. } => [0, 1, 2, 3].map(|q| t.series.price_at(at(q))),
            PriceRule::TimeOfUse(_) => [0, 1, 2, 3].map(|q| t.tariff.static_price_at(at(q))),
        }
    }

    /// A [`QuarterClock`] over this pricer: the same prices as
    /// [`Pricer::quarter_prices`], faster for many hours in order.
    pub fn clock(&self) -> QuarterClock<'_> {
        QuarterClock {
            pricer: self,
            tariff: None,
            day_edge: None,
            day: None,
            hour_edge: None,
            month: None,
        }
    }

    /// The cost of one hour's energy (see [`hour_cost`]).
    pub fn hour_cost(&self, hour_start_ms: i64, energy: Energy) -> Option<Money> {
        hour_cost(energy, self.quarter_prices(hour_start_ms))
    }

    /// Prices hourly rows `(hour_start_ms, energy)`, in their order.
    pub fn price_rows(&self, rows: &[(i64, Energy)]) -> Vec<PricedHour> {
        let mut clock = self.clock();
        rows.iter()
            .map(|&(hour_start_ms, energy)| {
                let quarters = clock.quarter_prices(hour_start_ms);
                PricedHour {
                    hour_start_ms,
                    energy,
                    cost: hour_cost(energy, quarters),
                    price: mean_price(quarters),
                }
            })
            .collect()
    }

    /// Energy, cost and unpriced energy per bucket (edges as in
    /// [`into_cost_buckets`]) of hourly rows sorted by hour.
    pub fn buckets(&self, rows: &[(i64, Energy)], edges: &[i64]) -> Vec<BucketCost> {
        let mut clock = self.clock();
        let priced: Vec<_> = rows
            .iter()
            .map(|&(hour, energy)| (hour, energy, hour_cost(energy, clock.quarter_prices(hour))))
            .collect();
        into_cost_buckets(&priced, edges)
    }

    /// The local days (in the zone of the tariff assigned at their start)
    /// starting in `[from_ms, to_ms)`, with that tariff's standing charge; at
    /// most [`MAX_STANDING_DAYS`]. Days without a tariff are not charged.
    pub fn standing_days(&self, from_ms: i64, to_ms: i64) -> Vec<(i64, Money)> {
        let mut days = Vec::new();
        for (start, end, id) in self.timeline.segments(from_ms, to_ms) {
            let Some(t) = id.and_then(|id| self.tariffs.get(id)) else {
                continue;
            };
            let (tz, charge) = (t.tariff.tz, t.tariff.standing_charge_per_day);
            let Some(first) = DateTime::<Utc>::from_timestamp_millis(start) else {
                continue;
            };
            let mut date: NaiveDate = first.with_timezone(&tz).date_naive();
            while days.len() < MAX_STANDING_DAYS {
                let day_start = day_window(date, tz).0.timestamp_millis();
                if day_start >= end {
                    break;
                }
                if day_start >= start {
                    days.push((day_start, charge));
                }
                match date.succ_opt() {
                    Some(next) => date = next,
                    None => break,
                }
            }
        }
        days
    }

    /// The standing charge per bucket: each bucket gets the charge of every
    /// local day that starts inside it (see [`standing_charges`]).
    pub fn standing_charges(&self, edges: &[i64]) -> Vec<Money> {
        match (edges.first(), edges.last()) {
            (Some(&lo), Some(&hi)) => standing_charges(&self.standing_days(lo, hi), edges),
            _ => Vec::new(),
        }
    }
}

/// Milliseconds in a day of wall-clock time.
const DAY_MS: i64 = 86_400_000;
/// Days from 0001-01-01 (day 1 of the common era) to 1970-01-01.
const UNIX_EPOCH_DAYS_FROM_CE: i64 = 719_163;

/// A zone offset looked up at an instant: (zone, instant, seconds east of UTC).
type Lookup = Option<(chrono_tz::Tz, i64, Option<i32>)>;

/// [`Pricer::quarter_prices`] for many hours, keeping what one hour's lookups
/// tell about the next. The local wall time of a time-of-use tariff's
/// quarters comes from its zone's offset with integer arithmetic, the offset
/// looked up once per UTC day (at its start, which is the previous day's
/// end): while it is the same at both ends of the day, every quarter of the
/// day has it; on a day whose offset changes, once per hour in the same way;
/// an hour whose offset changes, or whose tariff does, is priced quarter by
/// quarter as [`Pricer::quarter_prices`] does. Exact because no zone of the
/// tz database changes its offset and changes it back within a day
/// (`no_zone_changes_its_offset_and_back_within_a_day`).
pub struct QuarterClock<'a> {
    pricer: &'a Pricer,
    /// The tariff of the last hour and the span it holds over: `[from, until)`.
    tariff: Option<(i64, i64, Option<&'a PricedTariff>)>,
    /// The last lookup at a UTC day's edge.
    day_edge: Lookup,
    /// The last UTC day seen: (zone, day start, its offset if the same all day).
    day: Option<(chrono_tz::Tz, i64, Option<i32>)>,
    /// The last lookup at an hour's edge (on days whose offset changes).
    hour_edge: Lookup,
    /// The last local day's month: (days since 1970-01-01, month0).
    month: Option<(i64, usize)>,
}

impl<'a> QuarterClock<'a> {
    /// The prices of the four quarter hours of the hour starting at
    /// `hour_start_ms`: always exactly [`Pricer::quarter_prices`].
    pub fn quarter_prices(&mut self, hour_start_ms: i64) -> QuarterPrices {
        let pricer = self.pricer;
        let at = |q: i64| hour_start_ms.saturating_add(q * QUARTER_MS);
        let Some(tariff) = self.tariff_over(at(0), at(3)) else {
            // The tariff changes within the hour.
            return pricer.quarter_prices(hour_start_ms);
        };
        let Some(t) = tariff else {
            return [None; 4];
        };
        let PriceRule::TimeOfUse(table) = &t.tariff.rule else {
            return pricer.quarter_prices(hour_start_ms);
        };
        match self.steady_offset(t.tariff.tz, hour_start_ms) {
            Some(offset) => {
                // The local day and quarter of the hour's start; the next
                // quarters follow it, into the next day after the 96th.
                let wall = hour_start_ms.saturating_add(i64::from(offset) * 1000);
                let day = wall.div_euclid(DAY_MS);
                let first = (wall.rem_euclid(DAY_MS) / QUARTER_MS) as usize;
                [0, 1, 2, 3].map(|q| {
                    let (days, quarter) = match first + q {
                        n if n < QUARTERS_PER_DAY => (day, n),
                        n => (day + 1, n - QUARTERS_PER_DAY),
                    };
                    let weekday = (days + 3).rem_euclid(7) as usize; // 1970-01-01 was a Thursday
                    self.month0(days)
                        .map(|month0| table.price_of(month0, weekday, quarter))
                })
            }
            None => [0, 1, 2, 3].map(|q| t.tariff.static_price_at(at(q))),
        }
    }

    /// The tariff in force throughout `[from_ms, last_ms]` (`Some(None)`: none
    /// at all), or `None` when an assignment starts within it.
    fn tariff_over(&mut self, from_ms: i64, last_ms: i64) -> Option<Option<&'a PricedTariff>> {
        if let Some((from, until, tariff)) = self.tariff {
            if from <= from_ms && last_ms < until {
                return Some(tariff);
            }
        }
        let pricer: &'a Pricer = self.pricer;
        let until = pricer
            .timeline
            .next_change_after(from_ms)
            .unwrap_or(i64::MAX);
        let tariff = pricer.tariff_at(from_ms);
        self.tariff = Some((from_ms, until, tariff));
        (last_ms < until).then_some(tariff)
    }

    /// The offset of `tz` over the whole hour from `hour_ms`, if it has one.
    fn steady_offset(&mut self, tz: chrono_tz::Tz, hour_ms: i64) -> Option<i32> {
        let day = hour_ms.div_euclid(DAY_MS) * DAY_MS;
        let whole_day = match self.day {
            Some((zone, start, offset)) if zone == tz && start == day => offset,
            _ => {
                let start = offset_at(&mut self.day_edge, tz, day);
                let end = offset_at(&mut self.day_edge, tz, day.saturating_add(DAY_MS));
                let offset = start.filter(|_| start == end);
                self.day = Some((tz, day, offset));
                offset
            }
        };
        if whole_day.is_some() {
            return whole_day;
        }
        let start = offset_at(&mut self.hour_edge, tz, hour_ms);
        let end = offset_at(
            &mut self.hour_edge,
            tz,
            hour_ms.saturating_add(4 * QUARTER_MS),
        );
        start.filter(|_| start == end)
    }

    /// The month (0 = January) of the day `days` after 1970-01-01.
    fn month0(&mut self, days: i64) -> Option<usize> {
        if let Some((day, month0)) = self.month {
            if day == days {
                return Some(month0);
            }
        }
        let ce = i32::try_from(days + UNIX_EPOCH_DAYS_FROM_CE).ok()?;
        let month0 = chrono::Datelike::month0(&NaiveDate::from_num_days_from_ce_opt(ce)?) as usize;
        self.month = Some((days, month0));
        Some(month0)
    }
}

/// The offset of `tz` at `at_ms` (seconds east of UTC), remembering the last
/// lookup in `last`.
fn offset_at(last: &mut Lookup, tz: chrono_tz::Tz, at_ms: i64) -> Option<i32> {
    if let Some((zone, instant, offset)) = *last {
        if zone == tz && instant == at_ms {
            return offset;
        }
    }
    let offset = DateTime::<Utc>::from_timestamp_millis(at_ms).map(|utc| {
        use chrono::{Offset, TimeZone};
        tz.offset_from_utc_datetime(&utc.naive_utc())
            .fix()
            .local_minus_utc()
    });
    *last = Some((tz, at_ms, offset));
    offset
}

#[cfg(test)]
mod tests;
