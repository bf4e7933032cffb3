//! `iems insight backtest`: how accurate the day-ahead forecast would have
//! been on register series in the course format (see `docs/insight.md`).

use anyhow::{bail, Context};
use iems_shared::insight::BaselineParams;
use iems_simulator::{Backtest, Course, SERIES_START_MS};
use std::path::PathBuf;

/// Arguments of `iems insight`.
#[derive(Debug, clap::Args)]
pub struct InsightArgs {
    /// What to do.
    #[command(subcommand)]
    pub action: InsightAction,
}

/// Sub-commands of `iems insight`.
#[derive(Debug, clap::Subcommand)]
pub enum InsightAction {
    /// Score the day-ahead forecast on register series: one MAPE per day and a
    /// `backtest file=… days=… mape_mean=… mape_median=…` line per file.
    Backtest(BacktestArgs),
}

/// Arguments of `iems insight backtest`.
#[derive(Debug, clap::Args)]
pub struct BacktestArgs {
    /// A register series in the course format (one cumulative kWh per line); repeatable.
    #[arg(long = "csv", default_value = "sensor.csv")]
    pub csvs: Vec<PathBuf>,
    /// Time between the series' registers, e.g. 10m, 15m, 1h.
    #[arg(long, default_value = "10m", value_parser = iems_simulator::parse_step)]
    pub step: chrono::Duration,
    /// IANA zone whose local days and hours of the week are forecast.
    #[arg(long, default_value = "UTC")]
    pub tz: String,
    /// Weeks of history the baseline learns from (4–8).
    #[arg(long, default_value_t = iems_shared::insight::baseline::DEFAULT_WEEKS)]
    pub weeks: u32,
    /// Whole weeks of data before a day is forecast (1 to --weeks).
    #[arg(long, default_value_t = iems_shared::insight::baseline::DEFAULT_MIN_WEEKS)]
    pub min_weeks: u32,
}

/// Runs `iems insight`.
pub fn run(args: InsightArgs) -> anyhow::Result<()> {
    match args.action {
        InsightAction::Backtest(backtest) => run_backtest(backtest),
    }
}

fn run_backtest(args: BacktestArgs) -> anyhow::Result<()> {
    let tz = iems_shared::time::parse_tz(&args.tz)
        .map_err(|e| anyhow::anyhow!("--tz: {}", e.message))?;
    let params = BaselineParams::new(args.weeks, args.min_weeks)
        .map_err(|e| anyhow::anyhow!("--{}", e.message.replace('_', "-")))?;
    let start = iems_shared::time::rfc3339_ms(SERIES_START_MS);
    println!(
        "# the files carry no time: each series starts on a fixed Monday, {start}, one register every {}",
        step_text(args.step)
    );
    println!(
        "# tz={} weeks={} min_weeks={}: day D is forecast from the weeks before D's local start, MAPE over D's hours with actual > 0",
        args.tz, params.weeks, params.min_weeks
    );
    for path in &args.csvs {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let course = Course::parse(&text).with_context(|| format!("parsing {}", path.display()))?;
        let Course::Registers(registers) = course else {
            bail!(
                "{}: backtest reads the course format (one register kWh per line), not timestamp,device_id,register_kwh rows",
                path.display()
            );
        };
        let result = iems_simulator::backtest_registers(&registers, args.step, tz, params)
            .with_context(|| format!("{}", path.display()))?;
        report(
            &path.display().to_string(),
            registers.len(),
            params,
            &result,
        );
    }
    Ok(())
}

/// Prints one line per day and the file's summary line.
fn report(file: &str, readings: usize, params: BaselineParams, result: &Backtest) {
    for day in &result.days {
        let mape = day
            .mape
            .map_or_else(|| "n/a (every hour 0)".to_string(), |m| format!("{m:.1}"));
        println!(
            "day file={file} date={} weekday={} hours={} mape={mape}",
            day.date,
            day.date.format("%a"),
            day.hours
        );
    }
    let fmt = |v: Option<f64>| v.map_or_else(|| "n/a".to_string(), |m| format!("{m:.1}"));
    println!(
        "backtest file={file} days={} mape_mean={} mape_median={} whole_days={} weeks_of_data={:.2} readings={readings}",
        result.mapes().len(),
        fmt(result.mean()),
        fmt(result.median()),
        result.whole_days,
        result.weeks_of_data,
    );
    if result.days.is_empty() {
        println!(
            "note file={file}: no day could be forecast: {:.2} weeks of data, and a day needs min_weeks={} whole weeks before it (plus the whole day itself)",
            result.weeks_of_data, params.min_weeks
        );
    }
}

/// `10m`, `1h`, `30s`, `500ms`.
fn step_text(step: chrono::Duration) -> String {
    let ms = step.num_milliseconds();
    match ms {
        _ if ms % 3_600_000 == 0 => format!("{}h", ms / 3_600_000),
        _ if ms % 60_000 == 0 => format!("{}m", ms / 60_000),
        _ if ms % 1_000 == 0 => format!("{}s", ms / 1_000),
        _ => format!("{ms}ms"),
    }
}
