//! Spin's conversions between the driver's values and MySQL's: parameters,
//! column types (`convert_data_type`) and row values.

use sqlx::mysql::{MySqlArguments, MySqlColumn, MySqlRow};
use sqlx::query::Query;
use sqlx::{Column as _, MySql, Row as _, TypeInfo as _};

use super::types::{Column, DbDataType, DbValue, Error, ParameterValue};

pub(super) fn bind(
    mut query: Query<'_, MySql, MySqlArguments>,
    params: Vec<ParameterValue>,
) -> Query<'_, MySql, MySqlArguments> {
    for param in params {
        query = match param {
            ParameterValue::Boolean(v) => query.bind(v),
            ParameterValue::Int8(v) => query.bind(v),
            ParameterValue::Int16(v) => query.bind(v),
            ParameterValue::Int32(v) => query.bind(v),
            ParameterValue::Int64(v) => query.bind(v),
            ParameterValue::Uint8(v) => query.bind(v),
            ParameterValue::Uint16(v) => query.bind(v),
            ParameterValue::Uint32(v) => query.bind(v),
            ParameterValue::Uint64(v) => query.bind(v),
            ParameterValue::Floating32(v) => query.bind(v),
            ParameterValue::Floating64(v) => query.bind(v),
            ParameterValue::Str(v) => query.bind(v),
            ParameterValue::Binary(v) => query.bind(v),
            ParameterValue::DbNull => query.bind(None::<String>),
        };
    }
    query
}

pub(super) fn convert_columns(columns: &[MySqlColumn]) -> Vec<Column> {
    columns
        .iter()
        .map(|c| Column {
            name: c.name().to_owned(),
            data_type: data_type(c.type_info().name()),
        })
        .collect()
}

/// Spin's `convert_data_type`, from sqlx's type name (which is built from the
/// same column type and `UNSIGNED`/`BINARY` flags Spin looks at).
fn data_type(sqlx_name: &str) -> DbDataType {
    match sqlx_name {
        // sqlx names a TINYINT(1) `BOOLEAN` whatever its sign; Spin reads it as TINYINT.
        "TINYINT" | "BOOLEAN" => DbDataType::Int8,
        "TINYINT UNSIGNED" => DbDataType::Uint8,
        "SMALLINT" => DbDataType::Int16,
        "SMALLINT UNSIGNED" => DbDataType::Uint16,
        "INT" | "MEDIUMINT" => DbDataType::Int32,
        "INT UNSIGNED" | "MEDIUMINT UNSIGNED" => DbDataType::Uint32,
        "BIGINT" => DbDataType::Int64,
        "BIGINT UNSIGNED" => DbDataType::Uint64,
        "FLOAT" => DbDataType::Floating32,
        "DOUBLE" => DbDataType::Floating64,
        // CHAR (and ENUM, sent as CHAR), VARCHAR and non-binary TEXT.
        "CHAR" | "ENUM" | "VARCHAR" | "TEXT" => DbDataType::Str,
        "BINARY" | "VARBINARY" | "BLOB" => DbDataType::Binary,
        // DECIMAL, dates and times, JSON, BIT, YEAR, SET, GEOMETRY, …
        _ => DbDataType::Other,
    }
}

pub(super) fn convert_row(row: &MySqlRow, columns: &[Column]) -> Result<Vec<DbValue>, Error> {
    (0..row.len())
        .map(|index| {
            let column = columns
                .get(index)
                .ok_or_else(|| Error::Other(format!("Can't get column at index {index}")))?;
            convert_value(row, index, column)
        })
        .collect()
}

fn convert_value(row: &MySqlRow, index: usize, column: &Column) -> Result<DbValue, Error> {
    fn get<'r, T: sqlx::Decode<'r, MySql>>(
        row: &'r MySqlRow,
        index: usize,
    ) -> Result<Option<T>, Error> {
        row.try_get_unchecked::<Option<T>, _>(index)
            .map_err(|e| Error::ValueConversionFailed(e.to_string()))
    }
    let value = match column.data_type {
        DbDataType::Int8 => get::<i8>(row, index)?.map(DbValue::Int8),
        DbDataType::Int16 => get::<i16>(row, index)?.map(DbValue::Int16),
        DbDataType::Int32 => get::<i32>(row, index)?.map(DbValue::Int32),
        DbDataType::Int64 => get::<i64>(row, index)?.map(DbValue::Int64),
        DbDataType::Uint8 => get::<u8>(row, index)?.map(DbValue::Uint8),
        DbDataType::Uint16 => get::<u16>(row, index)?.map(DbValue::Uint16),
        DbDataType::Uint32 => get::<u32>(row, index)?.map(DbValue::Uint32),
        DbDataType::Uint64 => get::<u64>(row, index)?.map(DbValue::Uint64),
        DbDataType::Floating32 => get::<f32>(row, index)?.map(DbValue::Floating32),
        DbDataType::Floating64 => get::<f64>(row, index)?.map(DbValue::Floating64),
        DbDataType::Str => get::<String>(row, index)?.map(DbValue::Str),
        DbDataType::Binary => get::<Vec<u8>>(row, index)?.map(DbValue::Binary),
        DbDataType::Other => {
            let raw = row
                .try_get_raw(index)
                .map_err(|e| Error::Other(e.to_string()))?;
            if sqlx::ValueRef::is_null(&raw) {
                None
            } else {
                let mysql_type = row.columns()[index].type_info().name();
                return Err(Error::ValueConversionFailed(format!(
                    "Cannot convert value in column {} of MySQL type {mysql_type} (data type Other)",
                    column.name
                )));
            }
        }
    };
    Ok(value.unwrap_or(DbValue::DbNull))
}

pub(super) fn value_size(value: &DbValue) -> usize {
    std::mem::size_of::<DbValue>()
        + match value {
            DbValue::Str(s) => s.len(),
            DbValue::Binary(b) => b.len(),
            _ => 0,
        }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_types_follow_spin() {
        assert_eq!(data_type("BIGINT"), DbDataType::Int64);
        assert_eq!(data_type("BIGINT UNSIGNED"), DbDataType::Uint64);
        assert_eq!(data_type("VARCHAR"), DbDataType::Str);
        assert_eq!(data_type("TEXT"), DbDataType::Str);
        assert_eq!(data_type("VARBINARY"), DbDataType::Binary);
        assert_eq!(data_type("DOUBLE"), DbDataType::Floating64);
        assert_eq!(data_type("DECIMAL"), DbDataType::Other);
        assert_eq!(data_type("DATETIME"), DbDataType::Other);
    }
}
