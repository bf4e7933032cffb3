//! The store interface: every SQL statement of the functions goes through [`Db`],
//! with bound parameters only. SQL is written in the portable subset (`?`
//! placeholders, INTEGER/TEXT) so a MySQL backend slots in behind the same type.

use iems_shared::{ApiError, ErrorCode};
use spin_sdk::sqlite3::{Connection, Value as SqlValue};

/// A bound parameter.
#[derive(Debug, Clone, PartialEq)]
pub enum Param {
    /// An integer (ids of time, µWh).
    Int(i64),
    /// A float.
    Real(f64),
    /// Text.
    Text(String),
    /// SQL NULL.
    Null,
}

impl From<i64> for Param {
    fn from(v: i64) -> Self {
        Param::Int(v)
    }
}
impl From<&str> for Param {
    fn from(v: &str) -> Self {
        Param::Text(v.to_string())
    }
}
impl From<String> for Param {
    fn from(v: String) -> Self {
        Param::Text(v)
    }
}
impl From<&String> for Param {
    fn from(v: &String) -> Self {
        Param::Text(v.clone())
    }
}
impl<T: Into<Param>> From<Option<T>> for Param {
    fn from(v: Option<T>) -> Self {
        v.map(Into::into).unwrap_or(Param::Null)
    }
}

/// Why a statement failed.
#[derive(Debug, Clone, PartialEq)]
pub enum DbError {
    /// The database could not be opened (503).
    Unavailable(String),
    /// A statement failed; the message is the backend's.
    Statement(String),
    /// A column held an unexpected type.
    Decode(String),
}

impl DbError {
    /// True when a unique constraint whose name or column contains `key` was violated
    /// (SQLite: `UNIQUE constraint failed: users.username_key`; MySQL: `Duplicate entry … for key 'users_username_key'`).
    pub fn is_unique_violation(&self, key: &str) -> bool {
        match self {
            DbError::Statement(m) => {
                (m.contains("UNIQUE constraint failed") || m.contains("Duplicate entry"))
                    && m.contains(key)
            }
            _ => false,
        }
    }
}

impl From<DbError> for ApiError {
    fn from(e: DbError) -> Self {
        eprintln!("database error: {e:?}");
        match e {
            DbError::Unavailable(_) => {
                ApiError::new(ErrorCode::Unavailable, "the database is unavailable")
            }
            _ => ApiError::internal(),
        }
    }
}

/// One result row.
#[derive(Debug, Clone)]
pub struct Row(Vec<SqlValue>);

impl Row {
    fn at(&self, i: usize) -> Result<&SqlValue, DbError> {
        self.0
            .get(i)
            .ok_or_else(|| DbError::Decode(format!("no column {i}")))
    }

    /// A non-null text column.
    pub fn text(&self, i: usize) -> Result<String, DbError> {
        self.opt_text(i)?
            .ok_or_else(|| DbError::Decode(format!("column {i} is null")))
    }

    /// A nullable text column.
    pub fn opt_text(&self, i: usize) -> Result<Option<String>, DbError> {
        match self.at(i)? {
            SqlValue::Text(s) => Ok(Some(s.clone())),
            SqlValue::Null => Ok(None),
            other => Err(DbError::Decode(format!(
                "column {i}: expected text, got {other:?}"
            ))),
        }
    }

    /// A non-null integer column.
    pub fn int(&self, i: usize) -> Result<i64, DbError> {
        self.opt_int(i)?
            .ok_or_else(|| DbError::Decode(format!("column {i} is null")))
    }

    /// A nullable integer column.
    pub fn opt_int(&self, i: usize) -> Result<Option<i64>, DbError> {
        match self.at(i)? {
            SqlValue::Integer(v) => Ok(Some(*v)),
            SqlValue::Null => Ok(None),
            other => Err(DbError::Decode(format!(
                "column {i}: expected integer, got {other:?}"
            ))),
        }
    }
}

/// A connection to the `default` database.
pub struct Db {
    conn: Connection,
}

fn to_sql(p: &Param) -> SqlValue {
    match p {
        Param::Int(v) => SqlValue::Integer(*v),
        Param::Real(v) => SqlValue::Real(*v),
        Param::Text(v) => SqlValue::Text(v.clone()),
        Param::Null => SqlValue::Null,
    }
}

impl Db {
    /// Opens the `default` database (503 when unavailable).
    pub fn open_default() -> Result<Db, DbError> {
        Connection::open("default")
            .map(|conn| Db { conn })
            .map_err(|e| DbError::Unavailable(format!("{e:?}")))
    }

    /// Runs a query and returns its rows.
    pub fn query(&self, sql: &str, params: &[Param]) -> Result<Vec<Row>, DbError> {
        let params: Vec<SqlValue> = params.iter().map(to_sql).collect();
        let result = self
            .conn
            .execute(sql, &params)
            .map_err(|e| DbError::Statement(format!("{e:?}")))?;
        Ok(result.rows.into_iter().map(|r| Row(r.values)).collect())
    }

    /// Runs a query expected to return at most one row.
    pub fn query_opt(&self, sql: &str, params: &[Param]) -> Result<Option<Row>, DbError> {
        Ok(self.query(sql, params)?.into_iter().next())
    }

    /// Runs a statement and returns how many rows it changed.
    pub fn execute(&self, sql: &str, params: &[Param]) -> Result<u64, DbError> {
        self.query(sql, params)?;
        Ok(self.conn.changes())
    }

    /// Runs `f` in a write transaction: committed when it returns `Ok`, rolled back otherwise.
    pub fn transaction<T, E: From<DbError>>(
        &self,
        f: impl FnOnce(&Db) -> Result<T, E>,
    ) -> Result<T, E> {
        self.execute("BEGIN IMMEDIATE", &[])?;
        match f(self) {
            Ok(v) => {
                self.execute("COMMIT", &[])?;
                Ok(v)
            }
            Err(e) => {
                if let Err(rollback) = self.execute("ROLLBACK", &[]) {
                    eprintln!("rollback failed: {rollback:?}");
                }
                Err(e)
            }
        }
    }
}
