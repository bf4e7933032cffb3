//! Database connections and schema migrations for the native iems services.
//!
//! SQLite (a file in the data directory) is the embedded default; MySQL/MariaDB
//! is the production database. Both are reached through one pool type, sqlx's
//! [`Any`](sqlx::Any) driver ([`Pool`]): the services write their SQL once, in
//! the subset both dialects share (`?` placeholders, BIGINT/VARCHAR values),
//! and branch on [`Backend`] only where the dialects differ (upserts, locks).
//! The migrations of each dialect are embedded in the binary and applied
//! idempotently: a second run changes nothing.

use iems_shared::sql::{Dialect, Statement, Value};
use sqlx::any::{AnyArguments, AnyPoolOptions};
use sqlx::migrate::{MigrateDatabase, Migrator};
use sqlx::query::Query;
use sqlx::query::QueryAs;
use sqlx::{Executor, MySql};
use std::time::Duration;

#[cfg(feature = "testing")]
pub mod testing;

/// The SQLite migrations (`migrations/sqlite`).
pub static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("../migrations/sqlite");
/// The MySQL/MariaDB migrations (`migrations/mysql`): the same schema in MySQL's dialect.
pub static MYSQL_MIGRATIONS: Migrator = sqlx::migrate!("../migrations/mysql");

/// A pool on either backend (sqlx's `Any` driver).
pub type Pool = sqlx::AnyPool;

/// What went wrong connecting or migrating.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The URL names a database kind iems does not speak.
    #[error("unsupported database URL {0:?}: use sqlite://PATH or mysql://USER:PASSWORD@HOST:PORT/DATABASE")]
    UnsupportedUrl(String),
    /// A driver error.
    #[error(transparent)]
    Sqlx(#[from] sqlx::Error),
    /// A migration failed.
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// Which database a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// `sqlite://PATH` or `sqlite:PATH`.
    Sqlite,
    /// `mysql://…` or `mariadb://…`.
    Mysql,
}

impl Backend {
    /// The backend of a database URL.
    pub fn of(url: &str) -> Result<Backend, DbError> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("mysql://") || url.starts_with("mariadb://") {
            Ok(Backend::Mysql)
        } else {
            Err(DbError::UnsupportedUrl(redact(url)))
        }
    }

    /// The dialect of the shared statements (`iems_shared::sql`) on this backend.
    pub fn dialect(self) -> Dialect {
        match self {
            Backend::Sqlite => Dialect::Sqlite,
            Backend::Mysql => Dialect::Mysql,
        }
    }

    /// The backend a pool was opened on.
    pub fn of_pool(pool: &Pool) -> Backend {
        match pool.connect_options().database_url.scheme() {
            "sqlite" => Backend::Sqlite,
            _ => Backend::Mysql,
        }
    }
}

/// A shared statement (`iems_shared::sql`) with its values bound, to run with
/// `.execute(pool)` or fetch from: the same text the functions run.
pub fn statement(statement: &Statement) -> Query<'_, sqlx::Any, AnyArguments<'_>> {
    statement
        .params
        .iter()
        .fold(sqlx::query(&statement.sql), |query, value| match value {
            Value::Null => query.bind(None::<String>),
            Value::Int(i) => query.bind(*i),
            Value::Text(t) => query.bind(t.as_str()),
        })
}

/// [`statement`] read into rows of type `T` (a tuple in the statement's
/// column order, e.g. `iems_shared::sql::cost::BudgetAlertRow`).
pub fn statement_as<T>(statement: &Statement) -> QueryAs<'_, sqlx::Any, T, AnyArguments<'_>>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow>,
{
    statement
        .params
        .iter()
        .fold(sqlx::query_as(&statement.sql), |query, value| match value {
            Value::Null => query.bind(None::<String>),
            Value::Int(i) => query.bind(*i),
            Value::Text(t) => query.bind(t.as_str()),
        })
}

/// The URL with any password replaced, for logs and error messages.
pub use iems_shared::redact::redact_url as redact;

/// sqlx's driver only knows `mysql://`; `mariadb://` is accepted as a synonym.
fn driver_url(url: &str) -> String {
    match url.strip_prefix("mariadb://") {
        Some(rest) => format!("mysql://{rest}"),
        None => url.to_owned(),
    }
}

/// Opens a pool on `url`, either backend.
///
/// SQLite: the file is created if missing and put in WAL mode; every connection
/// has foreign keys on and a busy timeout, so that several writers wait instead
/// of failing. MySQL: connections run in UTC with strict SQL mode, so that a
/// value that does not fit is an error rather than silently truncated.
pub async fn connect(url: &str, max_connections: u32) -> Result<Pool, DbError> {
    connect_with(url, max_connections, Duration::from_secs(30)).await
}

/// [`connect`] with how long taking a connection may wait (connecting included)
/// before it fails with a pool timeout.
pub async fn connect_with(
    url: &str,
    max_connections: u32,
    acquire_timeout: Duration,
) -> Result<Pool, DbError> {
    sqlx::any::install_default_drivers();
    let backend = Backend::of(url)?;
    let mut url = driver_url(url);
    if backend == Backend::Sqlite {
        // `rwc`: create the file when it is missing.
        if !url.contains("mode=") {
            url.push_str(if url.contains('?') {
                "&mode=rwc"
            } else {
                "?mode=rwc"
            });
        }
    }
    let pool = AnyPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(acquire_timeout)
        .after_connect(move |conn, _meta| {
            Box::pin(async move {
                let setup = match backend {
                    Backend::Sqlite => {
                        // WAL is stored in the file: only the first connection switches it.
                        "PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL; \
                         PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL"
                    }
                    Backend::Mysql => {
                        "SET time_zone = '+00:00', sql_mode = 'STRICT_ALL_TABLES,NO_ENGINE_SUBSTITUTION'"
                    }
                };
                conn.execute(setup).await?;
                Ok(())
            })
        })
        .connect(&url)
        .await?;
    Ok(pool)
}

/// Applies every pending migration to the database at `url`; returns how many ran.
/// A MySQL database that does not exist yet is created first.
pub async fn migrate(url: &str) -> Result<usize, DbError> {
    let (migrator, url) = match Backend::of(url)? {
        Backend::Sqlite => (&SQLITE_MIGRATIONS, driver_url(url)),
        Backend::Mysql => {
            let url = driver_url(url);
            if !MySql::database_exists(&url).await? {
                MySql::create_database(&url).await?;
            }
            (&MYSQL_MIGRATIONS, url)
        }
    };
    let pool = connect(&url, 1).await?;
    let applied_before = applied_count(&pool).await;
    migrator.run(&pool).await?;
    let applied_after = applied_count(&pool).await;
    pool.close().await;
    Ok(applied_after.saturating_sub(applied_before))
}

async fn applied_count(pool: &Pool) -> usize {
    // The table does not exist before the first run.
    sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM _sqlx_migrations WHERE success = 1")
        .fetch_one(pool)
        .await
        .map(|n| n as usize)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backend_of_urls() {
        assert_eq!(Backend::of("sqlite://a.db").unwrap(), Backend::Sqlite);
        assert_eq!(Backend::of("mysql://h/db").unwrap(), Backend::Mysql);
        assert_eq!(Backend::of("mariadb://h/db").unwrap(), Backend::Mysql);
        assert!(Backend::of("postgres://h/db").is_err());
        assert_eq!(driver_url("mariadb://u@h/db"), "mysql://u@h/db");
    }
}
