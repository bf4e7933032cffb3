//! `/api/alerts/budget`: budget alerts (a client's own; an admin's all, with
//! the client's name), newest first, and acknowledging one (its owner or an
//! admin; another client's is a 404). The broker-adapter stores them.

use crate::params;
use fn_common::cost::{count, query};
use fn_common::db::{Db, Param, Row};
use fn_common::{http, Req};
use iems_shared::access::owner_scope;
use iems_shared::domain::PageRequest;
use iems_shared::identity::Claims;
use iems_shared::model::{BudgetAlert, Page};
use iems_shared::sql::cost as sql;
use iems_shared::ApiError;
use spin_sdk::http::Response;

fn alert(row: &Row) -> Result<BudgetAlert, ApiError> {
    let row: sql::BudgetAlertRow = (
        row.text(0)?,
        row.text(1)?,
        row.opt_text(2)?,
        row.text(3)?,
        row.text(4)?,
        row.text(5)?,
        row.int(6)?,
        row.int(7)?,
        row.int(8)?,
        row.opt_text(9)?,
        row.int(10)?,
        row.opt_int(11)?,
    );
    Ok(sql::budget_alert(row).into())
}

/// `GET /api/alerts/budget?page=&per_page=&unacknowledged=`.
pub fn list(db: &Db, req: &Req, claims: &Claims) -> Result<Response, ApiError> {
    let page = PageRequest::parse(req.query("page"), req.query("per_page"))?;
    let unacknowledged = params::opt_bool(req, "unacknowledged")?.unwrap_or(false);
    let client = owner_scope(claims);
    let total = count(db, sql::budget_alert_count(client, unacknowledged))?;
    let items = query(
        db,
        sql::budget_alert_page(
            client,
            unacknowledged,
            i64::from(page.per_page),
            page.offset() as i64,
        ),
    )?
    .iter()
    .map(alert)
    .collect::<Result<Vec<_>, _>>()?;
    Ok(http::json(
        200,
        &Page {
            items,
            total,
            page: page.page,
            per_page: page.per_page,
        },
    ))
}

/// `POST /api/alerts/budget/{id}/ack`: acknowledged once; again changes nothing.
pub fn ack(db: &Db, claims: &Claims, raw: &str) -> Result<Response, ApiError> {
    let id = params::path_id("alert", raw)?;
    let client = owner_scope(claims);
    let visible = |db: &Db| -> Result<BudgetAlert, ApiError> {
        let rows = query(db, sql::budget_alert_by_id(&id, client))?;
        rows.first()
            .map(alert)
            .transpose()?
            .ok_or_else(|| ApiError::not_found("alert"))
    };
    if visible(db)?.acknowledged_at.is_none() {
        let s = sql::ack_budget_alert(&id, &claims.sub, fn_common::now_ms());
        let params: Vec<Param> = s.params.into_iter().map(Param::from).collect();
        db.run(&s.sql, &params)?;
    }
    Ok(http::json(200, &visible(db)?))
}
