//! Spin's outbound MySQL on sqlx, for both `fermyon:spin/mysql@2.0.0` (rows
//! buffered into a `row-set`) and `spin:mysql/mysql@3.0.0` (rows streamed, see
//! [`stream`]): one lazily created pool per address, shared by every instance
//! of the app; one pooled connection per guest `connection`; Spin's mapping of
//! column types and values. The driver speaks its own [`types`] (the shapes
//! of Spin's `rdbms-types`); each WIT binding converts at its edge.

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::Mutex;
use std::time::Duration;

use futures::TryStreamExt;
use sqlx::mysql::{MySqlConnectOptions, MySqlPoolOptions, MySqlSslMode};
use sqlx::pool::PoolConnection;
use sqlx::{Executor as _, MySql, MySqlPool, Row as _, Statement as _};

mod convert;
mod session;
#[cfg(feature = "spin-mysql3")]
pub mod stream;
pub mod types;

use convert::{bind, convert_columns, convert_row, value_size};
use session::Effect;
use types::{Column, Error, ParameterValue, RowSet};

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
            in_flight: false,
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
/// Dropped (by the guest, or with its store after a trap or timeout) while a
/// transaction may be open, after the session was changed or in the middle of
/// a statement, the connection is closed rather than returned to the pool, so
/// nothing leaks into the next request.
pub struct MysqlConnection {
    conn: PoolConnection<MySql>,
    in_transaction: bool,
    session_altered: bool,
    in_flight: bool,
}

impl Drop for MysqlConnection {
    fn drop(&mut self) {
        if self.in_transaction || self.session_altered || self.in_flight {
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
        let result = bind(sqlx::query(statement), params)
            .execute(&mut *self.conn)
            .await;
        self.after(effect, result.is_ok());
        result.map(drop).map_err(query_failed)
    }

    /// Runs a query and buffers its rows, converted as Spin converts them.
    pub async fn query(
        &mut self,
        statement: &str,
        params: Vec<ParameterValue>,
    ) -> Result<RowSet, Error> {
        let effect = self.before(statement);
        let result = fetch(&mut self.conn, statement, params).await;
        self.after(effect, result.is_ok());
        result
    }

    fn before(&mut self, statement: &str) -> Effect {
        self.in_flight = true;
        let effect = Effect::of(statement);
        match effect {
            Effect::Begin => self.in_transaction = true,
            Effect::AlterSession => self.session_altered = true,
            Effect::End | Effect::None => {}
        }
        effect
    }

    /// The call completed (a future dropped half-way never gets here).
    fn after(&mut self, effect: Effect, succeeded: bool) {
        self.in_flight = false;
        if effect == Effect::End && succeeded {
            self.in_transaction = false;
        }
    }
}

async fn fetch(
    conn: &mut sqlx::MySqlConnection,
    statement: &str,
    params: Vec<ParameterValue>,
) -> Result<RowSet, Error> {
    let mut columns: Option<Vec<Column>> = None;
    let mut rows = Vec::new();
    let mut bytes = std::mem::size_of::<RowSet>();
    {
        let mut stream = bind(sqlx::query(statement), params).fetch(&mut *conn);
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
    let columns = match columns {
        Some(columns) => columns,
        // No rows: the columns of the (cached) prepared statement.
        None => {
            let prepared = conn.prepare(statement).await.map_err(query_failed)?;
            convert_columns(prepared.columns())
        }
    };
    Ok(RowSet { columns, rows })
}

fn query_failed(e: sqlx::Error) -> Error {
    Error::QueryFailed(e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tls_and_session_defaults() {
        let plain = connect_options("mysql://root@127.0.0.1:3306/db").unwrap();
        assert!(matches!(plain.get_ssl_mode(), MySqlSslMode::Disabled));
        let tls = connect_options("mysql://root@db:3306/db?ssl-mode=REQUIRED").unwrap();
        assert!(matches!(tls.get_ssl_mode(), MySqlSslMode::Required));
    }
}
