//! Unusual consumption: a run of consecutive hours whose energy departs from
//! the baseline's median of each hour by more than `sensitivity` × its spread,
//! all above (`high`) or all below (`low`).
//!
//! Observed hours are grouped like the baseline's samples: the local hour that
//! occurs twice on a fall-back day is one hour holding both UTC hours' energy.
//! An hour with no row used nothing, so a device that stops counts as `low`,
//! but only in slots whose median is at least [`QUIET_MIN_MEDIAN_UWH`]. A slot
//! without samples, or a baseline that is not ready, never departs.

use super::baseline::{local_hour, Baseline};
use crate::consumption::HOUR_MS;
use crate::{ApiError, Energy};
use serde::Serialize;
use std::collections::HashMap;

/// The sensitivity used unless a device has its own.
pub const DEFAULT_SENSITIVITY: f64 = 3.0;
/// The consecutive hours a departure must last unless a device says otherwise.
pub const DEFAULT_SUSTAIN_HOURS: u32 = 3;
/// The most hours looked at in one call (one week).
pub const MAX_OBSERVED_HOURS: i64 = 168;
/// A quiet hour counts only where the median is at least this (50 Wh).
pub const QUIET_MIN_MEDIAN_UWH: i64 = 50_000_000;

/// How readily a device's departures are reported.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct UnusualSettings {
    /// How many spreads from the median an hour must be, 1.0–10.0.
    pub sensitivity: f64,
    /// How many consecutive hours, 1–24.
    pub sustain_hours: u32,
}

impl Default for UnusualSettings {
    fn default() -> Self {
        UnusualSettings {
            sensitivity: DEFAULT_SENSITIVITY,
            sustain_hours: DEFAULT_SUSTAIN_HOURS,
        }
    }
}

impl UnusualSettings {
    /// Checks `sensitivity` (finite, 1.0–10.0) and `sustain_hours` (1–24).
    pub fn new(sensitivity: f64, sustain_hours: u32) -> Result<Self, ApiError> {
        if !(sensitivity.is_finite() && (1.0..=10.0).contains(&sensitivity)) {
            return Err(ApiError::invalid(
                "sensitivity",
                "sensitivity: must be 1.0 to 10.0",
            ));
        }
        if !(1..=24).contains(&sustain_hours) {
            return Err(ApiError::invalid(
                "sustain_hours",
                "sustain_hours: must be 1 to 24",
            ));
        }
        Ok(UnusualSettings {
            sensitivity,
            sustain_hours,
        })
    }
}

/// Whether a run used more or less than usual.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// Above the median by more than the threshold.
    High,
    /// Below the median by more than the threshold (a quiet period).
    Low,
}

/// A run of unusual hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct UnusualRun {
    /// The UTC start of the run's first hour.
    pub from_ms: i64,
    /// The UTC end of the run's last hour.
    pub to_ms: i64,
    /// UTC hours in the run.
    pub hours: u32,
    /// The sum of the baseline's medians over the run.
    pub expected: Energy,
    /// The energy used over the run.
    pub observed: Energy,
    /// Above or below the baseline.
    pub direction: Direction,
}

impl UnusualRun {
    /// The expected energy in kWh, for the alert.
    pub fn expected_kwh(&self) -> f64 {
        self.expected.kwh()
    }

    /// The observed energy in kWh, for the alert.
    pub fn observed_kwh(&self) -> f64 {
        self.observed.kwh()
    }
}

/// One local hour: its UTC span, slot and energy.
struct LocalHour {
    from_ms: i64,
    to_ms: i64,
    slot: usize,
    energy: Energy,
}

