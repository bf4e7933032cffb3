//! Dead letters of the in-process transport: a bounded ring in memory, and an
//! optional [`DeadLetterStore`] that keeps them beyond the process (the
//! composition root implements it on its database; this crate knows none).

use crate::DeadLetter;
use futures::future::BoxFuture;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// Deliveries of one message after which it is dead-lettered instead of
/// requeued: RabbitMQ's `x-delivery-limit` of the readings queue, and the
/// in-process bus's limit, so both transports give up on the same message.
pub const DELIVERY_LIMIT: u32 = 20;

/// The reason of a message dead-lettered for reaching [`DELIVERY_LIMIT`], as
/// RabbitMQ reports it (`x-first-death-reason`) and the in-process bus gives it.
pub const DELIVERY_LIMIT_REASON: &str = "broker: delivery_limit";

/// How many dead letters the in-process bus keeps in memory by default.
pub const DEFAULT_DEAD_LETTER_CAP: usize = 10_000;

/// The code of a dead letter's reason: the text before the first `:`
/// (`unknown_device: 3f…` → `unknown_device`), the whole reason without one.
pub fn reason_code(reason: &str) -> &str {
    reason.split(':').next().unwrap_or(reason).trim()
}

/// An error of a [`DeadLetterStore`] (any cause; logged, never shown to meters).
pub type StoreError = Box<dyn std::error::Error + Send + Sync>;

/// Keeps the in-process bus's dead letters durably (e.g. a database table), so
/// that they outlive the process and another process can list and replay them.
pub trait DeadLetterStore: Send + Sync + std::fmt::Debug {
    /// Stores one dead letter; on an error the bus keeps it in memory and
    /// offers it again with the next one.
    fn keep<'a>(&'a self, letter: &'a DeadLetter) -> BoxFuture<'a, Result<(), StoreError>>;
}

/// Options of the in-process transport.
#[derive(Debug, Clone)]
pub struct InProcessConfig {
    /// Dead letters kept in memory at most; past it the oldest is dropped (counted and logged).
    pub dead_letter_cap: usize,
    /// Where dead letters go beyond memory (`None`: memory only, lost with the process).
    pub dead_letter_store: Option<Arc<dyn DeadLetterStore>>,
}

impl Default for InProcessConfig {
    fn default() -> Self {
        InProcessConfig {
            dead_letter_cap: DEFAULT_DEAD_LETTER_CAP,
            dead_letter_store: None,
        }
    }
}

/// The dead letters of one in-process bus: a bounded ring, in front of the store if any.
#[derive(Debug)]
pub(crate) struct DeadLetters {
    ring: Mutex<VecDeque<DeadLetter>>,
    cap: usize,
    dropped: AtomicU64,
    store: Option<Arc<dyn DeadLetterStore>>,
}

impl DeadLetters {
    pub(crate) fn new(config: InProcessConfig) -> Self {
        DeadLetters {
            ring: Mutex::new(VecDeque::new()),
            cap: config.dead_letter_cap.max(1),
            dropped: AtomicU64::new(0),
            store: config.dead_letter_store,
        }
    }

    fn ring(&self) -> std::sync::MutexGuard<'_, VecDeque<DeadLetter>> {
        self.ring.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Dead-letters `letter`: into the store when there is one (with any kept
    /// back by an earlier store failure first), else into the ring.
    pub(crate) async fn push(&self, letter: DeadLetter) {
        tracing::warn!(reason = %letter.reason, "reading dead-lettered");
        if let Some(store) = &self.store {
            let mut pending: Vec<DeadLetter> = self.ring().drain(..).collect();
            pending.push(letter);
            let mut left = pending.into_iter();
            for letter in left.by_ref() {
                if let Err(err) = store.keep(&letter).await {
                    tracing::error!(error = %err, "dead letter not stored; kept in memory and retried with the next one");
                    self.keep_in_memory(std::iter::once(letter).chain(left));
                    return;
                }
            }
            return;
        }
        self.keep_in_memory(std::iter::once(letter));
    }

    fn keep_in_memory(&self, letters: impl Iterator<Item = DeadLetter>) {
        let mut dropped = 0u64;
        {
            let mut ring = self.ring();
            for letter in letters {
                if ring.len() >= self.cap {
                    ring.pop_front();
                    dropped += 1;
                }
                ring.push_back(letter);
            }
        }
        if dropped > 0 {
            let total = self.dropped.fetch_add(dropped, Ordering::Relaxed) + dropped;
            tracing::warn!(
                dropped,
                total,
                cap = self.cap,
                "in-process dead letters full: the oldest dropped"
            );
        }
    }

    pub(crate) fn take(&self) -> Vec<DeadLetter> {
        self.ring().drain(..).collect()
    }

    pub(crate) fn snapshot(&self) -> Vec<DeadLetter> {
        self.ring().iter().cloned().collect()
    }

    /// Removes and returns the letters `select` picks, leaving the others in order.
    pub(crate) fn take_where(
        &self,
        mut select: impl FnMut(&DeadLetter) -> bool,
    ) -> Vec<DeadLetter> {
        let mut ring = self.ring();
        let (taken, kept): (Vec<_>, Vec<_>) = ring.drain(..).partition(|l| select(l));
        ring.extend(kept);
        taken
    }

    pub(crate) fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reason_codes() {
        assert_eq!(reason_code("unknown_device: 42"), "unknown_device");
        assert_eq!(reason_code(DELIVERY_LIMIT_REASON), "broker");
        assert_eq!(reason_code("malformed"), "malformed");
        assert_eq!(reason_code(""), "");
    }
}
