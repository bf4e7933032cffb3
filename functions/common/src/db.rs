//! The store interface: every SQL statement of the functions goes through [`Db`],
//! with bound parameters only. SQL is written once, in the subset SQLite and
//! MySQL share (`?` placeholders, BIGINT/VARCHAR values, `LIKE … ESCAPE '!'`),
//! and runs on the backend the Spin variable `db_backend` names:
//!
//! - `sqlite` (the default): Spin's SQLite interface, the `default` database;
//! - `mysql`: Spin's MySQL interface (`fermyon:spin/mysql@2.0.0`) on the address in
//!   the secret variable `mysql_url`, which the component's `allowed_outbound_hosts`
//!   must allow.

use iems_shared::sql::{Dialect, Statement};
use iems_shared::{ApiError, ErrorCode};
use spin_sdk::mysql::{self, DbValue, ParameterValue};
use spin_sdk::sqlite3::{self, Value as SqliteValue};

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

impl From<iems_shared::sql::Value> for Param {
    fn from(v: iems_shared::sql::Value) -> Self {
        use iems_shared::sql::Value;
        match v {
            Value::Null => Param::Null,
            Value::Int(i) => Param::Int(i),
            Value::Text(t) => Param::Text(t),
        }
    }
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
    /// Another transaction held the rows (a MySQL deadlock or lock wait timeout): try again.
    Busy(String),
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
            DbError::Busy(_) => ApiError::new(
                ErrorCode::Unavailable,
                "the database was busy with a conflicting change: try again",
            ),
            _ => ApiError::internal(),
        }
    }
}

/// A column value, whichever backend produced it.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Any integer type.
    Integer(i64),
    /// FLOAT/DOUBLE/REAL.
    Real(f64),
    /// Text.
    Text(String),
    /// Bytes.
    Blob(Vec<u8>),
    /// SQL NULL.
    Null,
}

impl From<SqliteValue> for Value {
    fn from(v: SqliteValue) -> Self {
        match v {
            SqliteValue::Integer(i) => Value::Integer(i),
            SqliteValue::Real(r) => Value::Real(r),
            SqliteValue::Text(t) => Value::Text(t),
            SqliteValue::Blob(b) => Value::Blob(b),
            SqliteValue::Null => Value::Null,
        }
    }
}

impl TryFrom<DbValue> for Value {
    type Error = DbError;
    fn try_from(v: DbValue) -> Result<Self, DbError> {
        Ok(match v {
            DbValue::Boolean(b) => Value::Integer(b.into()),
            DbValue::Int8(i) => Value::Integer(i.into()),
            DbValue::Int16(i) => Value::Integer(i.into()),
            DbValue::Int32(i) => Value::Integer(i.into()),
            DbValue::Int64(i) => Value::Integer(i),
            DbValue::Uint8(i) => Value::Integer(i.into()),
            DbValue::Uint16(i) => Value::Integer(i.into()),
            DbValue::Uint32(i) => Value::Integer(i.into()),
            DbValue::Uint64(i) => Value::Integer(
                i64::try_from(i).map_err(|_| DbError::Decode(format!("{i} is out of range")))?,
            ),
            DbValue::Floating32(f) => Value::Real(f.into()),
            DbValue::Floating64(f) => Value::Real(f),
            DbValue::Str(s) => Value::Text(s),
            DbValue::Binary(b) => Value::Blob(b),
            DbValue::DbNull => Value::Null,
            DbValue::Unsupported => {
                return Err(DbError::Decode(
                    "a column of a type MySQL cannot hand over".into(),
                ))
            }
        })
    }
}

/// One result row.
#[derive(Debug, Clone)]
pub struct Row(Vec<Value>);

