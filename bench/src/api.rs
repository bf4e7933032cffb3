//! `iems bench api`: the API's read path on a year of data. One client owns
//! 100 meters with a year of 10-minute readings (5,256,000 rows) and the hourly
//! totals they make (876,000 rows), seeded straight into a fresh database
//! (SQLite, or with `--database-url mysql://…` a MySQL/MariaDB database of its
//! own, dropped afterwards); spin.toml's real components serve it on the local
//! runtime as `iems up` does (on MySQL with `db_backend = mysql`), and
//! keep-alive connections ask for day charts of random meters and dates, then
//! for the client's device list.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{ensure, Context};
use bytes::Bytes;
use chrono::{Days, NaiveDate, Utc};
use clap::Args;
use http_body_util::Empty;
use iems_db::{Backend, Pool};
use iems_runtime::{App, RuntimeOptions};
use iems_shared::domain::Role;
use iems_shared::identity::TokenSigner;
use iems_shared::sql;
use sqlx::{Any, QueryBuilder};

use crate::load::{self, LoadArgs, MakeRequest, Outcome};

/// The first day of the seeded hourly totals (UTC).
const FIRST_DAY: NaiveDate = match NaiveDate::from_ymd_opt(2025, 1, 1) {
    Some(day) => day,
    None => panic!("2025-01-01 is a date"),
};
const HOUR_MS: i64 = 3_600_000;
/// Meter readings per hour (one every 10 minutes).
const READINGS_PER_HOUR: i64 = 6;
/// Rows per INSERT: four bound parameters each, 2,000 a statement.
const ROWS_PER_INSERT: i64 = 500;
/// The meters' hourly limit, 2.5 kWh in µWh.
const MAX_HOURLY_UWH: i64 = 2_500_000_000;
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
    /// IANA time zone of the day charts.
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

/// What the seeding put in the database.
struct Seeded {
    client_id: String,
    devices: Vec<String>,
    rows: i64,
    readings: i64,
    elapsed: Duration,
}

/// Runs the benchmark and prints one line per route and the summary line.
pub async fn run(args: BenchApiArgs) -> anyhow::Result<()> {
    let quick = args.load.quick;
    let devices = args.devices.unwrap_or(if quick { 10 } else { 100 });
    let days = args.days.unwrap_or(if quick { 30 } else { 365 });
    let (duration, warmup, connections) = (
        args.load.duration(),
        args.load.warmup(),
        args.load.connections(8),
    );
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
    let seeded = seed(&database.url, devices, days).await?;

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
    let auth = http::HeaderValue::from_str(&format!("Bearer {token}"))?;
    let requests = Requests {
        auth,
        devices: Arc::new(seeded.devices.clone()),
        days,
        tz: args.tz.replace('+', "%2B"),
    };
    check(addr, &requests, devices).await?;

    let mut outcomes = Vec::new();
    for (kind, make) in [("day", requests.day()), ("list", requests.list())] {
        let _ = load::load(addr, connections, warmup, make.clone()).await;
        let outcome = load::load(addr, connections, duration, make).await;
        println!(
            "{kind:<5} {:>8.0} req/s  p50 {:>8.2} ms  p99 {:>8.2} ms  errors {}",
            outcome.rps,
            ms(outcome.p50_us),
            ms(outcome.p99_us),
            outcome.errors
        );
        ensure!(
            outcome.errors == 0,
            "{kind}: {} connections failed, the first: {}",
            outcome.errors,
            outcome.first_error.unwrap_or_default()
        );
        outcomes.push(outcome);
    }
    let (day, list): (&Outcome, &Outcome) = (&outcomes[0], &outcomes[1]);
    println!(
        "day_p50_ms={:.2} day_p99_ms={:.2} day_rps={:.0} list_p50_ms={:.2} list_p99_ms={:.2} \
         list_rps={:.0} devices={devices} days={days} rows={} readings={} seed_s={:.1} connections={} \
         duration_s={} database={}",
        ms(day.p50_us),
        ms(day.p99_us),
        day.rps,
        ms(list.p50_us),
        ms(list.p99_us),
        list.rps,
        seeded.rows,
        seeded.readings,
        seeded.elapsed.as_secs_f64(),
        connections,
        duration.as_secs(),
        database.label()
    );
    database.drop_mysql().await;
    Ok(())
}

