//! `iems simulate`: plays a CSV onto RabbitMQ as smart meters would (or, with
//! `--mqtt-url`, as one device publishing over MQTT with its credential), or
//! (`iems simulate generate-csv`) writes a household `sensor.csv`. With
//! `--heater-kw` the readings carry a heater left on at night.

use anyhow::{anyhow, bail, Context};
use chrono::{DateTime, DurationRound, Utc};
use iems_messaging::{Bus, BusConfig};
use iems_shared::ingest::{parse_token, DeviceTopics};
use iems_simulator::{
    Course, Heater, HeaterError, MqttConfig, MqttDevice, Planned, PlayConfig, Speed, Timeline,
};
use std::io::IsTerminal;
use std::path::PathBuf;
use uuid::Uuid;

/// Arguments of `iems simulate`.
#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct SimulateArgs {
    /// Something other than playing.
    #[command(subcommand)]
    pub action: Option<SimulateAction>,
    /// How to play.
    #[command(flatten)]
    pub play: PlayArgs,
}

/// Sub-commands of `iems simulate`.
#[derive(Debug, clap::Subcommand)]
pub enum SimulateAction {
    /// Write a plausible household register (10-minute steps) in the course format.
    GenerateCsv(GenerateCsvArgs),
}

/// Arguments of `iems simulate generate-csv`.
#[derive(Debug, clap::Args)]
pub struct GenerateCsvArgs {
    /// Seed of the generator: the same seed writes the same file.
    #[arg(long, env = "IEMS_SIM_SEED", default_value_t = 1)]
    pub seed: u64,
    /// Weeks of readings (at least 4 for the repository's file).
    #[arg(long, env = "IEMS_SIM_WEEKS", default_value_t = 5)]
    pub weeks: usize,
    /// Where to write it.
    #[arg(long, env = "IEMS_SIM_OUT", default_value = "sensor.csv")]
    pub out: PathBuf,
}

