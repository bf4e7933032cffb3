//! The SQL statements the functions (Spin's SQLite and MySQL interfaces) and
//! the native services (sqlx) share, one module per table: the same text for
//! both sides and both databases (positional `?`, unix milliseconds, integer
//! µWh). Where SQLite and MySQL differ, [`Dialect`] says how, once.

pub mod users;

/// The database a statement is written for, where the two differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// SQLite (the embedded default).
    Sqlite,
    /// MySQL or MariaDB (production).
    Mysql,
}
