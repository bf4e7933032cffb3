//! `iems migrate`: apply the schema migrations to a database.

use anyhow::Context;

/// Arguments of `iems migrate`.
#[derive(Debug, clap::Args)]
pub struct MigrateArgs {
    /// Database to migrate: `sqlite://PATH` or `mysql://USER:PASSWORD@HOST:PORT/DATABASE`
    /// (either created if missing).
    #[arg(long, env = "IEMS_DATABASE_URL")]
    pub database_url: String,
    /// Also create the first admin with this username when there is no admin
    /// (the separate-process topology has no `iems up` to do it).
    #[arg(long, env = "IEMS_ADMIN_USERNAME", requires = "admin_password")]
    pub admin_username: Option<String>,
    /// Password of that first admin (never printed).
    #[arg(long, env = "IEMS_ADMIN_PASSWORD", hide_env_values = true)]
    pub admin_password: Option<String>,
}

/// Applies the pending migrations and reports how many ran.
pub async fn run(args: MigrateArgs) -> anyhow::Result<()> {
    let redacted = iems_db::redact(&args.database_url);
    let applied = iems_db::migrate(&args.database_url)
        .await
        .with_context(|| format!("migrating {redacted}"))?;
    if applied == 0 {
        println!("{redacted}: schema up to date, nothing to apply");
    } else {
        println!("{redacted}: applied {applied} migration(s)");
    }
    if let (Some(username), Some(password)) = (&args.admin_username, &args.admin_password) {
        let pool = iems_db::connect(&args.database_url, 1)
            .await
            .with_context(|| format!("opening {redacted}"))?;
        let created = crate::up::seed::ensure_admin(&pool, username, Some(password)).await;
        pool.close().await;
        match created? {
            Some(admin) => println!("first admin created: {}", admin.username),
            None => println!("an admin exists already: none created"),
        }
    }
    Ok(())
}
