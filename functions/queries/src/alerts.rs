//! `/api/alerts`: the alert history (clients: their devices' alerts only),
//! filtered and paged, and acknowledging one alert (idempotent).

use crate::params;
use fn_common::db::{Db, Param, Row};
use fn_common::{http, Req};
use iems_shared::domain::PageRequest;
use iems_shared::identity::Claims;
use iems_shared::model::{Alert, Page, StoredAlert};
use iems_shared::time::to_unix_ms;
use iems_shared::ApiError;
use spin_sdk::http::Response;

use iems_shared::sql::alerts::COLUMNS;

fn alert(row: &Row) -> Result<Alert, ApiError> {
    Ok(StoredAlert {
        id: row.text(0)?,
        device_id: row.text(1)?,
        kind: row.text(2)?,
        hour_start_ms: row.int(3)?,
        hours: u32::try_from(row.int(4)?).unwrap_or(1),
        energy_uwh: row.int(5)?,
        expected_uwh: row.opt_int(6)?,
        direction: row.opt_text(7)?,
        max_hourly_uwh: row.int(8)?,
        created_at_ms: row.int(9)?,
        acknowledged_at_ms: row.opt_int(10)?,
    }
    .into())
}

/// `GET /api/alerts?device_id=&acknowledged=&from=&to=&page=&per_page=`, newest hour first.
/// `from`/`to` bound the alert's hour (`from <= hour_start < to`).
pub fn list(db: &Db, req: &Req, claims: &Claims) -> Result<Response, ApiError> {
    let page = PageRequest::parse(req.query("page"), req.query("per_page"))?;
    let device_id = params::opt_uuid(req, "device_id")?;
    let acknowledged = params::opt_bool(req, "acknowledged")?;
    let kind = match req.query("kind") {
        None | Some("") => None,
        Some(k @ ("limit" | "unusual")) => Some(k.to_string()),
        Some(_) => return Err(ApiError::invalid("kind", "kind must be limit or unusual")),
    };
    let from = params::opt_instant(req, "from")?;
    let to = params::opt_instant(req, "to")?;
    if let (Some(f), Some(t)) = (from, to) {
        if t <= f {
            return Err(ApiError::invalid("to", "to must be later than from"));
        }
    }
    if let Some(id) = &device_id {
        // A device the caller cannot see is a 404, as on every other route.
        crate::access::device(db, claims, id)?;
    }

    let mut filter =
        String::from(" FROM alerts a JOIN devices d ON d.id = a.device_id WHERE 1 = 1");
    let mut args: Vec<Param> = Vec::new();
    if let Some(owner) = iems_shared::access::owner_scope(claims) {
        filter.push_str(" AND d.owner_id = ?");
        args.push(Param::from(owner));
    }
    if let Some(id) = device_id {
        filter.push_str(" AND a.device_id = ?");
        args.push(Param::from(id));
    }
    if let Some(kind) = kind {
        filter.push_str(" AND a.kind = ?");
        args.push(Param::from(kind));
    }
    match acknowledged {
        Some(true) => filter.push_str(" AND a.acknowledged_at IS NOT NULL"),
        Some(false) => filter.push_str(" AND a.acknowledged_at IS NULL"),
        None => {}
    }
    if let Some(f) = from {
        filter.push_str(" AND a.hour_start >= ?");
        args.push(Param::from(to_unix_ms(f)));
    }
    if let Some(t) = to {
        filter.push_str(" AND a.hour_start < ?");
        args.push(Param::from(to_unix_ms(t)));
    }

    let total = db
        .query_opt(&format!("SELECT COUNT(*){filter}"), &args)?
        .map(|r| r.int(0))
        .transpose()?
        .unwrap_or(0);
    let mut page_args = args;
    page_args.push(Param::from(i64::from(page.per_page)));
    page_args.push(Param::from(page.offset() as i64));
    let rows = db.query(
        &format!(
            "SELECT {COLUMNS}{filter} ORDER BY a.hour_start DESC, a.created_at DESC, a.id LIMIT ? OFFSET ?"
        ),
        &page_args,
    )?;
    let items = rows.iter().map(alert).collect::<Result<Vec<_>, _>>()?;
    Ok(http::json(
        200,
        &Page {
            items,
            total: total.max(0) as u64,
            page: page.page,
            per_page: page.per_page,
        },
    ))
}

/// `POST /api/alerts/{id}/ack`: marks the alert acknowledged (the first time
/// only; acknowledging again changes nothing) and returns it.
pub fn ack(db: &Db, claims: &Claims, raw_id: &str) -> Result<Response, ApiError> {
    let id = params::path_id("alert", raw_id)?;
    let visible = |db: &Db| -> Result<Alert, ApiError> {
        let mut sql = format!(
            "SELECT {COLUMNS} FROM alerts a JOIN devices d ON d.id = a.device_id WHERE a.id = ?"
        );
        let mut args = vec![Param::from(id.as_str())];
        if let Some(owner) = iems_shared::access::owner_scope(claims) {
            sql.push_str(" AND d.owner_id = ?");
            args.push(Param::from(owner));
        }
        let row = db
            .query_opt(&sql, &args)?
            .ok_or_else(|| ApiError::not_found("alert"))?;
        alert(&row)
    };
    let current = visible(db)?;
    if current.acknowledged_at.is_some() {
        return Ok(http::json(200, &current));
    }
    db.run(
        "UPDATE alerts SET acknowledged_at = ?, acknowledged_by = (SELECT id FROM users WHERE id = ?) \
         WHERE id = ? AND acknowledged_at IS NULL",
        &[
            Param::from(fn_common::now_ms()),
            Param::from(claims.sub.as_str()),
            Param::from(id.as_str()),
        ],
    )?;
    Ok(http::json(200, &visible(db)?))
}
