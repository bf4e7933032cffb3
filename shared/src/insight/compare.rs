//! Periods of a chart (a local day, week, month or year), the periods it is
//! compared with (the one before, and the same one a year earlier), and how
//! their bars are matched: by position in local time (docs/insight.md).

use crate::time::{bucket_starts, day_hours, day_window, Bucket};
use crate::{ApiError, Energy};
use chrono::{DateTime, Datelike, Duration, Months, NaiveDate, Timelike, Utc};
use chrono_tz::Tz;

/// A chart's period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    /// A local day, by hour.
    Day,
    /// Monday to Sunday, by day.
    Week,
    /// A calendar month, by day.
    Month,
    /// A calendar year, by month.
    Year,
}

impl Period {
    /// `day`, `week`, `month` or `year`.
    pub fn parse(s: &str) -> Result<Period, ApiError> {
        match s {
            "day" => Ok(Period::Day),
            "week" => Ok(Period::Week),
            "month" => Ok(Period::Month),
            "year" => Ok(Period::Year),
            _ => Err(ApiError::invalid(
                "period",
                "period must be day, week, month or year",
            )),
        }
    }

    /// Its name in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Period::Day => "day",
            Period::Week => "week",
            Period::Month => "month",
            Period::Year => "year",
        }
    }

    /// Its bars.
    pub fn bucket(self) -> Bucket {
        match self {
            Period::Day => Bucket::Hour,
            Period::Week | Period::Month => Bucket::Day,
            Period::Year => Bucket::Month,
        }
    }

    /// The first local date of the period containing `date`.
    pub fn start(self, date: NaiveDate) -> NaiveDate {
        match self {
            Period::Day => date,
            Period::Week => date - Duration::days(i64::from(date.weekday().num_days_from_monday())),
            Period::Month => date.with_day(1).unwrap_or(date),
            Period::Year => date.with_ordinal(1).unwrap_or(date),
        }
    }

    /// The first local date after the period starting at `start`.
    pub fn end(self, start: NaiveDate) -> NaiveDate {
        match self {
            Period::Day => start + Duration::days(1),
            Period::Week => start + Duration::days(7),
            Period::Month => start + Months::new(1),
            Period::Year => start + Months::new(12),
        }
    }
}

/// What a chart is compared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    /// The period before.
    Previous,
    /// The same period a year earlier (52 weeks earlier for a day or week).
    Year,
}

impl Comparison {
    /// A comma list of `previous` and `year` (each at most once).
    pub fn parse_list(s: &str) -> Result<Vec<Comparison>, ApiError> {
        let mut out = Vec::new();
        for item in s.split(',').map(str::trim).filter(|i| !i.is_empty()) {
            let c = match item {
                "previous" => Comparison::Previous,
                "year" => Comparison::Year,
                _ => {
                    return Err(ApiError::invalid(
                        "compare",
                        "compare must list previous and/or year",
                    ))
                }
            };
            if !out.contains(&c) {
                out.push(c);
            }
        }
        Ok(out)
    }

    /// Its name in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Comparison::Previous => "previous",
            Comparison::Year => "year",
        }
    }

    /// The first date of the compared period of `period` starting at `start`.
    pub fn start(self, period: Period, start: NaiveDate) -> NaiveDate {
        match (self, period) {
            (Comparison::Previous, Period::Day) => start - Duration::days(1),
            (Comparison::Previous, Period::Week) => start - Duration::days(7),
            (Comparison::Previous, Period::Month) => start - Months::new(1),
            (Comparison::Previous | Comparison::Year, Period::Year) => start - Months::new(12),
            // A Monday with a Monday.
            (Comparison::Year, Period::Day | Period::Week) => start - Duration::days(364),
            (Comparison::Year, Period::Month) => start - Months::new(12),
        }
    }
}

/// The UTC span of the period starting at `start` in `tz`, and its bars' starts.
pub fn bars(
    period: Period,
    start: NaiveDate,
    tz: Tz,
) -> (DateTime<Utc>, DateTime<Utc>, Vec<DateTime<Utc>>) {
    let from = day_window(start, tz).0;
    let end = period.end(start);
    let to = day_window(end, tz).0;
    let starts = match period {
        Period::Day => day_hours(start, tz),
        _ => bucket_starts(from, to, period.bucket(), tz),
    };
    (from, to, starts)
}

/// Where a bar sits in its period, in local time.
fn position(period: Period, t: DateTime<Utc>, tz: Tz) -> (u32, u32) {
    let local = t.with_timezone(&tz);
    match period {
        Period::Day => (local.hour(), local.minute()),
        Period::Week => (local.weekday().num_days_from_monday(), 0),
        Period::Month => (local.day(), 0),
        Period::Year => (local.month(), 0),
    }
}

/// For each of the chart's bars, the index of the compared period's bar in
/// the same local position (the same clock hour, weekday, day of month or
/// month), if any; a repeated clock hour is matched once, by its first
/// occurrence.
pub fn align(
    period: Period,
    main: &[DateTime<Utc>],
    other: &[DateTime<Utc>],
    tz: Tz,
) -> Vec<Option<usize>> {
    let mut used = vec![false; other.len()];
    main.iter()
        .map(|&t| {
            let p = position(period, t, tz);
            let i = other
                .iter()
                .enumerate()
                .position(|(i, &o)| !used[i] && position(period, o, tz) == p)?;
            used[i] = true;
            Some(i)
        })
        .collect()
}

