//! `iems migrate --admin-username` creates the first admin once, for the
//! separate-process topology where no `iems up` does it.

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

#[test]
fn first_admin_once_and_the_password_never_printed() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("iems.db");
    let url = format!("sqlite://{}", db.display());
    let password = "boss-password-123";

    let first = migrate(&url, &["--admin-username", "Boss"], Some(password));
    assert!(first.status.success(), "{first:?}");
    let out = String::from_utf8_lossy(&first.stdout);
    assert!(out.contains("first admin created: Boss"), "{out}");
    assert!(!out.contains(password), "the password was printed: {out}");

    let conn = rusqlite::Connection::open(&db).unwrap();
    let (role, hash): (String, String) = conn
        .query_row(
            "SELECT role, password_hash FROM users WHERE username_key = 'boss'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(role, "admin");
    assert!(iems_shared::identity::verify_password(password, &hash));

    let again = migrate(&url, &["--admin-username", "Other"], Some(password));
    assert!(again.status.success(), "{again:?}");
    assert!(String::from_utf8_lossy(&again.stdout).contains("an admin exists already"));
    let admins: i64 = conn
        .query_row("SELECT COUNT(*) FROM users WHERE role = 'admin'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(admins, 1);

    // A username without a password is refused before anything runs.
    let missing = migrate(&url, &["--admin-username", "Boss"], None);
    assert_eq!(missing.status.code(), Some(2), "{missing:?}");
    // A weak password is refused with a clear message.
    let fresh = format!("sqlite://{}", dir.path().join("other.db").display());
    let weak = migrate(&fresh, &["--admin-username", "Boss"], Some("short"));
    assert!(!weak.status.success());
    assert!(String::from_utf8_lossy(&weak.stderr).contains("IEMS_ADMIN_PASSWORD"));
}
