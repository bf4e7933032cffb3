//! A test component for Spin 4's MySQL interface: `spin:mysql/mysql@3.0.0`
//! imported through spin-sdk 7's `spin_sdk::mysql`, exactly as a Spin 4 guest
//! has it.
//!
//! The script runner is exported as `run: async func(address, script) ->
//! string` (an async task may wait for the async imports). The component also
//! exports a wasi:http 0.2 handler (spin-sdk 5.2), which the runtime needs to
//! load it: that handler runs the same script with wit-bindgen's `block_on`,
//! which the component model forbids in a synchronous export (it traps with
//! "cannot block a synchronous task before returning"); the tests show it.
//!
//! A script is a JSON array of steps, run on one connection, which is dropped
//! when the script ends:
//!
//! - `{"execute": SQL, "params": [...]}` → `"ok"` or an error;
//! - `{"query": SQL, "params": [...]}` → `{"columns", "rows", "result"}`, every
//!   row read from the stream, then the query's outcome (`"ok"` or an error);
//! - with `"summary": true`, the rows are counted rather than returned
//!   (`"count"`, `"first"`, `"last"`, the sum of column 0 as `"sum"`);
//! - with `"take": n`, only `n` rows are read, then the rows and the outcome
//!   are dropped unread (`{"columns", "rows"}`);
//! - `{"detached": SQL, "params": [...]}` runs the query on a connection of
//!   its own, drops that connection, then reads the rows →
//!   `{"count", "result"}`;
//! - `{"cancel": SQL, "params": [...]}` starts an `execute`, polls it once and
//!   drops it, cancelling the call → `"cancelled"`, or the outcome if it had
//!   already ended.
//!
//! A parameter is `null` or a one-key object such as `{"int64": 5}`,
//! `{"str": "x"}`, `{"floating64": 1.5}`, `{"binary": [1, 2]}`. A failed open
//! answers `{"open": error}`; an error is `{"error": kind, "message": text}`.

use serde_json::{json, Value};
use spin_sdk::http::{Request, Response};
use spin_sdk::http_component;
use spin_sdk7::mysql::{
    Column, Connection, DbDataType, DbValue, Error, MysqlError, ParameterValue,
};
use spin_sdk7::wit_bindgen;

wit_bindgen::generate!({
    runtime_path: "spin_sdk7::wit_bindgen::rt",
    world: "probe",
    path: "wit",
});

struct Probe;

impl Guest for Probe {
    async fn run(address: String, script: String) -> String {
        run(address, script.into_bytes())
            .await
            .unwrap_or_else(|message| json!({ "script": message }).to_string())
    }
}

export!(Probe);

/// `POST` a script with the address in `x-mysql-address`.
#[http_component]
fn handle(req: Request) -> Response {
    let address = req
        .header("x-mysql-address")
        .and_then(|v| v.as_str())
        .unwrap_or_default()
        .to_owned();
    let script = req.body().to_vec();
    match wit_bindgen::block_on(run(address, script)) {
        Ok(answer) => Response::new(200, answer),
        Err(message) => Response::new(400, message),
    }
}

async fn run(address: String, script: Vec<u8>) -> Result<String, String> {
    let steps: Vec<Value> = serde_json::from_slice(&script).map_err(|e| e.to_string())?;
    let conn = match Connection::open(address.clone()).await {
        Ok(conn) => conn,
        Err(e) => return Ok(json!({ "open": error(&e) }).to_string()),
    };
    let mut outcomes = Vec::new();
    for step in &steps {
        let params = params(step)?;
        let outcome = if let Some(sql) = step["execute"].as_str() {
            match conn.execute(sql, params).await {
                Ok(()) => json!("ok"),
                Err(e) => error(&e),
            }
        } else if let Some(sql) = step["query"].as_str() {
            query(&conn, sql, params, step).await
        } else if let Some(sql) = step["detached"].as_str() {
            detached(&address, sql, params).await
        } else if let Some(sql) = step["cancel"].as_str() {
            cancel(&conn, sql, params)
        } else {
            return Err(format!("unknown step {step}"));
        };
        outcomes.push(outcome);
    }
    Ok(json!({ "steps": outcomes }).to_string())
}

async fn query(conn: &Connection, sql: &str, params: Vec<ParameterValue>, step: &Value) -> Value {
    let mut result = match conn.query(sql, params).await {
        Ok(result) => result,
        Err(e) => return error(&e),
    };
    let columns: Vec<Value> = result.columns().iter().map(column).collect();
    if let Some(take) = step["take"].as_u64() {
        let mut rows = Vec::new();
        for _ in 0..take {
            match result.rows().next().await {
                Some(row) => rows.push(Value::from(row.iter().map(value).collect::<Vec<_>>())),
                None => break,
            }
        }
        drop(result);
        return json!({ "columns": columns, "rows": rows });
    }
    if step["summary"].as_bool() == Some(true) {
        let (mut count, mut sum) = (0u64, 0i64);
        let (mut first, mut last) = (Value::Null, Value::Null);
        while let Some(row) = result.rows().next().await {
            count += 1;
            if let Some(DbValue::Int64(n)) = row.first() {
                sum += n;
            }
            last = row.iter().map(value).collect::<Vec<_>>().into();
            if count == 1 {
                first = last.clone();
            }
        }
        return json!({
            "columns": columns, "count": count, "sum": sum, "first": first, "last": last,
            "result": outcome(result.result().await),
        });
    }
    let mut rows = Vec::new();
    while let Some(row) = result.rows().next().await {
        rows.push(Value::from(row.iter().map(value).collect::<Vec<_>>()));
    }
    json!({ "columns": columns, "rows": rows, "result": outcome(result.result().await) })
}

/// A query whose connection is dropped before its rows are read.
async fn detached(address: &str, sql: &str, params: Vec<ParameterValue>) -> Value {
    let mut result = {
        let conn = match Connection::open(address.to_owned()).await {
            Ok(conn) => conn,
            Err(e) => return json!({ "open": error(&e) }),
        };
        match conn.query(sql, params).await {
            Ok(result) => result,
            Err(e) => return error(&e),
        }
    };
    let mut count = 0u64;
    while result.rows().next().await.is_some() {
        count += 1;
    }
    json!({ "count": count, "result": outcome(result.result().await) })
}

/// Polls an `execute` once, then drops it (cancelling the call if it had not ended).
fn cancel(conn: &Connection, sql: &str, params: Vec<ParameterValue>) -> Value {
    use std::future::Future as _;
    use std::task::{Context, Poll, Waker};
    let mut call = std::pin::pin!(conn.execute(sql, params));
    match call.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(Ok(())) => json!("ok"),
        Poll::Ready(Err(e)) => error(&e),
        Poll::Pending => json!("cancelled"),
    }
}

fn outcome(result: Result<(), Error>) -> Value {
    match result {
        Ok(()) => json!("ok"),
        Err(e) => error(&e),
    }
}

fn error(e: &Error) -> Value {
    match e {
        Error::MysqlError(e) => mysql_error(e),
        Error::Decode(m) => json!({ "error": "decode", "message": m }),
    }
}

include!("../../mysql_values.rs");
