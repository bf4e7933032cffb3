//! SQLite files behind Spin's SQLite and key-value interfaces: a small pool of
//! open connections per file, statements cached per connection.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rusqlite::types::{Value as RValue, ValueRef};

use crate::error::RuntimeError;

/// Idle connections kept per database file.
const MAX_IDLE: usize = 32;

/// A value crossing the SQLite interface (same shape in v2 and v3).
#[derive(Debug, Clone, PartialEq)]
pub enum SqlValue {
    /// 64-bit integer.
    Integer(i64),
    /// Double.
    Real(f64),
    /// UTF-8 text.
    Text(String),
    /// Bytes.
    Blob(Vec<u8>),
    /// NULL.
    Null,
}

/// Spin's SQLite error variants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SqlError {
    /// The database label is not defined.
    NoSuchDatabase,
    /// The component may not open this database.
    AccessDenied,
    /// The connection handle is not valid.
    InvalidConnection,
    /// The database is full.
    DatabaseFull,
    /// Any other SQLite or I/O error, with SQLite's message.
    Io(String),
}

impl From<rusqlite::Error> for SqlError {
    fn from(e: rusqlite::Error) -> Self {
        match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DiskFull) => SqlError::DatabaseFull,
            _ => SqlError::Io(e.to_string()),
        }
    }
}

/// Columns and rows of one statement.
pub type QueryOutput = (Vec<String>, Vec<Vec<SqlValue>>);

/// One SQLite file with a pool of connections.
#[derive(Debug)]
pub struct SqlitePool {
    path: PathBuf,
    idle: Mutex<Vec<rusqlite::Connection>>,
}

impl SqlitePool {
    /// Opens (creating if needed) the file and checks it is usable.
    pub fn open(name: &str, path: &Path) -> Result<Arc<Self>, RuntimeError> {
        let fail = |message: String| RuntimeError::Database {
            name: name.to_owned(),
            message,
        };
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| fail(e.to_string()))?;
        }
        let pool = Arc::new(Self {
            path: path.to_path_buf(),
            idle: Mutex::new(Vec::new()),
        });
        let conn = pool
            .connect()
            .map_err(|e| fail(format!("{}: {e}", path.display())))?;
        pool.put(conn);
        Ok(pool)
    }

    fn connect(&self) -> rusqlite::Result<rusqlite::Connection> {
        let conn = rusqlite::Connection::open(&self.path)?;
        conn.busy_timeout(Duration::from_secs(5))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.set_prepared_statement_cache_capacity(64);
        Ok(conn)
    }

    /// Takes an idle connection or opens a new one.
    pub fn take(&self) -> Result<rusqlite::Connection, SqlError> {
        let idle = self.idle.lock().unwrap_or_else(|p| p.into_inner()).pop();
        match idle {
            Some(conn) => Ok(conn),
            None => Ok(self.connect()?),
        }
    }

    /// Returns a connection to the pool.
    pub fn put(&self, conn: rusqlite::Connection) {
        let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        if idle.len() < MAX_IDLE && conn.is_autocommit() {
            idle.push(conn);
        }
    }
}

/// A connection lent to a guest; goes back to its pool when dropped.
pub struct Lease {
    conn: Option<rusqlite::Connection>,
    pool: Arc<SqlitePool>,
}

impl Lease {
    /// Borrows a connection from `pool`.
    pub fn new(pool: Arc<SqlitePool>) -> Result<Self, SqlError> {
        Ok(Self {
            conn: Some(pool.take()?),
            pool,
        })
    }

    /// The open connection.
    pub fn conn(&self) -> &rusqlite::Connection {
        self.conn.as_ref().expect("connection present until drop")
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            self.pool.put(conn);
        }
    }
}

/// Runs one statement with positional parameters and returns its columns and rows.
pub fn execute(
    conn: &rusqlite::Connection,
    sql: &str,
    params: Vec<SqlValue>,
) -> Result<QueryOutput, SqlError> {
    let mut stmt = conn.prepare_cached(sql)?;
    let columns: Vec<String> = stmt.column_names().into_iter().map(str::to_owned).collect();
    let params: Vec<RValue> = params.into_iter().map(to_rusqlite).collect();
    let mut rows = stmt.query(rusqlite::params_from_iter(params))?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let mut values = Vec::with_capacity(columns.len());
        for i in 0..columns.len() {
            values.push(from_ref(row.get_ref(i)?));
        }
        out.push(values);
    }
    Ok((columns, out))
}

