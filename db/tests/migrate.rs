//! `migrate` on a fresh SQLite file creates the schema; a second run changes nothing.

use sqlx::Row;

#[tokio::test]
async fn migrate_is_idempotent_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("iems.db").display());

    let first = iems_db::migrate(&url).await.unwrap();
    assert!(first >= 1, "the first run applies the migrations");

    let pool = iems_db::connect(&url, 1).await.unwrap();
    let schema_before: Vec<String> =
        sqlx::query("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name")
            .fetch_all(&pool)
            .await
            .unwrap()
            .iter()
            .map(|r| r.get::<String, _>(0))
            .collect();
    for table in [
        "users",
        "refresh_tokens",
        "devices",
        "readings",
        "hourly_consumption",
        "meter_events",
        "alerts",
        "chat_messages",
        "chat_reads",
    ] {
        assert!(
            schema_before
                .iter()
                // A table rebuilt by a migration (rename) keeps its name quoted.
                .any(|s| s.starts_with(&format!("CREATE TABLE {table} "))
                    || s.starts_with(&format!("CREATE TABLE \"{table}\" "))),
            "table {table} exists"
        );
    }
    pool.close().await;

    let second = iems_db::migrate(&url).await.unwrap();
    assert_eq!(second, 0, "the second run applies nothing");

    let pool = iems_db::connect(&url, 1).await.unwrap();
    let schema_after: Vec<String> =
        sqlx::query("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name")
            .fetch_all(&pool)
            .await
            .unwrap()
            .iter()
            .map(|r| r.get::<String, _>(0))
            .collect();
    assert_eq!(schema_before, schema_after);
}

#[tokio::test]
async fn usernames_are_unique_case_insensitively_by_constraint() {
    let db = iems_db::testing::TestDatabase::create(iems_db::Backend::Sqlite).await;
    let pool = db.pool(1).await.unwrap();
    let err = second_alice(&pool).await;
    assert!(err.to_string().contains("users.username_key"), "{err}");
}

/// Inserts "Alice", then "ALICE" with the same key: the error of the second insert.
async fn second_alice(pool: &iems_db::Pool) -> sqlx::Error {
    let insert = "INSERT INTO users (id, username, username_key, full_name, role, password_hash, created_at, updated_at) VALUES (?, ?, ?, 'A', 'client', 'x', 0, 0)";
    sqlx::query(insert)
        .bind("u1")
        .bind("Alice")
        .bind("alice")
        .execute(pool)
        .await
        .unwrap();
    sqlx::query(insert)
        .bind("u2")
        .bind("ALICE")
        .bind("alice")
        .execute(pool)
        .await
        .unwrap_err()
}

const TABLES: [&str; 9] = [
    "users",
    "refresh_tokens",
    "devices",
    "readings",
    "hourly_consumption",
    "meter_events",
    "alerts",
    "chat_messages",
    "chat_reads",
];

/// The MySQL/MariaDB migrations create the same tables, run once, and enforce the
/// same keys, through the one pool type the services use.
#[tokio::test]
async fn mysql_migrations_create_the_schema_once_and_enforce_its_keys() {
    use iems_db::testing::TestDatabase;
    use iems_db::Backend;

    let db = TestDatabase::create(Backend::Mysql).await;
    let pool = db.pool(2).await.unwrap();
    assert_eq!(Backend::of_pool(&pool), Backend::Mysql);
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT CAST(table_name AS CHAR(64)) FROM information_schema.tables WHERE table_schema = DATABASE() ORDER BY 1",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    for table in TABLES {
        assert!(
            tables.iter().any(|t| t == table),
            "table {table} in {tables:?}"
        );
    }
    assert_eq!(
        iems_db::migrate(db.url()).await.unwrap(),
        0,
        "a second run applies nothing"
    );

    let err = second_alice(&pool).await;
    assert!(err.to_string().contains("users_username_key"), "{err}");

    // Strict mode: a value that does not fit is refused, not truncated.
    let long = "x".repeat(101);
    let err = sqlx::query("UPDATE users SET full_name = ? WHERE id = 'u1'")
        .bind(&long)
        .execute(&pool)
        .await
        .unwrap_err();
    assert!(err.to_string().to_lowercase().contains("too long"), "{err}");

    // Text comes back as text (VARCHAR, not TEXT/BLOB), integers as BIGINT.
    let (name, created): (String, i64) =
        sqlx::query_as("SELECT full_name, created_at FROM users WHERE id = ?")
            .bind("u1")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!((name.as_str(), created), ("A", 0));
    pool.close().await;
}

/// The one pool type opens SQLite too, with foreign keys enforced.
#[tokio::test]
async fn sqlite_through_the_any_pool_enforces_foreign_keys() {
    use iems_db::testing::TestDatabase;
    use iems_db::Backend;

    let db = TestDatabase::create(Backend::Sqlite).await;
    let pool = db.pool(2).await.unwrap();
    assert_eq!(Backend::of_pool(&pool), Backend::Sqlite);
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(
        mode, "wal",
        "several writers wait on each other instead of failing"
    );
    let err = sqlx::query("INSERT INTO devices (id, name, max_hourly_uwh, owner_id, created_at, updated_at) VALUES ('d', 'n', 1, 'nobody', 0, 0)")
        .execute(&pool)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("FOREIGN KEY"), "{err}");
    let tables: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN ('users','refresh_tokens','devices','readings','hourly_consumption','meter_events','alerts','chat_messages','chat_reads')")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(tables as usize, TABLES.len());
    pool.close().await;
}
