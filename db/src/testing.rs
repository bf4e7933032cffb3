//! Throwaway databases for tests (feature `testing`).
//!
//! `IEMS_TEST_DATABASE` picks the backend of every test that asks for
//! [`TestDatabase::from_env`]: `sqlite` (the default) or `mysql`, the latter on
//! the server at `IEMS_TEST_MYSQL_URL` (default `mysql://root@127.0.0.1:3306`).
//! Each test gets its own migrated database (`iems_test_<random>` on MySQL, a
//! file in a temporary directory on SQLite), removed when the value is dropped.

use crate::{connect, migrate, Backend, DbError, Pool};
use iems_shared::domain::Role;
use iems_shared::sql::{devices, users};

/// What a failed connection to the test server says to do.
const START_MARIADB: &str = "Is MariaDB running? (start it with \
    `start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd`)";

/// The server the MySQL test databases are created on.
pub fn mysql_server_url() -> String {
    std::env::var("IEMS_TEST_MYSQL_URL")
        .unwrap_or_else(|_| "mysql://root@127.0.0.1:3306".to_owned())
        .trim_end_matches('/')
        .to_owned()
}

/// The backend `IEMS_TEST_DATABASE` asks for (SQLite when unset).
pub fn backend_from_env() -> Backend {
    match std::env::var("IEMS_TEST_DATABASE").as_deref() {
        Ok("mysql") | Ok("mariadb") => Backend::Mysql,
        Ok("sqlite") | Ok("") | Err(_) => Backend::Sqlite,
        Ok(other) => panic!("IEMS_TEST_DATABASE={other:?}: use sqlite or mysql"),
    }
}

/// A migrated database that exists for as long as this value.
pub struct TestDatabase {
    url: String,
    backend: Backend,
    mysql_name: Option<String>,
    _dir: Option<tempfile::TempDir>,
}

impl TestDatabase {
    /// A database on the backend `IEMS_TEST_DATABASE` names.
    pub async fn from_env() -> TestDatabase {
        Self::create(backend_from_env()).await
    }

    /// A migrated database on `backend`; panics with how to fix it when the server is unreachable.
    pub async fn create(backend: Backend) -> TestDatabase {
        let db = Self::create_empty(backend).await;
        if let Err(e) = migrate(&db.url).await {
            panic!(
                "cannot migrate the test database {}: {e}. {START_MARIADB}",
                crate::redact(&db.url)
            );
        }
        db
    }

    /// An empty database (no schema) on `backend`, for tests of SQL of their own.
    pub async fn create_empty(backend: Backend) -> TestDatabase {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temporary directory");
                TestDatabase {
                    url: format!("sqlite://{}", dir.path().join("iems.db").display()),
                    backend,
                    mysql_name: None,
                    _dir: Some(dir),
                }
            }
            Backend::Mysql => {
                let server = mysql_server_url();
                let name = format!("iems_test_{}", uuid::Uuid::new_v4().simple());
                let created = async {
                    use sqlx::Connection;
                    let mut conn = sqlx::MySqlConnection::connect(&server).await?;
                    sqlx::query(&format!("CREATE DATABASE `{name}`"))
                        .execute(&mut conn)
                        .await?;
                    conn.close().await
                }
                .await;
                if let Err(e) = created {
                    panic!(
                        "cannot create a test database on {}: {e}. {START_MARIADB}",
                        crate::redact(&server)
                    );
                }
                TestDatabase {
                    url: format!("{server}/{name}"),
                    backend,
                    mysql_name: Some(name),
                    _dir: None,
                }
            }
        }
    }

    /// The MySQL database's name (None on SQLite).
    pub fn mysql_name(&self) -> Option<&str> {
        self.mysql_name.as_deref()
    }

    /// The database's URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The SQLite file (None on MySQL).
    pub fn sqlite_path(&self) -> Option<std::path::PathBuf> {
        self.url
            .strip_prefix("sqlite://")
            .map(std::path::PathBuf::from)
    }

    /// `host:port` of the MySQL server (None on SQLite), as an `allowed_outbound_hosts` entry wants it.
    pub fn mysql_host(&self) -> Option<String> {
        let rest = self.url.strip_prefix("mysql://")?;
        let authority = rest.split('/').next()?;
        let host = authority.rsplit('@').next()?;
        Some(if host.contains(':') {
            host.to_owned()
        } else {
            format!("{host}:3306")
        })
    }

    /// The database's backend.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// A new pool on the database.
    pub async fn pool(&self, max_connections: u32) -> Result<Pool, DbError> {
        connect(&self.url, max_connections).await
    }
}

/// Inserts a user with the API's insert: `username` as its name, key and full
/// name, no address, created at 0, and a password hash no password matches
/// (a user for tokens, not for signing in); returns its id.
pub async fn insert_user(pool: &Pool, username: &str, role: Role) -> String {
    let id = uuid::Uuid::new_v4().to_string();
    let user = users::NewUser {
        id: &id,
        username,
        username_key: username,
        full_name: username,
        address: None,
        role,
        password_hash: "x",
        created_at_ms: 0,
    };
    crate::statement(&users::insert(&user))
        .execute(pool)
        .await
        .expect("inserting a test user");
    id
}

/// Inserts a device with the API's insert: `name`, the hourly limit in µWh,
/// the owner (a client) if any, no address, the policy's plausible power and
/// created at 0; returns its id.
pub async fn insert_device(
    pool: &Pool,
    name: &str,
    max_hourly_uwh: i64,
    owner_id: Option<&str>,
) -> String {
    let id = uuid::Uuid::new_v4().to_string();
    let device = devices::NewDevice {
        id: &id,
        name,
        address: None,
        max_hourly_uwh,
        max_power_w: None,
        owner_id,
        created_at_ms: 0,
    };
    crate::statement(&devices::insert(&device))
        .execute(pool)
        .await
        .expect("inserting a test device");
    id
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Some(name) = self.mysql_name.take() else {
            return;
        };
        // Drop may run inside a runtime: drop the database from a thread of its own.
        let server = mysql_server_url();
        let dropped = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            rt.block_on(async {
                use sqlx::Connection;
                let mut conn = sqlx::MySqlConnection::connect(&server).await.ok()?;
                sqlx::query(&format!("DROP DATABASE IF EXISTS `{name}`"))
                    .execute(&mut conn)
                    .await
                    .ok()?;
                conn.close().await.ok()
            })
        })
        .join();
        if !matches!(dropped, Ok(Some(()))) {
            eprintln!("note: could not drop a MySQL test database; `iems_test_*` databases can be dropped by hand");
        }
    }
}
