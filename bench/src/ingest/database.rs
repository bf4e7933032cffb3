//! Where the ingest cases get their fresh databases: a temporary SQLite file
//! each, or a database of their own on a MySQL server named on the command line.

use anyhow::Context;
use iems_db::testing::TestDatabase;
use iems_db::{Backend, Pool};
use sqlx::migrate::MigrateDatabase;

/// Where the cases get their fresh databases.
pub(super) enum BenchDatabase {
    /// A temporary SQLite file per case.
    Sqlite,
    /// A database per case on this MySQL server: `(server URL without a
    /// database, name prefix, query string)`.
    Mysql {
        server: String,
        prefix: String,
        query: String,
    },
}

/// One case's migrated database, removed by [`CaseDatabase::close`] (SQLite: with its directory).
pub(super) struct CaseDatabase {
    pub(super) pool: Pool,
    mysql_url: Option<String>,
    _sqlite: Option<TestDatabase>,
}

impl BenchDatabase {
    pub(super) fn new(url: Option<&str>) -> anyhow::Result<BenchDatabase> {
        let Some(url) = url else {
            return Ok(BenchDatabase::Sqlite);
        };
        anyhow::ensure!(
            Backend::of(url)? == Backend::Mysql,
            "--database-url takes a MySQL server (mysql://…); SQLite is the default, in a temporary file"
        );
        // sqlx creates and drops databases only under the `mysql` scheme.
        let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
        let (rest, query) = rest.split_once('?').unwrap_or((rest, ""));
        let (authority, name) = rest.split_once('/').unwrap_or((rest, ""));
        let name = name.trim_end_matches('/');
        Ok(BenchDatabase::Mysql {
            server: format!("mysql://{authority}"),
            prefix: if name.is_empty() { "iems_bench" } else { name }.to_owned(),
            query: if query.is_empty() {
                String::new()
            } else {
                format!("?{query}")
            },
        })
    }

    pub(super) fn backend_name(&self) -> &'static str {
        match self {
            BenchDatabase::Sqlite => "sqlite",
            BenchDatabase::Mysql { .. } => "mysql",
        }
    }

    pub(super) fn describe(&self) -> String {
        match self {
            BenchDatabase::Sqlite => "SQLite, a temporary file per case".to_owned(),
            BenchDatabase::Mysql { server, prefix, .. } => format!(
                "MySQL {}, a database {prefix}_<random> per case, dropped afterwards",
                iems_db::redact(server)
            ),
        }
    }

    /// A fresh migrated database for one case.
    pub(super) async fn case(&self) -> anyhow::Result<CaseDatabase> {
        match self {
            BenchDatabase::Sqlite => {
                let database = TestDatabase::create(Backend::Sqlite).await;
                Ok(CaseDatabase {
                    pool: database.pool(4).await?,
                    mysql_url: None,
                    _sqlite: Some(database),
                })
            }
            BenchDatabase::Mysql {
                server,
                prefix,
                query,
            } => {
                let name = format!(
                    "{prefix}_{}",
                    &uuid::Uuid::new_v4().simple().to_string()[..8]
                );
                let url = format!("{server}/{name}{query}");
                // `migrate` creates the database.
                iems_db::migrate(&url)
                    .await
                    .with_context(|| format!("creating {}", iems_db::redact(&url)))?;
                Ok(CaseDatabase {
                    pool: iems_db::connect(&url, 4).await?,
                    mysql_url: Some(url),
                    _sqlite: None,
                })
            }
        }
    }
}

impl CaseDatabase {
    pub(super) async fn close(self) -> anyhow::Result<()> {
        self.pool.close().await;
        if let Some(url) = &self.mysql_url {
            sqlx::MySql::drop_database(url)
                .await
                .with_context(|| format!("dropping {}", iems_db::redact(url)))?;
        }
        Ok(())
    }
}
