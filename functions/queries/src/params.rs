//! Query-string parameters of the queries routes, each checked into a typed
//! value or a 422 naming the parameter.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use fn_common::Req;
use iems_shared::time::{self, Bucket};
use iems_shared::ApiError;

/// The zone used when `tz` is absent.
pub const DEFAULT_TZ: &str = "UTC";
/// Longest range per bucket size, in days (bounds the rows one request reads).
pub const MAX_HOUR_RANGE_DAYS: i64 = 400;
/// Longest range of `day` and `month` buckets, in days (about 10 years).
pub const MAX_LONG_RANGE_DAYS: i64 = 3700;
/// Chat history page size: default and largest.
pub const CHAT_LIMIT_DEFAULT: u32 = 50;
/// Largest chat history page.
pub const CHAT_LIMIT_MAX: u32 = 100;

/// A parameter that is absent or empty counts as absent.
fn param<'a>(req: &'a Req, name: &str) -> Option<&'a str> {
    req.query(name).filter(|v| !v.is_empty())
}

/// `tz` (IANA name), `UTC` by default; returns the zone and its name.
pub fn tz(req: &Req) -> Result<(Tz, String), ApiError> {
    let name = param(req, "tz").unwrap_or(DEFAULT_TZ);
    Ok((time::parse_tz(name)?, name.to_string()))
}

/// The required `date` (`YYYY-MM-DD`).
pub fn date(req: &Req) -> Result<NaiveDate, ApiError> {
    let raw = param(req, "date").ok_or_else(|| ApiError::invalid("date", "date is required"))?;
    let date = time::parse_date(raw)?;
    // Keep far from chrono's limits so day arithmetic never overflows.
    if !(1..=9999).contains(&chrono::Datelike::year(&date)) {
        return Err(ApiError::invalid(
            "date",
            "date must be within years 1 to 9999",
        ));
    }
    Ok(date)
}

/// A chart range: `[from, to)` with a bucket size, checked against the caps.
#[derive(Debug, Clone, Copy)]
pub struct Range {
    /// Inclusive start.
    pub from: DateTime<Utc>,
    /// Exclusive end.
    pub to: DateTime<Utc>,
    /// Bucket size (`hour` by default).
    pub bucket: Bucket,
}

/// `from`, `to` (RFC 3339, required) and `bucket` (`hour` by default).
pub fn range(req: &Req) -> Result<Range, ApiError> {
    let instant = |name: &str| -> Result<DateTime<Utc>, ApiError> {
        let raw = param(req, name)
            .ok_or_else(|| ApiError::invalid(name, format!("{name} is required")))?;
        time::parse_instant(name, raw)
    };
    let from = instant("from")?;
    let to = instant("to")?;
    let bucket: Bucket = param(req, "bucket").unwrap_or("hour").parse()?;
    if to <= from {
        return Err(ApiError::invalid("to", "to must be later than from"));
    }
    let cap = match bucket {
        Bucket::Hour => MAX_HOUR_RANGE_DAYS,
        Bucket::Day | Bucket::Month => MAX_LONG_RANGE_DAYS,
    };
    if to - from > Duration::days(cap) {
        return Err(ApiError::invalid(
            "to",
            format!("a range of {bucket} buckets may span at most {cap} days"),
        ));
    }
    Ok(Range { from, to, bucket })
}

/// An optional instant parameter (RFC 3339).
pub fn opt_instant(req: &Req, name: &str) -> Result<Option<DateTime<Utc>>, ApiError> {
    param(req, name)
        .map(|raw| time::parse_instant(name, raw))
        .transpose()
}

/// An optional `true`/`false` parameter.
pub fn opt_bool(req: &Req, name: &str) -> Result<Option<bool>, ApiError> {
    match param(req, name) {
        None => Ok(None),
        Some("true") => Ok(Some(true)),
        Some("false") => Ok(Some(false)),
        Some(_) => Err(ApiError::invalid(
            name,
            format!("{name} must be true or false"),
        )),
    }
}

/// An optional id used as a filter: malformed is a 422 (unlike in a path, where it is a 404).
pub fn opt_uuid(req: &Req, name: &str) -> Result<Option<String>, ApiError> {
    param(req, name)
        .map(|raw| {
            iems_shared::domain::parse_id(name, raw)
                .map(|id| id.to_string())
                .map_err(|_| ApiError::invalid(name, format!("{name} must be a UUID")))
        })
        .transpose()
}

/// An id from the path, canonical (lower-case, hyphenated); malformed is a 404.
pub fn path_id(what: &str, raw: &str) -> Result<String, ApiError> {
    iems_shared::domain::parse_id(what, raw).map(|id| id.to_string())
}

/// `limit` of chat history: 1 to 100, 50 by default.
pub fn chat_limit(req: &Req) -> Result<u32, ApiError> {
    match param(req, "limit") {
        None => Ok(CHAT_LIMIT_DEFAULT),
        Some(raw) => raw
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=CHAT_LIMIT_MAX).contains(n))
            .ok_or_else(|| ApiError::invalid("limit", "limit must be from 1 to 100")),
    }
}

/// The optional `before` message id of chat history.
pub fn before(req: &Req) -> Option<&str> {
    param(req, "before")
}
