//! The composition root of iems: one sub-command per part, wired together here.
//! Nothing below this crate depends on it.

pub mod cmd;
pub mod dead_letters;
pub mod listen;
pub mod up;

use clap::{Parser, Subcommand, ValueEnum};

/// The iems command line.
#[derive(Debug, Parser)]
#[command(
    name = "iems",
    version,
    about = "Integrated Energy Management System",
    propagate_version = true
)]
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
    /// Run every part of iems in one process on one port (embedded defaults).
    Up(up::UpArgs),
    /// Apply the database migrations (idempotent).
    Migrate(cmd::migrate::MigrateArgs),
    /// Run each component's build command from spin.toml (as `spin build`).
    Build(cmd::build::BuildArgs),
    /// Serve spin.toml's functions on the local wasmtime runtime.
    ServeFunctions(cmd::serve::ServeArgs),
    /// Play meter readings from a CSV into RabbitMQ, or generate a household CSV.
    Simulate(cmd::simulate::SimulateArgs),
    /// Check the consumption insight on register series (`iems insight backtest`).
    Insight(cmd::insight::InsightArgs),
    /// Consume readings from RabbitMQ into hourly totals and alerts.
    BrokerAdapter(cmd::broker_adapter::BrokerAdapterArgs),
    /// Serve the WebSocket hub (`/ws`): alerts, live consumption and the support chat.
    WsHub(cmd::ws_hub::WsHubArgs),
    /// List or replay the readings that were dead-lettered (RabbitMQ or the embedded database).
    DeadLetters(cmd::dead_letters::DeadLettersArgs),
    /// Write runtime-config.toml and spin.env for `spin up` on the data of `iems up`.
    SpinConfig(cmd::spin_config::SpinConfigArgs),
    /// Run a benchmark (`iems bench <what>`).
    #[command(subcommand)]
    Bench(BenchCommand),
}

/// What `iems bench` measures; each takes `--quick` and ends with a `name=value` summary line.
#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Functions on the local runtime against the same handlers in native axum.
    Http(iems_bench::runtime_http::BenchHttpArgs),
    /// Readings through RabbitMQ and the broker-adapter against the raw broker.
    Ingest(iems_bench::ingest::BenchIngestArgs),
    /// WebSocket hub: memory per connection, alert latency, admin fan-out, chat round trip.
    Ws(iems_bench::ws::BenchWsArgs),
    /// The API's day chart and device list on a year of hourly data (100 devices).
    Api(iems_bench::api::BenchApiArgs),
}

/// Sets up `tracing` (filter from `RUST_LOG`, default `info`).
pub fn init_tracing(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        // Colours only for a terminal: a log file gets plain text.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr);
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
            Command::Up(args) => up::run(args).await,
            Command::Migrate(args) => cmd::migrate::run(args).await,
            Command::Build(args) => cmd::build::run(args),
            Command::ServeFunctions(args) => cmd::serve::run(args).await,
            Command::Simulate(args) => cmd::simulate::run(args).await,
            Command::Insight(args) => cmd::insight::run(args),
            Command::BrokerAdapter(args) => cmd::broker_adapter::run(args).await,
            Command::WsHub(args) => cmd::ws_hub::run(args).await,
            Command::SpinConfig(args) => cmd::spin_config::run(args),
            Command::DeadLetters(args) => cmd::dead_letters::run(args).await,
            Command::Bench(BenchCommand::Http(args)) => iems_bench::runtime_http::run(args).await,
            Command::Bench(BenchCommand::Ingest(args)) => iems_bench::ingest::run(args).await,
            Command::Bench(BenchCommand::Ws(args)) => iems_bench::ws::run(args).await,
            Command::Bench(BenchCommand::Api(args)) => iems_bench::api::run(args).await,
        }
    })
}
