//! The auth component: `/api/auth/...` (register, login, refresh, logout, me,
//! password) and the admin users CRUD under `/api/users`. It alone holds the
//! private signing key (`jwt_private_key`); password hashes never leave it.

mod hashing;
mod ratelimit;
mod session;
mod store;
mod users;

use fn_common::{http, Req};
use iems_shared::ApiError;
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
    let result: Result<Response, ApiError> = match req.segments().as_slice() {
        ["api", "auth", action] => {
            let handler = match *action {
                "register" => session::register,
                "login" => session::login,
                "refresh" => session::refresh,
                "logout" => session::logout,
                "password" => session::change_password,
                "me" if method == "GET" => session::me,
                "me" => return http::method_not_allowed(&["GET"]),
                _ => return http::error(&http::no_route()),
            };
            if *action != "me" && method != "POST" {
                return http::method_not_allowed(&["POST"]);
            }
            handler(req)
        }
        ["api", "users"] => match method {
            "GET" => users::list(req),
            "POST" => users::create(req),
            _ => return http::method_not_allowed(&["GET", "POST"]),
        },
        ["api", "users", id] => match method {
            "GET" => users::get(req, id),
            "PATCH" => users::update(req, id),
            "DELETE" => users::delete(req, id),
            _ => return http::method_not_allowed(&["GET", "PATCH", "DELETE"]),
        },
        _ => Err(http::no_route()),
    };
    http::respond(result)
}
