// JSON <-> MySQL values and errors for the test components' MySQL scripts,
// included by rt-probe (spin-sdk 5.2, `fermyon:spin/mysql@2.0.0`) and
// rt-mysql3 (spin-sdk 7, `spin:mysql/mysql@3.0.0`): the two SDKs' types have
// the same shapes and names but are distinct types, so each includes this
// file where `Column`, `DbDataType`, `DbValue`, `MysqlError`,
// `ParameterValue`, `json!` and `Value` are in scope.

fn mysql_error(e: &MysqlError) -> Value {
    let (kind, message) = match e {
        MysqlError::ConnectionFailed(m) => ("connection-failed", m),
        MysqlError::BadParameter(m) => ("bad-parameter", m),
        MysqlError::QueryFailed(m) => ("query-failed", m),
        MysqlError::ValueConversionFailed(m) => ("value-conversion-failed", m),
        MysqlError::Other(m) => ("other", m),
    };
    json!({ "error": kind, "message": message })
}

/// A step's `"params"` (none when absent).
fn params(step: &Value) -> Result<Vec<ParameterValue>, String> {
    step["params"]
        .as_array()
        .map(|p| p.iter().map(param).collect())
        .transpose()
        .map(Option::unwrap_or_default)
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
