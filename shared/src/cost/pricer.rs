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
use super::tariff::{PriceRule, Tariff, QUARTER_MS};
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
            offset: None,
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
        let priced: Vec<_> = self
            .price_rows(rows)
            .into_iter()
            .map(|h| (h.hour_start_ms, h.energy, h.cost))
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

/// [`Pricer::quarter_prices`] for many hours, with what one hour's lookups
/// tell about the next kept: the zone offset of a time-of-use tariff is
/// looked up once per UTC hour (at its start, which is the previous hour's
/// end), and while it is the same at both ends of an hour the hour's four
/// quarters take their local wall time from it with integer arithmetic; an
/// hour whose offset changes, or whose tariff does, is priced quarter by
/// quarter as [`Pricer::quarter_prices`] does. Exact as long as a zone's
/// offset does not change and change back within one hour, which no zone of
/// the tz database does (`no_zone_changes_its_offset_twice_within_an_hour`).
pub struct QuarterClock<'a> {
    pricer: &'a Pricer,
    /// The last offset looked up: (zone, instant, seconds east of UTC).
    offset: Option<(chrono_tz::Tz, i64, Option<i32>)>,
    /// The last local day's month: (days since 1970-01-01, month0).
    month: Option<(i64, usize)>,
}

impl QuarterClock<'_> {
    /// The prices of the four quarter hours of the hour starting at
    /// `hour_start_ms`: always exactly [`Pricer::quarter_prices`].
    pub fn quarter_prices(&mut self, hour_start_ms: i64) -> QuarterPrices {
        let pricer = self.pricer;
        let at = |q: i64| hour_start_ms.saturating_add(q * QUARTER_MS);
        if pricer.timeline.changes_within(at(0), at(3)) {
            return pricer.quarter_prices(hour_start_ms);
        }
        let Some(t) = pricer.tariff_at(at(0)) else {
            return [None; 4];
        };
        let PriceRule::TimeOfUse(table) = &t.tariff.rule else {
            return pricer.quarter_prices(hour_start_ms);
        };
        let tz = t.tariff.tz;
        let start = self.offset_at(tz, hour_start_ms);
        let end = self.offset_at(tz, hour_start_ms.saturating_add(4 * QUARTER_MS));
        match (start, end) {
            (Some(offset), Some(after)) if offset == after => {
                let local = hour_start_ms.saturating_add(i64::from(offset) * 1000);
                [0, 1, 2, 3].map(|q| {
                    let wall = local.saturating_add(q * QUARTER_MS);
                    let days = wall.div_euclid(DAY_MS);
                    let quarter = (wall.rem_euclid(DAY_MS) / QUARTER_MS) as usize;
                    let weekday = (days + 3).rem_euclid(7) as usize; // 1970-01-01 was a Thursday
                    self.month0(days)
                        .map(|month0| table.price_of(month0, weekday, quarter))
                })
            }
            _ => [0, 1, 2, 3].map(|q| t.tariff.static_price_at(at(q))),
        }
    }

    /// The offset of `tz` at `at_ms` (seconds east of UTC), remembering the last.
    fn offset_at(&mut self, tz: chrono_tz::Tz, at_ms: i64) -> Option<i32> {
        if let Some((zone, instant, offset)) = self.offset {
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
        self.offset = Some((tz, at_ms, offset));
        offset
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

#[cfg(test)]
mod tests;
