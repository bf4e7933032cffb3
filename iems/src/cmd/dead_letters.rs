//! `iems dead-letters list|replay`: the readings that could not be stored,
//! with their reasons, and putting them back once the cause is fixed. On
//! RabbitMQ (`--amqp-url`) they are in the dead-letter queue; on the embedded
//! default (`iems up` with the in-process bus) in the database's
//! `dead_letters` table, which the running `iems up` watches for replays.

use crate::dead_letters::{describe, table};
use anyhow::Context;
use chrono::{TimeZone, Utc};
use iems_messaging::{reason_code, Bus, BusConfig, Replayed};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Arguments of `iems dead-letters`.
#[derive(Debug, clap::Args)]
pub struct DeadLettersArgs {
    #[command(subcommand)]
    pub command: DeadLettersCommand,
}

/// What to do with the dead letters.
#[derive(Debug, clap::Subcommand)]
pub enum DeadLettersCommand {
    /// Show the dead letters (reason, device, reading time) and a count per reason; removes nothing.
    List(ListArgs),
    /// Put the dead letters (of one reason) back on the readings queue; the others stay.
    Replay(ReplayArgs),
}

/// Where the dead letters are: RabbitMQ, or the database of `iems up`.
#[derive(Debug, clap::Args)]
pub struct Source {
    /// RabbitMQ whose dead-letter queue to use; without it, the database of
    /// `iems up` on its in-process bus.
    #[arg(long, env = "IEMS_AMQP_URL")]
    pub amqp_url: Option<String>,
    /// Name prefix of the RabbitMQ exchanges and queues.
    #[arg(long, env = "IEMS_AMQP_NAMESPACE", default_value = "iems")]
    pub amqp_namespace: String,
    /// Database of `iems up`: `sqlite://PATH` (default `sqlite://DATA/iems.db`)
    /// or `mysql://USER:PASSWORD@HOST:PORT/DATABASE`.
    #[arg(long, env = "IEMS_DATABASE_URL")]
    pub database_url: Option<String>,
    /// Data directory of `iems up` (for the default SQLite database).
    #[arg(long, env = "IEMS_DATA", default_value = ".data")]
    pub data: PathBuf,
}

/// Arguments of `iems dead-letters list`.
#[derive(Debug, clap::Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub source: Source,
    /// Only letters whose reason has this code (the text before the first ':',
    /// e.g. `unknown_device`, `malformed`, `broker`).
    #[arg(long, env = "IEMS_DEAD_LETTERS_REASON")]
    pub reason: Option<String>,
    /// Letters shown at most (the counts per reason always cover all of them).
    #[arg(long, default_value_t = 50)]
    pub limit: u64,
    /// Letters skipped before the first shown (for the next page).
    #[arg(long, default_value_t = 0)]
    pub skip: u64,
}

/// Arguments of `iems dead-letters replay`.
#[derive(Debug, clap::Args)]
pub struct ReplayArgs {
    #[command(flatten)]
    pub source: Source,
    /// Only letters whose reason has this code (default: every letter).
    #[arg(long, env = "IEMS_DEAD_LETTERS_REASON")]
    pub reason: Option<String>,
    /// Database only: seconds to wait for the running `iems up` to re-publish
    /// the marked letters (0: mark them and return).
    #[arg(long, default_value_t = 30)]
    pub wait: u64,
}

/// Runs `iems dead-letters …`.
pub async fn run(args: DeadLettersArgs) -> anyhow::Result<()> {
    match args.command {
        DeadLettersCommand::List(args) => list(args).await,
        DeadLettersCommand::Replay(args) => replay(args).await,
    }
}

/// One letter as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    /// Position among the matching letters, from 1.
    pub position: u64,
    /// When it was dead-lettered (unix ms), where known.
    pub dead_lettered_at: Option<i64>,
    /// The reading's timestamp (unix ms), where the payload has one.
    pub reading_ts: Option<i64>,
    /// The device the payload names.
    pub device_id: Option<String>,
    /// The full reason.
    pub reason: String,
    /// A replay is requested and not yet done (database only).
    pub replay_requested: bool,
}

/// A page of the list, with the counts of every letter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// Where the letters are, for the heading.
    pub source: String,
    /// Letters per reason code, most frequent first.
    pub by_code: Vec<(String, u64)>,
    /// The code asked for, if any.
    pub code: Option<String>,
    /// Letters matching the code (all letters without one).
    pub matching: u64,
    /// Letters skipped before this page.
    pub skip: u64,
    /// The letters of this page.
    pub letters: Vec<Listed>,
}

fn time(ms: Option<i64>) -> String {
    ms.and_then(|ms| Utc.timestamp_millis_opt(ms).single())
        .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_else(|| "-".into())
}

