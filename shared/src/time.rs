//! Time rules: IANA zones, local days (23, 24 or 25 hours long), chart buckets,
//! and the API's time formats. Everything is stored in UTC; a zone only decides
//! where local days and months begin.

use crate::ApiError;
use chrono::{DateTime, Datelike, Duration, LocalResult, NaiveDate, SecondsFormat, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// An IANA zone name such as `Europe/Bucharest`.
pub fn parse_tz(name: &str) -> Result<Tz, ApiError> {
    name.parse::<Tz>()
        .map_err(|_| ApiError::invalid("tz", format!("unknown time zone {name:?}")))
}

/// A calendar date written `YYYY-MM-DD`.
pub fn parse_date(s: &str) -> Result<NaiveDate, ApiError> {
    let shaped = s.len() == 10
        && s.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    shaped
        .then(|| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
        .flatten()
        .ok_or_else(|| ApiError::invalid("date", "must be a date written YYYY-MM-DD"))
}

/// An instant written in RFC 3339 (any offset), for query parameters like `from` and `to`.
pub fn parse_instant(field: &str, s: &str) -> Result<DateTime<Utc>, ApiError> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            ApiError::invalid(field, "must be an RFC 3339 time, e.g. 2026-03-29T00:00:00Z")
        })
}

/// The first instant whose local time in `tz` is at or after `date`'s midnight.
fn local_day_start(date: NaiveDate, tz: Tz) -> DateTime<Utc> {
    let midnight = date.and_time(chrono::NaiveTime::MIN);
    match tz.from_local_datetime(&midnight) {
        LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => t.with_timezone(&Utc),
        // Midnight falls in a gap (clocks jump forward at 00:00): the day starts
        // at the transition. Offsets lie within ±15 h and local time only moves
        // forward around a gap, so bisect the seconds of that span.
        LocalResult::None => {
            let naive_utc = midnight.and_utc().timestamp();
            let (mut before, mut after) = (naive_utc - 15 * 3600, naive_utc + 15 * 3600);
            let local = |s: i64| {
                let t = DateTime::from_timestamp(s, 0).unwrap_or(DateTime::<Utc>::MIN_UTC);
                t.with_timezone(&tz).naive_local()
            };
            while after - before > 1 {
                let mid = before + (after - before) / 2;
                if local(mid) >= midnight {
                    after = mid;
                } else {
                    before = mid;
                }
            }
            DateTime::from_timestamp(after, 0).unwrap_or(DateTime::<Utc>::MIN_UTC)
        }
    }
}

/// The UTC span `[start, end)` of a local day in `tz`, from its first instant to
/// the first instant of the next day (also when a midnight does not exist).
pub fn day_window(date: NaiveDate, tz: Tz) -> (DateTime<Utc>, DateTime<Utc>) {
    let start = local_day_start(date, tz);
    let end = match date.succ_opt() {
        Some(next) => local_day_start(next, tz),
        None => start + Duration::days(1),
    };
    (start, end)
}

/// The UTC start of each hour of a local day: 23 entries on a spring-forward
/// day, 25 on a fall-back day, 24 otherwise (for whole-hour clock changes).
pub fn day_hours(date: NaiveDate, tz: Tz) -> Vec<DateTime<Utc>> {
    let (start, end) = day_window(date, tz);
    let mut hours = Vec::with_capacity(25);
    let mut hour = start;
    while hour < end {
        hours.push(hour);
        hour += Duration::hours(1);
    }
    hours
}

/// The size of a chart bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Bucket {
    /// A UTC clock hour.
    Hour,
    /// A local day.
    Day,
    /// A local calendar month.
    Month,
}

impl Bucket {
    /// The name used in query strings and JSON.
    pub const fn as_str(self) -> &'static str {
        match self {
            Bucket::Hour => "hour",
            Bucket::Day => "day",
            Bucket::Month => "month",
        }
    }
}

impl fmt::Display for Bucket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Bucket {
    type Err = ApiError;

    fn from_str(s: &str) -> Result<Self, ApiError> {
        match s {
            "hour" => Ok(Bucket::Hour),
            "day" => Ok(Bucket::Day),
            "month" => Ok(Bucket::Month),
            _ => Err(ApiError::invalid("bucket", "must be hour, day or month")),
        }
    }
}

/// The local date of an instant in `tz`.
fn local_date(t: DateTime<Utc>, tz: Tz) -> NaiveDate {
    t.with_timezone(&tz).date_naive()
}

