//! `iems bench ws`: opens many WebSocket connections to a ws-hub process and
//! measures its resident memory, alert latency to one user, fan-out to all admins
//! and the chat round trip. The hub runs as a child process (`iems ws-hub`) on
//! RabbitMQ, so its memory is measured alone.

use anyhow::{bail, Context};
use futures::{SinkExt, StreamExt};
use iems_db::testing::TestDatabase;
use iems_db::Backend;
use iems_messaging::{Bus, BusConfig, Topic};
use iems_shared::domain::Role;
use iems_shared::identity::{generate_keypair, TokenSigner};
use iems_shared::model::Alert;
use iems_shared::wire::AlertEvent;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, Notify};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message;

/// Arguments of `iems bench ws`.
#[derive(Debug, clap::Args)]
pub struct BenchWsArgs {
    /// Small sizes, done within 60 seconds.
    #[arg(long)]
    pub quick: bool,
    /// Connections to open (default 10,000; 1,000 with --quick).
    #[arg(long, env = "IEMS_BENCH_CONNECTIONS")]
    pub connections: Option<usize>,
    /// How many of the connections are admins (they receive every alert).
    #[arg(long, default_value_t = 100)]
    pub admins: usize,
    /// Alerts sent one after the other to one user, for the latency figures.
    #[arg(long, default_value_t = 200)]
    pub alerts: usize,
    /// RabbitMQ URL (a fresh namespace is used and deleted afterwards).
    #[arg(
        long,
        env = "IEMS_AMQP_URL",
        default_value = "amqp://guest:guest@127.0.0.1:5672/%2f"
    )]
    pub amqp_url: String,
}

type Events = mpsc::UnboundedSender<(usize, Instant)>;

