//! The composition root of iems: one sub-command per part, wired together here.
//! Nothing below this crate depends on it.

pub mod cmd;

use clap::{Parser, Subcommand, ValueEnum};

/// The iems command line.
#[derive(Debug, Parser)]
#[command(name = "iems", version, about = "Integrated Energy Management System", propagate_version = true)]
pub struct Cli {
    /// Log output format.
    #[arg(long, env = "IEMS_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,

    #[command(subcommand)]
    pub command: Command,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// The sub-commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Apply the database migrations (idempotent).
    Migrate(cmd::migrate::MigrateArgs),
}

/// Sets up `tracing` (filter from `RUST_LOG`, default `info`).
pub fn init_tracing(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async move {
        match cli.command {
            Command::Migrate(args) => cmd::migrate::run(args).await,
        }
    })
}
