//! `/api/consumption/{device_id}/...`: a local day's hours, a range in hour,
//! day or month buckets (JSON or CSV), and the current hour's running total.
//! Everything is read from `hourly_consumption` (UTC hours, µWh) and regrouped
//! with the shared crate's time rules.

use crate::access::VisibleDevice;
use crate::params;
use chrono::{DateTime, Utc};
use fn_common::db::{Db, Param};
use fn_common::{http, Req};
use iems_shared::consumption::{hour_start, into_buckets, HOUR_MS};
use iems_shared::time::{bucket_starts, day_hours, day_window, from_unix_ms, rfc3339, to_unix_ms};
use iems_shared::{ApiError, Energy};
use serde::Serialize;
use spin_sdk::http::Response;

/// One bar of a chart.
#[derive(Serialize)]
struct BucketOut {
    start: String,
    kwh: f64,
}

#[derive(Serialize)]
struct DayOut {
    device_id: String,
    date: String,
    tz: String,
    max_hourly_kwh: f64,
    hours: Vec<BucketOut>,
}

#[derive(Serialize)]
struct RangeOut {
    device_id: String,
    bucket: &'static str,
    tz: String,
    from: String,
    to: String,
    buckets: Vec<BucketOut>,
}

#[derive(Serialize)]
struct CurrentOut {
    device_id: String,
    hour_start: String,
    kwh: f64,
    max_hourly_kwh: f64,
}

/// The hourly rows of a device whose hour overlaps `[from_ms, to_ms)`.
fn hours(db: &Db, device: &str, from_ms: i64, to_ms: i64) -> Result<Vec<(i64, Energy)>, ApiError> {
    let rows = db.query(
        "SELECT hour_start, energy_uwh FROM hourly_consumption \
         WHERE device_id = ? AND hour_start > ? AND hour_start < ? ORDER BY hour_start",
        &[
            Param::from(device),
            Param::from(from_ms - HOUR_MS),
            Param::from(to_ms),
        ],
    )?;
    rows.iter()
        .map(|r| Ok((r.int(0)?, Energy::from_uwh(r.int(1)?))))
        .collect::<Result<_, fn_common::db::DbError>>()
        .map_err(ApiError::from)
}

/// Energy per bucket, for buckets starting at `starts` (increasing, non-empty)
/// whose last one ends at or after `clip.1`; energy outside `clip` is not counted.
fn totals(
    db: &Db,
    device: &str,
    starts: &[DateTime<Utc>],
    clip: (DateTime<Utc>, DateTime<Utc>),
) -> Result<Vec<(DateTime<Utc>, Energy)>, ApiError> {
    if starts.is_empty() {
        return Ok(Vec::new());
    }
    // Every bucket keeps its own start as its label; only the outer edges are clipped.
    let mut edges: Vec<i64> = starts.iter().map(|t| to_unix_ms(*t)).collect();
    edges[0] = edges[0].max(to_unix_ms(clip.0));
    edges.push(to_unix_ms(clip.1));
    let rows = hours(db, device, edges[0], to_unix_ms(clip.1))?;
    let sums = into_buckets(&rows, &edges);
    Ok(starts.iter().copied().zip(sums).collect())
}

fn bars(totals: &[(DateTime<Utc>, Energy)]) -> Vec<BucketOut> {
    totals
        .iter()
        .map(|(t, energy)| BucketOut {
            start: rfc3339(*t),
            kwh: energy.kwh(),
        })
        .collect()
}

/// `GET …/day?date=&tz=`: the local day's hours (23, 24 or 25 of them).
pub fn day(db: &Db, req: &Req, device: &VisibleDevice) -> Result<Response, ApiError> {
    let date = params::date(req)?;
    let (tz, tz_name) = params::tz(req)?;
    let window = day_window(date, tz);
    let hours = totals(db, &device.id, &day_hours(date, tz), window)?;
    Ok(http::json(
        200,
        &DayOut {
            device_id: device.id.clone(),
            date: date.format("%Y-%m-%d").to_string(),
            tz: tz_name,
            max_hourly_kwh: Energy::from_uwh(device.max_hourly_uwh).kwh(),
            hours: bars(&hours),
        },
    ))
}

/// True when the client asked for CSV (`Accept: text/csv`).
fn wants_csv(req: &Req) -> bool {
    req.header("accept").is_some_and(|accept| {
        accept.split(',').any(|item| {
            let mut parts = item.split(';').map(str::trim);
            let media = parts.next().unwrap_or_default();
            let refused = parts.any(|p| {
                p.strip_prefix("q=")
                    .and_then(|q| q.trim().parse::<f32>().ok())
                    .is_some_and(|q| q <= 0.0)
            });
            media.eq_ignore_ascii_case("text/csv") && !refused
        })
    })
}

/// `GET …/range?from=&to=&bucket=&tz=` (JSON), or `…/range.csv` / `Accept: text/csv`.
pub fn range(
    db: &Db,
    req: &Req,
    device: &VisibleDevice,
    csv_path: bool,
) -> Result<Response, ApiError> {
    let range = params::range(req)?;
    let (tz, tz_name) = params::tz(req)?;
    let starts = bucket_starts(range.from, range.to, range.bucket, tz);
    let buckets = totals(db, &device.id, &starts, (range.from, range.to))?;
    if csv_path || wants_csv(req) {
        return Ok(csv(device, &range, &buckets));
    }
    Ok(http::json(
        200,
        &RangeOut {
            device_id: device.id.clone(),
            bucket: range.bucket.as_str(),
            tz: tz_name,
            from: rfc3339(range.from),
            to: rfc3339(range.to),
            buckets: bars(&buckets),
        },
    ))
}

/// The range as `start,kwh` lines with exact decimal kWh, as a download.
fn csv(
    device: &VisibleDevice,
    range: &params::Range,
    buckets: &[(DateTime<Utc>, Energy)],
) -> Response {
    let mut body = String::from("start,kwh\r\n");
    for (t, energy) in buckets {
        body.push_str(&format!("{},{}\r\n", rfc3339(*t), energy.kwh_decimal()));
    }
    let stamp = |t: DateTime<Utc>| t.format("%Y%m%dT%H%M%SZ").to_string();
    let filename = format!(
        "consumption-{}-{}-{}-{}.csv",
        device.id,
        range.bucket,
        stamp(range.from),
        stamp(range.to)
    );
    Response::builder()
        .status(200)
        .header("content-type", "text/csv; charset=utf-8")
        .header(
            "content-disposition",
            format!("attachment; filename=\"{filename}\""),
        )
        .header("cache-control", "no-store")
        .body(body)
        .build()
}

/// `GET …/current`: the running total of the current UTC clock hour.
pub fn current(db: &Db, device: &VisibleDevice) -> Result<Response, ApiError> {
    let now = from_unix_ms(fn_common::now_ms()).unwrap_or_default();
    let hour = hour_start(now);
    let row = db.query_opt(
        "SELECT energy_uwh FROM hourly_consumption WHERE device_id = ? AND hour_start = ?",
        &[
            Param::from(device.id.as_str()),
            Param::from(to_unix_ms(hour)),
        ],
    )?;
    let energy = match row {
        Some(r) => Energy::from_uwh(r.int(0)?),
        None => Energy::ZERO,
    };
    Ok(http::json(
        200,
        &CurrentOut {
            device_id: device.id.clone(),
            hour_start: rfc3339(hour),
            kwh: energy.kwh(),
            max_hourly_kwh: Energy::from_uwh(device.max_hourly_uwh).kwh(),
        },
    ))
}
