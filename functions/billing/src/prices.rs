//! `/api/tariffs/{id}/prices`: a dynamic tariff's price series. An upload
//! (CSV `start,price` or JSON `[{start, price}]`, by Content-Type; at most the
//! request body limit, 413 beyond, and `dynamic::MAX_ROWS` rows) stores its
//! slots; a slot already in the past keeps its price (another price is 409),
//! future ones are replaced.

use crate::common::{admin, page, paged, path_id, tariff_row, visible_tariff};
use fn_common::auth::authenticate;
use fn_common::db::{Db, Param};
use fn_common::{http, Req};
use iems_shared::cost::load::stored_tariff;
use iems_shared::cost::tariff::PriceRule;
use iems_shared::cost::{DynamicPrices, Price};
use iems_shared::sql::cost as sql;
use iems_shared::time::{parse_instant, rfc3339_ms, to_unix_ms};
use iems_shared::{ApiError, ErrorCode};
use serde::Serialize;
use spin_sdk::http::Response;

/// Slots per statement.
const CHUNK: usize = 300;

#[derive(Serialize)]
struct Stored {
    stored: usize,
    replaced: usize,
}

#[derive(Serialize)]
struct Slot {
    start: String,
    price_per_kwh: f64,
}

fn media_type(req: &Req) -> String {
    req.header("content-type")
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// `PUT /api/tariffs/{id}/prices` (admin) → `{stored, replaced}`.
pub fn upload(req: &Req, raw: &str) -> Result<Response, ApiError> {
    admin(req)?;
    let id = path_id("tariff", raw)?;
    let db = Db::open_default()?;
    let row = tariff_row(&db, &id)?.ok_or_else(|| ApiError::not_found("tariff"))?;
    let PriceRule::Dynamic { slot_minutes } = stored_tariff(&row.text(2)?)?.1.rule else {
        return Err(ApiError::invalid(
            "kind",
            "prices are uploaded only to a dynamic tariff",
        ));
    };
    let text = std::str::from_utf8(&req.body)
        .map_err(|_| ApiError::invalid("prices", "prices: the body must be UTF-8 text"))?;
    let series = match media_type(req).as_str() {
        "text/csv" => DynamicPrices::parse_csv(slot_minutes, text)?,
        "application/json" => DynamicPrices::parse_json(slot_minutes, text)?,
        _ => {
            return Err(ApiError::new(
                ErrorCode::UnsupportedMediaType,
                "send prices as text/csv (start,price) or application/json",
            ))
        }
    };
    let slots: Vec<(i64, i64)> = series.slots().map(|(s, p)| (s, p.micros())).collect();
    let now = fn_common::now_ms();
    let dialect = db.backend().dialect();
    let replaced = db.transaction(|db| -> Result<usize, ApiError> {
        let mut replaced = 0;
        for chunk in slots.chunks(CHUNK) {
            let mut params = vec![Param::from(id.as_str())];
            params.extend(chunk.iter().map(|s| Param::from(s.0)));
            for r in db.query(&sql::prices_at(chunk.len()), &params)? {
                let (start, price) = (r.int(0)?, r.int(1)?);
                replaced += 1;
                let new = chunk.iter().find(|s| s.0 == start).map(|s| s.1);
                if start < now && new != Some(price) {
                    return Err(ApiError::new(
                        ErrorCode::Conflict,
                        format!(
                            "the slot {} is past and keeps its price: it cannot be changed",
                            rfc3339_ms(start)
                        ),
                    ));
                }
            }
            db.run_statement(sql::upsert_prices(dialect, &id, chunk))?;
        }
        Ok(replaced)
    })?;
    Ok(http::json(
        200,
        &Stored {
            stored: slots.len(),
            replaced,
        },
    ))
}

/// `GET /api/tariffs/{id}/prices?from=&to=&page=&per_page=`: admin or a
/// client the tariff is assigned to; slots by start.
pub fn list(req: &Req, raw: &str) -> Result<Response, ApiError> {
    let claims = authenticate(req)?;
    let page = page(req)?;
    let bound = |name: &str, default: i64| -> Result<i64, ApiError> {
        match req.query(name).filter(|v| !v.is_empty()) {
            Some(v) => Ok(to_unix_ms(parse_instant(name, v)?)),
            None => Ok(default),
        }
    };
    let (from, to) = (bound("from", i64::MIN / 2)?, bound("to", i64::MAX / 2)?);
    if to <= from {
        return Err(ApiError::invalid("to", "to must be later than from"));
    }
    let db = Db::open_default()?;
    let id = visible_tariff(&db, &claims, raw)?.text(0)?;
    let args = [Param::from(id.as_str()), from.into(), to.into()];
    let total = db
        .query_opt(sql::PRICES_COUNT, &args)?
        .map(|r| r.int(0))
        .transpose()?
        .unwrap_or(0);
    let mut page_args = args.to_vec();
    page_args.push(i64::from(page.per_page).into());
    page_args.push((page.offset() as i64).into());
    let items = db
        .query(sql::PRICES_PAGE, &page_args)?
        .iter()
        .map(|r| {
            Ok(Slot {
                start: rfc3339_ms(r.int(0)?),
                price_per_kwh: Price::from_micros(r.int(1)?).micros() as f64 / 1e6,
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    Ok(http::json(200, &paged(items, total.max(0) as u64, page)))
}