/// Arguments of playing a CSV.
#[derive(Debug, clap::Args)]
pub struct PlayArgs {
    /// CSV to play: one register kWh per line, or `timestamp,device_id,register_kwh` rows.
    #[arg(long, env = "IEMS_SIM_CSV", default_value = "sensor.csv")]
    pub csv: PathBuf,
    /// A device to play (repeat, or comma-separate); needed for the one-column format.
    #[arg(long = "device", env = "IEMS_SIM_DEVICES", value_delimiter = ',')]
    pub devices: Vec<Uuid>,
    /// A file with one device id per line (`#` comments allowed).
    #[arg(long, env = "IEMS_SIM_DEVICES_FILE")]
    pub devices_file: Option<PathBuf>,
    /// Play every device the API lists (the iems base URL, e.g. http://127.0.0.1:3000);
    /// needs an admin access token in --api-token.
    #[arg(long, env = "IEMS_API_URL")]
    pub api_url: Option<String>,
    /// Access token for --api-url (an admin's, to list every device).
    #[arg(
        long,
        env = "IEMS_API_TOKEN",
        hide_env_values = true,
        requires = "api_url"
    )]
    pub api_token: Option<String>,
    /// Device number d starts at line d × this, so meters differ (144 = one day).
    #[arg(long, env = "IEMS_SIM_OFFSET_PER_DEVICE", default_value_t = 144)]
    pub offset_per_device: usize,
    /// Meter time of the first reading (RFC 3339); default: so that the last reading is now.
    #[arg(long, env = "IEMS_SIM_START")]
    pub start: Option<DateTime<Utc>>,
    /// Meter time between readings, e.g. 10m, 30s, 1h.
    #[arg(long, env = "IEMS_SIM_STEP", default_value = "10m", value_parser = iems_simulator::parse_step)]
    pub step: chrono::Duration,
    /// How much faster than real time meter time runs (e.g. 60), or `max`.
    #[arg(long, env = "IEMS_SIM_SPEED", default_value = "max")]
    pub speed: Speed,
    /// A steady load of N readings per second instead (overrides --speed).
    #[arg(long, env = "IEMS_SIM_RATE")]
    pub rate: Option<f64>,
    /// Readings per device (default: every line once).
    #[arg(long, env = "IEMS_SIM_COUNT")]
    pub count: Option<usize>,
    /// Readings per message: more than 1 sends JSON arrays, as a data concentrator would.
    #[arg(long, env = "IEMS_SIM_BATCH", default_value_t = 1)]
    pub batch: usize,
    /// Published but unconfirmed messages, at most.
    #[arg(long, env = "IEMS_SIM_MAX_IN_FLIGHT", default_value_t = 1000)]
    pub max_in_flight: usize,
    /// RabbitMQ to publish to.
    #[arg(long, env = "IEMS_AMQP_URL", default_value = iems_messaging::DEFAULT_AMQP_URL, hide_default_value = true)]
    pub amqp_url: String,
    /// Prefix of the exchange and queue names (and of the devices' MQTT topics).
    #[arg(long, env = "IEMS_AMQP_NAMESPACE", default_value = "iems")]
    pub namespace: String,
    /// Play as the one --device over MQTT, with its --device-credential, to this
    /// broker (e.g. mqtt://127.0.0.1:1884) on `<namespace>/<device>/readings`
    /// instead of onto the bus over AMQP.
    #[arg(long, env = "IEMS_SIM_MQTT_URL", requires = "device_credential")]
    pub mqtt_url: Option<String>,
    /// The device's credential for --mqtt-url, as issued: `<key id>.<secret>`.
    #[arg(
        long,
        env = "IEMS_SIM_DEVICE_CREDENTIAL",
        hide_env_values = true,
        requires = "mqtt_url"
    )]
    pub device_credential: Option<DeviceCredential>,
    /// Add a heater of this many kW (more than 0, at most 50) left on at night,
    /// 22:00–06:00 local, to every played device: the registers gain its energy.
    #[arg(long, env = "IEMS_SIM_HEATER_KW")]
    pub heater_kw: Option<f64>,
    /// How many of the played readings' last whole nights the heater runs (1–14).
    #[arg(
        long,
        env = "IEMS_SIM_HEATER_NIGHTS",
        default_value_t = 1,
        requires = "heater_kw"
    )]
    pub heater_nights: u32,
    /// IANA zone whose 22:00–06:00 is the heater's night.
    #[arg(
        long,
        env = "IEMS_SIM_HEATER_TZ",
        default_value = "UTC",
        requires = "heater_kw"
    )]
    pub heater_tz: String,
}

/// A device credential's token as given; never shown by `Debug`.
#[derive(Clone)]
pub struct DeviceCredential(String);

impl std::str::FromStr for DeviceCredential {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        // Checked when used, so that a malformed secret is not echoed in an error.
        Ok(DeviceCredential(s.to_string()))
    }
}

impl std::fmt::Debug for DeviceCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DeviceCredential(<redacted>)")
    }
}

/// Runs `iems simulate`.
pub async fn run(args: SimulateArgs) -> anyhow::Result<()> {
    match args.action {
        Some(SimulateAction::GenerateCsv(csv)) => generate(csv),
        None => play(args.play).await,
    }
}

fn generate(args: GenerateCsvArgs) -> anyhow::Result<()> {
    let text = iems_simulator::household_csv(args.seed, args.weeks);
    std::fs::write(&args.out, &text).with_context(|| format!("writing {}", args.out.display()))?;
    println!(
        "{}: {} readings (seed {}, {} weeks)",
        args.out.display(),
        text.lines().count(),
        args.seed,
        args.weeks
    );
    Ok(())
}

