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
//!   are dropped unread (`{"columns", "rows"}`).
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
    let conn = match Connection::open(address).await {
        Ok(conn) => conn,
        Err(e) => return Ok(json!({ "open": error(&e) }).to_string()),
    };
    let mut outcomes = Vec::new();
    for step in &steps {
        let params = step["params"]
            .as_array()
            .map(|p| p.iter().map(param).collect::<Result<Vec<_>, _>>())
            .transpose()?
            .unwrap_or_default();
        let outcome = if let Some(sql) = step["execute"].as_str() {
            match conn.execute(sql, params).await {
                Ok(()) => json!("ok"),
                Err(e) => error(&e),
            }
        } else if let Some(sql) = step["query"].as_str() {
            query(&conn, sql, params, step).await
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

fn outcome(result: Result<(), Error>) -> Value {
    match result {
        Ok(()) => json!("ok"),
        Err(e) => error(&e),
    }
}

fn error(e: &Error) -> Value {
    let (kind, message) = match e {
        Error::MysqlError(MysqlError::ConnectionFailed(m)) => ("connection-failed", m),
        Error::MysqlError(MysqlError::BadParameter(m)) => ("bad-parameter", m),
        Error::MysqlError(MysqlError::QueryFailed(m)) => ("query-failed", m),
        Error::MysqlError(MysqlError::ValueConversionFailed(m)) => ("value-conversion-failed", m),
        Error::MysqlError(MysqlError::Other(m)) => ("other", m),
        Error::Decode(m) => ("decode", m),
    };
    json!({ "error": kind, "message": message })
}

fn param(v: &Value) -> Result<ParameterValue, String> {
    let Some((kind, v)) = v.as_object().and_then(|o| o.iter().next()) else {
        return Ok(ParameterValue::DbNull);
    };
    let int = || v.as_i64().ok_or(format!("{kind}: not an integer"));
    let uint = || v.as_u64().ok_or(format!("{kind}: not an unsigned integer"));
    Ok(match kind.as_str() {
        "boolean" => ParameterValue::Boolean(v.as_bool().unwrap_or_default()),
        "int8" => ParameterValue::Int8(int()? as i8),
        "int16" => ParameterValue::Int16(int()? as i16),
        "int32" => ParameterValue::Int32(int()? as i32),
        "int64" => ParameterValue::Int64(int()?),
        "uint8" => ParameterValue::Uint8(uint()? as u8),
        "uint16" => ParameterValue::Uint16(uint()? as u16),
        "uint32" => ParameterValue::Uint32(uint()? as u32),
        "uint64" => ParameterValue::Uint64(uint()?),
        "floating32" => ParameterValue::Floating32(v.as_f64().unwrap_or_default() as f32),
        "floating64" => ParameterValue::Floating64(v.as_f64().unwrap_or_default()),
        "str" => ParameterValue::Str(v.as_str().unwrap_or_default().to_owned()),
        "binary" => ParameterValue::Binary(
            v.as_array()
                .map(|b| b.iter().map(|x| x.as_u64().unwrap_or(0) as u8).collect())
                .unwrap_or_default(),
        ),
        other => return Err(format!("unknown parameter type {other}")),
    })
}

fn column(c: &Column) -> Value {
    let kind = match c.data_type {
        DbDataType::Boolean => "boolean",
        DbDataType::Int8 => "int8",
        DbDataType::Int16 => "int16",
        DbDataType::Int32 => "int32",
        DbDataType::Int64 => "int64",
        DbDataType::Uint8 => "uint8",
        DbDataType::Uint16 => "uint16",
        DbDataType::Uint32 => "uint32",
        DbDataType::Uint64 => "uint64",
        DbDataType::Floating32 => "floating32",
        DbDataType::Floating64 => "floating64",
        DbDataType::Str => "str",
        DbDataType::Binary => "binary",
        DbDataType::Other => "other",
    };
    json!([c.name, kind])
}

fn value(v: &DbValue) -> Value {
    match v {
        DbValue::Boolean(b) => json!({ "boolean": b }),
        DbValue::Int8(i) => json!({ "int8": i }),
        DbValue::Int16(i) => json!({ "int16": i }),
        DbValue::Int32(i) => json!({ "int32": i }),
        DbValue::Int64(i) => json!({ "int64": i }),
        DbValue::Uint8(i) => json!({ "uint8": i }),
        DbValue::Uint16(i) => json!({ "uint16": i }),
        DbValue::Uint32(i) => json!({ "uint32": i }),
        DbValue::Uint64(i) => json!({ "uint64": i }),
        DbValue::Floating32(f) => json!({ "floating32": f }),
        DbValue::Floating64(f) => json!({ "floating64": f }),
        DbValue::Str(s) => json!({ "str": s }),
        DbValue::Binary(b) => json!({ "binary": b }),
        DbValue::DbNull => Value::Null,
        DbValue::Unsupported => json!("unsupported"),
    }
}
