//! `iems up`: every part of iems in one process on one port, on embedded
//! defaults (SQLite in the data directory, an in-process bus), or with RabbitMQ
//! between the parts when `--amqp-url` is given and MySQL when `--database-url`
//! names one.

mod database;
mod frontend;
pub mod keys;
pub mod seed;
pub mod simulate;

use anyhow::Context;
use axum::extract::{ConnectInfo, Request};
use axum::response::IntoResponse;
use iems_messaging::{Bus, BusConfig};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// Arguments of `iems up`.
#[derive(Debug, clap::Args)]
pub struct UpArgs {
    /// Address to serve the dashboard, API and WebSocket on.
    #[arg(long, env = "IEMS_LISTEN", default_value = "127.0.0.1:3000")]
    pub listen: SocketAddr,
    /// Data directory: SQLite database, keys, key-value store.
    #[arg(long, env = "IEMS_DATA", default_value = ".data")]
    pub data: PathBuf,
    /// Database URL: `sqlite://PATH` (default `sqlite://DATA/iems.db`) or
    /// `mysql://USER:PASSWORD@HOST:PORT/DATABASE` (created if missing).
    #[arg(long, env = "IEMS_DATABASE_URL")]
    pub database_url: Option<String>,
    /// RabbitMQ URL; without it the parts talk over an in-process bus.
    #[arg(long, env = "IEMS_AMQP_URL")]
    pub amqp_url: Option<String>,
    /// Name prefix of the RabbitMQ exchanges and queues.
    #[arg(long, env = "IEMS_AMQP_NAMESPACE", default_value = "iems")]
    pub amqp_namespace: String,
    /// The Spin application manifest.
    #[arg(long, env = "IEMS_MANIFEST", default_value = "spin.toml")]
    pub manifest: PathBuf,
    /// Username of the first admin, created when there is no admin.
    #[arg(long, env = "IEMS_ADMIN_USERNAME", default_value = "admin")]
    pub admin_username: String,
    /// Password of the first admin (default: generated and printed once).
    #[arg(long, env = "IEMS_ADMIN_PASSWORD", hide_env_values = true)]
    pub admin_password: Option<String>,
    /// Create a demo client (`demo`) with two meters and play them with the simulator.
    #[arg(long, env = "IEMS_DEMO")]
    pub demo: bool,
    /// Password of the demo client (default: generated and printed once).
    #[arg(long, env = "IEMS_DEMO_PASSWORD", hide_env_values = true)]
    pub demo_password: Option<String>,
    /// Play every existing device from `sensor.csv` (implied by `--demo`).
    #[arg(long, env = "IEMS_SIMULATE")]
    pub simulate: bool,
    /// Hours of meter history the simulator backfills before playing in real time.
    #[arg(long, env = "IEMS_SIMULATE_BACKFILL_HOURS", default_value_t = 24)]
    pub simulate_backfill_hours: u32,
    /// Meter time speed after the backfill (1 = real time, one reading per 10 minutes).
    #[arg(long, env = "IEMS_SIMULATE_SPEED", default_value_t = 1.0)]
    pub simulate_speed: f64,
    /// Skip building the components and the dashboard (use what is built).
    #[arg(long, env = "IEMS_NO_BUILD")]
    pub no_build: bool,
    /// Least seconds between two insight checks of one device (its baseline
    /// and unusual consumption, docs/insight.md); 0 turns unusual alerts off.
    #[arg(long, env = "IEMS_INSIGHT_CHECK_INTERVAL_S", default_value_t = 60)]
    pub insight_check_interval_s: u64,
    /// Readings from real meters: `POST /api/ingest`, and MQTT devices (with `--amqp-url`).
    #[command(flatten)]
    pub ingest: crate::cmd::ingest::IngestArgs,
}