async fn play(args: PlayArgs) -> anyhow::Result<()> {
    let heater = args
        .heater_kw
        .map(|kw| heater_of(kw, args.heater_nights, &args.heater_tz))
        .transpose()?;
    let text = std::fs::read_to_string(&args.csv)
        .with_context(|| format!("reading {}", args.csv.display()))?;
    let course = Course::parse(&text).with_context(|| format!("parsing {}", args.csv.display()))?;
    if args.mqtt_url.is_some()
        && (args.devices.len() != 1 || args.devices_file.is_some() || args.api_url.is_some())
    {
        bail!("--mqtt-url plays one device with its credential: name exactly one --device (no --devices-file or --api-url)");
    }
    let mut devices = args.devices.clone();
    if let Some(path) = &args.devices_file {
        devices.extend(read_devices(path)?);
    }
    if let Some(url) = &args.api_url {
        let token = args
            .api_token
            .as_deref()
            .context("--api-url needs an admin access token in --api-token (IEMS_API_TOKEN)")?;
        let listed = api_devices(url, token).await?;
        eprintln!("{} device(s) listed by {url}", listed.len());
        devices.extend(listed);
    }
    devices.sort();
    devices.dedup();
    if matches!(course, Course::Registers(_)) && devices.is_empty() {
        bail!("name the meters to play: --device ID (repeatable), --devices-file PATH or --api-url URL");
    }
    let count = args.count.unwrap_or(course.len());
    let start = args
        .start
        .unwrap_or_else(|| default_start(args.step, count));
    let timeline = Timeline {
        start,
        step: args.step,
        offset_per_device: args.offset_per_device,
        count: Some(count),
    };
    let mut planned = iems_simulator::plan(&course, &devices, &timeline);
    if let Some(heater) = &heater {
        planned = with_heater(planned, heater)?;
    }
    let config = PlayConfig {
        speed: args.speed,
        rate: args.rate,
        batch: args.batch,
        max_in_flight: args.max_in_flight,
        progress: std::io::stderr().is_terminal(),
    };
    if let (Some(url), [device]) = (&args.mqtt_url, devices.as_slice()) {
        return play_mqtt(&args, url, *device, planned, &config).await;
    }
    let bus = Bus::connect(&BusConfig::amqp(args.amqp_url, args.namespace)).await?;
    eprintln!(
        "playing {} readings for {} device(s) from {}",
        planned.len(),
        devices.len().max(1),
        start
    );
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let summary = iems_simulator::play(&config, &bus, &planned, shutdown).await;
    bus.close().await;
    println!("{summary}");
    if summary.failed > 0 {
        bail!("{} readings were not confirmed", summary.failed);
    }
    Ok(())
}

/// Plays `device`'s readings of `planned` over MQTT with its credential.
async fn play_mqtt(
    args: &PlayArgs,
    url: &str,
    device: Uuid,
    planned: Vec<Planned>,
    config: &PlayConfig,
) -> anyhow::Result<()> {
    let token = args
        .device_credential
        .as_ref()
        .context("--mqtt-url needs the device's credential in --device-credential (IEMS_SIM_DEVICE_CREDENTIAL)")?;
    let (key_id, secret) = parse_token(&token.0).context(
        "--device-credential is not a device credential: expected `<key id>.<secret>` as issued",
    )?;
    let topic = DeviceTopics::new(&args.namespace)?.readings_topic(key_id);
    // The rows format names its own devices: this credential speaks for one.
    let total = planned.len();
    let planned: Vec<Planned> = planned
        .into_iter()
        .filter(|p| p.device_id == device)
        .collect();
    if planned.is_empty() {
        bail!("{} has no readings of device {device}", args.csv.display());
    }
    if planned.len() < total {
        eprintln!(
            "skipping {} readings of other devices: the credential speaks for {device} only",
            total - planned.len()
        );
    }
    let mut mqtt = MqttConfig::new(url, key_id, secret, &format!("iems-simulate-{device}"));
    mqtt.window = args.max_in_flight.clamp(1, u16::MAX as usize);
    let connection = MqttDevice::connect_with(&mqtt)
        .await
        .with_context(|| format!("connecting to {url}"))?;
    eprintln!(
        "playing {} readings of device {device} over MQTT to {topic} from {}",
        planned.len(),
        planned[0].at
    );
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let summary = iems_simulator::play_mqtt(config, &connection, &topic, &planned, shutdown).await;
    let ended = connection.ended();
    connection.close().await;
    println!("{summary}");
    if let Some(why) = ended {
        bail!(
            "the MQTT connection ended after {} of {} readings were confirmed: {why}",
            summary.confirmed,
            planned.len()
        );
    }
    if summary.failed > 0 {
        bail!("{} readings were not confirmed", summary.failed);
    }
    Ok(())
}