/// The page as text: heading, counts per reason, one line per letter, and how to go on.
pub fn render(page: &Page) -> String {
    use std::fmt::Write;
    let total: u64 = page.by_code.iter().map(|(_, n)| n).sum();
    let mut out = format!("{total} dead letter(s) in {}\n", page.source);
    if total == 0 {
        return out;
    }
    out.push_str("by reason:\n");
    let width = page.by_code.iter().map(|(c, _)| c.len()).max().unwrap_or(0);
    for (code, n) in &page.by_code {
        let _ = writeln!(out, "  {code:<width$}  {n}");
    }
    let _ = writeln!(
        out,
        "\n{:>6}  {:<20}  {:<20}  {:<36}  reason",
        "#", "dead-lettered", "reading time", "device"
    );
    for l in &page.letters {
        let _ = writeln!(
            out,
            "{:>6}  {:<20}  {:<20}  {:<36}  {}{}",
            l.position,
            time(l.dead_lettered_at),
            time(l.reading_ts),
            l.device_id.as_deref().unwrap_or("-"),
            l.reason,
            if l.replay_requested {
                "  (replay requested)"
            } else {
                ""
            }
        );
    }
    let which = page
        .code
        .as_ref()
        .map(|c| format!(" with reason {c}"))
        .unwrap_or_default();
    let shown_to = page.skip + page.letters.len() as u64;
    if page.letters.is_empty() {
        let _ = writeln!(out, "none shown of {}{which}", page.matching);
    } else {
        let _ = writeln!(
            out,
            "shown {}-{shown_to} of {}{which}",
            page.skip + 1,
            page.matching
        );
    }
    if shown_to < page.matching {
        let _ = writeln!(out, "next page: --skip {shown_to}");
    }
    out
}

fn code_arg(reason: Option<&str>) -> Option<String> {
    reason.map(|r| reason_code(r).to_owned())
}

async fn list(args: ListArgs) -> anyhow::Result<()> {
    let code = code_arg(args.reason.as_deref());
    let page = match &args.source.amqp_url {
        Some(url) => list_amqp(url, &args, code).await?,
        None => list_database(&args, code).await?,
    };
    print!("{}", render(&page));
    Ok(())
}

async fn connect_amqp(url: &str, namespace: &str) -> anyhow::Result<Bus> {
    let mut config = BusConfig::amqp(url, namespace);
    config.connect_timeout = Duration::from_secs(10);
    Bus::connect(&config)
        .await
        .with_context(|| format!("connecting to RabbitMQ at {}", iems_messaging::redact(url)))
}

async fn list_amqp(url: &str, args: &ListArgs, code: Option<String>) -> anyhow::Result<Page> {
    let bus = connect_amqp(url, &args.source.amqp_namespace).await?;
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    let mut matching = 0u64;
    let mut letters = Vec::new();
    let browsed = bus
        .browse_dead_letters(|letter| {
            let c = reason_code(&letter.reason);
            *counts.entry(c.to_owned()).or_default() += 1;
            if code.as_deref().is_some_and(|want| want != c) {
                return;
            }
            matching += 1;
            if matching > args.skip && letters.len() < args.limit as usize {
                let d = describe(&letter.payload);
                letters.push(Listed {
                    position: matching,
                    dead_lettered_at: None,
                    reading_ts: d.reading_ts_ms,
                    device_id: d.device_id,
                    reason: letter.reason.clone(),
                    replay_requested: false,
                });
            }
        })
        .await;
    bus.close().await;
    browsed.context("reading the dead-letter queue")?;
    let mut by_code: Vec<(String, u64)> = counts.into_iter().collect();
    by_code.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Ok(Page {
        source: format!(
            "RabbitMQ queue {} ({})",
            bus.names().dead_letter_queue(),
            iems_messaging::redact(url)
        ),
        by_code,
        code,
        matching,
        skip: args.skip,
        letters,
    })
}

/// The database of `iems up`, refusing a missing SQLite file or an unmigrated schema.
async fn open_database(source: &Source) -> anyhow::Result<(iems_db::Pool, String)> {
    let url = match &source.database_url {
        Some(url) => url.clone(),
        None => {
            let path = source.data.join("iems.db");
            anyhow::ensure!(
                path.exists(),
                "no database at {}: start `iems up` first, or give --database-url (or --amqp-url for RabbitMQ's dead letters)",
                path.display()
            );
            format!("sqlite://{}", path.display())
        }
    };
    let redacted = iems_db::redact(&url);
    let pool = iems_db::connect(&url, 2)
        .await
        .with_context(|| format!("opening {redacted}"))?;
    let migrated = sqlx::query("SELECT 1 FROM dead_letters LIMIT 1")
        .fetch_optional(&pool)
        .await;
    if migrated.is_err() {
        pool.close().await;
        anyhow::bail!(
            "{redacted} has no dead_letters table: run `iems migrate --database-url …` (or start `iems up` once)"
        );
    }
    Ok((pool, redacted))
}