/// The directory of the manifest: the repository root.
fn app_dir(manifest: &Path) -> PathBuf {
    manifest
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Runs everything until SIGINT/SIGTERM.
pub async fn run(args: UpArgs) -> anyhow::Result<()> {
    let root = app_dir(&args.manifest);
    std::fs::create_dir_all(&args.data)
        .with_context(|| format!("creating {}", args.data.display()))?;
    let data = args.data.canonicalize()?;
    let db_path = data.join("iems.db");
    let database_url = args
        .database_url
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}", db_path.display()));
    // Checked before the build: a URL of an unknown kind fails at once.
    let functions_db = database::for_functions(&database_url, &data)?;

    // spin.toml names the components under `target/`, as `spin build` leaves
    // them; with a CARGO_TARGET_DIR elsewhere they are looked up there instead.
    let target_dir = iems_runtime::manifest::cargo_target_dir(&root);
    if !args.no_build {
        println!("building the functions (spin.toml build commands)…");
        iems_runtime::build(&args.manifest).context("building the functions")?;
        frontend::ensure_built(&root.join("frontend"))?;
    }

    let applied = iems_db::migrate(&database_url)
        .await
        .context("migrating the database")?;
    tracing::info!(applied, "database ready");
    let pool = iems_db::connect(&database_url, 8).await?;
    let (keypair, generated) = keys::load_or_generate(&data)?;
    if generated {
        println!(
            "generated the token signing key pair in {}",
            data.join("keys").display()
        );
    }
    let admin =
        seed::ensure_admin(&pool, &args.admin_username, args.admin_password.as_deref()).await?;
    let demo = if args.demo {
        seed::ensure_demo(&pool, args.demo_password.as_deref()).await?
    } else {
        None
    };

    let bus = match &args.amqp_url {
        Some(url) => {
            Bus::connect(&BusConfig::amqp(url.clone(), args.amqp_namespace.clone())).await?
        }
        // Dead letters outlive the process in the database, for `iems dead-letters`.
        None => Bus::in_process_with(iems_messaging::InProcessConfig {
            dead_letter_store: Some(std::sync::Arc::new(
                crate::dead_letters::store::DbStore::new(
                    pool.clone(),
                    crate::dead_letters::table::DEFAULT_CAP,
                ),
            )),
            ..Default::default()
        }),
    };

    let mut variables = HashMap::from([
        ("jwt_private_key".to_string(), keypair.private_pem.clone()),
        ("jwt_public_key".to_string(), keypair.public_pem.clone()),
        // `iems up` serves plain HTTP: a Secure cookie would never be sent back.
        ("cookie_secure".to_string(), "false".to_string()),
        // Devices publish over MQTT under `<namespace>/<device id>/`.
        ("broker_namespace".to_string(), args.amqp_namespace.clone()),
    ]);
    variables.extend(functions_db.variables);
    let options = iems_runtime::RuntimeOptions {
        data_dir: Some(data.clone()),
        default_database: Some(functions_db.default_database),
        variables,
        target_dir,
        ..Default::default()
    };
    let functions =
        iems_runtime::App::load(&args.manifest, options).context("loading the functions")?;

    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let stopped = move || {
        let mut rx = stop_rx.clone();
        async move {
            let _ = rx.wait_for(|stop| *stop).await;
        }
    };

    if bus.is_in_process() {
        // Re-publishes what `iems dead-letters replay` marked, now and while running.
        tokio::spawn(crate::dead_letters::store::replay_requested(
            bus.clone(),
            pool.clone(),
            stopped(),
        ));
    }

    let adapter = tokio::spawn(iems_broker_adapter::run(
        iems_broker_adapter::AdapterConfig {
            insight_check_interval: std::time::Duration::from_secs(args.insight_check_interval_s),
            ..iems_broker_adapter::AdapterConfig::default()
        },
        bus.clone(),
        pool.clone(),
        stopped(),
    ));

    let ingest = args.ingest.ingest(
        &args.amqp_namespace,
        iems_broker_adapter::AdapterConfig::default().policy,
        pool.clone(),
        bus.clone(),
    )?;
    if args.ingest.broker_auth_listen.is_some() && bus.is_in_process() {
        anyhow::bail!(
            "--broker-auth-listen needs --amqp-url: MQTT devices publish through RabbitMQ"
        );
    }
    let broker_auth = args.ingest.serve_broker_auth(&ingest).await?;

    let verifier = iems_shared::identity::TokenVerifier::from_pem(&keypair.public_pem)?;
    let hub = iems_ws_hub::Hub::start(
        iems_ws_hub::HubConfig::default(),
        bus.clone(),
        pool.clone(),
        verifier,
    )
    .await
    .context("starting ws-hub")?;
    let hub = std::sync::Arc::new(hub);
    // `/ws` is the hub, `/api/ingest` the devices' own; every other path goes to spin.toml's routes.
    let app = hub.router().merge(ingest.router()).fallback(
        move |ConnectInfo(client): ConnectInfo<SocketAddr>, req: Request| {
            let functions = functions.clone();
            async move { functions.handle(req, client).await.into_response() }
        },
    );

    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("listening on {}", args.listen))?;
    let url = format!("http://{}", listener.local_addr()?);
    print_banner(&url, &args, admin.as_ref(), demo.as_ref());

    if args.demo || args.simulate {
        let devices = seed::device_ids(&pool).await?;
        let last = simulate::last_readings(&pool).await?;
        let plan = simulate::Plan {
            csv: root.join("sensor.csv"),
            backfill_hours: args.simulate_backfill_hours,
            speed: args.simulate_speed,
        };
        tokio::spawn(simulate::run(plan, bus.clone(), devices, last, stopped()));
    }

    let server = crate::listen::serve(listener, app, {
        let hub = hub.clone();
        async move {
            iems_runtime::shutdown_signal().await;
            tracing::info!(
                "stopping: closing WebSockets, finishing requests and the batch in flight"
            );
            let _ = stop_tx.send(true);
            // Open WebSockets would hold the graceful shutdown: close them (1001) first.
            hub.shutdown().await;
        }
    });
    server.await.context("serving")?;
    if let Some(server) = broker_auth {
        server.abort();
    }
    match adapter.await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => tracing::error!("broker-adapter: {e}"),
        Err(e) => tracing::error!("broker-adapter task: {e}"),
    }
    bus.close().await;
    pool.close().await;
    Ok(())
}

