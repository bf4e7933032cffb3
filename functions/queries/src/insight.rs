//! Charts of a period (a local day, week, month or year) for one device
//! (`/api/consumption/{id}/period`) or for all of a client's devices together
//! (`/api/consumption/total`), each with the periods it is compared with and,
//! for a day, the forecast from the devices' baselines; and a device's
//! baseline (`/api/consumption/{id}/insight`). The rules are the shared
//! crate's (`iems_shared::insight`), the statements `sql::daily` and
//! `sql::insight` (docs/insight.md).

use crate::access::VisibleDevice;
use crate::consumption::totals;
use crate::cost::{price_units, units};
use crate::params;
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use fn_common::db::{Db, Param, Row};
use fn_common::{http, Req};
use iems_shared::consumption::daily::{day_start, hours_of_days, DayHours, HOURS_PER_DAY};
use iems_shared::consumption::monthly::{bucket_energy, edge_columns, month_start, MonthHours};
use iems_shared::consumption::{into_buckets, HOUR_MS};
use iems_shared::cost::Money;
use iems_shared::identity::Claims;
use iems_shared::insight::baseline::{local_hour, DEFAULT_MIN_WEEKS, DEFAULT_WEEKS, SLOTS};
use iems_shared::insight::compare::{align, bars, change, Comparison, Period};
use iems_shared::insight::unusual::{DEFAULT_SENSITIVITY, DEFAULT_SUSTAIN_HOURS};
use iems_shared::insight::{decode_slots, tomorrow, SlotStats};
use iems_shared::sql;
use iems_shared::time::{day_hours, parse_tz, rfc3339, rfc3339_ms, to_unix_ms};
use iems_shared::{ApiError, Energy};
use serde::Serialize;
use spin_sdk::http::Response;
use std::collections::BTreeMap;

/// What a period chart asks for.
struct Ask {
    period: Period,
    date: NaiveDate,
    tz: Tz,
    tz_name: String,
    compare: Vec<Comparison>,
    forecast: bool,
}

fn ask(req: &Req) -> Result<Ask, ApiError> {
    let period = Period::parse(req.query("period").unwrap_or_default())?;
    let date = params::date(req)?;
    let (tz, tz_name) = params::tz(req)?;
    let compare = Comparison::parse_list(req.query("compare").unwrap_or_default())?;
    let forecast = params::opt_bool(req, "forecast")?.unwrap_or(false);
    if forecast && period != Period::Day {
        return Err(ApiError::invalid(
            "forecast",
            "forecast is given for a day chart (period=day)",
        ));
    }
    Ok(Ask {
        period,
        date,
        tz,
        tz_name,
        compare,
        forecast,
    })
}

/// A period's bars: energy and (when priced) cost of each.
struct Series {
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    starts: Vec<DateTime<Utc>>,
    energy: Vec<Energy>,
    cost: Vec<Option<Money>>,
    currency: Option<String>,
    /// One device's: each bar's mean price and unpriced energy, the standing charge.
    detail: Option<Detail>,
}

struct Detail {
    price: Vec<Option<f64>>,
    unpriced: Vec<Energy>,
    standing_charge: Option<f64>,
    max_hourly_kwh: f64,
}

impl Series {
    fn kwh_total(&self) -> Energy {
        self.energy.iter().copied().sum()
    }

    fn cost_total(&self) -> Option<Money> {
        self.currency.as_ref()?;
        Some(self.cost.iter().flatten().copied().sum())
    }
}

#[derive(Serialize)]
struct BarOut {
    start: String,
    kwh: f64,
    cost: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    price_per_kwh: Option<Option<f64>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    unpriced_kwh: Option<f64>,
}

#[derive(Serialize)]
struct MatchedOut {
    start: Option<String>,
    kwh: Option<f64>,
    cost: Option<f64>,
}

#[derive(Serialize)]
struct ComparisonOut {
    kind: &'static str,
    from: String,
    to: String,
    kwh_total: f64,
    cost_total: Option<f64>,
    change_kwh: f64,
    change_pct: Option<f64>,
    change_cost: Option<f64>,
    buckets: Vec<MatchedOut>,
}