/// The change from `before` to `now`: kWh, and per cent of `before` (`None`
/// when `before` is zero).
pub fn change(now: Energy, before: Energy) -> (f64, Option<f64>) {
    let diff = now.kwh() - before.kwh();
    let pct = (before != Energy::ZERO).then(|| diff / before.kwh() * 100.0);
    (diff, pct)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn periods_and_their_comparisons() {
        let date = d("2026-12-05"); // a Saturday
        assert_eq!(Period::Week.start(date), d("2026-11-30"));
        assert_eq!(Period::Month.start(date), d("2026-12-01"));
        assert_eq!(Period::Year.start(date), d("2026-01-01"));
        assert_eq!(Period::Month.end(d("2026-12-01")), d("2027-01-01"));
        let monday = d("2026-11-30");
        for (c, p, start, want) in [
            (Comparison::Previous, Period::Day, date, "2026-12-04"),
            (Comparison::Year, Period::Day, date, "2025-12-06"),
            (Comparison::Previous, Period::Week, monday, "2026-11-23"),
            (Comparison::Year, Period::Week, monday, "2025-12-01"),
            (
                Comparison::Previous,
                Period::Month,
                d("2026-03-01"),
                "2026-02-01",
            ),
            (
                Comparison::Year,
                Period::Month,
                d("2026-03-01"),
                "2025-03-01",
            ),
            (
                Comparison::Previous,
                Period::Year,
                d("2026-01-01"),
                "2025-01-01",
            ),
            (
                Comparison::Year,
                Period::Year,
                d("2026-01-01"),
                "2025-01-01",
            ),
        ] {
            let got = c.start(p, start);
            assert_eq!(got, d(want), "{c:?} {p:?}");
            if c == Comparison::Year && matches!(p, Period::Day | Period::Week) {
                assert_eq!(got.weekday(), start.weekday());
            }
        }
        assert_eq!(
            Comparison::parse_list("year, previous,year").unwrap(),
            vec![Comparison::Year, Comparison::Previous]
        );
        assert!(Comparison::parse_list("").unwrap().is_empty());
        assert_eq!(
            Comparison::parse_list("last").unwrap_err().field.as_deref(),
            Some("compare")
        );
        assert_eq!(
            Period::parse("quarter").unwrap_err().field.as_deref(),
            Some("period")
        );
    }

    #[test]
    fn a_clock_change_day_is_matched_by_local_hour() {
        let tz: Tz = "Europe/Berlin".parse().unwrap();
        // 2026-03-29 has 23 hours, 2026-03-28 24, 2026-10-25 25.
        let (_, _, spring) = bars(Period::Day, d("2026-03-29"), tz);
        let (_, _, before) = bars(Period::Day, d("2026-03-28"), tz);
        assert_eq!((spring.len(), before.len()), (23, 24));
        let a = align(Period::Day, &spring, &before, tz);
        assert_eq!(a.len(), 23);
        assert_eq!(&a[..3], &[Some(0), Some(1), Some(3)]); // 00, 01, then 03: 02 does not exist
        let (_, _, fall) = bars(Period::Day, d("2026-10-25"), tz);
        assert_eq!(fall.len(), 25);
        let a = align(Period::Day, &fall, &before, tz);
        assert_eq!(&a[..4], &[Some(0), Some(1), Some(2), None]); // the repeated 02:00
        assert_eq!(a[24], Some(23));
    }

    #[test]
    fn months_and_years_are_matched_by_position() {
        let tz: Tz = "America/New_York".parse().unwrap();
        let (_, _, march) = bars(Period::Month, d("2026-03-01"), tz);
        let (_, _, feb) = bars(Period::Month, d("2026-02-01"), tz);
        assert_eq!((march.len(), feb.len()), (31, 28));
        let a = align(Period::Month, &march, &feb, tz);
        assert_eq!(a[27], Some(27));
        assert_eq!(&a[28..], &[None, None, None]);
        let (from, to, year) = bars(Period::Year, d("2026-01-01"), tz);
        assert_eq!(year.len(), 12);
        assert_eq!(from.to_rfc3339(), "2026-01-01T05:00:00+00:00");
        assert_eq!(to.to_rfc3339(), "2027-01-01T05:00:00+00:00");
        let (_, _, last) = bars(Period::Year, d("2025-01-01"), tz);
        assert_eq!(
            align(Period::Year, &year, &last, tz),
            (0..12).map(Some).collect::<Vec<_>>()
        );
        let (_, _, week) = bars(Period::Week, d("2026-11-30"), tz);
        assert_eq!(week.len(), 7);
        assert_eq!(
            change(
                Energy::from_uwh(3_000_000_000),
                Energy::from_uwh(2_000_000_000)
            ),
            (1.0, Some(50.0))
        );
        assert_eq!(change(Energy::from_uwh(1), Energy::ZERO).1, None);
    }
}
