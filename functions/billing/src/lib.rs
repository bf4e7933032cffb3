//! The billing component: tariffs (admin writes; a client reads the tariffs
//! assigned to them or their devices), dynamic price uploads, tariff
//! assignments with history, and monthly budgets with their month-end
//! projection. The rules are `iems_shared::cost`'s (docs/cost.md); this crate
//! parses, authorizes, runs `iems_shared::sql::cost`'s statements and renders.

mod assignments;
mod budgets;
mod common;
mod prices;
mod tariffs;

use fn_common::{http, Req};
use spin_sdk::http::{IncomingRequest, Response};
use spin_sdk::http_component;

#[http_component]
async fn handle(req: IncomingRequest) -> Response {
    match Req::read(req).await {
        Ok(req) => route(&req),
        Err(e) => http::error(&e),
    }
}

fn route(req: &Req) -> Response {
    let method = req.method.as_str();
    let result = match req.segments().as_slice() {
        ["api", "tariffs"] => match method {
            "GET" => tariffs::list(req),
            "POST" => tariffs::create(req),
            _ => return http::method_not_allowed(&["GET", "POST"]),
        },
        ["api", "tariffs", id] => match method {
            "GET" => tariffs::get(req, id),
            "PATCH" => tariffs::update(req, id),
            "DELETE" => tariffs::delete(req, id),
            _ => return http::method_not_allowed(&["GET", "PATCH", "DELETE"]),
        },
        ["api", "tariffs", id, "prices"] => match method {
            "GET" => prices::list(req, id),
            "PUT" => prices::upload(req, id),
            _ => return http::method_not_allowed(&["GET", "PUT"]),
        },
        ["api", "tariff-assignments"] => match method {
            "GET" => assignments::list(req),
            "POST" => assignments::create(req),
            _ => return http::method_not_allowed(&["GET", "POST"]),
        },
        ["api", "tariff-assignments", id] => match method {
            "DELETE" => assignments::delete(req, id),
            _ => return http::method_not_allowed(&["DELETE"]),
        },
        ["api", "budgets", client] => match method {
            "GET" => budgets::get(req, client),
            "PUT" => budgets::put(req, client),
            "DELETE" => budgets::delete(req, client),
            _ => return http::method_not_allowed(&["GET", "PUT", "DELETE"]),
        },
        ["api", "budgets", client, "status"] => match method {
            "GET" => budgets::status(req, client),
            _ => return http::method_not_allowed(&["GET"]),
        },
        _ => Err(http::no_route()),
    };
    http::respond(result)
}