#[derive(Serialize)]
struct HourOut {
    start: String,
    kwh: f64,
}

#[derive(Serialize)]
struct ForecastOut {
    ready: bool,
    weeks_of_history: u32,
    min_weeks: u32,
    hours: Vec<HourOut>,
    kwh_total: f64,
}

#[derive(Serialize)]
struct PeriodOut {
    scope: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    device_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    client_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    devices: Option<usize>,
    period: &'static str,
    date: String,
    tz: String,
    bucket: &'static str,
    from: String,
    to: String,
    buckets: Vec<BarOut>,
    kwh_total: f64,
    currency: Option<String>,
    cost_total: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    standing_charge: Option<Option<f64>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_hourly_kwh: Option<f64>,
    comparisons: Vec<ComparisonOut>,
    #[serde(skip_serializing_if = "Option::is_none")]
    forecast: Option<ForecastOut>,
}

/// One device's series for the period starting at `start`.
fn device_series(
    db: &Db,
    device: &VisibleDevice,
    period: Period,
    start: NaiveDate,
    tz: Tz,
) -> Result<Series, ApiError> {
    let (from, to, starts) = bars(period, start, tz);
    let (bars, priced) = totals(db, device, &starts, (from, to))?;
    Ok(Series {
        from,
        to,
        energy: bars.iter().map(|b| b.1).collect(),
        cost: priced
            .cells
            .iter()
            .map(|c| priced.currency.and(c.cost))
            .collect(),
        currency: priced.currency.map(|c| c.to_string()),
        detail: Some(Detail {
            price: priced
                .cells
                .iter()
                .map(|c| price_units(priced.currency.and(c.price)))
                .collect(),
            unpriced: priced.cells.iter().map(|c| c.unpriced).collect(),
            standing_charge: units(priced.standing_charge),
            max_hourly_kwh: Energy::from_uwh(device.max_hourly_uwh).kwh(),
        }),
        starts,
    })
}

/// All of `client`'s devices' series for the period starting at `start`:
/// energy from the sums of all devices' day rows (a year: their month rows,
/// with the hours of the first and last days where the local months begin),
/// cost (when asked) priced device by device.
fn client_series(
    db: &Db,
    client: &str,
    devices: &[String],
    period: Period,
    start: NaiveDate,
    tz: Tz,
    priced: bool,
) -> Result<Series, ApiError> {
    let (from, to, starts) = bars(period, start, tz);
    let mut edges: Vec<i64> = starts.iter().map(|t| to_unix_ms(*t)).collect();
    if let Some(first) = edges.first_mut() {
        *first = (*first).max(to_unix_ms(from));
    }
    edges.push(to_unix_ms(to));
    let (lo, hi) = (edges[0], to_unix_ms(to));
    let by_months = match (period, edge_columns(&edges)) {
        (Period::Year, Some((first, last))) => {
            let statement =
                sql::daily::client_months(client, month_start(lo), hi, first.clone(), last.clone());
            let months = fn_common::cost::query(db, statement)?
                .iter()
                .map(|r| {
                    let mut m = MonthHours {
                        total: r.int(1)?,
                        ..MonthHours::default()
                    };
                    let mut column = 2;
                    for i in first.clone() {
                        m.first[i] = r.opt_int(column)?.unwrap_or(0);
                        column += 1;
                    }
                    for i in last.clone() {
                        m.last[i] = r.opt_int(column)?.unwrap_or(0);
                        column += 1;
                    }
                    Ok((r.int(0)?, m))
                })
                .collect::<Result<BTreeMap<i64, MonthHours>, fn_common::db::DbError>>()?;
            bucket_energy(&edges, &months, first, last)
        }
        _ => None,
    };
    let energy = match by_months {
        Some(e) => e,
        None => {
            let days = day_rows(
                db,
                sql::daily::client_days(client, day_start(lo - HOUR_MS), hi),
            )?;
            into_buckets(&hours_of_days(&days, lo - HOUR_MS, hi), &edges)
        }
    };
    let mut series = Series {
        from,
        to,
        energy,
        cost: vec![None; starts.len()],
        currency: None,
        detail: None,
        starts,
    };
    if priced {
        for id in devices {
            let device = VisibleDevice {
                id: id.clone(),
                max_hourly_uwh: 0,
                owner_id: Some(client.to_string()),
            };
            let (_, priced) = totals(db, &device, &series.starts, (from, to))?;
            let Some(currency) = priced.currency else {
                continue;
            };
            series.currency.get_or_insert_with(|| currency.to_string());
            for (sum, cell) in series.cost.iter_mut().zip(&priced.cells) {
                if let Some(c) = cell.cost {
                    *sum = Some(sum.unwrap_or(Money::ZERO) + c);
                }
            }
        }
    }
    Ok(series)
}

