//! Spin's outbound MySQL (`fermyon:spin/mysql@2.0.0`) on sqlx: one lazily
//! created pool per address, shared by every instance of the app; one pooled
//! connection per guest `connection`; Spin's mapping of column types and values.

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::Mutex;
use std::time::Duration;

use futures::TryStreamExt;
use sqlx::mysql::{
    MySqlArguments, MySqlColumn, MySqlConnectOptions, MySqlPoolOptions, MySqlRow, MySqlSslMode,
};
use sqlx::pool::PoolConnection;
use sqlx::query::Query;
use sqlx::{Column as _, Executor as _, MySql, MySqlPool, Row as _, Statement as _, TypeInfo as _};

use crate::host_mysql::fermyon::spin::rdbms_types::{
    Column, DbDataType, DbValue, Error, ParameterValue, RowSet,
};

/// Spin's limit on a buffered query result (`MAX_HOST_BUFFERED_BYTES`).
const MAX_RESULT_BYTES: usize = 128 << 20;

/// The MySQL pools of an application, by address.
pub struct MysqlPools {
    pools: Mutex<HashMap<String, MySqlPool>>,
    max_connections: u32,
    acquire_timeout: Duration,
}

impl MysqlPools {
    /// No pools yet; each address gets up to `max_connections` connections.
    pub fn new(max_connections: u32, acquire_timeout: Duration) -> Self {
        Self {
            pools: Mutex::new(HashMap::new()),
            max_connections: max_connections.max(1),
            acquire_timeout,
        }
    }

    fn pool(&self, address: &str) -> Result<MySqlPool, Error> {
        let mut pools = self.pools.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(pool) = pools.get(address) {
            return Ok(pool.clone());
        }
        let options = connect_options(address)?;
        let pool = MySqlPoolOptions::new()
            .max_connections(self.max_connections)
            .acquire_timeout(self.acquire_timeout)
            .connect_lazy_with(options);
        pools.insert(address.to_owned(), pool.clone());
        Ok(pool)
    }

    /// A connection of the pool for `address` (the allow-list is checked by the caller).
    pub async fn open(&self, address: &str) -> Result<MysqlConnection, Error> {
        let pool = self.pool(address)?;
        let conn = pool
            .acquire()
            .await
            .map_err(|e| Error::ConnectionFailed(e.to_string()))?;
        Ok(MysqlConnection {
            conn,
            in_transaction: false,
            session_altered: false,
        })
    }
}

/// sqlx's options for a Spin MySQL address, with the session left as a plain
/// client (mysql_async, which Spin uses) leaves it: no `PIPES_AS_CONCAT`, no
/// forced time zone or `SET NAMES`, and TLS only when `ssl-mode` asks for it.
fn connect_options(address: &str) -> Result<MySqlConnectOptions, Error> {
    let query: Vec<String> = url_query_keys(address);
    let mut options = MySqlConnectOptions::from_str(address)
        .map_err(|e| Error::ConnectionFailed(e.to_string()))?
        .pipes_as_concat(false)
        .no_engine_substitution(false)
        .set_names(false);
    if !query.iter().any(|k| k == "timezone" || k == "time-zone") {
        options = options.timezone(None);
    }
    if !query.iter().any(|k| k == "ssl-mode" || k == "sslmode") {
        options = options.ssl_mode(MySqlSslMode::Disabled);
    }
    Ok(options)
}

fn url_query_keys(address: &str) -> Vec<String> {
    let Some((_, query)) = address.split_once('?') else {
        return Vec::new();
    };
    query
        .split('&')
        .map(|pair| {
            pair.split('=')
                .next()
                .unwrap_or_default()
                .to_ascii_lowercase()
        })
        .collect()
}

/// A guest's `connection`: one pooled connection for the resource's lifetime.
///
/// Dropped (by the guest, or with its store after a trap) while a transaction
/// may be open or after the session was changed, the connection is closed
/// rather than returned to the pool, so nothing leaks into the next request.
pub struct MysqlConnection {
    conn: PoolConnection<MySql>,
    in_transaction: bool,
    session_altered: bool,
}

impl Drop for MysqlConnection {
    fn drop(&mut self) {
        if self.in_transaction || self.session_altered {
            self.conn.close_on_drop();
        }
    }
}

impl MysqlConnection {
    /// Runs a statement (a prepared statement with positional `?` parameters).
    pub async fn execute(
        &mut self,
        statement: &str,
        params: Vec<ParameterValue>,
    ) -> Result<(), Error> {
        let effect = self.before(statement);
        bind(sqlx::query(statement), params)
            .execute(&mut *self.conn)
            .await
            .map_err(query_failed)?;
        self.after(effect);
        Ok(())
    }

    /// Runs a query and buffers its rows, converted as Spin converts them.
    pub async fn query(
        &mut self,
        statement: &str,
        params: Vec<ParameterValue>,
    ) -> Result<RowSet, Error> {
        let effect = self.before(statement);
        let mut columns: Option<Vec<Column>> = None;
        let mut rows = Vec::new();
        let mut bytes = std::mem::size_of::<RowSet>();
        {
            let mut stream = bind(sqlx::query(statement), params).fetch(&mut *self.conn);
            while let Some(row) = stream.try_next().await.map_err(query_failed)? {
                let columns = columns.get_or_insert_with(|| convert_columns(row.columns()));
                let values = convert_row(&row, columns)?;
                bytes += values.iter().map(value_size).sum::<usize>();
                if bytes > MAX_RESULT_BYTES {
                    return Err(Error::Other(format!(
                        "query result exceeds limit of {MAX_RESULT_BYTES} bytes"
                    )));
                }
                rows.push(values);
            }
        }
        self.after(effect);
        let columns = match columns {
            Some(columns) => columns,
            // No rows: the columns of the (cached) prepared statement.
            None => {
                let prepared = (&mut *self.conn)
                    .prepare(statement)
                    .await
                    .map_err(query_failed)?;
                convert_columns(prepared.columns())
            }
        };
        Ok(RowSet { columns, rows })
    }

