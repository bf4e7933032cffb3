//! The `openapi` Spin component: `GET /api/openapi.json`, the OpenAPI 3.1
//! document of every route of every component. The document is a file in this
//! crate (`openapi.json`) compiled in, so it is served without a files mount;
//! `iems/tests/openapi.rs` checks it against spin.toml and the live routes.

use iems_shared::{ApiError, ErrorCode};
use spin_sdk::http::{Method, Request, Response};
use spin_sdk::http_component;

/// The document, checked to be JSON by the tests.
const DOCUMENT: &str = include_str!("../openapi.json");

#[http_component]
fn handle(req: Request) -> Response {
    let head = match req.method() {
        Method::Get => false,
        Method::Head => true,
        _ => {
            let err = ApiError::new(
                ErrorCode::MethodNotAllowed,
                "only GET and HEAD are allowed here",
            );
            return Response::builder()
                .status(err.status())
                .header("content-type", "application/json")
                .header("allow", "GET, HEAD")
                .body(err.to_body())
                .build();
        }
    };
    let mut builder = Response::builder();
    builder
        .status(200)
        .header("content-type", "application/json")
        .header("cache-control", "no-cache")
        .header("access-control-allow-origin", "*");
    if head {
        builder.build()
    } else {
        builder.body(DOCUMENT).build()
    }
}
