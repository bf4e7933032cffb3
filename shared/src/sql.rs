//! The SQL statements the functions (Spin's SQLite and MySQL interfaces) and
//! the native services (sqlx) share, one module per table: the same text for
//! both sides and both databases (positional `?`, unix milliseconds, integer
//! µWh). A statement with its values is a [`Statement`], built by small pure
//! functions here and run by `fn_common::db::Db` or `iems_db::statement`.
//! Where SQLite and MySQL differ (upserts, keeping or skipping a row already
//! stored, `RETURNING`, `FOR UPDATE`), [`Dialect`] says how, once.

use std::borrow::Cow;

pub mod alerts;
pub mod chat;
pub mod cost;
pub mod credentials;
pub mod daily;
pub mod devices;
pub mod hourly;
pub mod insight;
pub mod meter_events;
pub mod readings;
pub mod throttle;
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
    /// unique key `conflict` (a column list). MySQL: a no-op update rather
    /// than `INSERT IGNORE`, which would also swallow a foreign key
    /// violation. The affected-row count does not tell whether the row was
    /// new (MySQL's clients count a matched row as affected): read the row
    /// back by its unique key and compare its id.
    pub fn keep_existing(self, conflict: &str) -> String {
        match self {
            Dialect::Sqlite => format!("ON CONFLICT ({conflict}) DO NOTHING"),
            Dialect::Mysql => "ON DUPLICATE KEY UPDATE id = id".to_string(),
        }
    }

    /// The start of an upsert's update: `INSERT … VALUES (…)` followed by
    /// this and the assignments. In the assignments a bare column is the
    /// stored row's value and [`Dialect::new_value`] the inserted row's.
    /// MySQL assigns left to right, each assignment seeing the ones before,
    /// while SQLite's all see the stored row: a column that other assignments
    /// read is assigned last, so both give the same row.
    pub fn on_conflict_update(self, conflict: &str) -> String {
        match self {
            Dialect::Sqlite => format!("ON CONFLICT ({conflict}) DO UPDATE SET"),
            Dialect::Mysql => "ON DUPLICATE KEY UPDATE".to_string(),
        }
    }

    /// In an upsert's assignments, the value the insert gave `column`.
    pub fn new_value(self, column: &str) -> String {
        match self {
            Dialect::Sqlite => format!("excluded.{column}"),
            Dialect::Mysql => format!("VALUES({column})"),
        }
    }

    /// `INSERT INTO {into}` (table, columns and `VALUES`) that skips the row
    /// when the unique key `conflict` is taken, reporting no row changed.
    /// MySQL's `INSERT IGNORE` would also skip other errors (a foreign key, a
    /// value out of range): only for rows that cannot have them (see
    /// [`Dialect::keep_existing`] otherwise).
    pub fn insert_ignore(self, into: &str, conflict: &str) -> String {
        match self {
            Dialect::Sqlite => format!("INSERT INTO {into} ON CONFLICT ({conflict}) DO NOTHING"),
            Dialect::Mysql => format!("INSERT IGNORE INTO {into}"),
        }
    }

    /// The end of an `INSERT` that returns `columns` of every row it wrote,
    /// or nothing on MySQL, which has no `RETURNING`: read the rows again.
    pub fn returning(self, columns: &str) -> String {
        match self {
            Dialect::Sqlite => format!(" RETURNING {columns}"),
            Dialect::Mysql => String::new(),
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
    /// The SQL text (built for a [`Dialect`] where the two differ).
    pub sql: Cow<'static, str>,
    /// One value per `?`.
    pub params: Vec<Value>,
}

impl Statement {
    /// `sql` with `params`; debug builds check that each `?` has its value.
    pub fn new(sql: impl Into<Cow<'static, str>>, params: Vec<Value>) -> Self {
        let sql = sql.into();
        debug_assert_eq!(sql.matches('?').count(), params.len(), "{sql}");
        Statement { sql, params }
    }
}

/// `n` comma-separated `?`s, for `IN (…)` lists.
pub fn placeholders(n: usize) -> String {
    vec!["?"; n].join(", ")
}

/// `n` comma-separated rows of `row` (`(?, ?, …)`), for multi-row `VALUES`.
pub fn rows(row: &str, n: usize) -> String {
    vec![row; n].join(", ")
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
        assert_eq!(
            Dialect::Sqlite.on_conflict_update("k"),
            "ON CONFLICT (k) DO UPDATE SET"
        );
        assert_eq!(
            Dialect::Mysql.on_conflict_update("k"),
            "ON DUPLICATE KEY UPDATE"
        );
        assert_eq!(Dialect::Sqlite.new_value("c"), "excluded.c");
        assert_eq!(Dialect::Mysql.new_value("c"), "VALUES(c)");
        assert_eq!(
            Dialect::Sqlite.insert_ignore("t (a) VALUES (?)", "a"),
            "INSERT INTO t (a) VALUES (?) ON CONFLICT (a) DO NOTHING"
        );
        assert_eq!(
            Dialect::Mysql.insert_ignore("t (a) VALUES (?)", "a"),
            "INSERT IGNORE INTO t (a) VALUES (?)"
        );
        assert_eq!(Dialect::Sqlite.returning("a"), " RETURNING a");
        assert_eq!(Dialect::Mysql.returning("a"), "");
    }

    #[test]
    fn dialect_statements_give_each_placeholder_its_value() {
        use crate::consumption::plan::{EventKind, MeterEvent};
        use crate::consumption::Reading;
        use crate::Energy;
        let at = crate::time::from_unix_ms(0).unwrap();
        let event = MeterEvent {
            kind: EventKind::Reset,
            from: Reading::new(at, Energy::from_uwh(5)),
            to: Reading::new(at, Energy::from_uwh(1)),
            unspread: Energy::from_uwh(0),
        };
        for dialect in [Dialect::Sqlite, Dialect::Mysql] {
            let message = chat::NewMessage {
                id: "m",
                conversation_id: "c",
                sender_id: "s",
                body: "hi",
                client_msg_id: "k",
                created_at_ms: 1,
            };
            let alert = alerts::NewAlert {
                id: "a",
                device_id: "d",
                kind: "unusual",
                hour_start_ms: 0,
                hours: 3,
                energy_uwh: 2,
                expected_uwh: Some(1),
                direction: Some("high"),
                max_hourly_uwh: 1,
                created_at_ms: 3,
            };
            for statement in [
                chat::insert_message(dialect, &message),
                chat::mark_read(dialect, "c", "client", 4, "u", 5),
                throttle::hit(dialect, "k", 1, 2),
                meter_events::upsert(dialect, "d", 0, &event, 1),
                alerts::insert_once(dialect, &alert),
            ] {
                assert_eq!(
                    statement.sql.matches('?').count(),
                    statement.params.len(),
                    "{}",
                    statement.sql
                );
            }
            assert_eq!(readings::insert(3).matches('?').count(), 12);
            assert_eq!(hourly::add(dialect, 2).matches('?').count(), 8);
            assert_eq!(hourly::totals(2).matches('?').count(), 3);
            assert_eq!(devices::lock_in_order(dialect, 2).matches('?').count(), 2);
        }
        assert!(hourly::add(Dialect::Sqlite, 1).ends_with("RETURNING hour_start, energy_uwh"));
        assert!(!hourly::add(Dialect::Mysql, 1).contains("RETURNING"));
    }

    #[test]
    fn a_message_row_is_the_api_message() {
        let row = (
            "m".to_string(),
            "c".to_string(),
            None,
            "hi".to_string(),
            0,
            "k".to_string(),
        );
        let message = chat::message(row);
        assert_eq!(message.created_at, "1970-01-01T00:00:00Z");
        assert_eq!(message.sender_id, None);
        assert_eq!(message.client_msg_id, "k");
        assert!(chat::BY_CLIENT_MSG_ID.contains(chat::COLUMNS));
    }
}
