//! The baseline: per local hour of the week (168 slots, Monday 00:00 first),
//! the median of that hour's energy over the last weeks and a robust spread.
//!
//! The method: the window is the `weeks` whole weeks of UTC hours before the
//! current (unfinished) hour. Every UTC hour of the window at or after the
//! device's first stored hour is a sample of the slot of its local start time
//! in the zone; an hour with no row used nothing. On a fall-back day the local
//! hour that occurs twice is one sample holding both UTC hours' energy; on a
//! spring-forward day the skipped local hour has no sample. In zones with :30
//! offsets a UTC hour starting at 01:30 local belongs to the 01:00 slot.

use crate::consumption::HOUR_MS;
use crate::{ApiError, Energy};
use chrono::{DateTime, Datelike, NaiveDate, Timelike};
use chrono_tz::Tz;
use serde::Serialize;
use std::collections::HashMap;

/// Milliseconds in a week.
pub const WEEK_MS: i64 = 7 * 24 * HOUR_MS;
/// Local hours of the week.
pub const SLOTS: usize = 168;
/// The weeks of history learned from unless a device says otherwise.
pub const DEFAULT_WEEKS: u32 = 6;
/// The fewest weeks a baseline may be learned from.
pub const MIN_WEEKS: u32 = 4;
/// The most weeks a baseline may be learned from.
pub const MAX_WEEKS: u32 = 8;
/// The weeks of history needed before a baseline is trusted.
pub const DEFAULT_MIN_WEEKS: u32 = 3;
/// The most rows a caller should pass: every hour of [`MAX_WEEKS`], twice.
pub const MAX_ROWS: usize = MAX_WEEKS as usize * SLOTS * 2;
/// The smallest spread, in µWh (10 Wh), so a constant load is not "unusual"
/// at the first watt-hour of difference.
pub const SPREAD_FLOOR_UWH: i64 = 10_000_000;

/// How much history a baseline is learned from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BaselineParams {
    /// Weeks of history before now, [`MIN_WEEKS`]–[`MAX_WEEKS`].
    pub weeks: u32,
    /// Weeks of data the device must have before the baseline is ready.
    pub min_weeks: u32,
}

impl Default for BaselineParams {
    fn default() -> Self {
        BaselineParams {
            weeks: DEFAULT_WEEKS,
            min_weeks: DEFAULT_MIN_WEEKS,
        }
    }
}

impl BaselineParams {
    /// Checks `weeks` (4–8) and `min_weeks` (1 to `weeks`).
    pub fn new(weeks: u32, min_weeks: u32) -> Result<Self, ApiError> {
        if !(MIN_WEEKS..=MAX_WEEKS).contains(&weeks) {
            return Err(ApiError::invalid("weeks", "weeks: must be 4 to 8"));
        }
        if !(1..=weeks).contains(&min_weeks) {
            return Err(ApiError::invalid(
                "min_weeks",
                "min_weeks: must be 1 to weeks",
            ));
        }
        Ok(BaselineParams { weeks, min_weeks })
    }
}

/// One hour of the week: its median energy, robust spread and sample count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct SlotStats {
    /// The median of the samples (the mean of the middle two for an even count).
    pub median: Energy,
    /// max(MAD × 1.4826, 5 % of the median, 10 Wh).
    pub spread: Energy,
    /// How many local days contributed a sample.
    pub samples: u32,
}

/// A device's learned week, in a zone.
#[derive(Debug, Clone, PartialEq)]
pub struct Baseline {
    /// The zone whose local hours the slots are.
    pub tz: Tz,
    /// Whole weeks of data inside the window (from the device's first hour).
    pub weeks_of_history: u32,
    /// `weeks_of_history` reached `min_weeks`: alerts and forecasts may use it.
    pub ready: bool,
    /// The 168 slots, Monday 00:00 first.
    pub slots: Vec<SlotStats>,
}

impl Baseline {
    /// The stats of the slot of the local hour starting at or containing `ms`.
    pub fn slot_at(&self, ms: i64) -> Option<SlotStats> {
        local_hour(ms, self.tz).map(|(_, slot)| self.slots[slot])
    }
}

/// The local date and slot (weekday from Monday × 24 + hour) of an instant.
pub fn local_hour(ms: i64, tz: Tz) -> Option<(NaiveDate, usize)> {
    let local = DateTime::from_timestamp_millis(ms)?.with_timezone(&tz);
    let slot = local.weekday().num_days_from_monday() as usize * 24 + local.hour() as usize;
    Some((local.date_naive(), slot))
}

/// The window `[from, to)` learned from at `now_ms`: the rows a caller loads.
pub fn history_from_ms(now_ms: i64, weeks: u32) -> (i64, i64) {
    let to = now_ms.div_euclid(HOUR_MS) * HOUR_MS;
    (to - i64::from(weeks) * WEEK_MS, to)
}

