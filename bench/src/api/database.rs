//! Where `iems bench api` seeds and serves: a SQLite file in its temporary
//! directory, or a database of its own on a MySQL server, dropped at the end.

use anyhow::{ensure, Context};
use iems_db::Backend;

/// The bench's own database: a SQLite file, or a fresh database on a MySQL server.
pub struct BenchDatabase {
    pub url: String,
    /// `HOST:PORT` of the MySQL server (None on SQLite).
    pub mysql_host: Option<String>,
    /// The server URL without a database, to drop ours at the end.
    mysql_server: Option<String>,
}

impl BenchDatabase {
    pub fn new(
        server: Option<&str>,
        sqlite_path: &std::path::Path,
    ) -> anyhow::Result<BenchDatabase> {
        let Some(server) = server else {
            return Ok(BenchDatabase {
                url: format!("sqlite://{}", sqlite_path.display()),
                mysql_host: None,
                mysql_server: None,
            });
        };
        ensure!(
            Backend::of(server)? == Backend::Mysql,
            "--database-url must be a MySQL server URL (mysql://USER:PASSWORD@HOST:PORT)"
        );
        let url = reqwest::Url::parse(server).context("--database-url")?;
        ensure!(
            url.path().trim_matches('/').is_empty(),
            "--database-url names a server, not a database: the bench creates its own"
        );
        let host = url.host_str().context("--database-url has no host")?;
        let port = url.port().unwrap_or(3306);
        let server = server.trim_end_matches('/').to_owned();
        Ok(BenchDatabase {
            url: format!("{server}/iems_bench_api_{}", uuid::Uuid::new_v4().simple()),
            mysql_host: Some(format!("{host}:{port}")),
            mysql_server: Some(server),
        })
    }

    pub fn label(&self) -> &'static str {
        if self.mysql_host.is_some() {
            "mysql"
        } else {
            "sqlite"
        }
    }

    /// Drops the bench's MySQL database (nothing to do on SQLite: the directory goes).
    pub async fn drop_mysql(&self) {
        let Some(server) = &self.mysql_server else {
            return;
        };
        let name = self.url.rsplit('/').next().unwrap_or_default();
        let dropped = async {
            let pool = iems_db::connect(server, 1).await?;
            sqlx::query(&format!("DROP DATABASE IF EXISTS `{name}`"))
                .execute(&pool)
                .await?;
            pool.close().await;
            anyhow::Ok(())
        }
        .await;
        if let Err(e) = dropped {
            eprintln!("could not drop the bench database {name}: {e:#}");
        }
    }
}
