//! A heater left on at night, added to planned readings: the demonstration of
//! an unusual-consumption alert (see `docs/insight.md`).
//!
//! A night is 22:00–06:00 local time in a zone, dated by the day it begins;
//! clock changes make it 7 or 9 hours long. The heater runs on the last
//! `nights` whole nights inside the plan's span (first to last reading). Each
//! device's register gains the heater's power times the part of the time since
//! its previous reading that falls in those nights, and every later reading of
//! the device is shifted up by everything gained so far, so the register never
//! goes down.

use crate::plan::Planned;
use chrono::{DateTime, Duration, LocalResult, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use std::collections::HashMap;
use uuid::Uuid;

/// The local hour a night begins.
pub const NIGHT_START_HOUR: u32 = 22;
/// The local hour a night ends (on the next day).
pub const NIGHT_END_HOUR: u32 = 6;
/// The most power a heater may draw, in kW.
pub const MAX_HEATER_KW: f64 = 50.0;
/// The most nights a heater may be left on.
pub const MAX_HEATER_NIGHTS: u32 = 14;

const MS_PER_HOUR: f64 = 3_600_000.0;

/// A heater left on at night.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Heater {
    /// Its power in kW, more than 0 and at most [`MAX_HEATER_KW`].
    pub kw: f64,
    /// How many of the plan's last whole nights it runs, 1–[`MAX_HEATER_NIGHTS`].
    pub nights: u32,
    /// The zone whose 22:00–06:00 is the night.
    pub tz: Tz,
}

/// Why a heater cannot be added.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum HeaterError {
    /// The power is out of range.
    #[error("the heater's power must be more than 0 and at most 50 kW (got {0})")]
    Power(f64),
    /// The number of nights is out of range.
    #[error("the heater runs on 1 to 14 nights (got {0})")]
    Nights(u32),
    /// The plan is too short for the nights asked for.
    #[error(
        "the played readings span {found} whole night(s) (22:00–06:00 {tz}), fewer than the {wanted} asked for: play more readings (--count) or ask for fewer nights"
    )]
    TooFewNights {
        /// Whole nights inside the plan's span.
        found: u32,
        /// Nights asked for.
        wanted: u32,
        /// The zone.
        tz: Tz,
    },
}

impl Heater {
    /// Checks the power (0 < kW ≤ 50) and the nights (1–14).
    pub fn new(kw: f64, nights: u32, tz: Tz) -> Result<Self, HeaterError> {
        if !(kw.is_finite() && kw > 0.0 && kw <= MAX_HEATER_KW) {
            return Err(HeaterError::Power(kw));
        }
        if !(1..=MAX_HEATER_NIGHTS).contains(&nights) {
            return Err(HeaterError::Nights(nights));
        }
        Ok(Heater { kw, nights, tz })
    }
}

/// One night: the local date it begins and its UTC span `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Night {
    /// The local date of its 22:00.
    pub date: NaiveDate,
    /// 22:00 local on `date`.
    pub start: DateTime<Utc>,
    /// 06:00 local on the next day.
    pub end: DateTime<Utc>,
}

impl Night {
    /// The night beginning on the local `date` in `tz`.
    pub fn of(date: NaiveDate, tz: Tz) -> Night {
        let next = date.succ_opt().unwrap_or(date);
        Night {
            date,
            start: local_instant(date, NIGHT_START_HOUR, tz),
            end: local_instant(next, NIGHT_END_HOUR, tz),
        }
    }

    /// Its length in hours of real time (7 or 9 across a clock change).
    pub fn hours(&self) -> f64 {
        (self.end - self.start).num_milliseconds() as f64 / MS_PER_HOUR
    }
}

/// The first instant at or after `hour`:00 local on `date` (a time in a
/// spring-forward gap moves to the end of the gap; a repeated one is its
/// first occurrence).
fn local_instant(date: NaiveDate, hour: u32, tz: Tz) -> DateTime<Utc> {
    let Some(mut naive) = date.and_hms_opt(hour, 0, 0) else {
        return DateTime::<Utc>::MIN_UTC;
    };
    // Gaps are at most a day long (Samoa, 2011): probe in quarter hours.
    for _ in 0..=24 * 4 {
        match tz.from_local_datetime(&naive) {
            LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => return t.with_timezone(&Utc),
            LocalResult::None => naive += Duration::minutes(15),
        }
    }
    naive.and_utc()
}

/// The last `count` whole nights inside `[first, last]`, oldest first (fewer
/// when the span holds fewer).
pub fn last_nights(first: DateTime<Utc>, last: DateTime<Utc>, count: u32, tz: Tz) -> Vec<Night> {
    let mut nights = Vec::new();
    let mut date = last.with_timezone(&tz).date_naive();
    while nights.len() < count as usize {
        let night = Night::of(date, tz);
        if night.end < first {
            break;
        }
        if night.start >= first && night.end <= last {
            nights.push(night);
        }
        match date.pred_opt() {
            Some(d) => date = d,
            None => break,
        }
    }
    nights.reverse();
    nights
}

/// What [`inject_heater`] did.
#[derive(Debug, Clone, PartialEq)]
pub struct Injected {
    /// The readings, in the same order, registers raised.
    pub planned: Vec<Planned>,
    /// The nights the heater ran, oldest first.
    pub nights: Vec<Night>,
    /// The energy added to each device's register by its last reading, kWh.
    pub added_kwh: HashMap<Uuid, f64>,
}

/// Adds `heater` to every device of `planned` on the plan's last whole nights.
/// A device's readings are taken in the order given (meter-time order per
/// device); time before its first reading gains nothing.
pub fn inject_heater(planned: Vec<Planned>, heater: &Heater) -> Result<Injected, HeaterError> {
    let span = planned.iter().map(|p| p.at).fold(
        None,
        |acc: Option<(DateTime<Utc>, DateTime<Utc>)>, at| {
            Some(acc.map_or((at, at), |(lo, hi)| (lo.min(at), hi.max(at))))
        },
    );
    let nights = match span {
        Some((first, last)) => last_nights(first, last, heater.nights, heater.tz),
        None => Vec::new(),
    };
    if nights.len() < heater.nights as usize {
        return Err(HeaterError::TooFewNights {
            found: nights.len() as u32,
            wanted: heater.nights,
            tz: heater.tz,
        });
    }
    // Per device: the previous reading's time and the night milliseconds so far.
    let mut state: HashMap<Uuid, (DateTime<Utc>, i64)> = HashMap::new();
    let mut out = Vec::with_capacity(planned.len());
    for mut p in planned {
        let (previous, night_ms) = state.entry(p.device_id).or_insert((p.at, 0));
        *night_ms += nights
            .iter()
            .map(|n| overlap_ms(*previous, p.at, n.start, n.end))
            .sum::<i64>();
        *previous = p.at;
        p.register_kwh += heater.kw * (*night_ms as f64) / MS_PER_HOUR;
        out.push(p);
    }
    let added_kwh = state
        .into_iter()
        .map(|(device, (_, ms))| (device, heater.kw * ms as f64 / MS_PER_HOUR))
        .collect();
    Ok(Injected {
        planned: out,
        nights,
        added_kwh,
    })
}

/// Milliseconds shared by `[a, b)` and `[c, d)`.
fn overlap_ms(a: DateTime<Utc>, b: DateTime<Utc>, c: DateTime<Utc>, d: DateTime<Utc>) -> i64 {
    (b.min(d) - a.max(c)).num_milliseconds().max(0)
}

#[cfg(test)]
mod tests;
