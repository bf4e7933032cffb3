//! The SQL statements the functions (Spin's SQLite and MySQL interfaces) and
//! the native services (sqlx) share, one module per table: the same text for
//! both sides and both databases (positional `?`, unix milliseconds, integer
//! µWh). A statement with its values is a [`Statement`], built by small pure
//! functions here and run by `fn_common::db::Db` or `iems_db::run`. Where
//! SQLite and MySQL differ, [`Dialect`] says how, once.

pub mod chat;
pub mod devices;
pub mod users;

/// The database a statement is written for, where the two differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// SQLite (the embedded default).
    Sqlite,
    /// MySQL or MariaDB (production).
    Mysql,
}

impl Dialect {
    /// The end of an `INSERT` that keeps the row already stored under the
    /// unique key `conflict` (a column list) and reports no row changed.
    /// MySQL: a no-op update rather than `INSERT IGNORE`, which would also
    /// swallow a foreign key violation.
    pub fn keep_existing(self, conflict: &str) -> String {
        match self {
            Dialect::Sqlite => format!("ON CONFLICT ({conflict}) DO NOTHING"),
            Dialect::Mysql => "ON DUPLICATE KEY UPDATE id = id".to_string(),
        }
    }

    /// The end of a `SELECT` that locks the rows it reads until the end of the
    /// transaction (SQLite's write transaction already holds the database).
    pub fn for_update(self) -> &'static str {
        match self {
            Dialect::Sqlite => "",
            Dialect::Mysql => " FOR UPDATE",
        }
    }
}

/// A value bound to a `?`.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// SQL NULL.
    Null,
    /// An integer (unix ms, µWh, counts).
    Int(i64),
    /// Text (ids, names).
    Text(String),
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}

impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(v.to_string())
    }
}

impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(v)
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}

/// A statement and the values of its `?`s, in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    /// The SQL text.
    pub sql: &'static str,
    /// One value per `?`.
    pub params: Vec<Value>,
}

impl Statement {
    /// `sql` with `params`; debug builds check that each `?` has its value.
    pub fn new(sql: &'static str, params: Vec<Value>) -> Self {
        debug_assert_eq!(sql.matches('?').count(), params.len(), "{sql}");
        Statement { sql, params }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Role;

    #[test]
    fn builders_give_each_placeholder_its_value() {
        let user = users::insert(&users::NewUser {
            id: "u",
            username: "Ann",
            username_key: "ann",
            full_name: "Ann",
            address: None,
            role: Role::Client,
            password_hash: "h",
            created_at_ms: 7,
        });
        assert_eq!(user.sql.matches('?').count(), user.params.len());
        assert_eq!(user.params[4], Value::Null);
        assert_eq!(user.params[5], Value::Text("client".into()));
        let device = devices::insert(&devices::NewDevice {
            id: "d",
            name: "m",
            address: Some("a"),
            max_hourly_uwh: 5,
            max_power_w: None,
            owner_id: Some("u"),
            created_at_ms: 7,
        });
        assert_eq!(device.sql.matches('?').count(), device.params.len());
        assert!(devices::BY_ID.contains(devices::COLUMNS));
    }

    #[test]
    fn dialects_differ_only_where_they_must() {
        assert_eq!(
            Dialect::Sqlite.keep_existing("a, b"),
            "ON CONFLICT (a, b) DO NOTHING"
        );
        assert!(Dialect::Mysql
            .keep_existing("a")
            .starts_with("ON DUPLICATE KEY"));
        assert_eq!(Dialect::Sqlite.for_update(), "");
        assert_eq!(Dialect::Mysql.for_update(), " FOR UPDATE");
    }
}