/// The latest run of at least `sustain_hours` departing hours among the whole
/// UTC hours of `[from_ms, to_ms)` (at most the last [`MAX_OBSERVED_HOURS`]),
/// from the `observed` rows (`hour_start_ms`, energy); `None` when there is
/// none or the baseline is not ready.
pub fn find_unusual(
    baseline: &Baseline,
    observed: &[(i64, Energy)],
    from_ms: i64,
    to_ms: i64,
    settings: UnusualSettings,
) -> Option<UnusualRun> {
    if !baseline.ready {
        return None;
    }
    let to = to_ms.div_euclid(HOUR_MS) * HOUR_MS;
    let from = (from_ms.div_euclid(HOUR_MS) * HOUR_MS).max(to - MAX_OBSERVED_HOURS * HOUR_MS);
    let mut by_hour: HashMap<i64, Energy> = HashMap::new();
    for &(h, e) in observed {
        let h = h.div_euclid(HOUR_MS) * HOUR_MS;
        if h >= from && h < to {
            *by_hour.entry(h).or_default() += e;
        }
    }
    let mut hours: Vec<(LocalHour, _)> = Vec::new();
    let mut hour = from;
    while hour < to {
        let energy = by_hour.get(&hour).copied().unwrap_or_default();
        let key = local_hour(hour, baseline.tz);
        match (hours.last_mut(), key) {
            (Some((last, last_key)), Some(key)) if *last_key == key => {
                last.to_ms = hour + HOUR_MS;
                last.energy += energy;
            }
            (_, Some(key)) => hours.push((
                LocalHour {
                    from_ms: hour,
                    to_ms: hour + HOUR_MS,
                    slot: key.1,
                    energy,
                },
                key,
            )),
            (_, None) => {}
        }
        hour += HOUR_MS;
    }
    let mut found = None;
    let mut run: Option<UnusualRun> = None;
    for (h, _) in &hours {
        let direction = departure(baseline, h, settings.sensitivity);
        let stats = baseline.slots[h.slot];
        run = match (run, direction) {
            (Some(r), Some(d)) if r.direction == d && r.to_ms == h.from_ms => Some(UnusualRun {
                to_ms: h.to_ms,
                hours: r.hours + ((h.to_ms - h.from_ms) / HOUR_MS) as u32,
                expected: r.expected + stats.median,
                observed: r.observed + h.energy,
                ..r
            }),
            (_, Some(d)) => Some(UnusualRun {
                from_ms: h.from_ms,
                to_ms: h.to_ms,
                hours: ((h.to_ms - h.from_ms) / HOUR_MS) as u32,
                expected: stats.median,
                observed: h.energy,
                direction: d,
            }),
            (_, None) => None,
        };
        // Hours come in order, so the latest qualifying run wins.
        if let Some(r) = run.filter(|r| r.hours >= settings.sustain_hours) {
            found = Some(r);
        }
    }
    found
}

/// Whether an hour departs from its slot, and which way.
fn departure(baseline: &Baseline, hour: &LocalHour, sensitivity: f64) -> Option<Direction> {
    let stats = baseline.slots[hour.slot];
    if stats.samples == 0 {
        return None;
    }
    let diff = hour.energy.uwh() as f64 - stats.median.uwh() as f64;
    let threshold = sensitivity * stats.spread.uwh() as f64;
    if diff > threshold {
        Some(Direction::High)
    } else if -diff > threshold && stats.median.uwh() >= QUIET_MIN_MEDIAN_UWH {
        Some(Direction::Low)
    } else {
        None
    }
}

/// How far back a check looks before the hours it has not yet seen, so that
/// a run spanning two checks is found whole (one day).
pub const LOOK_BACK_MS: i64 = 24 * HOUR_MS;

/// The hours a check at data time `to_ms` looks at, given that hours before
/// `checked_to_ms` were looked at before: `[from, to)` with at most
/// [`MAX_OBSERVED_HOURS`] hours; `None` when there is no new whole hour.
pub fn check_window(checked_to_ms: i64, to_ms: i64) -> Option<(i64, i64)> {
    let to = to_ms.div_euclid(HOUR_MS) * HOUR_MS;
    if to <= checked_to_ms {
        return None;
    }
    let from = checked_to_ms
        .saturating_sub(LOOK_BACK_MS)
        .max(to - MAX_OBSERVED_HOURS * HOUR_MS);
    Some((from, to))
}

/// What to do with the latest run a check found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertDecision {
    /// A run that starts at or after the end of the last one alerted: one alert.
    Raise,
    /// The run alerted before, grown longer: no second alert, remember its new end.
    Extend,
    /// Nothing new.
    Nothing,
}

/// One alert per run: `alerted_to_ms` is the end of the last run alerted.
pub fn decide(run: &UnusualRun, alerted_to_ms: i64) -> AlertDecision {
    if run.from_ms >= alerted_to_ms {
        AlertDecision::Raise
    } else if run.to_ms > alerted_to_ms {
        AlertDecision::Extend
    } else {
        AlertDecision::Nothing
    }
}

#[cfg(test)]
mod tests;
