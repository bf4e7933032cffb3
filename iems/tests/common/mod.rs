//! Test helpers for the HTTP API: the real wasm components of `spin.toml`,
//! built once per test binary, served by the local runtime over real HTTP on a
//! fresh migrated database with a fresh key pair and a seeded admin. The
//! database is SQLite, or MariaDB when `IEMS_TEST_DATABASE=mysql` (the
//! components then get `db_backend = mysql` and the database's `mysql_url`).
#![allow(dead_code)]

pub mod ingest;
pub mod wasm;
pub mod world;

use iems_db::testing::TestDatabase;
use iems_db::{Backend, Pool};
use iems_runtime::{App, RuntimeOptions};
use iems_shared::identity::{generate_keypair, hash_password, KeyPair};
use iems_shared::sql;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::net::SocketAddr;

pub use iems_testkit::http::Reply;

/// The seeded admin's username and password.
pub const ADMIN: (&str, &str) = ("admin", "admin-password-1");

/// A signed-in test user.
#[derive(Debug, Clone)]
pub struct TestUser {
    /// User id.
    pub id: String,
    /// Username.
    pub username: String,
    /// Password.
    pub password: String,
    /// A valid access token.
    pub token: String,
}

/// A running API on a fresh database.
pub struct TestApi {
    /// Where it listens.
    pub addr: SocketAddr,
    /// The app directory (manifest, data).
    pub dir: tempfile::TempDir,
    /// The key pair given to the components.
    pub keys: KeyPair,
    /// The seeded admin's id.
    pub admin_id: String,
    /// A pool on the components' database (for seeding and checking).
    pub pool: Pool,
    db: TestDatabase,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for TestApi {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

impl TestApi {
    /// Builds (once) and serves every function of `spin.toml` on a fresh database.
    pub async fn start() -> TestApi {
        Self::start_with(|_| {}).await
    }

    /// As [`TestApi::start`], with the runtime options adjusted by `tweak`.
    pub async fn start_with(tweak: impl FnOnce(&mut RuntimeOptions)) -> TestApi {
        Self::launch(|_| {}, tweak).await
    }

    /// As [`TestApi::start`], with the application manifest edited by `edit`
    /// before it loads (e.g. a `files` mount pointed at a fixture).
    pub async fn start_with_manifest(edit: impl FnOnce(&mut toml::Table)) -> TestApi {
        Self::launch(edit, |_| {}).await
    }

    async fn launch(
        edit: impl FnOnce(&mut toml::Table),
        tweak: impl FnOnce(&mut RuntimeOptions),
    ) -> TestApi {
        let dir = tempfile::tempdir().expect("tempdir");
        let manifest = wasm::write_manifest(dir.path());
        let mut table: toml::Table = std::fs::read_to_string(&manifest)
            .expect("the written manifest")
            .parse()
            .expect("it parses");
        edit(&mut table);
        std::fs::write(&manifest, toml::to_string(&table).expect("it serializes"))
            .expect("rewriting the manifest");
        let data = dir.path().join("data");
        std::fs::create_dir_all(&data).unwrap();
        let db = TestDatabase::from_env().await;
        let pool = db.pool(4).await.expect("a pool on the test database");
        let admin_id = uuid_v4();
        seed_user(&pool, &admin_id, ADMIN.0, ADMIN.1, "admin").await;
        let keys = generate_keypair();
        let mut variables = HashMap::new();
        variables.insert("jwt_public_key".to_string(), keys.public_pem.clone());
        variables.insert("jwt_private_key".to_string(), keys.private_pem.clone());
        let default_database = match db.backend() {
            Backend::Sqlite => db.sqlite_path(),
            Backend::Mysql => {
                variables.insert("db_backend".to_string(), "mysql".to_string());
                variables.insert("mysql_url".to_string(), db.url().to_string());
                variables.insert("mysql_host".to_string(), db.mysql_host().unwrap());
                // The SQLite `default` database exists but stays unused.
                Some(data.join("unused.db"))
            }
        };
        let mut options = RuntimeOptions {
            data_dir: Some(data),
            default_database,
            variables,
            cache_dir: Some(wasm::target_dir().join("wasmtime-cache")),
            ..Default::default()
        };
        tweak(&mut options);
        let app = App::load(&manifest, options).expect("the app loads");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = app.serve(listener, async { drop(stopped.await) }).await;
        });
        TestApi {
            addr,
            dir,
            keys,
            admin_id,
            pool,
            db,
            stop: Some(stop),
        }
    }

