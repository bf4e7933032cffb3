//! The `queries` Spin component: read-side routes over what the native services
//! write — consumption charts and CSV with their cost, a client's cost
//! summary, alerts and budget alerts (and acknowledging them), chat
//! conversations and history. Every route needs a bearer token; clients see only
//! their own devices, alerts and conversation (others' are 404), admins see all.

mod access;
mod alerts;
mod budget_alerts;
mod chat;
mod consumption;
mod cost;
mod insight;
mod params;
mod summary;

use fn_common::db::Db;
use fn_common::{auth, http, Req};
use iems_shared::ApiError;
use spin_sdk::http::{IncomingRequest, Response};
use spin_sdk::http_component;

#[http_component]
async fn handle(req: IncomingRequest) -> Response {
    let req = match Req::read(req).await {
        Ok(r) => r,
        Err(e) => return http::error(&e),
    };
    route(&req)
}

/// What a path names, before the method and the caller are checked.
enum Route<'a> {
    Day(&'a str),
    Range(&'a str, bool),
    Current(&'a str),
    Period(&'a str),
    Insight(&'a str),
    Total,
    Summary,
    Alerts,
    BudgetAlerts,
    BudgetAck(&'a str),
    Ack(&'a str),
    Conversations,
    Messages(&'a str),
}

fn parse<'a>(segments: &[&'a str]) -> Option<(Route<'a>, &'static str)> {
    let route = match *segments {
        ["api", "consumption", id, "day"] => (Route::Day(id), "GET"),
        ["api", "consumption", id, "range"] => (Route::Range(id, false), "GET"),
        ["api", "consumption", id, "range.csv"] => (Route::Range(id, true), "GET"),
        ["api", "consumption", id, "current"] => (Route::Current(id), "GET"),
        ["api", "consumption", "summary"] => (Route::Summary, "GET"),
        ["api", "consumption", "total"] => (Route::Total, "GET"),
        ["api", "consumption", id, "period"] => (Route::Period(id), "GET"),
        ["api", "consumption", id, "insight"] => (Route::Insight(id), "GET"),
        ["api", "alerts"] => (Route::Alerts, "GET"),
        ["api", "alerts", "budget"] => (Route::BudgetAlerts, "GET"),
        ["api", "alerts", "budget", id, "ack"] => (Route::BudgetAck(id), "POST"),
        ["api", "alerts", id, "ack"] => (Route::Ack(id), "POST"),
        ["api", "chat", "conversations"] => (Route::Conversations, "GET"),
        ["api", "chat", "conversations", id, "messages"] => (Route::Messages(id), "GET"),
        _ => return None,
    };
    Some(route)
}

fn route(req: &Req) -> Response {
    let segments = req.segments();
    let Some((route, method)) = parse(&segments) else {
        return http::error(&http::no_route());
    };
    if req.method != method {
        return http::method_not_allowed(&[method]);
    }
    http::respond(handle_route(req, route))
}

fn handle_route(req: &Req, route: Route<'_>) -> Result<Response, ApiError> {
    let claims = auth::authenticate(req)?;
    let db = Db::open_default()?;
    let device = |raw: &str| {
        let id = params::path_id("device", raw)?;
        access::device(&db, &claims, &id)
    };
    match route {
        Route::Day(id) => consumption::day(&db, req, &device(id)?),
        Route::Range(id, csv) => consumption::range(&db, req, &device(id)?, csv),
        Route::Current(id) => consumption::current(&db, &device(id)?),
        Route::Summary => summary::summary(&db, req, &claims),
        Route::Total => insight::total(&db, req, &claims),
        Route::Period(id) => insight::period(&db, req, &device(id)?),
        Route::Insight(id) => insight::baseline(&db, &device(id)?),
        Route::Alerts => alerts::list(&db, req, &claims),
        Route::BudgetAlerts => budget_alerts::list(&db, req, &claims),
        Route::BudgetAck(id) => budget_alerts::ack(&db, &claims, id),
        Route::Ack(id) => alerts::ack(&db, &claims, id),
        Route::Conversations => chat::conversations(&db, &claims),
        Route::Messages(id) => chat::messages(&db, req, &claims, id),
    }
}