/// The bench's own database: a SQLite file, or a fresh database on a MySQL server.
struct BenchDatabase {
    url: String,
    /// `HOST:PORT` of the MySQL server (None on SQLite).
    mysql_host: Option<String>,
    /// The server URL without a database, to drop ours at the end.
    mysql_server: Option<String>,
}

impl BenchDatabase {
    fn new(server: Option<&str>, sqlite_path: &std::path::Path) -> anyhow::Result<BenchDatabase> {
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

    fn label(&self) -> &'static str {
        if self.mysql_host.is_some() {
            "mysql"
        } else {
            "sqlite"
        }
    }

    /// Drops the bench's MySQL database (nothing to do on SQLite: the directory goes).
    async fn drop_mysql(&self) {
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

/// Migrates a fresh database and fills it: one client, `devices` meters it
/// owns, and `days` days of hourly totals per meter, one transaction per meter
/// of multi-row INSERTs; progress on stderr.
async fn seed(db_url: &str, devices: u32, days: u32) -> anyhow::Result<Seeded> {
    let started = Instant::now();
    iems_db::migrate(db_url)
        .await
        .context("migrating the bench database")?;
    let pool = iems_db::connect(db_url, 1).await?;
    let now = Utc::now().timestamp_millis();
    let client_id = uuid::Uuid::new_v4().to_string();
    // No one signs in: the bench signs the client's access token itself.
    iems_db::statement(&sql::users::insert(&sql::users::NewUser {
        id: &client_id,
        username: "bench-client",
        username_key: "bench-client",
        full_name: "Bench Client",
        address: None,
        role: Role::Client,
        password_hash: "!",
        created_at_ms: now,
    }))
    .execute(&pool)
    .await
    .context("seeding the client")?;
    let ids: Vec<String> = (0..devices)
        .map(|_| uuid::Uuid::new_v4().to_string())
        .collect();
    insert_devices(&pool, &client_id, &ids, now).await?;

    let hours = i64::from(days) * 24;
    let total = hours * i64::from(devices);
    let first_hour_ms = FIRST_DAY
        .and_hms_opt(0, 0, 0)
        .context("midnight")?
        .and_utc()
        .timestamp_millis();
    let terminal = std::io::IsTerminal::is_terminal(&std::io::stderr());
    for (index, id) in ids.iter().enumerate() {
        // A step's energy per hour; the hour's total is exactly its readings' increase.
        let step_uwh = |hour: i64| energy_uwh(index as u64, hour) / READINGS_PER_HOUR;
        let totals: Vec<(i64, i64)> = (0..hours)
            .map(|hour| {
                (
                    first_hour_ms + hour * HOUR_MS,
                    step_uwh(hour) * READINGS_PER_HOUR,
                )
            })
            .collect();
        // One reading more closes the last hour.
        let steps = hours * READINGS_PER_HOUR + 1;
        let step_ms = HOUR_MS / READINGS_PER_HOUR;
        let readings: Vec<(i64, i64)> = (0..steps)
            .scan(0i64, |register_uwh, step| {
                let reading = (first_hour_ms + step * step_ms, *register_uwh);
                *register_uwh += step_uwh(step / READINGS_PER_HOUR);
                Some(reading)
            })
            .collect();
        let mut tx = pool.begin().await?;
        insert_rows(
            &mut tx,
            "INSERT INTO hourly_consumption (device_id, hour_start, energy_uwh, updated_at) ",
            &totals,
            |mut row, &(hour_start, uwh)| {
                row.push_bind(id.as_str())
                    .push_bind(hour_start)
                    .push_bind(uwh)
                    .push_bind(now);
            },
        )
        .await
        .context("seeding hourly_consumption")?;
        insert_rows(
            &mut tx,
            "INSERT INTO readings (device_id, ts, register_uwh, received_at) ",
            &readings,
            |mut row, &(ts, register_uwh)| {
                row.push_bind(id.as_str())
                    .push_bind(ts)
                    .push_bind(register_uwh)
                    .push_bind(ts);
            },
        )
        .await
        .context("seeding readings")?;
        tx.commit().await?;
        let done = index as u32 + 1;
        let text = format!(
            "seeding: {done} of {devices} devices ({steps} readings and {hours} hourly totals each)"
        );
        // In place on a terminal; in a log, a line per tenth of the devices.
        if terminal {
            eprint!("\r{text}");
        } else if done % devices.div_ceil(10).max(1) == 0 || done == devices {
            eprintln!("{text}");
        }
    }
    let elapsed = started.elapsed();
    if terminal {
        eprintln!();
    }
    eprintln!("seeding: done in {:.1} s", elapsed.as_secs_f64());
    pool.close().await;
    Ok(Seeded {
        client_id,
        devices: ids,
        rows: total,
        readings: (hours * READINGS_PER_HOUR + 1) * i64::from(devices),
        elapsed,
    })
}

async fn insert_devices(pool: &Pool, owner: &str, ids: &[String], now: i64) -> anyhow::Result<()> {
    // The API's insert, one row each, in one transaction.
    let mut tx = pool.begin().await?;
    for (i, id) in ids.iter().enumerate() {
        let number = i + 1;
        let device = sql::devices::NewDevice {
            id,
            name: &format!("Meter {number:03}"),
            address: Some(&format!("Bench Street {number}")),
            max_hourly_uwh: MAX_HOURLY_UWH,
            max_power_w: None,
            owner_id: Some(owner),
            created_at_ms: now,
        };
        iems_db::statement(&sql::devices::insert(&device))
            .execute(&mut *tx)
            .await
            .context("seeding the devices")?;
    }
    tx.commit().await?;
    Ok(())
}

/// Stores `rows` with multi-row INSERTs of [`ROWS_PER_INSERT`] rows each;
/// `head` names the table and columns, `bind` binds one row's values.
async fn insert_rows<'args, T>(
    conn: &mut sqlx::AnyConnection,
    head: &str,
    rows: &'args [T],
    mut bind: impl FnMut(sqlx::query_builder::Separated<'_, 'args, Any, &'static str>, &'args T),
) -> Result<(), sqlx::Error> {
    for chunk in rows.chunks(ROWS_PER_INSERT as usize) {
        let mut insert = QueryBuilder::<Any>::new(head);
        insert.push_values(chunk, &mut bind);
        insert.build().execute(&mut *conn).await?;
    }
    Ok(())
}

/// A household-like hour in µWh: a night base load, morning and evening peaks
/// (UTC hours, about two hours behind Bucharest), a per-meter scale and noise.
fn energy_uwh(device: u64, hour: i64) -> i64 {
    let base_wh: i64 = match hour.rem_euclid(24) {
        0..=3 | 22..=23 => 180,
        4..=6 => 450,
        7..=14 => 300,
        15..=19 => 800,
        _ => 400,
    };
    let noise_wh = (load::mix(device, hour as u64) % 200) as i64;
    let scale_percent = 70 + (device % 7) as i64 * 10;
    (base_wh + noise_wh) * scale_percent / 100 * 1_000_000
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn energy_stays_under_the_limit_and_positive() {
        for device in 0..10 {
            for hour in 0..48 {
                let uwh = energy_uwh(device, hour);
                assert!(uwh > 0 && uwh < MAX_HOURLY_UWH, "{uwh}");
            }
        }
    }
}