    /// Another pool on the components' database (a service of its own would have one).
    pub async fn another_pool(&self, max_connections: u32) -> Pool {
        self.db
            .pool(max_connections)
            .await
            .expect("a pool on the test database")
    }

    /// The backend the components run on.
    pub fn backend(&self) -> Backend {
        self.db.backend()
    }

    /// Sends a request; `token` becomes a bearer `Authorization`.
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Reply {
        let auth = token.map(|t| format!("Bearer {t}"));
        let mut headers: Vec<(&str, &str)> = Vec::new();
        if let Some(a) = &auth {
            headers.push(("authorization", a.as_str()));
        }
        let bytes = match body {
            Some(v) => {
                headers.push(("content-type", "application/json"));
                serde_json::to_vec(v).unwrap()
            }
            None => Vec::new(),
        };
        self.send(method, path, &headers, bytes).await
    }

    /// Sends a request with raw headers and body.
    pub async fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: impl Into<bytes::Bytes>,
    ) -> Reply {
        iems_testkit::http::send(self.addr, method, path, headers, body).await
    }

    /// `POST /api/auth/login`.
    pub async fn login(&self, username: &str, password: &str) -> Reply {
        let body = json!({ "username": username, "password": password });
        self.call("POST", "/api/auth/login", None, Some(&body))
            .await
    }

    /// The seeded admin, signed in.
    pub async fn admin(&self) -> TestUser {
        let reply = self.login(ADMIN.0, ADMIN.1).await;
        assert_eq!(reply.status, 200, "admin login: {}", reply.text());
        TestUser {
            id: self.admin_id.clone(),
            username: ADMIN.0.into(),
            password: ADMIN.1.into(),
            token: reply.json()["access_token"].as_str().unwrap().to_string(),
        }
    }

    /// Registers a client through the API and signs it in.
    pub async fn client(&self, username: &str) -> TestUser {
        let password = format!("{username}-password");
        let body = json!({ "username": username, "password": password, "full_name": format!("Client {username}") });
        let reply = self
            .call("POST", "/api/auth/register", None, Some(&body))
            .await;
        assert_eq!(reply.status, 201, "register {username}: {}", reply.text());
        let id = reply.json()["user"]["id"].as_str().unwrap().to_string();
        let login = self.login(username, &password).await;
        assert_eq!(login.status, 200, "login {username}: {}", login.text());
        let token = login.json()["access_token"].as_str().unwrap().to_string();
        TestUser {
            id,
            username: username.into(),
            password,
            token,
        }
    }

    /// Inserts hourly totals `(hour start ms, µWh)` of a device with the day
    /// and month rows the broker-adapter keeps beside them (distinct hours).
    pub async fn seed_hours(&self, device: &str, hours: &[(i64, i64)]) {
        let dialect = self.backend().dialect();
        for chunk in hours.chunks(200) {
            let statement = sql::hourly::add(dialect, chunk.len());
            let mut q = sqlx::query(&statement);
            for &(start, uwh) in chunk {
                q = q.bind(device.to_string()).bind(start).bind(uwh).bind(0i64);
            }
            q.execute(&self.pool).await.unwrap();
        }
        let days = iems_shared::consumption::daily::day_changes(hours);
        for s in sql::daily::add_days(dialect, device, &days) {
            iems_db::statement(&s).execute(&self.pool).await.unwrap();
        }
        let months = iems_shared::consumption::monthly::month_changes(hours);
        if !months.is_empty() {
            let s = sql::daily::add_months(dialect, device, &months);
            iems_db::statement(&s).execute(&self.pool).await.unwrap();
        }
    }

    /// Inserts a device directly; returns its id.
    pub async fn seed_device(
        &self,
        name: &str,
        owner: Option<&str>,
        max_hourly_kwh: f64,
    ) -> String {
        let uwh = (max_hourly_kwh * 1e9).round() as i64;
        iems_db::testing::insert_device(&self.pool, name, uwh, owner).await
    }
}

/// Inserts a user directly (the way `iems up` creates the first admin).
pub async fn seed_user(pool: &Pool, id: &str, username: &str, password: &str, role: &str) {
    let hash = hash_password(password).expect("hash");
    let user = sql::users::NewUser {
        id,
        username,
        username_key: &username.to_ascii_lowercase(),
        full_name: &format!("The {role}"),
        address: None,
        role: role.parse().expect("role"),
        password_hash: &hash,
        created_at_ms: 0,
    };
    iems_db::statement(&sql::users::insert(&user))
        .execute(pool)
        .await
        .expect("seed user");
}

/// A random UUID string.
pub fn uuid_v4() -> String {
    uuid::Uuid::new_v4().to_string()
}
