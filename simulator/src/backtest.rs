//! How well the day-ahead forecast (`iems_shared::insight`) would have done on
//! a register series: every day that has a ready baseline is forecast from the
//! weeks before it alone and scored by its MAPE against what it really used.
//!
//! The course format carries no time: the series is placed from a fixed
//! Monday 00:00 UTC ([`SERIES_START_MS`]) at a step apart. Registers become
//! hourly rows the way readings do (exact µWh, each step's increase spread
//! over the UTC hours it covers), except that a register that goes down is a
//! reset that counts as 0.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use iems_shared::consumption::spread_energy;
use iems_shared::insight::{forecast_day, learn_baseline, mape, BaselineParams};
use iems_shared::time::{day_window, to_unix_ms};
use iems_shared::Energy;
use std::collections::BTreeMap;

/// Where the series starts: Monday 2026-01-05 00:00 UTC (any Monday would do).
pub const SERIES_START_MS: i64 = 1_767_571_200_000;

/// Why a series cannot be scored.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BacktestError {
    /// A register value is not an energy.
    #[error("register {index} ({kwh} kWh) is not a register value")]
    Register {
        /// 0-based position in the series.
        index: usize,
        /// The value.
        kwh: f64,
    },
    /// The step is not positive.
    #[error("the step must be positive")]
    Step,
}

/// The hourly energy rows (`hour_start_ms`, energy) of `registers` (kWh)
/// read `step` apart from `start_ms`: each step's increase in exact µWh spread
/// over the UTC hours it covers, a decrease (a reset) counting as 0. Every hour
/// the series touches has a row, in time order.
pub fn hourly_rows(
    registers: &[f64],
    start_ms: i64,
    step: Duration,
) -> Result<Vec<(i64, Energy)>, BacktestError> {
    let step_ms = step.num_milliseconds();
    if step_ms <= 0 {
        return Err(BacktestError::Step);
    }
    let energies = registers
        .iter()
        .enumerate()
        .map(|(index, &kwh)| {
            Energy::from_kwh(kwh).map_err(|_| BacktestError::Register { index, kwh })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut hours: BTreeMap<i64, Energy> = BTreeMap::new();
    for (i, pair) in energies.windows(2).enumerate() {
        let increase = Energy::from_uwh((pair[1].uwh() - pair[0].uwh()).max(0));
        let from = start_ms + i as i64 * step_ms;
        for (hour, part) in spread_energy(from, from + step_ms, increase) {
            *hours.entry(to_unix_ms(hour)).or_default() += part;
        }
    }
    Ok(hours.into_iter().collect())
}

/// One forecast day's score.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DayScore {
    /// The local date.
    pub date: NaiveDate,
    /// Its MAPE in per cent; `None` when every hour used nothing.
    pub mape: Option<f64>,
    /// Hours of the day (23, 24 or 25).
    pub hours: usize,
}

/// The scores of a series.
#[derive(Debug, Clone, PartialEq)]
pub struct Backtest {
    /// Whole local days covered by the series.
    pub whole_days: usize,
    /// Weeks of data in the series.
    pub weeks_of_data: f64,
    /// Every whole day after the baseline was ready, in order.
    pub days: Vec<DayScore>,
}

impl Backtest {
    /// The days' MAPEs (days with a value), in order.
    pub fn mapes(&self) -> Vec<f64> {
        self.days.iter().filter_map(|d| d.mape).collect()
    }

    /// The mean MAPE over the days that have one.
    pub fn mean(&self) -> Option<f64> {
        let m = self.mapes();
        (!m.is_empty()).then(|| m.iter().sum::<f64>() / m.len() as f64)
    }

    /// The median MAPE (mean of the middle two for an even count).
    pub fn median(&self) -> Option<f64> {
        let mut m = self.mapes();
        if m.is_empty() {
            return None;
        }
        m.sort_by(f64::total_cmp);
        let n = m.len();
        Some(if n % 2 == 1 {
            m[n / 2]
        } else {
            (m[n / 2 - 1] + m[n / 2]) / 2.0
        })
    }
}

/// Scores the forecast on hourly `rows` covering `[from_ms, to_ms)` (the
/// series' span): for every whole local day D of the span in `tz`, the
/// baseline is learned at D's local start from the rows before it
/// (`learn_baseline`, the series' first hour as the device's first), and once
/// it is ready `forecast_day(D)` is scored with `mape` against D's rows.
pub fn backtest(
    rows: &[(i64, Energy)],
    from_ms: i64,
    to_ms: i64,
    tz: Tz,
    params: BaselineParams,
) -> Backtest {
    let mut result = Backtest {
        whole_days: 0,
        weeks_of_data: (to_ms - from_ms).max(0) as f64 / (7.0 * 24.0 * 3_600_000.0),
        days: Vec::new(),
    };
    let (Some(first), Some(last)) = (
        DateTime::<Utc>::from_timestamp_millis(from_ms),
        DateTime::<Utc>::from_timestamp_millis(to_ms),
    ) else {
        return result;
    };
    let mut date = first.with_timezone(&tz).date_naive();
    let last_date = last.with_timezone(&tz).date_naive();
    while date <= last_date {
        let (start, end) = day_window(date, tz);
        let (start_ms, end_ms) = (to_unix_ms(start), to_unix_ms(end));
        if start_ms >= from_ms && end_ms <= to_ms {
            result.whole_days += 1;
            let baseline = learn_baseline(rows, Some(from_ms), start_ms, tz, params);
            if let Some(forecast) = forecast_day(&baseline, date) {
                let actual: Vec<(i64, Energy)> = rows
                    .iter()
                    .copied()
                    .filter(|&(h, _)| h >= start_ms && h < end_ms)
                    .collect();
                result.days.push(DayScore {
                    date,
                    mape: mape(&forecast, &actual),
                    hours: forecast.len(),
                });
            }
        }
        match date.succ_opt() {
            Some(next) => date = next,
            None => break,
        }
    }
    result
}

/// [`hourly_rows`] and [`backtest`] of a register series read `step` apart
/// from [`SERIES_START_MS`].
pub fn backtest_registers(
    registers: &[f64],
    step: Duration,
    tz: Tz,
    params: BaselineParams,
) -> Result<Backtest, BacktestError> {
    let rows = hourly_rows(registers, SERIES_START_MS, step)?;
    let span = step.num_milliseconds() * registers.len().saturating_sub(1) as i64;
    Ok(backtest(
        &rows,
        SERIES_START_MS,
        SERIES_START_MS + span,
        tz,
        params,
    ))
}

#[cfg(test)]
mod tests;