/// Rows of `day_start, h00 … h23`.
fn day_rows(db: &Db, statement: sql::Statement) -> Result<Vec<(i64, DayHours)>, ApiError> {
    let rows = fn_common::cost::query(db, statement)?;
    rows.iter()
        .map(|r| {
            let mut hours: DayHours = [0; HOURS_PER_DAY];
            for (i, h) in hours.iter_mut().enumerate() {
                *h = r.opt_int(i + 1)?.unwrap_or(0);
            }
            Ok((r.int(0)?, hours))
        })
        .collect::<Result<_, fn_common::db::DbError>>()
        .map_err(ApiError::from)
}

fn respond(
    ask: &Ask,
    scope: (&'static str, Option<String>, Option<String>, Option<usize>),
    main: Series,
    compared: Vec<(Comparison, Series)>,
    forecast: Option<ForecastOut>,
) -> Response {
    let money = |m: Option<Money>| units(m);
    let comparisons = compared
        .into_iter()
        .map(|(kind, other)| {
            let matched = align(ask.period, &main.starts, &other.starts, ask.tz);
            let (change_kwh, change_pct) = change(main.kwh_total(), other.kwh_total());
            let change_cost = match (main.cost_total(), other.cost_total()) {
                (Some(a), Some(b)) => units(Some(a - b)),
                _ => None,
            };
            ComparisonOut {
                kind: kind.as_str(),
                from: rfc3339(other.from),
                to: rfc3339(other.to),
                kwh_total: other.kwh_total().kwh(),
                cost_total: money(other.cost_total()),
                change_kwh,
                change_pct,
                change_cost,
                buckets: matched
                    .iter()
                    .map(|m| match m {
                        Some(i) => MatchedOut {
                            start: Some(rfc3339(other.starts[*i])),
                            kwh: Some(other.energy[*i].kwh()),
                            cost: money(other.cost[*i]),
                        },
                        None => MatchedOut {
                            start: None,
                            kwh: None,
                            cost: None,
                        },
                    })
                    .collect(),
            }
        })
        .collect();
    let (scope, device_id, client_id, devices) = scope;
    http::json(
        200,
        &PeriodOut {
            scope,
            device_id,
            client_id,
            devices,
            period: ask.period.as_str(),
            date: ask.date.format("%Y-%m-%d").to_string(),
            tz: ask.tz_name.clone(),
            bucket: ask.period.bucket().as_str(),
            from: rfc3339(main.from),
            to: rfc3339(main.to),
            buckets: main
                .starts
                .iter()
                .zip(&main.energy)
                .zip(&main.cost)
                .enumerate()
                .map(|(i, ((t, e), c))| BarOut {
                    start: rfc3339(*t),
                    kwh: e.kwh(),
                    cost: money(*c),
                    price_per_kwh: main.detail.as_ref().map(|d| d.price[i]),
                    unpriced_kwh: main.detail.as_ref().map(|d| d.unpriced[i].kwh()),
                })
                .collect(),
            kwh_total: main.kwh_total().kwh(),
            currency: main.currency.clone(),
            cost_total: money(main.cost_total()),
            standing_charge: main.detail.as_ref().map(|d| d.standing_charge),
            max_hourly_kwh: main.detail.as_ref().map(|d| d.max_hourly_kwh),
            comparisons,
            forecast,
        },
    )
}

/// A stored baseline: zone, ready, slots, weeks of history.
struct StoredBaseline {
    tz: Tz,
    ready: bool,
    slots: Vec<SlotStats>,
    weeks: u32,
}

fn stored_baseline(
    tz: Option<String>,
    ready: Option<i64>,
    slots: Option<String>,
    weeks: Option<i64>,
) -> Option<StoredBaseline> {
    let slots = decode_slots(&slots?)?;
    Some(StoredBaseline {
        tz: parse_tz(&tz?).ok()?,
        ready: ready? != 0,
        slots,
        weeks: u32::try_from(weeks.unwrap_or(0)).unwrap_or(0),
    })
}

/// The forecast of each hour starting at `hours`: the sum over the ready
/// baselines of the median of the slot each hour starts in.
fn forecast(baselines: &[StoredBaseline], hours: &[DateTime<Utc>]) -> ForecastOut {
    let ready: Vec<&StoredBaseline> = baselines
        .iter()
        .filter(|b| b.ready && b.slots.len() == SLOTS)
        .collect();
    let out: Vec<HourOut> = if ready.is_empty() {
        Vec::new()
    } else {
        hours
            .iter()
            .map(|&h| {
                let ms = to_unix_ms(h);
                let e: Energy = ready
                    .iter()
                    .filter_map(|b| local_hour(ms, b.tz).map(|(_, slot)| b.slots[slot].median))
                    .sum();
                HourOut {
                    start: rfc3339(h),
                    kwh: e.kwh(),
                }
            })
            .collect()
    };
    ForecastOut {
        ready: !ready.is_empty(),
        weeks_of_history: baselines.iter().map(|b| b.weeks).max().unwrap_or(0),
        min_weeks: DEFAULT_MIN_WEEKS,
        kwh_total: out.iter().map(|h| h.kwh).sum(),
        hours: out,
    }
}

/// The device's settings and stored baseline row ([`sql::insight::DEVICE_STATE`]).
fn device_state(db: &Db, id: &str) -> Result<Option<Row>, ApiError> {
    Ok(db.query_opt(sql::insight::DEVICE_STATE, &[Param::from(id)])?)
}

fn device_baseline(row: &Row) -> Result<Option<StoredBaseline>, ApiError> {
    Ok(stored_baseline(
        row.opt_text(5)?,
        row.opt_int(8)?,
        row.opt_text(9)?,
        row.opt_int(7)?,
    ))
}

/// `GET /api/consumption/{id}/period`.
pub fn period(db: &Db, req: &Req, device: &VisibleDevice) -> Result<Response, ApiError> {
    let ask = ask(req)?;
    let start = ask.period.start(ask.date);
    let main = device_series(db, device, ask.period, start, ask.tz)?;
    let mut compared = Vec::new();
    for c in &ask.compare {
        compared.push((
            *c,
            device_series(db, device, ask.period, c.start(ask.period, start), ask.tz)?,
        ));
    }
    let forecast = if ask.forecast {
        let baseline = match device_state(db, &device.id)? {
            Some(row) => device_baseline(&row)?,
            None => None,
        };
        Some(forecast(baseline.as_slice(), &main.starts))
    } else {
        None
    };
    Ok(respond(
        &ask,
        ("device", Some(device.id.clone()), None, None),
        main,
        compared,
        forecast,
    ))
}

/// `GET /api/consumption/total`.
pub fn total(db: &Db, req: &Req, claims: &Claims) -> Result<Response, ApiError> {
    let ask = ask(req)?;
    let client = crate::summary::client(db, req, claims)?;
    let priced = params::opt_bool(req, "cost")?.unwrap_or(false);
    let devices: Vec<String> = fn_common::cost::client_devices(db, &client)?
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    let start = ask.period.start(ask.date);
    let main = client_series(db, &client, &devices, ask.period, start, ask.tz, priced)?;
    let mut compared = Vec::new();
    for c in &ask.compare {
        let other = client_series(
            db,
            &client,
            &devices,
            ask.period,
            c.start(ask.period, start),
            ask.tz,
            priced,
        )?;
        compared.push((*c, other));
    }
    let forecast = if ask.forecast {
        let baselines = db
            .query(
                sql::insight::CLIENT_BASELINES,
                &[Param::from(client.as_str())],
            )?
            .iter()
            .map(|r| {
                Ok(stored_baseline(
                    r.opt_text(1)?,
                    r.opt_int(2)?,
                    r.opt_text(3)?,
                    r.opt_int(4)?,
                ))
            })
            .collect::<Result<Vec<_>, fn_common::db::DbError>>()?;
        let baselines: Vec<StoredBaseline> = baselines.into_iter().flatten().collect();
        Some(forecast(&baselines, &main.starts))
    } else {
        None
    };
    let n = devices.len();
    Ok(respond(
        &ask,
        ("client", None, Some(client), Some(n)),
        main,
        compared,
        forecast,
    ))
}

#[derive(Serialize)]
struct SlotOut {
    slot: usize,
    median_kwh: f64,
    spread_kwh: f64,
    samples: u32,
}

#[derive(Serialize)]
struct TomorrowOut {
    date: String,
    hours: Vec<HourOut>,
    kwh_total: f64,
}

#[derive(Serialize)]
struct InsightOut {
    device_id: String,
    tz: String,
    ready: bool,
    weeks_of_history: u32,
    min_weeks: u32,
    weeks: u32,
    learned_at: Option<String>,
    sensitivity: f64,
    sustain_hours: u32,
    slots: Vec<SlotOut>,
    tomorrow: Option<TomorrowOut>,
}

/// `GET /api/consumption/{id}/insight`: the device's baseline, settings and tomorrow.
pub fn baseline(db: &Db, device: &VisibleDevice) -> Result<Response, ApiError> {
    let row = device_state(db, &device.id)?.ok_or_else(iems_shared::access::device_not_found)?;
    let tz_name = row.opt_text(0)?.unwrap_or_else(|| "UTC".to_string());
    let tz = parse_tz(&tz_name).unwrap_or(chrono_tz::UTC);
    let sensitivity = row.opt_real(1)?.unwrap_or(DEFAULT_SENSITIVITY);
    let sustain_hours = row
        .opt_int(2)?
        .and_then(|h| u32::try_from(h).ok())
        .unwrap_or(DEFAULT_SUSTAIN_HOURS);
    let stored = device_baseline(&row)?;
    let learned_at = row.opt_int(6)?.map(rfc3339_ms);
    let tomorrow = match &stored {
        Some(b) if b.ready => tomorrow(fn_common::now_ms(), tz).map(|date| {
            let f = forecast(std::slice::from_ref(b), &day_hours(date, tz));
            TomorrowOut {
                date: date.format("%Y-%m-%d").to_string(),
                kwh_total: f.kwh_total,
                hours: f.hours,
            }
        }),
        _ => None,
    };
    Ok(http::json(
        200,
        &InsightOut {
            device_id: device.id.clone(),
            tz: tz_name,
            ready: stored.as_ref().is_some_and(|b| b.ready),
            weeks_of_history: stored.as_ref().map_or(0, |b| b.weeks),
            min_weeks: DEFAULT_MIN_WEEKS,
            weeks: DEFAULT_WEEKS,
            learned_at,
            sensitivity,
            sustain_hours,
            slots: stored
                .as_ref()
                .map(|b| {
                    b.slots
                        .iter()
                        .enumerate()
                        .map(|(slot, s)| SlotOut {
                            slot,
                            median_kwh: s.median.kwh(),
                            spread_kwh: s.spread.kwh(),
                            samples: s.samples,
                        })
                        .collect()
                })
                .unwrap_or_default(),
            tomorrow,
        },
    ))
}