    fn before(&mut self, statement: &str) -> Effect {
        let effect = Effect::of(statement);
        match effect {
            Effect::Begin => self.in_transaction = true,
            Effect::AlterSession => self.session_altered = true,
            Effect::End | Effect::None => {}
        }
        effect
    }

    fn after(&mut self, effect: Effect) {
        if effect == Effect::End {
            self.in_transaction = false;
        }
    }
}

/// What a statement does to the session, judged by its leading keywords.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Effect {
    /// `BEGIN`, `START TRANSACTION`, `COMMIT AND CHAIN`…: a transaction may be open.
    Begin,
    /// `COMMIT`, `ROLLBACK`: the transaction ends (once the statement succeeds).
    End,
    /// `SET`, `USE`, `LOCK`, `CREATE TEMPORARY`, `CALL`, `XA`…: session state
    /// the next user of the connection must not inherit.
    AlterSession,
    /// Anything else.
    None,
}

impl Effect {
    fn of(statement: &str) -> Self {
        let words: Vec<String> = strip_leading_comments(statement)
            .split(|c: char| c.is_whitespace() || c == ';' || c == '(')
            .filter(|w| !w.is_empty())
            .take(4)
            .map(str::to_ascii_uppercase)
            .collect();
        let word = |i: usize| words.get(i).map(String::as_str).unwrap_or_default();
        let chains = || {
            let i = words.iter().position(|w| w == "CHAIN");
            i.is_some_and(|i| i == 0 || words[i - 1] != "NO")
        };
        match word(0) {
            "BEGIN" => Effect::Begin,
            "START" if word(1) == "TRANSACTION" => Effect::Begin,
            "COMMIT" | "ROLLBACK" if word(1) == "TO" || word(2) == "TO" => Effect::None,
            "COMMIT" | "ROLLBACK" if chains() => Effect::Begin,
            "COMMIT" | "ROLLBACK" => Effect::End,
            "SET" | "USE" | "LOCK" | "CALL" | "XA" | "HANDLER" => Effect::AlterSession,
            "CREATE" if word(1) == "TEMPORARY" => Effect::AlterSession,
            _ => Effect::None,
        }
    }
}

fn strip_leading_comments(mut s: &str) -> &str {
    loop {
        s = s.trim_start();
        if let Some(rest) = s.strip_prefix("/*") {
            s = rest.split_once("*/").map_or("", |(_, after)| after);
        } else if s.starts_with("--") || s.starts_with('#') {
            s = s.split_once('\n').map_or("", |(_, after)| after);
        } else {
            return s;
        }
    }
}

fn query_failed(e: sqlx::Error) -> Error {
    Error::QueryFailed(e.to_string())
}

fn bind(
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

fn convert_columns(columns: &[MySqlColumn]) -> Vec<Column> {
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

fn convert_row(row: &MySqlRow, columns: &[Column]) -> Result<Vec<DbValue>, Error> {
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
        DbDataType::Boolean => get::<bool>(row, index)?.map(DbValue::Boolean),
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

fn value_size(value: &DbValue) -> usize {
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
    fn statements_that_open_or_close_a_transaction() {
        for s in [
            "BEGIN",
            " begin work",
            "START TRANSACTION",
            "start transaction read only",
            "/* tx */ START TRANSACTION",
            "COMMIT AND CHAIN",
        ] {
            assert_eq!(Effect::of(s), Effect::Begin, "{s}");
        }
        for s in [
            "COMMIT",
            "rollback;",
            "ROLLBACK WORK",
            "COMMIT AND NO CHAIN",
        ] {
            assert_eq!(Effect::of(s), Effect::End, "{s}");
        }
        for s in [
            "ROLLBACK TO SAVEPOINT a",
            "ROLLBACK WORK TO a",
            "SELECT 1",
            "INSERT INTO t VALUES (1)",
            "-- begin\nSELECT 1",
        ] {
            assert_eq!(Effect::of(s), Effect::None, "{s}");
        }
        for s in [
            "SET autocommit = 0",
            "set @x = 1",
            "USE other",
            "LOCK TABLES t WRITE",
            "CREATE TEMPORARY TABLE t (id INT)",
            "CALL p()",
        ] {
            assert_eq!(Effect::of(s), Effect::AlterSession, "{s}");
        }
    }

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

    #[test]
    fn tls_and_session_defaults() {
        let plain = connect_options("mysql://root@127.0.0.1:3306/db").unwrap();
        assert!(matches!(plain.get_ssl_mode(), MySqlSslMode::Disabled));
        let tls = connect_options("mysql://root@db:3306/db?ssl-mode=REQUIRED").unwrap();
        assert!(matches!(tls.get_ssl_mode(), MySqlSslMode::Required));
    }
}