fn to_rusqlite(v: SqlValue) -> RValue {
    match v {
        SqlValue::Integer(i) => RValue::Integer(i),
        SqlValue::Real(r) => RValue::Real(r),
        SqlValue::Text(t) => RValue::Text(t),
        SqlValue::Blob(b) => RValue::Blob(b),
        SqlValue::Null => RValue::Null,
    }
}

fn from_ref(v: ValueRef<'_>) -> SqlValue {
    match v {
        ValueRef::Integer(i) => SqlValue::Integer(i),
        ValueRef::Real(r) => SqlValue::Real(r),
        ValueRef::Text(t) => SqlValue::Text(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => SqlValue::Blob(b.to_vec()),
        ValueRef::Null => SqlValue::Null,
    }
}

/// Spin's key-value error variants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KvError {
    /// The label is not defined.
    NoSuchStore,
    /// The component may not open this store.
    AccessDenied,
    /// Any other error.
    Other(String),
}

impl From<SqlError> for KvError {
    fn from(e: SqlError) -> Self {
        KvError::Other(format!("{e:?}"))
    }
}

impl From<rusqlite::Error> for KvError {
    fn from(e: rusqlite::Error) -> Self {
        KvError::Other(e.to_string())
    }
}

/// A key-value store: rows of Spin's `spin_key_value` table for one label.
#[derive(Debug)]
pub struct KvStore {
    label: String,
    pool: Arc<SqlitePool>,
}

impl KvStore {
    /// Creates the table if needed.
    pub fn open(label: &str, pool: Arc<SqlitePool>) -> Result<Arc<Self>, RuntimeError> {
        let conn = pool.take().map_err(|e| RuntimeError::Database {
            name: label.to_owned(),
            message: format!("{e:?}"),
        })?;
        let created = conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS spin_key_value (
                store TEXT NOT NULL, key TEXT NOT NULL, value BLOB NOT NULL,
                PRIMARY KEY (store, key))",
        );
        pool.put(conn);
        created.map_err(|e| RuntimeError::Database {
            name: label.to_owned(),
            message: e.to_string(),
        })?;
        Ok(Arc::new(Self {
            label: label.to_owned(),
            pool,
        }))
    }

    fn with<T>(
        &self,
        f: impl FnOnce(&rusqlite::Connection) -> rusqlite::Result<T>,
    ) -> Result<T, KvError> {
        let lease = Lease::new(self.pool.clone())?;
        Ok(f(lease.conn())?)
    }

    /// The value of `key`, if any.
    pub fn get(&self, key: &str) -> Result<Option<Vec<u8>>, KvError> {
        use rusqlite::OptionalExtension;
        self.with(|c| {
            c.prepare_cached("SELECT value FROM spin_key_value WHERE store = ?1 AND key = ?2")?
                .query_row((&self.label, key), |r| r.get(0))
                .optional()
        })
    }

    /// Sets `key` to `value`.
    pub fn set(&self, key: &str, value: &[u8]) -> Result<(), KvError> {
        self.with(|c| {
            c.prepare_cached(
                "INSERT INTO spin_key_value (store, key, value) VALUES (?1, ?2, ?3)
                 ON CONFLICT (store, key) DO UPDATE SET value = excluded.value",
            )?
            .execute((&self.label, key, value))
            .map(drop)
        })
    }

    /// Deletes `key` (no error when absent).
    pub fn delete(&self, key: &str) -> Result<(), KvError> {
        self.with(|c| {
            c.prepare_cached("DELETE FROM spin_key_value WHERE store = ?1 AND key = ?2")?
                .execute((&self.label, key))
                .map(drop)
        })
    }

    /// Whether `key` exists.
    pub fn exists(&self, key: &str) -> Result<bool, KvError> {
        Ok(self.get(key)?.is_some())
    }

    /// All keys of the store.
    pub fn keys(&self) -> Result<Vec<String>, KvError> {
        self.with(|c| {
            let mut stmt = c.prepare_cached("SELECT key FROM spin_key_value WHERE store = ?1")?;
            let keys = stmt.query_map([&self.label], |r| r.get(0))?;
            keys.collect()
        })
    }
}
