//! A Spin 4 HTTP component, as spin-sdk 7 builds one: it exports
//! `wasi:http/handler@0.3.0`, which the runtime serves with its
//! `wasi-http-p3` feature.
//!
//! - `/hello3/mysql` with the address in `x-mysql-address`: opens a
//!   connection with Spin 4's MySQL interface (`spin:mysql/mysql@3.0.0`, async
//!   imports a wasi:http 0.3 handler may wait for) and answers the rows of
//!   `SELECT seq FROM seq_1_to_<n>` for `x-rows: n` as `{"rows": [...], "result"}`;
//! - `/hello3/big`: 4 MiB of `x`, which the guest writes after returning
//!   the response;
//! - `/hello3/fetch` sends `GET x-url` (wasi:http 0.3's client, under
//!   `allowed_outbound_hosts`) → `{"status"}` or `{"error"}`;
//! - `/hello3/spin`: never answers (for the request timeout);
//! - `/hello3/echo`: answers at once, with the request's body streamed back
//!   as it arrives;
//! - anything else: `{"method", "uri", "headers": {spin-*}}`.

use serde_json::{json, Map, Value};
use spin_sdk::http::{IntoResponse, Request, StatusCode};
use spin_sdk::http_service;
use spin_sdk::mysql::{Connection, DbValue, ParameterValue};
use spin_sdk::wasip3::http::types::{ErrorCode, Response as WasiResponse};

/// A handler's answer: text, or another response (a streamed body).
enum Answer<S> {
    Text(StatusCode, String),
    Other(S),
}

impl<S: IntoResponse> IntoResponse for Answer<S> {
    fn into_response(self) -> Result<WasiResponse, ErrorCode> {
        match self {
            Answer::Text(status, text) => (status, text).into_response(),
            Answer::Other(response) => response.into_response(),
        }
    }
}

#[http_service]
async fn handle(req: Request) -> Answer<impl IntoResponse> {
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    match req.uri().path() {
        "/hello3/mysql" => {
            let rows = header("x-rows").parse::<u32>().unwrap_or(1);
            match rows_of(&header("x-mysql-address"), rows).await {
                Ok(answer) => Answer::Text(StatusCode::OK, answer.to_string()),
                Err(message) => Answer::Text(StatusCode::INTERNAL_SERVER_ERROR, message),
            }
        }
        "/hello3/big" => Answer::Text(StatusCode::OK, "x".repeat(4 << 20)),
        "/hello3/fetch" => {
            let request = http::Request::get(header("x-url"))
                .body(String::new())
                .map_err(|e| e.to_string());
            let answer = match request {
                Ok(request) => match spin_sdk::http::send(request).await {
                    Ok(response) => json!({ "status": response.status().as_u16() }),
                    Err(e) => json!({ "error": format!("{e:?}") }),
                },
                Err(e) => json!({ "error": e }),
            };
            Answer::Text(StatusCode::OK, answer.to_string())
        }
        "/hello3/echo" => Answer::Other(http::Response::new(req.into_body())),
        "/hello3/spin" =>
        {
            #[allow(clippy::empty_loop)]
            loop {}
        }
        _ => {
            let spin: Map<String, Value> = req
                .headers()
                .iter()
                .filter(|(name, _)| name.as_str().starts_with("spin-"))
                .map(|(name, value)| {
                    (
                        name.as_str().to_owned(),
                        json!(value.to_str().unwrap_or_default()),
                    )
                })
                .collect();
            let answer = json!({
                "method": req.method().as_str(),
                "uri": req.uri().to_string(),
                "headers": spin,
            });
            Answer::Text(StatusCode::OK, answer.to_string())
        }
    }
}

async fn rows_of(address: &str, n: u32) -> Result<Value, String> {
    let conn = Connection::open(address).await.map_err(|e| e.to_string())?;
    let mut result = conn
        .query(
            format!("SELECT seq FROM seq_1_to_{n}"),
            Vec::<ParameterValue>::new(),
        )
        .await
        .map_err(|e| e.to_string())?;
    let mut rows = Vec::new();
    while let Some(row) = result.next().await {
        rows.push(match &row[0] {
            DbValue::Uint64(n) => json!(n),
            DbValue::Int64(n) => json!(n),
            other => json!(format!("{other:?}")),
        });
    }
    let outcome = match result.result().await {
        Ok(()) => json!("ok"),
        Err(e) => json!(e.to_string()),
    };
    Ok(json!({ "rows": rows, "result": outcome }))
}