/// Learns a baseline at `now_ms` from the device's hourly `rows`
/// (`hour_start_ms`, energy) and its first stored hour `first_row_ms`. Rows
/// outside the window are skipped; work is one pass over the rows plus the
/// window's hours (at most [`MAX_WEEKS`] × 168), sorted per slot.
pub fn learn_baseline(
    rows: &[(i64, Energy)],
    first_row_ms: Option<i64>,
    now_ms: i64,
    tz: Tz,
    params: BaselineParams,
) -> Baseline {
    let (from, to) = history_from_ms(now_ms, params.weeks);
    let mut baseline = Baseline {
        tz,
        weeks_of_history: 0,
        ready: false,
        slots: vec![SlotStats::default(); SLOTS],
    };
    let Some(first) = first_row_ms.map(|f| f.div_euclid(HOUR_MS) * HOUR_MS) else {
        return baseline;
    };
    let start = from.max(first);
    if start >= to {
        return baseline;
    }
    baseline.weeks_of_history = weeks_of_history(first_row_ms, now_ms, params.weeks);
    baseline.ready = baseline.weeks_of_history >= params.min_weeks;

    let mut by_hour: HashMap<i64, Energy> = HashMap::new();
    for &(h, e) in rows {
        if h >= start && h < to {
            *by_hour.entry(h.div_euclid(HOUR_MS) * HOUR_MS).or_default() += e;
        }
    }
    // One sample per (local date, slot): a repeated local hour sums both.
    let mut days: HashMap<(NaiveDate, usize), Energy> = HashMap::new();
    let mut hour = start;
    while hour < to {
        if let Some(key) = local_hour(hour, tz) {
            let e = by_hour.get(&hour).copied().unwrap_or_default();
            *days.entry(key).or_default() += e;
        }
        hour += HOUR_MS;
    }
    let mut per_slot: Vec<Vec<i64>> = vec![Vec::new(); SLOTS];
    for ((_, slot), e) in days {
        per_slot[slot].push(e.uwh());
    }
    for (stats, mut samples) in baseline.slots.iter_mut().zip(per_slot) {
        *stats = slot_stats(&mut samples);
    }
    baseline
}

/// Median, spread and count of one slot's samples (reorders them).
pub fn slot_stats(samples: &mut [i64]) -> SlotStats {
    if samples.is_empty() {
        return SlotStats::default();
    }
    let median = median_of(samples);
    let mut deviations: Vec<i64> = samples
        .iter()
        .map(|&x| (i128::from(x) - i128::from(median)).unsigned_abs())
        .map(|d| i64::try_from(d).unwrap_or(i64::MAX))
        .collect();
    let mad = median_of(&mut deviations);
    let scaled = i128::from(mad) * 14_826 / 10_000;
    let spread = scaled
        .max(i128::from(median) / 20)
        .max(i128::from(SPREAD_FLOOR_UWH));
    SlotStats {
        median: Energy::from_uwh(median),
        spread: Energy::from_uwh(i64::try_from(spread).unwrap_or(i64::MAX)),
        samples: samples.len() as u32,
    }
}

/// The middle value after sorting; the floored mean of the middle two.
fn median_of(values: &mut [i64]) -> i64 {
    values.sort_unstable();
    let n = values.len();
    if n % 2 == 1 {
        values[n / 2]
    } else {
        let sum = i128::from(values[n / 2 - 1]) + i128::from(values[n / 2]);
        sum.div_euclid(2) as i64
    }
}

/// The slots as stored (`device_baselines.slots`): 168 `median:spread:samples`
/// triples in µWh, comma-separated, Monday 00:00 first. Energies are never
/// negative and samples at most a few dozen: at most 168 × 43 characters,
/// within the column's 8,000.
pub fn encode_slots(slots: &[SlotStats]) -> String {
    slots
        .iter()
        .map(|s| format!("{}:{}:{}", s.median.uwh(), s.spread.uwh(), s.samples))
        .collect::<Vec<_>>()
        .join(",")
}

/// [`encode_slots`] read back; `None` unless exactly 168 well-formed triples.
pub fn decode_slots(text: &str) -> Option<Vec<SlotStats>> {
    let mut slots = Vec::with_capacity(SLOTS);
    for part in text.split(',') {
        let mut fields = part.split(':');
        let median = fields.next()?.parse::<i64>().ok()?;
        let spread = fields.next()?.parse::<i64>().ok()?;
        let samples = fields.next()?.parse::<u32>().ok()?;
        if fields.next().is_some() || slots.len() == SLOTS {
            return None;
        }
        slots.push(SlotStats {
            median: Energy::from_uwh(median),
            spread: Energy::from_uwh(spread),
            samples,
        });
    }
    (slots.len() == SLOTS).then_some(slots)
}

/// Whole weeks of history at `now_ms` for a device whose first stored hour is
/// `first_row_ms`, counted inside a window of `weeks` (as [`learn_baseline`]).
pub fn weeks_of_history(first_row_ms: Option<i64>, now_ms: i64, weeks: u32) -> u32 {
    let (from, to) = history_from_ms(now_ms, weeks);
    match first_row_ms {
        Some(first) => {
            let start = from.max(first.div_euclid(HOUR_MS) * HOUR_MS);
            if start >= to {
                0
            } else {
                ((to - start) / WEEK_MS) as u32
            }
        }
        None => 0,
    }
}

#[cfg(test)]
mod tests;