/// The first day of the month after `date`'s month.
fn next_month(date: NaiveDate) -> Option<NaiveDate> {
    let (y, m) = if date.month() == 12 {
        (date.year() + 1, 1)
    } else {
        (date.year(), date.month() + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1)
}

/// The start of the bucket containing `t`: its UTC hour, or the start of its local day or month.
pub fn bucket_start(t: DateTime<Utc>, bucket: Bucket, tz: Tz) -> DateTime<Utc> {
    match bucket {
        Bucket::Hour => crate::consumption::hour_start(t),
        Bucket::Day => day_window(local_date(t, tz), tz).0,
        Bucket::Month => day_window(local_date(t, tz).with_day(1).expect("day 1 exists"), tz).0,
    }
}

/// The start of the bucket after the one starting at `start`.
fn next_bucket_start(start: DateTime<Utc>, bucket: Bucket, tz: Tz) -> Option<DateTime<Utc>> {
    match bucket {
        Bucket::Hour => start.checked_add_signed(Duration::hours(1)),
        Bucket::Day => Some(day_window(local_date(start, tz), tz).1),
        Bucket::Month => next_month(local_date(start, tz)).map(|d| day_window(d, tz).0),
    }
}

/// The start of every bucket that intersects `[from, to)`, in order (the first
/// may lie before `from`). Empty when `to <= from`.
pub fn bucket_starts(
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    bucket: Bucket,
    tz: Tz,
) -> Vec<DateTime<Utc>> {
    let mut starts = Vec::new();
    if to <= from {
        return starts;
    }
    let mut start = bucket_start(from, bucket, tz);
    while start < to {
        starts.push(start);
        match next_bucket_start(start, bucket, tz) {
            Some(next) if next > start => start = next,
            _ => break,
        }
    }
    starts
}

/// Unix milliseconds, the form times are stored in.
pub fn to_unix_ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

/// The instant of a unix millisecond count, if chrono can represent it.
pub fn from_unix_ms(ms: i64) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp_millis(ms)
}

/// The API's time format: RFC 3339 in UTC to the second, e.g. `2026-03-29T01:00:00Z`.
pub fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A stored time (unix ms) in the API's format ([`rfc3339`]); empty for a
/// count chrono cannot represent (no stored time is one).
pub fn rfc3339_ms(ms: i64) -> String {
    from_unix_ms(ms).map(rfc3339).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_milliseconds_as_rfc3339() {
        assert_eq!(rfc3339_ms(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339_ms(1_774_746_000_999), "2026-03-29T01:00:00Z");
        assert_eq!(rfc3339_ms(i64::MAX), "");
    }

    fn utc(s: &str) -> DateTime<Utc> {
        parse_instant("t", s).unwrap()
    }

    #[test]
    fn parses_zones_dates_and_buckets() {
        assert_eq!(
            parse_tz("Europe/Bucharest").unwrap(),
            chrono_tz::Europe::Bucharest
        );
        assert_eq!(
            parse_tz("Mars/Olympus").unwrap_err().field.as_deref(),
            Some("tz")
        );
        assert_eq!(
            parse_date("2026-03-29").unwrap(),
            NaiveDate::from_ymd_opt(2026, 3, 29).unwrap()
        );
        for bad in [
            "2026-3-29",
            "2026-02-30",
            "29-03-2026",
            " 2026-03-29",
            "2026-03-29T00",
        ] {
            assert_eq!(
                parse_date(bad).unwrap_err().field.as_deref(),
                Some("date"),
                "{bad}"
            );
        }
        assert_eq!("month".parse::<Bucket>().unwrap(), Bucket::Month);
        assert_eq!(
            "Week".parse::<Bucket>().unwrap_err().field.as_deref(),
            Some("bucket")
        );
        assert_eq!(serde_json::to_string(&Bucket::Day).unwrap(), "\"day\"");
    }

    #[test]
    fn formats_and_converts_instants() {
        let t = utc("2026-03-29T03:00:00+02:00");
        assert_eq!(rfc3339(t), "2026-03-29T01:00:00Z");
        assert_eq!(to_unix_ms(t), 1_774_746_000_000);
        assert_eq!(from_unix_ms(1_774_746_000_000), Some(t));
        assert_eq!(from_unix_ms(i64::MAX), None);
    }

    #[test]
    fn a_day_whose_midnight_does_not_exist_starts_at_the_jump() {
        // São Paulo sprang forward at midnight on 2018-11-04: 00:00 became 01:00 (-02).
        let (start, end) = day_window(
            NaiveDate::from_ymd_opt(2018, 11, 4).unwrap(),
            chrono_tz::America::Sao_Paulo,
        );
        assert_eq!(start, utc("2018-11-04T03:00:00Z"));
        assert_eq!(end, utc("2018-11-05T02:00:00Z"));
    }

    #[test]
    fn buckets_follow_local_days_and_months() {
        let tz = chrono_tz::Europe::Bucharest;
        let t = utc("2026-03-28T23:30:00Z"); // 01:30 local on 03-29
        assert_eq!(
            bucket_start(t, Bucket::Hour, tz),
            utc("2026-03-28T23:00:00Z")
        );
        assert_eq!(
            bucket_start(t, Bucket::Day, tz),
            utc("2026-03-28T22:00:00Z")
        );
        assert_eq!(
            bucket_start(t, Bucket::Month, tz),
            utc("2026-02-28T22:00:00Z")
        );
        let days = bucket_starts(
            utc("2026-03-28T12:00:00Z"),
            utc("2026-03-30T00:00:00Z"),
            Bucket::Day,
            tz,
        );
        let days: Vec<String> = days.into_iter().map(rfc3339).collect();
        assert_eq!(
            days,
            [
                "2026-03-27T22:00:00Z",
                "2026-03-28T22:00:00Z",
                "2026-03-29T21:00:00Z"
            ]
        );
        let months = bucket_starts(
            utc("2025-12-15T00:00:00Z"),
            utc("2026-02-01T00:00:00Z"),
            Bucket::Month,
            tz,
        );
        assert_eq!(
            months,
            [
                utc("2025-11-30T22:00:00Z"),
                utc("2025-12-31T22:00:00Z"),
                utc("2026-01-31T22:00:00Z")
            ]
        );
        assert!(bucket_starts(t, t, Bucket::Hour, tz).is_empty());
    }
}