/// The heater of `--heater-kw`, `--heater-nights` and `--heater-tz`, checked.
fn heater_of(kw: f64, nights: u32, tz: &str) -> anyhow::Result<Heater> {
    let tz = iems_shared::time::parse_tz(tz).map_err(|e| anyhow!("--heater-tz: {}", e.message))?;
    Heater::new(kw, nights, tz).map_err(|e| match e {
        HeaterError::Power(_) => anyhow!("--heater-kw: {e}"),
        HeaterError::Nights(_) => anyhow!("--heater-nights: {e}"),
        HeaterError::TooFewNights { .. } => anyhow!("{e}"),
    })
}

/// `planned` with the heater's energy added, saying on which nights.
fn with_heater(planned: Vec<Planned>, heater: &Heater) -> anyhow::Result<Vec<Planned>> {
    let injected = iems_simulator::inject_heater(planned, heater)
        .map_err(|e| anyhow!("--heater-nights {}: {e}", heater.nights))?;
    let nights: Vec<String> = injected
        .nights
        .iter()
        .map(|n| {
            format!(
                "{} ({} to {}, {} h)",
                n.date,
                n.start.to_rfc3339(),
                n.end.to_rfc3339(),
                n.hours()
            )
        })
        .collect();
    let most = injected.added_kwh.values().copied().fold(0.0, f64::max);
    eprintln!(
        "heater: {} kW on at night in {} on {}; up to {most:.3} kWh added to each device's register",
        heater.kw,
        heater.tz,
        nights.join(", ")
    );
    Ok(injected.planned)
}

/// The meter time of the first reading so that the last one falls on the current step.
fn default_start(step: chrono::Duration, count: usize) -> DateTime<Utc> {
    let now = Utc::now();
    let aligned = now.duration_trunc(step).unwrap_or(now);
    aligned - step * (count.saturating_sub(1) as i32)
}

/// Every device the API lists, page by page.
pub async fn api_devices(api_url: &str, token: &str) -> anyhow::Result<Vec<Uuid>> {
    const PER_PAGE: u32 = iems_shared::domain::limits::PER_PAGE_MAX;
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(30))
        .build()?;
    let endpoint = format!("{}/api/devices", api_url.trim_end_matches('/'));
    let mut ids = Vec::new();
    for page in 1u32.. {
        let response = client
            .get(&endpoint)
            .query(&[("page", page), ("per_page", PER_PAGE)])
            .bearer_auth(token)
            .send()
            .await
            .with_context(|| format!("GET {endpoint}"))?;
        let status = response.status();
        if !status.is_success() {
            let body = response.text().await.unwrap_or_default();
            bail!("GET {endpoint}: {status}: {body}");
        }
        let listed: iems_shared::model::Page<iems_shared::model::Device> = response
            .json()
            .await
            .with_context(|| format!("GET {endpoint}: not a page of devices"))?;
        let last = listed.items.len() < PER_PAGE as usize;
        for device in listed.items {
            ids.push(
                Uuid::parse_str(&device.id)
                    .with_context(|| format!("GET {endpoint}: device id {:?}", device.id))?,
            );
        }
        if last || ids.len() as u64 >= listed.total {
            break;
        }
    }
    Ok(ids)
}

fn read_devices(path: &PathBuf) -> anyhow::Result<Vec<Uuid>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            Uuid::parse_str(l)
                .with_context(|| format!("{}: {l:?} is not a device id", path.display()))
        })
        .collect()
}