async fn list_database(args: &ListArgs, code: Option<String>) -> anyhow::Result<Page> {
    let (pool, redacted) = open_database(&args.source).await?;
    let page = async {
        let by_code: Vec<(String, u64)> = table::count_by_code(&pool)
            .await?
            .into_iter()
            .map(|(c, n)| (c, n.max(0) as u64))
            .collect();
        let matching = by_code
            .iter()
            .filter(|(c, _)| code.as_deref().is_none_or(|want| want == c))
            .map(|(_, n)| n)
            .sum();
        let skip = i64::try_from(args.skip).unwrap_or(i64::MAX);
        let limit = i64::try_from(args.limit).unwrap_or(i64::MAX);
        let rows = table::list(&pool, code.as_deref(), skip, limit).await?;
        let letters = rows
            .into_iter()
            .zip(args.skip + 1..)
            .map(|(r, position)| Listed {
                position,
                dead_lettered_at: Some(r.dead_lettered_at),
                reading_ts: r.reading_ts,
                device_id: r.device_id,
                reason: r.reason,
                replay_requested: r.replay_requested,
            })
            .collect();
        anyhow::Ok(Page {
            source: format!("the database {redacted}"),
            by_code,
            code: code.clone(),
            matching,
            skip: args.skip,
            letters,
        })
    }
    .await;
    pool.close().await;
    page.context("reading the dead_letters table")
}

async fn replay(args: ReplayArgs) -> anyhow::Result<()> {
    let code = code_arg(args.reason.as_deref());
    match &args.source.amqp_url {
        Some(url) => replay_amqp(url, &args, code).await,
        None => replay_database(&args, code).await,
    }
}

async fn replay_amqp(url: &str, args: &ReplayArgs, code: Option<String>) -> anyhow::Result<()> {
    let bus = connect_amqp(url, &args.source.amqp_namespace).await?;
    let progress = |done: Replayed| {
        eprintln!(
            "… {} replayed, {} left in place so far",
            done.replayed, done.left
        );
    };
    let done = bus
        .replay_dead_letters(
            |letter| {
                code.as_deref()
                    .is_none_or(|want| reason_code(&letter.reason) == want)
            },
            progress,
        )
        .await;
    bus.close().await;
    let done = done.context("replaying the dead-letter queue")?;
    println!(
        "replayed {} dead letter(s) to {}; {} left in {}",
        done.replayed,
        bus.names().readings_exchange(),
        done.left,
        bus.names().dead_letter_queue()
    );
    Ok(())
}

async fn replay_database(args: &ReplayArgs, code: Option<String>) -> anyhow::Result<()> {
    let (pool, redacted) = open_database(&args.source).await?;
    let result = async {
        let (marked, up_to) = table::mark_for_replay(&pool, code.as_deref()).await?;
        if marked == 0 {
            println!("no dead letters to replay in {redacted}");
            return anyhow::Ok(());
        }
        println!("marked {marked} dead letter(s) for replay in {redacted}");
        if args.wait == 0 {
            println!("the running `iems up` re-publishes them within seconds (or at its next start)");
            return Ok(());
        }
        let deadline = Instant::now() + Duration::from_secs(args.wait);
        let mut last_shown = Instant::now();
        loop {
            let pending = table::pending_replay(&pool, up_to).await?.max(0) as u64;
            if pending == 0 {
                println!("replayed {marked} dead letter(s): back on the readings queue");
                return Ok(());
            }
            if Instant::now() >= deadline {
                println!(
                    "{} of {marked} re-published so far; the rest stay marked and `iems up` re-publishes them when it runs (is it running on this database?)",
                    marked.saturating_sub(pending)
                );
                return Ok(());
            }
            if last_shown.elapsed() >= Duration::from_secs(2) {
                eprintln!("… {} of {marked} re-published", marked.saturating_sub(pending));
                last_shown = Instant::now();
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }
    .await;
    pool.close().await;
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counts_letters_and_the_next_page() {
        let page = Page {
            source: "the database sqlite://x".into(),
            by_code: vec![("unknown_device".into(), 3), ("malformed".into(), 1)],
            code: Some("unknown_device".into()),
            matching: 3,
            skip: 0,
            letters: vec![Listed {
                position: 1,
                dead_lettered_at: Some(1_767_225_600_000),
                reading_ts: Some(1_767_225_000_000),
                device_id: Some("3fa85f64-5717-4562-b3fc-2c963f66afa6".into()),
                reason: "unknown_device: no such device".into(),
                replay_requested: true,
            }],
        };
        let text = render(&page);
        assert!(text.starts_with("4 dead letter(s) in the database sqlite://x\n"));
        assert!(text.contains("  unknown_device  3\n  malformed       1\n"));
        assert!(text.contains("2026-01-01T00:00:00Z  2025-12-31T23:50:00Z  3fa85f64-5717-4562-b3fc-2c963f66afa6  unknown_device: no such device  (replay requested)"));
        assert!(text.contains("shown 1-1 of 3 with reason unknown_device\nnext page: --skip 1\n"));
        let empty = Page {
            by_code: vec![],
            letters: vec![],
            matching: 0,
            code: None,
            ..page
        };
        assert_eq!(
            render(&empty),
            "0 dead letter(s) in the database sqlite://x\n"
        );
    }
}
