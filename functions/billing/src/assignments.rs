//! `/api/tariff-assignments`: which tariff applies to a client, or to one
//! device (overriding its client's; `tariff_id` null sends it back), from
//! when. The first assignment of a client or device may start in the past;
//! every later one starts at the current hour or later and not before the
//! latest; only one that has not started yet may be deleted. All tariffs of
//! a client and their devices share one currency.

use crate::common::{admin, is_client, page, paged, path_id};
use fn_common::auth::authenticate;
use fn_common::cost::{count, query};
use fn_common::db::{Db, Row};
use fn_common::json::Object;
use fn_common::{http, Req};
use iems_shared::consumption::HOUR_MS;
use iems_shared::domain::parse_id;
use iems_shared::sql::cost::{self as sql, NewAssignment, Subject};
use iems_shared::sql::devices::BY_ID as DEVICE_BY_ID;
use iems_shared::time::{parse_instant, rfc3339_ms, to_unix_ms};
use iems_shared::{ApiError, ErrorCode};
use serde::Serialize;
use spin_sdk::http::Response;

/// An assignment as the API shows it.
#[derive(Serialize)]
struct Assignment {
    id: String,
    client_id: Option<String>,
    device_id: Option<String>,
    tariff_id: Option<String>,
    tariff_name: Option<String>,
    from: String,
    created_at: String,
}

fn assignment(row: &Row) -> Result<Assignment, ApiError> {
    Ok(Assignment {
        id: row.text(0)?,
        client_id: row.opt_text(1)?,
        device_id: row.opt_text(2)?,
        tariff_id: row.opt_text(3)?,
        tariff_name: row.opt_text(4)?,
        from: rfc3339_ms(row.int(5)?),
        created_at: rfc3339_ms(row.int(6)?),
    })
}

#[derive(Serialize)]
struct AssignmentPage {
    #[serde(flatten)]
    page: iems_shared::model::Page<Assignment>,
    current: Option<Assignment>,
}

/// An id from the query or body (422 naming `field` unless a UUID).
fn field_id(field: &str, raw: &str) -> Result<String, ApiError> {
    parse_id(field, raw)
        .map(|u| u.to_string())
        .map_err(|_| ApiError::invalid(field, format!("{field} must be a UUID")))
}

/// `(owner_id)` of device `id`, if it exists.
fn device_owner(db: &Db, id: &str) -> Result<Option<Option<String>>, ApiError> {
    match db.query_opt(DEVICE_BY_ID, &[id.into()])? {
        Some(r) => Ok(Some(r.opt_text(4)?)),
        None => Ok(None),
    }
}

/// `GET /api/tariff-assignments?client_id=|device_id=`: admin any; a client
/// their own and their devices' (no parameter: their own); newest first,
/// with the assignment in force now as `current`.
pub fn list(req: &Req) -> Result<Response, ApiError> {
    let claims = authenticate(req)?;
    let page = page(req)?;
    let client = req.query("client_id").filter(|v| !v.is_empty());
    let device = req.query("device_id").filter(|v| !v.is_empty());
    let db = Db::open_default()?;
    let (kind, id) = match (client, device) {
        (Some(_), Some(_)) => {
            return Err(ApiError::invalid(
                "device_id",
                "give either client_id or device_id, not both",
            ))
        }
        (Some(c), None) => (true, field_id("client_id", c)?),
        (None, Some(d)) => (false, field_id("device_id", d)?),
        (None, None) if !claims.is_admin() => (true, claims.sub.clone()),
        (None, None) => {
            return Err(ApiError::invalid(
                "client_id",
                "client_id or device_id is required",
            ))
        }
    };
    if !claims.is_admin() {
        let allowed = if kind {
            id == claims.sub
        } else {
            device_owner(&db, &id)?.flatten().as_deref() == Some(claims.sub.as_str())
        };
        if !allowed {
            return Err(ApiError::not_found(if kind { "client" } else { "device" }));
        }
    }
    let subject = if kind {
        Subject::Client(&id)
    } else {
        Subject::Device(&id)
    };
    let total = count(&db, sql::assignment_count(subject))?;
    let items = query(
        &db,
        sql::assignment_page(subject, i64::from(page.per_page), page.offset() as i64),
    )?
    .iter()
    .map(assignment)
    .collect::<Result<Vec<_>, _>>()?;
    let current = query(
        &db,
        sql::latest_assignment(subject, Some(fn_common::now_ms())),
    )?
    .first()
    .map(assignment)
    .transpose()?;
    Ok(http::json(
        200,
        &AssignmentPage {
            page: paged(items, total, page),
            current,
        },
    ))
}

/// The currency of tariff `id` (422 on `tariff_id` when there is none).
fn tariff_currency(db: &Db, id: &str) -> Result<String, ApiError> {
    db.query_opt("SELECT currency FROM tariffs WHERE id = ?", &[id.into()])?
        .map(|r| r.text(0))
        .transpose()?
        .ok_or_else(|| ApiError::invalid("tariff_id", "tariff_id must name an existing tariff"))
}

