//! Spin component (being written).
use spin_sdk::http::{IncomingRequest, Response};
use spin_sdk::http_component;

#[http_component]
async fn handle(req: IncomingRequest) -> Response {
    match fn_common::Req::read(req).await {
        Ok(_) => fn_common::http::error(&fn_common::http::no_route()),
        Err(e) => fn_common::http::error(&e),
    }
}
