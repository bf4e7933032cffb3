//! `iems migrate`: apply the schema migrations to a database.

use anyhow::Context;

/// Arguments of `iems migrate`.
#[derive(Debug, clap::Args)]
pub struct MigrateArgs {
    /// Database to migrate: `sqlite://PATH` (created if missing).
    #[arg(long, env = "IEMS_DATABASE_URL")]
    pub database_url: String,
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
    Ok(())
}
