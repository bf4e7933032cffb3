//! The in-process bus's dead letters in the database: [`DbStore`] keeps each
//! one as a row, and [`replay_requested`] is the task of `iems up` that
//! re-publishes the rows `iems dead-letters replay` marked.

use super::table;
use futures::future::BoxFuture;
use iems_db::Pool;
use iems_messaging::{Bus, DeadLetter, DeadLetterStore, StoreError};
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// How often `iems up` looks for rows marked for replay.
pub const REPLAY_POLL: Duration = Duration::from_secs(1);
/// Rows re-published per look.
const REPLAY_BATCH: i64 = 500;

/// Keeps the in-process bus's dead letters in the `dead_letters` table, at most `cap`.
#[derive(Debug)]
pub struct DbStore {
    pool: Pool,
    cap: i64,
    dropped: AtomicU64,
}

impl DbStore {
    /// A store on `pool` keeping at most `cap` rows (the oldest deleted first).
    pub fn new(pool: Pool, cap: i64) -> Self {
        DbStore {
            pool,
            cap,
            dropped: AtomicU64::new(0),
        }
    }

    /// Rows deleted so far because the table was full.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }
}

impl DeadLetterStore for DbStore {
    fn keep<'a>(&'a self, letter: &'a DeadLetter) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            let dropped = table::insert(&self.pool, letter, self.cap).await?;
            if dropped > 0 {
                let total = self.dropped.fetch_add(dropped, Ordering::Relaxed) + dropped;
                tracing::warn!(
                    dropped,
                    total,
                    cap = self.cap,
                    "dead_letters table full: the oldest deleted"
                );
            }
            Ok(())
        })
    }
}

/// Re-publishes the rows marked for replay onto `bus`'s readings queue, each
/// deleted once published, every [`REPLAY_POLL`] until `shutdown`.
pub async fn replay_requested(bus: Bus, pool: Pool, shutdown: impl Future<Output = ()>) {
    let mut shutdown = std::pin::pin!(shutdown);
    let mut every = tokio::time::interval(REPLAY_POLL);
    loop {
        tokio::select! {
            _ = every.tick() => {}
            () = &mut shutdown => return,
        }
        let mut replayed = 0;
        loop {
            match replay_batch(&bus, &pool).await {
                Ok(n) => {
                    replayed += n;
                    if n < REPLAY_BATCH as usize {
                        break;
                    }
                }
                Err(err) => {
                    tracing::warn!(error = %err, "dead-letter replay failed; retrying");
                    break;
                }
            }
        }
        if replayed > 0 {
            tracing::info!(replayed, "dead letters put back on the readings queue");
        }
    }
}

/// One look: re-publishes up to a batch of marked rows; returns how many.
pub async fn replay_batch(bus: &Bus, pool: &Pool) -> anyhow::Result<usize> {
    let rows = table::marked(pool, REPLAY_BATCH).await?;
    for (id, payload) in &rows {
        bus.publish_reading(payload).await?.wait().await?;
        // Deleted after the publish: a crash in between replays it twice,
        // which readings tolerate (the same device and timestamp count once).
        table::delete(pool, *id).await?;
    }
    Ok(rows.len())
}
