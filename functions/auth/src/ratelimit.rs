//! Login rate limiting in the `default` key-value store: after
//! [`MAX_FAILURES`] failed logins within [`WINDOW_MS`] for a username or a client
//! address, further attempts get 429 `rate_limited` until the oldest failure ages out.

use iems_shared::{ApiError, ErrorCode};
use spin_sdk::key_value::Store;

/// Failures allowed per window.
pub const MAX_FAILURES: usize = 5;
/// The window: 15 minutes.
pub const WINDOW_MS: i64 = 15 * 60 * 1000;

/// The failure counters that apply to one login attempt.
pub struct Limiter {
    store: Option<Store>,
    keys: [String; 2],
}

/// A 429 refusal with the seconds to wait.
pub struct Limited {
    /// For the `Retry-After` header.
    pub retry_after_secs: i64,
}

impl Limited {
    /// The API error of the refusal.
    pub fn error(&self) -> ApiError {
        ApiError::new(
            ErrorCode::RateLimited,
            "too many failed sign-in attempts; try again later",
        )
    }
}

impl Limiter {
    /// Counters for a username key and a client address.
    pub fn new(username_key: &str, client_ip: &str) -> Limiter {
        let store = Store::open_default()
            .map_err(|e| eprintln!("key-value store unavailable, login not rate limited: {e:?}"))
            .ok();
        Limiter {
            store,
            keys: [
                format!("login:user:{username_key}"),
                format!("login:addr:{client_ip}"),
            ],
        }
    }

    fn failures(&self, key: &str, now: i64) -> Vec<i64> {
        let raw = self
            .store
            .as_ref()
            .and_then(|s| s.get(key).ok().flatten())
            .unwrap_or_default();
        let mut list: Vec<i64> = serde_json::from_slice(&raw).unwrap_or_default();
        list.retain(|t| now - t < WINDOW_MS);
        list
    }

    /// `Err` when either counter is exhausted.
    pub fn check(&self, now: i64) -> Result<(), Limited> {
        let mut wait_ms = 0;
        for key in &self.keys {
            let list = self.failures(key, now);
            if list.len() >= MAX_FAILURES {
                let oldest = list.iter().min().copied().unwrap_or(now);
                wait_ms = wait_ms.max(oldest + WINDOW_MS - now);
            }
        }
        if wait_ms > 0 {
            Err(Limited {
                retry_after_secs: (wait_ms + 999) / 1000,
            })
        } else {
            Ok(())
        }
    }

    /// Counts one failed attempt on both counters.
    pub fn record_failure(&self, now: i64) {
        let Some(store) = &self.store else { return };
        for key in &self.keys {
            let mut list = self.failures(key, now);
            list.push(now);
            let body = serde_json::to_vec(&list).unwrap_or_default();
            if let Err(e) = store.set(key, &body) {
                eprintln!("recording a failed login failed: {e:?}");
            }
        }
    }

    /// Forgets the username's failures after a successful login.
    pub fn record_success(&self) {
        if let Some(store) = &self.store {
            let _ = store.delete(&self.keys[0]);
        }
    }
}