impl Row {
    fn at(&self, i: usize) -> Result<&Value, DbError> {
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
            Value::Text(s) => Ok(Some(s.clone())),
            Value::Null => Ok(None),
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

    /// A nullable number column (an integer is read as its value).
    pub fn opt_real(&self, i: usize) -> Result<Option<f64>, DbError> {
        match self.at(i)? {
            Value::Real(v) => Ok(Some(*v)),
            Value::Integer(v) => Ok(Some(*v as f64)),
            Value::Null => Ok(None),
            other => Err(DbError::Decode(format!(
                "column {i}: expected a number, got {other:?}"
            ))),
        }
    }

    /// A nullable integer column.
    pub fn opt_int(&self, i: usize) -> Result<Option<i64>, DbError> {
        match self.at(i)? {
            Value::Integer(v) => Ok(Some(*v)),
            Value::Null => Ok(None),
            other => Err(DbError::Decode(format!(
                "column {i}: expected integer, got {other:?}"
            ))),
        }
    }
}

/// Which database the component talks to.
enum Conn {
    Sqlite(sqlite3::Connection),
    Mysql(mysql::Connection),
}

/// A connection to the application's database.
pub struct Db {
    conn: Conn,
}

fn to_sqlite(p: &Param) -> SqliteValue {
    match p {
        Param::Int(v) => SqliteValue::Integer(*v),
        Param::Real(v) => SqliteValue::Real(*v),
        Param::Text(v) => SqliteValue::Text(v.clone()),
        Param::Null => SqliteValue::Null,
    }
}

fn to_mysql(p: &Param) -> ParameterValue {
    match p {
        Param::Int(v) => ParameterValue::Int64(*v),
        Param::Real(v) => ParameterValue::Floating64(*v),
        Param::Text(v) => ParameterValue::Str(v.clone()),
        Param::Null => ParameterValue::DbNull,
    }
}

/// The backend a Spin variable names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// Spin's SQLite `default` database.
    Sqlite,
    /// MySQL/MariaDB at `mysql_url`.
    Mysql,
}

impl Backend {
    /// The dialect of the shared statements (`iems_shared::sql`) on this backend.
    pub fn dialect(self) -> Dialect {
        match self {
            Backend::Sqlite => Dialect::Sqlite,
            Backend::Mysql => Dialect::Mysql,
        }
    }

    /// Parses `db_backend` (`sqlite` or `mysql`; `mariadb` is accepted too).
    pub fn parse(value: &str) -> Result<Backend, DbError> {
        match value.trim().to_ascii_lowercase().as_str() {
            "" | "sqlite" => Ok(Backend::Sqlite),
            "mysql" | "mariadb" => Ok(Backend::Mysql),
            other => Err(DbError::Unavailable(format!(
                "the Spin variable db_backend is {other:?}: use sqlite or mysql"
            ))),
        }
    }
}

/// A MySQL error that means "another transaction held the rows; try again".
fn is_contention(message: &str) -> bool {
    message.contains("Deadlock found") || message.contains("Lock wait timeout")
}

fn mysql_err(e: mysql::MysqlError) -> DbError {
    let message = format!("{e:?}");
    if is_contention(&message) {
        DbError::Busy(message)
    } else {
        DbError::Statement(message)
    }
}

impl Db {
    /// Opens the application's database on the backend `db_backend` names
    /// (503 when it is unavailable or misconfigured).
    pub fn open_default() -> Result<Db, DbError> {
        // A component that does not map `db_backend` uses SQLite, as before the variable existed.
        let backend = match spin_sdk::variables::get("db_backend") {
            Ok(value) => Backend::parse(&value)?,
            Err(_) => Backend::Sqlite,
        };
        let conn = match backend {
            Backend::Sqlite => sqlite3::Connection::open("default")
                .map(Conn::Sqlite)
                .map_err(|e| DbError::Unavailable(format!("{e:?}")))?,
            Backend::Mysql => {
                let url = spin_sdk::variables::get("mysql_url").map_err(|e| {
                    DbError::Unavailable(format!("the Spin variable mysql_url: {e:?}"))
                })?;
                mysql::Connection::open(&url)
                    .map(Conn::Mysql)
                    .map_err(|e| DbError::Unavailable(format!("{e:?}")))?
            }
        };
        Ok(Db { conn })
    }

    /// The backend this connection is on.
    pub fn backend(&self) -> Backend {
        match self.conn {
            Conn::Sqlite(_) => Backend::Sqlite,
            Conn::Mysql(_) => Backend::Mysql,
        }
    }

    /// Runs a shared statement (`iems_shared::sql`) that returns no rows.
    pub fn run_statement(&self, statement: Statement) -> Result<(), DbError> {
        let params: Vec<Param> = statement.params.into_iter().map(Param::from).collect();
        self.run(&statement.sql, &params)
    }

    /// Runs a query and returns its rows.
    pub fn query(&self, sql: &str, params: &[Param]) -> Result<Vec<Row>, DbError> {
        match &self.conn {
            Conn::Sqlite(conn) => {
                let params: Vec<SqliteValue> = params.iter().map(to_sqlite).collect();
                let result = conn
                    .execute(sql, &params)
                    .map_err(|e| DbError::Statement(format!("{e:?}")))?;
                Ok(result
                    .rows
                    .into_iter()
                    .map(|r| Row(r.values.into_iter().map(Value::from).collect()))
                    .collect())
            }
            Conn::Mysql(conn) => {
                let params: Vec<ParameterValue> = params.iter().map(to_mysql).collect();
                let result = conn.query(sql, &params).map_err(mysql_err)?;
                result
                    .rows
                    .into_iter()
                    .map(|r| {
                        r.into_iter()
                            .map(Value::try_from)
                            .collect::<Result<_, _>>()
                            .map(Row)
                    })
                    .collect()
            }
        }
    }

