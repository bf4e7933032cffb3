//! Spin host interfaces through real components: SQLite, key-value, variables,
//! files, outbound HTTP.

mod common;

use bytes::Bytes;
use common::{probe, send, start};

async fn sql(
    addr: std::net::SocketAddr,
    route: &str,
    op: &str,
    db: &str,
    statement: &str,
) -> common::Reply {
    let headers = [("x-probe-op", op), ("x-probe-arg", db)];
    send(
        addr,
        "POST",
        route,
        &headers,
        Bytes::from(statement.to_owned()),
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_v3_create_insert_query_and_errors() {
    let app = start(|_| {}).await;
    let a = app.addr;
    let created = sql(
        a,
        "/probe/sql",
        "sql",
        "default",
        "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, score REAL)",
    )
    .await;
    assert_eq!(created.status, 200, "{}", created.text());
    let inserted = sql(
        a,
        "/probe/sql",
        "sql",
        "default",
        "INSERT INTO t (name, score) VALUES ('ann', 1.5), ('bo', NULL)",
    )
    .await;
    let inserted: serde_json::Value = serde_json::from_slice(&inserted.body).unwrap();
    assert_eq!(inserted["changes"], 2);
    assert_eq!(inserted["last_insert_rowid"], 2);
    let rows = sql(
        a,
        "/probe/sql",
        "sql",
        "default",
        "SELECT id, name, score FROM t ORDER BY id",
    )
    .await;
    let rows: serde_json::Value = serde_json::from_slice(&rows.body).unwrap();
    assert_eq!(rows["columns"], serde_json::json!(["id", "name", "score"]));
    assert_eq!(
        rows["rows"],
        serde_json::json!([[1, "ann", 1.5], [2, "bo", null]])
    );
    // The default database is the file in the data directory.
    assert!(app.dir.path().join("data/sqlite_db.db").exists());
    // SQL errors come back as `io` with SQLite's message.
    let bad = sql(a, "/probe/sql", "sql", "default", "SELECT * FROM missing").await;
    assert_eq!(bad.status, 500);
    assert!(
        bad.text().starts_with("Error::Io(") && bad.text().contains("no such table"),
        "{}",
        bad.text()
    );
    // v2 interface on the same database.
    let v2 = sql(a, "/probe/sql", "sql2", "default", "SELECT name FROM t").await;
    assert_eq!(v2.text(), r#"{"columns":["name"],"rows":2}"#);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_allow_list_and_runtime_config() {
    let app = start(|_| {}).await;
    let a = app.addr;
    // `other` is defined in runtime-config.toml and allowed for `probe`.
    let other = sql(a, "/probe/sql", "sql", "other", "CREATE TABLE o (x)").await;
    assert_eq!(other.status, 200, "{}", other.text());
    assert!(app.dir.path().join("data/other.db").exists());
    // Not listed in the component's sqlite_databases.
    let denied = sql(a, "/probe/sql", "sql", "nope", "SELECT 1").await;
    assert_eq!(denied.text(), "Error::AccessDenied");
    let limited = sql(a, "/limited/sql", "sql", "default", "SELECT 1").await;
    assert_eq!(limited.text(), "Error::AccessDenied");
    let limited_v2 = sql(a, "/limited/sql", "sql2", "default", "SELECT 1").await;
    assert_eq!(limited_v2.text(), "Error::AccessDenied");
}

#[tokio::test]
async fn undefined_database_fails_load() {
    let dir = common::fixture_dir();
    std::fs::write(dir.path().join("runtime-config.toml"), "").unwrap();
    let err = iems_runtime::App::load(&dir.path().join("spin.toml"), common::options(dir.path()))
        .err()
        .expect("load must fail without [sqlite_database.other]");
    assert!(err.to_string().contains("other"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn key_value_roundtrip_and_allow_list() {
    let app = start(|_| {}).await;
    let a = app.addr;
    let kv = |method: &'static str, store: &'static str, body: &'static str| {
        let headers = [
            ("x-probe-op", "kv"),
            ("x-probe-arg", store),
            ("x-probe-key", "k1"),
        ];
        async move {
            send(a, method, "/probe/kv", &headers, Bytes::from(body))
                .await
                .text()
        }
    };
    assert_eq!(kv("GET", "default", "").await, "<none>");
    assert_eq!(kv("PUT", "default", "v1").await, "stored");
    assert_eq!(kv("GET", "default", "").await, "v1");
    assert_eq!(kv("PUT", "default", "v2").await, "stored");
    assert_eq!(kv("GET", "default", "").await, "v2");
    assert_eq!(kv("DELETE", "default", "").await, "deleted");
    assert_eq!(kv("GET", "default", "").await, "<none>");
    assert_eq!(kv("GET", "private", "").await, "Error::AccessDenied");
    let headers = [
        ("x-probe-op", "kv"),
        ("x-probe-arg", "default"),
        ("x-probe-key", "k"),
    ];
    let limited = send(a, "GET", "/limited/kv", &headers, Bytes::new()).await;
    assert_eq!(limited.text(), "Error::AccessDenied");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn variables_defaults_overrides_environment() {
    std::env::set_var("SPIN_VARIABLE_ENV_VAR", "from the environment");
    let app = start(|o| {
        o.variables.insert("greeting".into(), "overridden".into());
    })
    .await;
    let a = app.addr;
    assert_eq!(
        probe(a, "/probe/v", "var", "greeting").await.text(),
        "overridden"
    );
    assert_eq!(
        probe(a, "/probe/v", "var", "mixed").await.text(),
        "[overridden]"
    );
    assert_eq!(probe(a, "/probe/v", "var", "token").await.text(), "s3cret");
    assert_eq!(
        probe(a, "/probe/v", "var", "from_env").await.text(),
        "from the environment"
    );
    let undefined = probe(a, "/probe/v", "var", "api_token").await;
    assert!(
        undefined.text().starts_with("Error::Undefined("),
        "{}",
        undefined.text()
    );
    let invalid = probe(a, "/probe/v", "var", "Bad-Name").await;
    assert!(
        invalid.text().starts_with("Error::InvalidName("),
        "{}",
        invalid.text()
    );
}

#[tokio::test]
async fn missing_required_variable_fails_load() {
    let dir = common::fixture_dir();
    let manifest = dir.path().join("spin.toml");
    let text = std::fs::read_to_string(&manifest).unwrap().replace(
        "[variables]\n",
        "[variables]\nrt_test_required_never_set = { required = true }\n",
    );
    std::fs::write(&manifest, text).unwrap();
    let err = iems_runtime::App::load(&manifest, common::options(dir.path()))
        .err()
        .expect("must fail");
    assert!(
        err.to_string().contains("rt_test_required_never_set"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_are_mounted_read_only() {
    let app = start(|_| {}).await;
    let read = probe(app.addr, "/probe/f", "file", "/assets/note.txt").await;
    assert_eq!(
        (read.status, read.text().as_str()),
        (200, "mounted file content\n")
    );
    let write = probe(app.addr, "/probe/f", "file-write", "/assets/new.txt").await;
    assert_eq!(write.status, 500, "{}", write.text());
    assert!(!app.dir.path().join("assets/new.txt").exists());
    let outside = probe(app.addr, "/probe/f", "file", "/etc/hostname").await;
    assert_eq!(outside.status, 500);
    let limited = probe(app.addr, "/limited/f", "file", "/assets/note.txt").await;
    assert_eq!(limited.status, 500);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outbound_http_allowed_and_denied() {
    let app = start(|_| {}).await;
    let a = app.addr;
    let allowed = probe(a, "/probe/o", "out", &format!("http://{a}/hello")).await;
    assert_eq!(
        (allowed.status, allowed.text().as_str()),
        (200, "200 hello")
    );
    let to_self = probe(a, "/probe/o", "out", "http://self/hello").await;
    assert_eq!(to_self.text(), "200 hello");
    let private = probe(a, "/probe/o", "out", "http://internal.spin.internal/").await;
    assert_eq!(private.text(), "200 hello");
    let denied = probe(a, "/probe/o", "out", "http://example.com/").await;
    assert_eq!(denied.status, 502);
    assert!(
        denied.text().contains("HttpRequestDenied"),
        "{}",
        denied.text()
    );
    let limited = probe(a, "/limited/o", "out", &format!("http://{a}/hello")).await;
    assert!(
        limited.text().contains("HttpRequestDenied"),
        "{}",
        limited.text()
    );
}