/// `POST /api/tariff-assignments` (admin): `{client_id | device_id,
/// tariff_id, from}` → 201 assignment.
pub fn create(req: &Req) -> Result<Response, ApiError> {
    let claims = admin(req)?;
    let body: Object = req.json()?;
    let client = body.opt_str("client_id")?;
    let device = body.opt_str("device_id")?;
    let from_raw = body.str("from")?;
    let from = to_unix_ms(parse_instant("from", from_raw)?);
    let tariff = body.opt_str("tariff_id")?;
    let db = Db::open_default()?;
    let (client, device) = match (client, device) {
        (Some(_), Some(_)) | (None, None) => {
            return Err(ApiError::invalid(
                "client_id",
                "give exactly one of client_id and device_id",
            ))
        }
        (Some(c), None) => {
            let c = field_id("client_id", c)?;
            if !is_client(&db, &c)? {
                return Err(ApiError::invalid(
                    "client_id",
                    "client_id must be the id of an existing client",
                ));
            }
            (Some(c), None)
        }
        (None, Some(d)) => (None, Some(field_id("device_id", d)?)),
    };
    let tariff = tariff.map(|t| field_id("tariff_id", t)).transpose()?;
    if client.is_some() && tariff.is_none() {
        return Err(ApiError::invalid(
            "tariff_id",
            "tariff_id is required for a client (null only sends a device back to its client's tariff)",
        ));
    }
    let id = fn_common::new_id();
    let now = fn_common::now_ms();
    db.transaction(|db| -> Result<(), ApiError> {
        let currencies_sql;
        let currencies_args: Vec<fn_common::db::Param>;
        let subject = match (&client, &device) {
            (Some(c), _) => {
                currencies_sql = sql::CLIENT_CURRENCIES;
                currencies_args = vec![c.as_str().into(), c.as_str().into()];
                Subject::Client(c)
            }
            (_, Some(d)) => {
                let owner = device_owner(db, d)?.ok_or_else(|| {
                    ApiError::invalid("device_id", "device_id must be the id of an existing device")
                })?;
                currencies_sql = sql::DEVICE_CURRENCIES;
                currencies_args = vec![d.as_str().into(), owner.into()];
                Subject::Device(d)
            }
            _ => return Err(ApiError::internal()),
        };
        if let Some(t) = &tariff {
            let currency = tariff_currency(db, t)?;
            for r in db.query(currencies_sql, &currencies_args)? {
                let other = r.text(0)?;
                if other != currency {
                    return Err(ApiError::invalid(
                        "tariff_id",
                        format!("the tariff is in {currency}, but this client's tariffs are in {other}: all of them must share one currency"),
                    ));
                }
            }
        }
        if let Some(latest) = query(db, sql::latest_assignment(subject, None))?.first() {
            let current_hour = now.div_euclid(HOUR_MS) * HOUR_MS;
            let latest_from = latest.int(5)?;
            if from < current_hour {
                return Err(ApiError::invalid(
                    "from",
                    "only the first assignment may start in the past: from must be the current hour or later",
                ));
            }
            if from < latest_from {
                return Err(ApiError::invalid(
                    "from",
                    format!("from must not be before the latest assignment's start ({})", rfc3339_ms(latest_from)),
                ));
            }
        }
        db.run_statement(sql::insert_assignment(&NewAssignment {
            id: &id,
            client_id: client.as_deref(),
            device_id: device.as_deref(),
            tariff_id: tariff.as_deref(),
            valid_from_ms: from,
            created_at_ms: now,
            created_by: Some(&claims.sub),
        }))?;
        Ok(())
    })?;
    let row = db
        .query_opt(sql::ASSIGNMENT_BY_ID, &[id.as_str().into()])?
        .ok_or_else(ApiError::internal)?;
    Ok(http::json(201, &assignment(&row)?))
}

/// `DELETE /api/tariff-assignments/{id}` (admin): only one that starts in
/// the future (409 otherwise: the past keeps its prices).
pub fn delete(req: &Req, raw: &str) -> Result<Response, ApiError> {
    admin(req)?;
    let id = path_id("assignment", raw)?;
    let db = Db::open_default()?;
    db.transaction(|db| -> Result<(), ApiError> {
        db.query_opt(sql::ASSIGNMENT_BY_ID, &[id.as_str().into()])?
            .ok_or_else(|| ApiError::not_found("assignment"))?;
        let s = sql::delete_future_assignment(&id, fn_common::now_ms());
        let params: Vec<_> = s.params.into_iter().map(Into::into).collect();
        if db.execute(&s.sql, &params)? == 0 {
            return Err(ApiError::new(
                ErrorCode::Conflict,
                "this assignment has started and keeps pricing the past: only future ones may be deleted",
            ));
        }
        Ok(())
    })?;
    Ok(http::empty(204))
}
