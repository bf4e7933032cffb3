//! `/api/consumption/{device_id}/...`: a local day's hours, a range in hour,
//! day or month buckets (JSON or CSV), and the current hour's running total.
//! Everything is read from `hourly_consumption` (UTC hours, µWh; long ranges
//! from `daily_consumption`, the same hours 24 to a row) and regrouped
//! with the shared crate's time rules; each bucket carries its cost under the
//! device's tariff history (`crate::cost`).

use crate::access::VisibleDevice;
use crate::cost::{self, price_units, units, Priced};
use crate::params;
use chrono::{DateTime, Utc};
use fn_common::db::{Db, Param};
use fn_common::{http, Req};
use iems_shared::consumption::daily::{hours_of_days, DAY_MS};
use iems_shared::consumption::{hour_start, HOUR_MS};
use iems_shared::sql;
use iems_shared::time::{bucket_starts, day_hours, day_window, from_unix_ms, rfc3339, to_unix_ms};
use iems_shared::{ApiError, Energy};
use serde::Serialize;
use spin_sdk::http::Response;

/// One bar of a chart.
#[derive(Serialize)]
struct BucketOut {
    start: String,
    kwh: f64,
    cost: Option<f64>,
    price_per_kwh: Option<f64>,
    unpriced_kwh: f64,
}

/// The costs of a whole chart.
#[derive(Serialize)]
struct Totals {
    currency: Option<String>,
    cost_total: Option<f64>,
    standing_charge: Option<f64>,
}

impl Totals {
    fn of(priced: &Priced) -> Totals {
        Totals {
            currency: priced.currency.map(|c| c.to_string()),
            cost_total: units(priced.cost_total),
            standing_charge: units(priced.standing_charge),
        }
    }
}

#[derive(Serialize)]
struct DayOut {
    device_id: String,
    date: String,
    tz: String,
    max_hourly_kwh: f64,
    hours: Vec<BucketOut>,
    #[serde(flatten)]
    totals: Totals,
}

#[derive(Serialize)]
struct RangeOut {
    device_id: String,
    bucket: &'static str,
    tz: String,
    from: String,
    to: String,
    buckets: Vec<BucketOut>,
    #[serde(flatten)]
    totals: Totals,
}

#[derive(Serialize)]
struct CurrentOut {
    device_id: String,
    hour_start: String,
    kwh: f64,
    max_hourly_kwh: f64,
    cost: Option<f64>,
    price_per_kwh: Option<f64>,
    currency: Option<String>,
}

/// Spans longer than this are read from the day rows (`daily_consumption`,
/// one row per UTC day instead of 24): a year is 366 rows, not 8,784.
const DAY_ROWS_BEYOND_MS: i64 = 2 * DAY_MS;