fn print_banner(
    url: &str,
    args: &UpArgs,
    admin: Option<&seed::Created>,
    demo: Option<&seed::Created>,
) {
    println!();
    println!("  iems is running: {url}");
    if admin.is_none() {
        println!(
            "  admin: username {}  password as printed at the first start (or IEMS_ADMIN_PASSWORD)",
            args.admin_username
        );
    }
    if let Some(a) = admin {
        println!(
            "  first admin created: username {}  password {}",
            a.username,
            shown(a, "IEMS_ADMIN_PASSWORD")
        );
        if a.password.is_some() {
            println!("  (shown once: keep it, or set IEMS_ADMIN_PASSWORD before the first start)");
        }
    }
    if let Some(d) = demo {
        println!(
            "  demo client created: username {}  password {}",
            d.username,
            shown(d, "IEMS_DEMO_PASSWORD")
        );
    }
    if args.demo && demo.is_none() {
        println!(
            "  demo client: username demo  password as printed at the first start (or IEMS_DEMO_PASSWORD)"
        );
    }
    if args.demo {
        println!("  try first: open {url}, sign in as demo and watch today's chart of a meter fill in (a reading every 10 minutes)");
    } else {
        println!("  try first: open {url}, sign in as the admin and add a device under Devices");
    }
    println!("  stop with Ctrl-C");
    println!();
}

/// A generated password to show once, or where the configured one came from.
fn shown(created: &seed::Created, variable: &str) -> String {
    created
        .password
        .clone()
        .unwrap_or_else(|| format!("(the one set in {variable})"))
}
