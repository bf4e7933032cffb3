//! `iems bench api`: the API's read path on a year of data. One client owns
//! 100 meters with a year of 10-minute readings (5,256,000 rows) and the hourly
//! totals they make (876,000 rows), seeded straight into a fresh database
//! (SQLite, or with `--database-url mysql://…` a MySQL/MariaDB database of its
//! own, dropped afterwards); spin.toml's real components serve it on the local
//! runtime as `iems up` does (on MySQL with `db_backend = mysql`). Keep-alive
//! connections first chart the year of all 100 meters by month overlaid with
//! the year before (hourly totals of 2024 are seeded too), then a month by day and a year by month for random
//! meters while the client has no tariff (the baseline), then, with a
//! time-of-use tariff assigned to the client, the same charts with their cost,
//! day charts of random meters and dates, and the client's device list.

mod cost;
mod database;
mod seed;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{ensure, Context};
use bytes::Bytes;
use chrono::{Days, NaiveDate, Utc};
use clap::Args;
use http_body_util::Empty;
use iems_runtime::{App, RuntimeOptions};
use iems_shared::domain::Role;
use iems_shared::identity::TokenSigner;

use crate::load::{self, LoadArgs, MakeRequest, Outcome};
use database::BenchDatabase;

/// The first day of the seeded hourly totals (UTC).
const FIRST_DAY: NaiveDate = match NaiveDate::from_ymd_opt(2025, 1, 1) {
    Some(day) => day,
    None => panic!("2025-01-01 is a date"),
};
/// Days of hourly totals seeded before [`FIRST_DAY`]: the whole of 2024.
const EARLIER_DAYS: u32 = 366;
/// The longest measured load per route: the access token lives 15 minutes.
const MAX_DURATION: Duration = Duration::from_secs(300);

/// Arguments of `iems bench api` (`--quick` also seeds less: 10 devices × 30 days).
#[derive(Debug, Args)]
pub struct BenchApiArgs {
    #[command(flatten)]
    pub load: LoadArgs,
    /// Devices of the client (default 100, 10 with --quick).
    #[arg(long)]
    pub devices: Option<u32>,
    /// Days of hourly totals per device from 2025-01-01 UTC (default 365, 30 with --quick).
    #[arg(long)]
    pub days: Option<u32>,
    /// IANA time zone of the day charts (the cost case's ranges are in the tariff's, Europe/Berlin).
    #[arg(long, default_value = "Europe/Bucharest")]
    pub tz: String,
    /// The Spin application manifest.
    #[arg(long, env = "IEMS_MANIFEST", default_value = "spin.toml")]
    pub manifest: PathBuf,
    /// Skip building the components (use what is built).
    #[arg(long, env = "IEMS_NO_BUILD")]
    pub no_build: bool,
    /// A MySQL/MariaDB server (`mysql://USER:PASSWORD@HOST:PORT`) to run on instead
    /// of SQLite: the bench creates a database of its own there and drops it at the end.
    #[arg(long)]
    pub database_url: Option<String>,
}