/// Runs the benchmark and prints the summary line.
pub async fn run(args: BenchWsArgs) -> anyhow::Result<()> {
    // At least the alert target, the chat client and one admin.
    let conns = args
        .connections
        .unwrap_or(if args.quick { 1000 } else { 10_000 })
        .max(3);
    let admins = args.admins.min(conns.saturating_sub(2)).max(1);
    let alerts = if args.quick {
        args.alerts.min(100)
    } else {
        args.alerts
    };
    // Each side holds one socket per connection in its own process (the hub is
    // a child, which inherits the raised limit), plus files and the broker.
    raise_fd_limit(conns as u64 + 1024)?;

    let database = TestDatabase::create(Backend::Sqlite).await;
    let db_url = database.url().to_owned();
    let pool = database.pool(1).await?;
    // Connection 0: the alert target; 1: the chat client; 2..2+admins: admins;
    // the rest idle clients. The hub accepts tokens of existing users only, so
    // every one is a user (no one signs in: no password hash).
    let users: Vec<(String, Role)> = (0..conns)
        .map(|i| {
            let role = if (2..2 + admins).contains(&i) {
                Role::Admin
            } else {
                Role::Client
            };
            (uuid::Uuid::new_v4().to_string(), role)
        })
        .collect();
    let mut tx = pool.begin().await?;
    for (i, (id, role)) in users.iter().enumerate() {
        let username = format!("bench-{i}");
        iems_db::statement(&iems_shared::sql::users::insert(
            &iems_shared::sql::users::NewUser {
                id,
                username: &username,
                username_key: &username,
                full_name: "Bench",
                address: None,
                role: *role,
                password_hash: "x",
                created_at_ms: 0,
            },
        ))
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    pool.close().await;
    let target_user = users[0].0.clone();
    let chat_user = users[1].0.clone();

    let keys = generate_keypair();
    let signer = TokenSigner::from_pem(&keys.private_pem)?;
    let now = chrono::Utc::now().timestamp();
    let token = |id: &str, role: Role| signer.issue(id, role, "bench", now).map(|t| t.0);
    let namespace = format!("bench-ws-{}", uuid::Uuid::new_v4().simple());
    let addr = iems_testkit::free_addrs(1).remove(0);
    let mut child = tokio::process::Command::new(std::env::current_exe()?)
        .args(["ws-hub", "--listen", &addr, "--database-url", &db_url])
        .args(["--amqp-url", &args.amqp_url, "--amqp-namespace", &namespace])
        .args([
            "--chat-rate-per-sec",
            "100000",
            "--chat-burst",
            "100000",
            "--send-queue",
            "1024",
        ])
        .env("IEMS_JWT_PUBLIC_KEY", &keys.public_pem)
        .env("RUST_LOG", "warn")
        .kill_on_drop(true)
        .spawn()
        .context("starting `iems ws-hub`")?;
    let hub_pid = child.id().context("hub pid")?;
    iems_testkit::wait_for(&format!("ws-hub listening on {addr}"), 30, async || {
        tokio::net::TcpStream::connect(&addr).await.is_ok()
    })
    .await;
    let bus = Bus::connect(&BusConfig::amqp(args.amqp_url.clone(), namespace)).await?;

    let (events_tx, mut events) = mpsc::unbounded_channel();
    let fanout_seen = Arc::new(AtomicUsize::new(0));
    let fanout_done = Arc::new(Notify::new());
    let started = Instant::now();
    let mut chat_socket = None;
    let mut opened = 0;
    let semaphore = Arc::new(tokio::sync::Semaphore::new(100));
    let mut tasks = Vec::with_capacity(conns);
    for (id, role) in &users {
        let tok = token(id, *role)?;
        let addr = addr.clone();
        let permit = semaphore.clone().acquire_owned().await?;
        tasks.push(tokio::spawn(async move {
            let ws = open(&addr, &tok).await;
            drop(permit);
            ws
        }));
    }
    for (i, task) in tasks.into_iter().enumerate() {
        let ws = task.await?.with_context(|| format!("connection {i}"))?;
        opened += 1;
        if i == 1 {
            chat_socket = Some(ws);
            continue;
        }
        let (tx, seen, done) = (events_tx.clone(), fanout_seen.clone(), fanout_done.clone());
        let is_admin = (2..2 + admins).contains(&i);
        tokio::spawn(read_loop(
            ws,
            i,
            tx,
            is_admin.then_some((seen, done, admins)),
        ));
    }
    let connect_secs = started.elapsed().as_secs_f64();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let rss_mb = crate::load::rss_kib(hub_pid)? as f64 / 1024.0;
    println!("connected {opened} sockets in {connect_secs:.1} s; hub RSS {rss_mb:.1} MB");

    // Alert latency to one user (target connection 0).
    let mut latencies = Vec::with_capacity(alerts);
    for n in 0..alerts {
        let sent = Instant::now();
        publish_alert(&bus, &format!("target-{n}"), Some(&target_user)).await?;
        loop {
            let (who, at) = tokio::time::timeout(Duration::from_secs(10), events.recv())
                .await
                .context("alert not delivered within 10 s")?
                .context("readers ended")?;
            if who == 0 {
                latencies.push(at.duration_since(sent).as_secs_f64() * 1000.0);
                break;
            }
        }
    }
    latencies.sort_by(f64::total_cmp);
    let pct = |p: f64| latencies[((latencies.len() as f64 - 1.0) * p).round() as usize];
    let (p50, p99) = (pct(0.50), pct(0.99));

    // Fan-out of one alert without an owner to every admin.
    tokio::time::sleep(Duration::from_millis(500)).await;
    fanout_seen.store(0, Ordering::SeqCst);
    let sent = Instant::now();
    let waiter = fanout_done.notified();
    publish_alert(&bus, "fanout", None).await?;
    tokio::time::timeout(Duration::from_secs(30), waiter)
        .await
        .context("fan-out not complete within 30 s")?;
    let fanout_ms = sent.elapsed().as_secs_f64() * 1000.0;

    let chat_rtt_ms =
        chat_round_trips(chat_socket.as_mut().context("chat socket")?, &chat_user, 50).await?;
    println!("alert p50 {p50:.2} ms, p99 {p99:.2} ms; fan-out to {admins} admins {fanout_ms:.2} ms; chat round trip {chat_rtt_ms:.2} ms");
    println!(
        "bench=ws conns={opened} admins={admins} rss_mb={rss_mb:.1} alert_p50_ms={p50:.2} alert_p99_ms={p99:.2} fanout_ms={fanout_ms:.2} chat_rtt_ms={chat_rtt_ms:.2} load_avg={}",
        crate::load::machine_load()
    );
    let _ = bus.delete_topology().await;
    bus.close().await;
    child.kill().await.ok();
    Ok(())
}

/// Opens one authenticated socket with small buffers.
async fn open(
    addr: &str,
    token: &str,
) -> anyhow::Result<
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
> {
    let mut req = format!("ws://{addr}/ws").into_client_request()?;
    req.headers_mut().insert(
        "sec-websocket-protocol",
        format!("iems.v1, bearer.{token}").parse()?,
    );
    let config = WebSocketConfig::default().read_buffer_size(8 * 1024);
    let (ws, _) = tokio_tungstenite::connect_async_with_config(req, Some(config), false).await?;
    Ok(ws)
}

/// Reads one socket: reports alerts of the target, counts the fan-out alert at admins.
async fn read_loop(
    mut ws: tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
    index: usize,
    events: Events,
    fanout: Option<(Arc<AtomicUsize>, Arc<Notify>, usize)>,
) {
    while let Some(Ok(msg)) = ws.next().await {
        let Message::Text(text) = msg else { continue };
        let at = Instant::now();
        if index == 0 {
            let _ = events.send((index, at));
        } else if let Some((seen, done, admins)) = &fanout {
            if text.contains("\"device_id\":\"fanout\"")
                && seen.fetch_add(1, Ordering::SeqCst) + 1 == *admins
            {
                done.notify_one();
            }
        }
    }
}

async fn publish_alert(bus: &Bus, device_id: &str, owner: Option<&str>) -> anyhow::Result<()> {
    let alert = Alert {
        id: uuid::Uuid::new_v4().to_string(),
        device_id: device_id.into(),
        kind: "limit".into(),
        hour_start: "2026-01-01T10:00:00Z".into(),
        hour_end: "2026-01-01T11:00:00Z".into(),
        hours: 1,
        kwh: 2.0,
        expected_kwh: None,
        direction: None,
        max_hourly_kwh: 1.0,
        created_at: "2026-01-01T10:30:00Z".into(),
        acknowledged_at: None,
    };
    let event = AlertEvent {
        alert,
        owner_id: owner.map(String::from),
    };
    bus.publish(Topic::Alerts, &serde_json::to_vec(&event)?)
        .await?;
    Ok(())
}

/// Median time from `chat.send` to its stored echo.
async fn chat_round_trips(
    ws: &mut tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
    user: &str,
    n: usize,
) -> anyhow::Result<f64> {
    let mut rtts = Vec::with_capacity(n);
    for i in 0..n {
        let frame = serde_json::json!({"type":"chat.send","conversation_id":user,"body":format!("bench {i}"),"client_msg_id":format!("bench-{i}")});
        let sent = Instant::now();
        ws.send(Message::text(frame.to_string())).await?;
        loop {
            let msg = tokio::time::timeout(Duration::from_secs(10), ws.next())
                .await
                .context("no chat echo within 10 s")?
                .context("chat socket closed")??;
            if let Message::Text(t) = msg {
                if t.contains("\"chat.message\"") {
                    break;
                }
                if t.contains("\"error\"") {
                    bail!("chat refused: {t}");
                }
            }
        }
        rtts.push(sent.elapsed().as_secs_f64() * 1000.0);
    }
    rtts.sort_by(f64::total_cmp);
    Ok(rtts[rtts.len() / 2])
}

/// Raises the open-file limit (soft up to hard) so that many sockets fit; the hub child inherits it.
fn raise_fd_limit(wanted: u64) -> anyhow::Result<()> {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit/setrlimit only read and write the struct we pass.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) != 0 {
            bail!("getrlimit failed");
        }
        if lim.rlim_cur < wanted {
            lim.rlim_cur = wanted.min(lim.rlim_max);
            if libc::setrlimit(libc::RLIMIT_NOFILE, &lim) != 0 {
                bail!("setrlimit failed");
            }
        }
    }
    if lim.rlim_cur < wanted {
        bail!(
            "open-file limit {} is below the {wanted} needed (hard limit)",
            lim.rlim_cur
        );
    }
    Ok(())
}
