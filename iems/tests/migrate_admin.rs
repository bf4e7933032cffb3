//! `iems migrate` on either backend (`IEMS_TEST_DATABASE`: SQLite by default, or
//! MySQL): it creates a missing database, and with `--admin-username` the first
//! admin once, for the separate-process topology where no `iems up` does it.

use iems_db::testing::{mysql_server_url, TestDatabase};
use iems_db::Backend;
use sqlx::migrate::MigrateDatabase;
use std::process::Command;

fn migrate(db_url: &str, extra: &[&str], password: Option<&str>) -> std::process::Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_iems"));
    cmd.args(["migrate", "--database-url", db_url])
        .args(extra)
        .env_remove("IEMS_ADMIN_USERNAME")
        .env_remove("IEMS_ADMIN_PASSWORD")
        .env("RUST_LOG", "warn");
    if let Some(p) = password {
        cmd.env("IEMS_ADMIN_PASSWORD", p);
    }
    cmd.output().expect("run iems migrate")
}

#[tokio::test]
async fn first_admin_once_and_the_password_never_printed() {
    let db = TestDatabase::from_env().await;
    let pool = db.pool(1).await.unwrap();
    let password = "boss-password-123";

    let first = migrate(db.url(), &["--admin-username", "Boss"], Some(password));
    assert!(first.status.success(), "{first:?}");
    let out = String::from_utf8_lossy(&first.stdout);
    assert!(out.contains("first admin created: Boss"), "{out}");
    assert!(!out.contains(password), "the password was printed: {out}");

    let (role, hash): (String, String) =
        sqlx::query_as("SELECT role, password_hash FROM users WHERE username_key = 'boss'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(role, "admin");
    assert!(iems_shared::identity::verify_password(password, &hash));

    let again = migrate(db.url(), &["--admin-username", "Other"], Some(password));
    assert!(again.status.success(), "{again:?}");
    assert!(String::from_utf8_lossy(&again.stdout).contains("an admin exists already"));
    let admins: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE role = 'admin'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(admins, 1);

    // A username without a password is refused before anything runs.
    let missing = migrate(db.url(), &["--admin-username", "Boss"], None);
    assert_eq!(missing.status.code(), Some(2), "{missing:?}");
    // A weak password is refused with a clear message.
    let fresh = TestDatabase::from_env().await;
    let weak = migrate(fresh.url(), &["--admin-username", "Boss"], Some("short"));
    assert!(!weak.status.success());
    assert!(String::from_utf8_lossy(&weak.stderr).contains("IEMS_ADMIN_PASSWORD"));
    pool.close().await;
}

/// A database that does not exist yet: the SQLite file, or the MySQL database, is created.
#[tokio::test]
async fn a_missing_database_is_created_and_migrated_once() {
    let dir = tempfile::tempdir().unwrap();
    let mysql_name = format!("iems_test_{}", uuid::Uuid::new_v4().simple());
    let url = match iems_db::testing::backend_from_env() {
        Backend::Sqlite => format!("sqlite://{}", dir.path().join("new.db").display()),
        Backend::Mysql => format!("{}/{mysql_name}", mysql_server_url()),
    };
    let first = migrate(&url, &[], None);
    let again = migrate(&url, &[], None);
    let tables = match iems_db::connect(&url, 1).await {
        Ok(pool) => {
            let rows = sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM hourly_consumption")
                .fetch_one(&pool)
                .await
                .map_err(|e| e.to_string());
            pool.close().await;
            rows
        }
        Err(e) => Err(e.to_string()),
    };
    if url.starts_with("mysql://") {
        sqlx::MySql::drop_database(&url).await.unwrap();
    }
    assert!(first.status.success(), "{first:?}");
    assert!(
        String::from_utf8_lossy(&first.stdout).contains(": applied "),
        "{first:?}"
    );
    assert!(
        String::from_utf8_lossy(&again.stdout).contains("schema up to date"),
        "{again:?}"
    );
    assert_eq!(tables, Ok(0));
}