    /// Runs a query expected to return at most one row.
    pub fn query_opt(&self, sql: &str, params: &[Param]) -> Result<Option<Row>, DbError> {
        Ok(self.query(sql, params)?.into_iter().next())
    }

    /// Runs a statement and returns how many rows it changed (see [`Db::run`]
    /// where the count does not matter).
    pub fn execute(&self, sql: &str, params: &[Param]) -> Result<u64, DbError> {
        match &self.conn {
            Conn::Sqlite(conn) => {
                self.query(sql, params)?;
                Ok(conn.changes())
            }
            Conn::Mysql(_) => {
                self.run(sql, params)?;
                // Spin's MySQL `execute` returns nothing: ask the same session.
                let n = self
                    .query_opt("SELECT ROW_COUNT()", &[])?
                    .map(|r| r.int(0))
                    .transpose()?
                    .unwrap_or(0);
                Ok(u64::try_from(n).unwrap_or(0))
            }
        }
    }

    /// Runs a statement whose row count does not matter: on MySQL one round
    /// trip fewer than [`Db::execute`], which asks the server for the count.
    pub fn run(&self, sql: &str, params: &[Param]) -> Result<(), DbError> {
        match &self.conn {
            Conn::Sqlite(_) => self.query(sql, params).map(drop),
            Conn::Mysql(conn) => {
                let params: Vec<ParameterValue> = params.iter().map(to_mysql).collect();
                conn.execute(sql, &params).map_err(mysql_err)
            }
        }
    }

    /// Runs `f` in a write transaction: committed when it returns `Ok`, rolled back otherwise.
    ///
    /// SQLite takes the database's write lock up front (`BEGIN IMMEDIATE`), so
    /// transactions run one after another. MySQL runs them SERIALIZABLE, which
    /// gives the same outcome for every read-then-write rule (the last admin,
    /// refresh-token rotation); two that collide end one of them with a deadlock,
    /// reported as [`DbError::Busy`] (503, try again).
    pub fn transaction<T, E: From<DbError>>(
        &self,
        f: impl FnOnce(&Db) -> Result<T, E>,
    ) -> Result<T, E> {
        match self.conn {
            Conn::Sqlite(_) => self.run("BEGIN IMMEDIATE", &[])?,
            Conn::Mysql(_) => {
                self.run("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE", &[])?;
                self.run("START TRANSACTION", &[])?;
            }
        }
        match f(self) {
            Ok(v) => {
                if let Err(e) = self.run("COMMIT", &[]) {
                    self.rollback();
                    return Err(e.into());
                }
                Ok(v)
            }
            Err(e) => {
                self.rollback();
                Err(e)
            }
        }
    }

    fn rollback(&self) {
        if let Err(e) = self.run("ROLLBACK", &[]) {
            eprintln!("rollback failed: {e:?}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backend_names() {
        assert_eq!(Backend::parse("sqlite").unwrap(), Backend::Sqlite);
        assert_eq!(Backend::parse(" MySQL ").unwrap(), Backend::Mysql);
        assert_eq!(Backend::parse("").unwrap(), Backend::Sqlite);
        assert!(Backend::parse("postgres").is_err());
    }

    #[test]
    fn unique_violations_of_both_backends() {
        let sqlite = DbError::Statement("UNIQUE constraint failed: users.username_key".into());
        let mysql = DbError::Statement(
            "QueryFailed(\"Duplicate entry 'alice' for key 'users_username_key'\")".into(),
        );
        assert!(sqlite.is_unique_violation("username_key"));
        assert!(mysql.is_unique_violation("username_key"));
        assert!(!mysql.is_unique_violation("token_hash"));
    }

    #[test]
    fn mysql_values_become_integers_and_text() {
        assert_eq!(
            Value::try_from(DbValue::Int32(7)).unwrap(),
            Value::Integer(7)
        );
        assert_eq!(
            Value::try_from(DbValue::Str("a".into())).unwrap(),
            Value::Text("a".into())
        );
        assert!(Value::try_from(DbValue::Uint64(u64::MAX)).is_err());
        assert!(Value::try_from(DbValue::Unsupported).is_err());
        assert!(is_contention("Deadlock found when trying to get lock"));
    }
}
