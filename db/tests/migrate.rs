//! `migrate` on a fresh SQLite file creates the schema; a second run changes nothing.

use sqlx::Row;

#[tokio::test]
async fn migrate_is_idempotent_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("iems.db").display());

    let first = iems_db::migrate(&url).await.unwrap();
    assert!(first >= 1, "the first run applies the migrations");

    let pool = iems_db::sqlite_pool(&url, 1).await.unwrap();
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
        "meter_resets",
        "alerts",
        "chat_messages",
        "chat_reads",
    ] {
        assert!(
            schema_before
                .iter()
                .any(|s| s.starts_with(&format!("CREATE TABLE {table} "))),
            "table {table} exists"
        );
    }
    pool.close().await;

    let second = iems_db::migrate(&url).await.unwrap();
    assert_eq!(second, 0, "the second run applies nothing");

    let pool = iems_db::sqlite_pool(&url, 1).await.unwrap();
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
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("iems.db").display());
    iems_db::migrate(&url).await.unwrap();
    let pool = iems_db::sqlite_pool(&url, 1).await.unwrap();
    let insert = "INSERT INTO users (id, username, username_key, full_name, role, password_hash, created_at, updated_at) VALUES (?, ?, ?, 'A', 'client', 'x', 0, 0)";
    sqlx::query(insert)
        .bind("u1")
        .bind("Alice")
        .bind("alice")
        .execute(&pool)
        .await
        .unwrap();
    let err = sqlx::query(insert)
        .bind("u2")
        .bind("ALICE")
        .bind("alice")
        .execute(&pool)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("users.username_key"), "{err}");
}
