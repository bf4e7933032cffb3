//! `x-probe-op: mysql`: runs a script of steps on one `spin_sdk::mysql`
//! connection to the address in `x-probe-arg` and answers with each step's
//! outcome as JSON.
//!
//! The body is a JSON array of steps: `{"execute": SQL, "params": [...]}`,
//! `{"query": SQL, "params": [...]}` or `{"trap": true}` (panics with the
//! connection open). A parameter is `null` or a one-key object such as
//! `{"int64": 5}`, `{"str": "x"}`, `{"float64": 1.5}`, `{"binary": [1, 2]}`.
//! The connection is dropped when the script ends.

use serde_json::{json, Value};
use spin_sdk::mysql::{Column, Connection, DbDataType, DbValue, MysqlError, ParameterValue};

/// Runs `script` against `address`; the answer is `{"open": …}` on a failed
/// open, otherwise `{"steps": [outcome, …]}`.
pub fn run(address: &str, script: &[u8]) -> Result<String, String> {
    let steps: Vec<Value> = serde_json::from_slice(script).map_err(|e| e.to_string())?;
    let conn = match Connection::open(address) {
        Ok(conn) => conn,
        Err(e) => return Ok(json!({ "open": mysql_error(&e) }).to_string()),
    };
    let mut outcomes = Vec::new();
    for step in &steps {
        let params = params(step)?;
        let outcome = if let Some(sql) = step["execute"].as_str() {
            match conn.execute(sql, &params) {
                Ok(()) => json!("ok"),
                Err(e) => mysql_error(&e),
            }
        } else if let Some(sql) = step["query"].as_str() {
            match conn.query(sql, &params) {
                Ok(rows) => json!({
                    "columns": rows.columns.iter().map(column).collect::<Vec<_>>(),
                    "rows": rows.rows.iter()
                        .map(|row| row.iter().map(value).collect::<Vec<_>>())
                        .collect::<Vec<_>>(),
                }),
                Err(e) => mysql_error(&e),
            }
        } else if step["trap"].as_bool() == Some(true) {
            panic!("probe asked to trap with a MySQL connection open");
        } else {
            return Err(format!("unknown step {step}"));
        };
        outcomes.push(outcome);
    }
    Ok(json!({ "steps": outcomes }).to_string())
}

include!("../../mysql_values.rs");