/// The hourly rows of a device whose hour overlaps `[from_ms, to_ms)`, by
/// hour; hours whose total is zero may be left out (they add nothing).
fn hours(db: &Db, device: &str, from_ms: i64, to_ms: i64) -> Result<Vec<(i64, Energy)>, ApiError> {
    if to_ms - from_ms > DAY_ROWS_BEYOND_MS {
        return hours_from_days(db, device, from_ms, to_ms);
    }
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

/// [`hours`] from the day rows holding them.
fn hours_from_days(
    db: &Db,
    device: &str,
    from_ms: i64,
    to_ms: i64,
) -> Result<Vec<(i64, Energy)>, ApiError> {
    let (after, before) = (from_ms - HOUR_MS, to_ms);
    let statement = sql::daily::hours_between(device, after, before);
    let days = fn_common::cost::query(db, statement)?
        .iter()
        .map(|r| {
            let text = r.text(1)?;
            let hours = sql::daily::parse_hours(&text).ok_or_else(|| {
                fn_common::db::DbError::Decode(format!("a day row's hours: {text:?}"))
            })?;
            Ok((r.int(0)?, hours))
        })
        .collect::<Result<Vec<_>, fn_common::db::DbError>>()?;
    Ok(hours_of_days(&days, after, before))
}

/// A bucket's start and energy.
pub(crate) type Bar = (DateTime<Utc>, Energy);

/// Energy and cost per bucket, for buckets starting at `starts` (increasing)
/// whose last one ends at or after `clip.1`; energy outside `clip` is not counted.
pub(crate) fn totals(
    db: &Db,
    device: &VisibleDevice,
    starts: &[DateTime<Utc>],
    clip: (DateTime<Utc>, DateTime<Utc>),
) -> Result<(Vec<Bar>, Priced), ApiError> {
    // Every bucket keeps its own start as its label; only the outer edges are clipped.
    let mut edges: Vec<i64> = starts.iter().map(|t| to_unix_ms(*t)).collect();
    if let Some(first) = edges.first_mut() {
        *first = (*first).max(to_unix_ms(clip.0));
    }
    edges.push(to_unix_ms(clip.1));
    let (from, to) = (edges[0], to_unix_ms(clip.1));
    let rows = hours(db, &device.id, from, to)?;
    let pricer = cost::pricer(db, device, from, to)?;
    let priced = cost::price_buckets(&pricer, &rows, &edges);
    // Each bucket's energy as `into_buckets` gives it, regrouped once with the costs.
    let sums = priced.cells.iter().map(|c| c.energy);
    Ok((starts.iter().copied().zip(sums).collect(), priced))
}

fn bars(totals: &[(DateTime<Utc>, Energy)], priced: &Priced) -> Vec<BucketOut> {
    totals
        .iter()
        .zip(&priced.cells)
        .map(|((t, energy), cell)| BucketOut {
            start: rfc3339(*t),
            kwh: energy.kwh(),
            cost: units(cell.cost),
            price_per_kwh: price_units(cell.price),
            unpriced_kwh: cell.unpriced.kwh(),
        })
        .collect()
}

/// `GET …/day?date=&tz=`: the local day's hours (23, 24 or 25 of them).
pub fn day(db: &Db, req: &Req, device: &VisibleDevice) -> Result<Response, ApiError> {
    let date = params::date(req)?;
    let (tz, tz_name) = params::tz(req)?;
    let window = day_window(date, tz);
    let (hours, priced) = totals(db, device, &day_hours(date, tz), window)?;
    Ok(http::json(
        200,
        &DayOut {
            device_id: device.id.clone(),
            date: date.format("%Y-%m-%d").to_string(),
            tz: tz_name,
            max_hourly_kwh: Energy::from_uwh(device.max_hourly_uwh).kwh(),
            hours: bars(&hours, &priced),
            totals: Totals::of(&priced),
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
    let (buckets, priced) = totals(db, device, &starts, (range.from, range.to))?;
    if csv_path || wants_csv(req) {
        return Ok(csv(device, &range, &buckets, &priced));
    }
    Ok(http::json(
        200,
        &RangeOut {
            device_id: device.id.clone(),
            bucket: range.bucket.as_str(),
            tz: tz_name,
            from: rfc3339(range.from),
            to: rfc3339(range.to),
            buckets: bars(&buckets, &priced),
            totals: Totals::of(&priced),
        },
    ))
}

/// The range as `start,kwh,cost,currency,price_per_kwh,unpriced_kwh` lines
/// with exact decimals (empty cells where unpriced), as a download.
fn csv(
    device: &VisibleDevice,
    range: &params::Range,
    buckets: &[(DateTime<Utc>, Energy)],
    priced: &Priced,
) -> Response {
    let mut body = String::from("start,kwh,cost,currency,price_per_kwh,unpriced_kwh\r\n");
    let currency = priced.currency.map(|c| c.to_string()).unwrap_or_default();
    for ((t, energy), cell) in buckets.iter().zip(&priced.cells) {
        let cost = cell.cost.map(|c| c.to_decimal()).unwrap_or_default();
        let price = cell.price.map(|p| p.to_decimal()).unwrap_or_default();
        let currency = if cell.cost.is_some() {
            currency.as_str()
        } else {
            ""
        };
        body.push_str(&format!(
            "{},{},{cost},{currency},{price},{}\r\n",
            rfc3339(*t),
            energy.kwh_decimal(),
            cell.unpriced.kwh_decimal()
        ));
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
    let start = to_unix_ms(hour);
    let pricer = cost::pricer(db, device, start, start + HOUR_MS)?;
    let currency = pricer.currency();
    Ok(http::json(
        200,
        &CurrentOut {
            device_id: device.id.clone(),
            hour_start: rfc3339(hour),
            kwh: energy.kwh(),
            max_hourly_kwh: Energy::from_uwh(device.max_hourly_uwh).kwh(),
            cost: units(currency.and(pricer.hour_cost(start, energy))),
            price_per_kwh: price_units(
                currency.and(iems_shared::cost::mean_price(pricer.quarter_prices(start))),
            ),
            currency: currency.map(|c| c.to_string()),
        },
    ))
}
