//! `/api/budgets/{client_id}`: a client's monthly budget (money or kWh, over
//! the months of an IANA zone), set by the client or an admin, and its status:
//! the current month spent and projected to its end (docs/cost.md).

use crate::common::client_for;
use fn_common::auth::authenticate;
use fn_common::db::{Db, Row};
use fn_common::{http, Req};
use iems_shared::cost::load::month_window;
use iems_shared::cost::{budget_status, Budget, Money};
use iems_shared::sql::cost as sql;
use iems_shared::time::{parse_tz, rfc3339_ms};
use iems_shared::ApiError;
use serde::Serialize;
use serde_json::Value;
use spin_sdk::http::Response;

/// The projection method, as the status reports it.
const METHOD: &str = "month so far + for each remaining hour the mean of the same hour 1–4 weeks earlier, priced at its own price";

#[derive(Serialize)]
struct BudgetOut {
    client_id: String,
    kind: String,
    amount: f64,
    tz: String,
    currency: Option<String>,
    updated_at: String,
}

#[derive(Serialize)]
struct Amount {
    kind: String,
    amount: f64,
}

#[derive(Serialize)]
struct Spend {
    kwh: f64,
    cost: Option<f64>,
}

#[derive(Serialize)]
struct StatusOut {
    client_id: String,
    month: String,
    from: String,
    to: String,
    tz: String,
    budget: Amount,
    currency: Option<String>,
    spent: Spend,
    projected: Spend,
    unpriced_kwh: f64,
    projected_over: bool,
    spent_over: bool,
    method: &'static str,
}

/// A stored budget (its `kind` and `amount` columns).
fn stored(kind: &str, amount: i64) -> Result<Budget, ApiError> {
    Budget::from_stored(kind, amount).ok_or_else(ApiError::internal)
}

/// The currency of the client's tariffs, if any.
fn currency(db: &Db, client: &str) -> Result<Option<String>, ApiError> {
    db.query_opt(sql::CLIENT_CURRENCIES, &[client.into(), client.into()])?
        .map(|r| r.text(0))
        .transpose()
        .map_err(Into::into)
}

fn budget_row(db: &Db, client: &str) -> Result<Row, ApiError> {
    db.query_opt(sql::BUDGET_BY_CLIENT, &[client.into()])?
        .ok_or_else(|| ApiError::not_found("budget"))
}

fn render(db: &Db, client: &str) -> Result<BudgetOut, ApiError> {
    let row = budget_row(db, client)?;
    let kind = row.text(0)?;
    let amount = row.int(1)?;
    Ok(BudgetOut {
        client_id: client.to_string(),
        amount: stored(&kind, amount)?.units_of(amount),
        currency: if kind == "money" {
            currency(db, client)?
        } else {
            None
        },
        kind,
        tz: row.text(2)?,
        updated_at: rfc3339_ms(row.int(3)?),
    })
}

/// `GET /api/budgets/{client_id}`: the client themselves or an admin.
pub fn get(req: &Req, raw: &str) -> Result<Response, ApiError> {
    let claims = authenticate(req)?;
    let db = Db::open_default()?;
    let client = client_for(&db, &claims, raw)?;
    Ok(http::json(200, &render(&db, &client)?))
}

/// `PUT /api/budgets/{client_id}` `{kind: money|kwh, amount: decimal, tz?}`.
pub fn put(req: &Req, raw: &str) -> Result<Response, ApiError> {
    let claims = authenticate(req)?;
    let body = req.json()?;
    let kind = body.str("kind")?;
    let amount = match body.get("amount") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        None | Some(Value::Null) => return Err(ApiError::invalid("amount", "amount is required")),
        Some(_) => {
            return Err(ApiError::invalid(
                "amount",
                "amount must be a decimal string or a number",
            ))
        }
    };
    let budget = Budget::parse(kind, &amount)?;
    let tz = body.opt_str("tz")?.unwrap_or("UTC");
    parse_tz(tz)?;
    let db = Db::open_default()?;
    let client = client_for(&db, &claims, raw)?;
    db.run_statement(sql::upsert_budget(
        db.backend().dialect(),
        &client,
        budget.kind(),
        budget.stored_amount(),
        tz,
        fn_common::now_ms(),
        &claims.sub,
    ))?;
    Ok(http::json(200, &render(&db, &client)?))
}

/// `DELETE /api/budgets/{client_id}` → 204 (404 when none).
pub fn delete(req: &Req, raw: &str) -> Result<Response, ApiError> {
    let claims = authenticate(req)?;
    let db = Db::open_default()?;
    let client = client_for(&db, &claims, raw)?;
    if db.execute(sql::DELETE_BUDGET, &[client.as_str().into()])? == 0 {
        return Err(ApiError::not_found("budget"));
    }
    Ok(http::empty(204))
}

/// `GET /api/budgets/{client_id}/status?tz=`: the current month (in `tz`,
/// by default the budget's) spent and projected, against the budget.
pub fn status(req: &Req, raw: &str) -> Result<Response, ApiError> {
    let claims = authenticate(req)?;
    let db = Db::open_default()?;
    let client = client_for(&db, &claims, raw)?;
    let row = budget_row(&db, &client)?;
    let kind = row.text(0)?;
    let amount = row.int(1)?;
    let tz_name = match req.query("tz").filter(|t| !t.is_empty()) {
        Some(t) => t.to_string(),
        None => row.text(2)?,
    };
    let tz = parse_tz(&tz_name)?;
    let now = fn_common::now_ms();
    let (month, start, end) = month_window(now, tz);
    let (projection, currency) = fn_common::cost::client_projection(&db, &client, now, start, end)?;
    let budget = stored(&kind, amount)?;
    let status = budget_status(budget, &projection);
    let cost = |m: Money| currency.map(|_| m.units());
    Ok(http::json(
        200,
        &StatusOut {
            client_id: client,
            month,
            from: rfc3339_ms(start),
            to: rfc3339_ms(end),
            tz: tz_name,
            budget: Amount {
                amount: budget.units_of(amount),
                kind,
            },
            currency: currency.map(|c| c.to_string()),
            spent: Spend {
                kwh: projection.spent_energy.kwh(),
                cost: cost(projection.spent_cost),
            },
            projected: Spend {
                kwh: projection.projected_energy.kwh(),
                cost: cost(projection.projected_cost),
            },
            unpriced_kwh: projection.unpriced_energy.kwh(),
            projected_over: status.projected_over,
            spent_over: status.spent_over,
            method: METHOD,
        },
    ))
}