/// Runs the benchmark and prints one line per case and the summary line.
pub async fn run(args: BenchApiArgs) -> anyhow::Result<()> {
    let quick = args.load.quick;
    let devices = args.devices.unwrap_or(if quick { 10 } else { 100 });
    let days = args.days.unwrap_or(if quick { 30 } else { 365 });
    let connections = args.load.connections(8);
    let duration = args.load.duration();
    ensure!(devices >= 1, "--devices must be at least 1");
    ensure!((1..=3650).contains(&days), "--days must be from 1 to 3650");
    ensure!(connections >= 1, "--connections must be at least 1");
    ensure!(
        !duration.is_zero() && duration <= MAX_DURATION,
        "--duration-secs must be from 1 to {} (the access token lives 15 minutes)",
        MAX_DURATION.as_secs()
    );
    iems_shared::time::parse_tz(&args.tz).map_err(|e| anyhow::anyhow!("--tz: {}", e.message))?;

    let root = iems_runtime::manifest::app_dir(&args.manifest);
    if !args.no_build {
        eprintln!("building the functions (spin.toml build commands)…");
        iems_runtime::build(&args.manifest).context("building the functions")?;
    }

    let dir = tempfile::tempdir().context("creating the bench data directory")?;
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).with_context(|| format!("creating {}", data.display()))?;
    let db_path = data.join("iems.db");
    let database = BenchDatabase::new(args.database_url.as_deref(), &db_path)?;
    // The year before the readings holds hourly totals too: the comparison's.
    let seeded = seed::seed(&database.url, devices, days, EARLIER_DAYS).await?;

    let pair = iems_shared::identity::generate_keypair();
    let mut variables = HashMap::from([
        ("jwt_private_key".to_string(), pair.private_pem.clone()),
        ("jwt_public_key".to_string(), pair.public_pem.clone()),
    ]);
    if let Some(host) = &database.mysql_host {
        variables.insert("db_backend".to_string(), "mysql".to_string());
        variables.insert("mysql_url".to_string(), database.url.clone());
        variables.insert("mysql_host".to_string(), host.clone());
    }
    let options = RuntimeOptions {
        data_dir: Some(data.clone()),
        default_database: Some(db_path),
        variables,
        target_dir: iems_runtime::manifest::cargo_target_dir(&root),
        ..Default::default()
    };
    let app = App::load(&args.manifest, options)
        .with_context(|| format!("loading {}", args.manifest.display()))?;
    let addr = load::serve(app).await?;

    let (token, _) = TokenSigner::from_pem(&pair.private_pem)?.issue(
        &seeded.client_id,
        Role::Client,
        "Bench Client",
        Utc::now().timestamp(),
    )?;
    let requests = Requests {
        auth: http::HeaderValue::from_str(&format!("Bearer {token}"))?,
        devices: Arc::new(seeded.devices.clone()),
        days,
        tz: args.tz.replace('+', "%2B"),
        months: Arc::new(cost::months(days)),
        year: Arc::new(cost::year()),
    };
    check(addr, &requests, devices).await?;
    let bench = Bench {
        addr,
        connections,
        warmup: args.load.warmup(),
        duration,
    };

    // The baseline: the same charts while no tariff applies (no cost to compute).
    cost::ensure_unpriced(
        "year by month",
        &json(addr, requests.year_by_month()).await?,
    )?;
    let compared = json(addr, requests.compare_year()).await?;
    ensure!(
        compared["kwh_total"].as_f64().unwrap_or(0.0) > 0.0
            && compared["comparisons"][0]["kwh_total"]
                .as_f64()
                .unwrap_or(0.0)
                > 0.0
            && compared["devices"].as_u64() == Some(u64::from(devices)),
        "the year overlay of all devices is empty: {compared}"
    );
    let compare_year = bench.case("compare_year", requests.compare_year()).await?;
    let base_month = bench.case("base_month", requests.month_by_day()).await?;
    let base_year = bench.case("base_year", requests.year_by_month()).await?;
    cost::assign_tariff(&database.url, &seeded.client_id).await?;
    cost::ensure_priced("day chart", &json(addr, requests.day()).await?, "hours")?;
    cost::ensure_priced(
        "month by day",
        &json(addr, requests.month_by_day()).await?,
        "buckets",
    )?;
    cost::ensure_priced(
        "year by month",
        &json(addr, requests.year_by_month()).await?,
        "buckets",
    )?;
    let cost_year = bench.case("cost_year", requests.year_by_month()).await?;
    let cost_month = bench.case("cost_month", requests.month_by_day()).await?;
    let day = bench.case("day", requests.day()).await?;
    let list = bench.case("list", requests.list()).await?;

    let ratio =
        |with: &Outcome, without: &Outcome| with.p99_us as f64 / without.p99_us.max(1) as f64;
    println!(
        "day_p50_ms={:.2} day_p99_ms={:.2} day_rps={:.0} list_p50_ms={:.2} list_p99_ms={:.2} \
         list_rps={:.0} cost_month_p50_ms={:.2} cost_month_p99_ms={:.2} cost_month_ratio={:.2} \
         cost_year_p50_ms={:.2} cost_year_p99_ms={:.2} cost_year_ratio={:.2} \
         base_month_p99_ms={:.2} base_year_p99_ms={:.2} compare_year_p50_ms={:.2} \
         compare_year_p99_ms={:.2} devices={devices} days={days} rows={} \
         readings={} seed_s={:.1} connections={} duration_s={} database={} load_avg={}",
        ms(day.p50_us),
        ms(day.p99_us),
        day.rps,
        ms(list.p50_us),
        ms(list.p99_us),
        list.rps,
        ms(cost_month.p50_us),
        ms(cost_month.p99_us),
        ratio(&cost_month, &base_month),
        ms(cost_year.p50_us),
        ms(cost_year.p99_us),
        ratio(&cost_year, &base_year),
        ms(base_month.p99_us),
        ms(base_year.p99_us),
        ms(compare_year.p50_us),
        ms(compare_year.p99_us),
        seeded.rows,
        seeded.readings,
        seeded.elapsed.as_secs_f64(),
        connections,
        duration.as_secs(),
        database.label(),
        load::machine_load()
    );
    database.drop_mysql().await;
    Ok(())
}

