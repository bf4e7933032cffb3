//! Database connections and schema migrations for the native iems services.
//!
//! SQLite (a file in the data directory) is the embedded default; MySQL/MariaDB
//! is the production database. The migrations are embedded in the binary and
//! applied idempotently: a second run changes nothing.

use sqlx::migrate::Migrator;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;
use std::str::FromStr;
use std::time::Duration;

/// The SQLite migrations (`migrations/sqlite`).
pub static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("../migrations/sqlite");

/// What went wrong connecting or migrating.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The URL names a database kind iems does not speak.
    #[error("unsupported database URL {0:?}: use sqlite://PATH (or mysql://… once supported)")]
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
}

/// The URL with any password replaced, for logs and error messages.
pub use iems_shared::redact::redact_url as redact;

/// Opens a pool on a SQLite file, creating it if missing, in WAL mode with
/// foreign keys on and a busy timeout so that several writers wait instead of failing.
pub async fn sqlite_pool(url: &str, max_connections: u32) -> Result<SqlitePool, DbError> {
    let options = SqliteConnectOptions::from_str(url)?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(10));
    Ok(SqlitePoolOptions::new()
        .max_connections(max_connections)
        .connect_with(options)
        .await?)
}

/// Applies every pending migration to the database at `url`; returns how many ran.
pub async fn migrate(url: &str) -> Result<usize, DbError> {
    match Backend::of(url)? {
        Backend::Sqlite => {
            let pool = sqlite_pool(url, 1).await?;
            let applied_before = applied_count(&pool).await;
            SQLITE_MIGRATIONS.run(&pool).await?;
            let applied_after = applied_count(&pool).await;
            pool.close().await;
            Ok(applied_after.saturating_sub(applied_before))
        }
        Backend::Mysql => Err(DbError::UnsupportedUrl(
            "mysql:// migrations arrive with the production topology".into(),
        )),
    }
}

async fn applied_count(pool: &SqlitePool) -> usize {
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
        assert!(Backend::of("postgres://h/db").is_err());
    }
}