/// Where and how long each case's load runs.
struct Bench {
    addr: SocketAddr,
    connections: usize,
    warmup: Duration,
    duration: Duration,
}

impl Bench {
    /// Warms up, measures and prints one case; any failed request fails the bench.
    async fn case(&self, kind: &str, make: MakeRequest) -> anyhow::Result<Outcome> {
        let _ = load::load(self.addr, self.connections, self.warmup, make.clone()).await;
        let outcome = load::load(self.addr, self.connections, self.duration, make).await;
        println!(
            "{kind:<10} {:>8.0} req/s  p50 {:>8.2} ms  p99 {:>8.2} ms  errors {}  load {}",
            outcome.rps,
            ms(outcome.p50_us),
            ms(outcome.p99_us),
            outcome.errors,
            load::machine_load()
        );
        ensure!(
            outcome.errors == 0,
            "{kind}: {} connections failed, the first: {}",
            outcome.errors,
            outcome.first_error.clone().unwrap_or_default()
        );
        Ok(outcome)
    }
}

fn ms(us: u64) -> f64 {
    us as f64 / 1000.0
}

/// The benchmarked requests of the seeded client.
struct Requests {
    auth: http::HeaderValue,
    devices: Arc<Vec<String>>,
    days: u32,
    /// The zone, ready for a query string.
    tz: String,
    /// `from=…&to=…` of each seeded local month in the tariff's zone.
    months: Arc<Vec<String>>,
    /// `from=…&to=…` of the year 2025 in the tariff's zone.
    year: Arc<String>,
}

impl Requests {
    /// `GET /api/consumption/{id}/day?date=&tz=` for a random device and day.
    fn day(&self) -> MakeRequest {
        let (auth, devices, days, tz) = (
            self.auth.clone(),
            self.devices.clone(),
            u64::from(self.days),
            self.tz.clone(),
        );
        Arc::new(move |connection, n| {
            let pick = load::mix(connection as u64, n);
            let device = &devices[(pick % devices.len() as u64) as usize];
            let date = FIRST_DAY + Days::new((pick >> 32) % days);
            http::Request::get(format!(
                "/api/consumption/{device}/day?date={}&tz={tz}",
                date.format("%Y-%m-%d")
            ))
            .header(http::header::AUTHORIZATION, auth.clone())
            .body(Empty::new())
        })
    }

    /// `GET /api/consumption/total?period=year&compare=previous`: the year of
    /// readings of all the client's devices by month, overlaid with the year before.
    fn compare_year(&self) -> MakeRequest {
        let (auth, tz) = (self.auth.clone(), self.tz.clone());
        Arc::new(move |_, _| {
            http::Request::get(format!(
                "/api/consumption/total?period=year&date={}&tz={tz}&compare=previous",
                FIRST_DAY.format("%Y-%m-%d")
            ))
            .header(http::header::AUTHORIZATION, auth.clone())
            .body(Empty::new())
        })
    }

    /// `GET /api/devices?page=1&per_page=100`, as the client's dashboard asks.
    fn list(&self) -> MakeRequest {
        let auth = self.auth.clone();
        Arc::new(move |_, _| {
            http::Request::get("/api/devices?page=1&per_page=100")
                .header(http::header::AUTHORIZATION, auth.clone())
                .body(Empty::new())
        })
    }
}

/// One request of each kind, checked, so that the load measures real answers.
async fn check(addr: SocketAddr, requests: &Requests, devices: u32) -> anyhow::Result<()> {
    let day = json(addr, requests.day()).await?;
    let hours = day["hours"].as_array().map_or(0, Vec::len);
    let kwh: f64 = day["hours"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|h| h["kwh"].as_f64())
        .sum();
    ensure!(
        (23..=25).contains(&hours) && kwh > 0.0,
        "the day chart has {hours} hours and {kwh} kWh: {day}"
    );
    let list = json(addr, requests.list()).await?;
    ensure!(
        list["total"].as_u64() == Some(u64::from(devices)),
        "the device list does not show the {devices} devices: {list}"
    );
    Ok(())
}

async fn json(addr: SocketAddr, make: MakeRequest) -> anyhow::Result<serde_json::Value> {
    let req = make(0, 0)?;
    let what = format!("{} {}", req.method(), req.uri());
    let (status, body): (http::StatusCode, Bytes) = load::fetch(addr, req).await?;
    ensure!(
        status.is_success(),
        "{what}: {status} {}",
        String::from_utf8_lossy(&body)
    );
    serde_json::from_slice(&body).with_context(|| format!("{what}: the answer is not JSON"))
}
