//! Throttling of sign-in, password change and registration, in the database
//! (`auth_throttle`), keyed so that an attacker cannot turn it against the
//! owner of an account:
//!
//! - per username *and* address ([`LOGIN_PAIR`]): the tight limit; a guesser
//!   stops himself, not the owner signing in from elsewhere;
//! - per username from addresses the user has not signed in from lately
//!   ([`LOGIN_USER`]) and per address ([`LOGIN_ADDR`]): bound guessing spread
//!   over many addresses or usernames, but never stop the right password from
//!   an address where that user signed in within [`KNOWN_ADDRESS_MS`];
//! - a refused attempt is not counted, so one user's failures behind a shared
//!   address stop after [`LOGIN_PAIR`] and leave the others alone.
//!
//! An attempt is counted *before* the password is checked (and refunded when
//! it was right), so parallel guesses cannot all slip under a limit. Counters
//! live in fixed windows; every row expires and failed attempts sweep the dead
//! ones, whether the username exists or not.

use fn_common::db::{Db, DbError};
use iems_shared::identity::sha256_hex;
use iems_shared::sql::throttle;
use iems_shared::{ApiError, ErrorCode};

/// One limit: at most `max` counted attempts per key in a `window_ms` window.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    prefix: &'static str,
    max: i64,
    window_ms: i64,
}

const MINUTE_MS: i64 = 60 * 1000;

/// Failed sign-ins for one username from one address.
pub const LOGIN_PAIR: Rule = Rule {
    prefix: "login-pair",
    max: 5,
    window_ms: 15 * MINUTE_MS,
};
/// Failed sign-ins for one username from addresses it was not used from lately.
pub const LOGIN_USER: Rule = Rule {
    prefix: "login-user",
    max: 20,
    window_ms: 15 * MINUTE_MS,
};
/// Failed sign-ins from one address, whatever the username, except for users
/// who signed in from there lately.
pub const LOGIN_ADDR: Rule = Rule {
    prefix: "login-addr",
    max: 30,
    window_ms: 15 * MINUTE_MS,
};
/// Wrong current passwords when changing the password, per user.
pub const PASSWORD_CHANGE: Rule = Rule {
    prefix: "password",
    max: 5,
    window_ms: 15 * MINUTE_MS,
};
/// Registrations per address.
pub const REGISTER_ADDR: Rule = Rule {
    prefix: "register",
    max: 10,
    window_ms: 60 * MINUTE_MS,
};
/// How long an address where a user signed in stays theirs for [`LOGIN_USER`]
/// and [`LOGIN_ADDR`]: 30 days.
pub const KNOWN_ADDRESS_MS: i64 = 30 * 24 * 60 * MINUTE_MS;

/// A refusal: 429 `rate_limited` with the seconds to wait (`Retry-After`).
#[derive(Debug, Clone)]
pub struct Limited {
    /// For the `Retry-After` header.
    pub retry_after_secs: i64,
    /// What was limited, for the message.
    pub what: &'static str,
}

impl Limited {
    /// The API error of the refusal.
    pub fn error(&self) -> ApiError {
        ApiError::new(
            ErrorCode::RateLimited,
            format!(
                "too many {}; try again in {} seconds",
                self.what, self.retry_after_secs
            ),
        )
    }
}

/// The stored key of a rule for the given parts (hashed: fixed length, and no
/// username or address is kept in clear).
pub fn key(rule: Rule, parts: &[&str]) -> String {
    format!("{}:{}", rule.prefix, sha256_hex(&parts.join("\n")))
}

fn known_key(user_id: &str, ip: &str) -> String {
    format!("known:{}", sha256_hex(&format!("{user_id}\n{ip}")))
}

/// The attempts counted for one request, refunded unless it failed.
pub struct Counted {
    keys: Vec<String>,
}

/// Counts one attempt against every `(rule, key)`; when any is over its limit,
/// nothing stays counted and the refusal says how long the longest wait is.
pub fn count(
    db: &Db,
    checks: &[(Rule, String)],
    what: &'static str,
) -> Result<Result<Counted, Limited>, DbError> {
    let now = fn_common::now_ms();
    let mut counted = Counted { keys: Vec::new() };
    let mut wait_ms = 0;
    for (rule, key) in checks {
        let (failures, expires_at) = hit(db, key, rule.window_ms, now)?;
        counted.keys.push(key.clone());
        if failures > rule.max {
            wait_ms = wait_ms.max(expires_at - now);
        }
    }
    if wait_ms > 0 {
        counted.refund(db)?;
        return Ok(Err(Limited {
            retry_after_secs: (wait_ms + 999) / 1000,
            what,
        }));
    }
    Ok(Ok(counted))
}

impl Counted {
    /// The attempt was not a failure: uncount it.
    pub fn refund(&self, db: &Db) -> Result<(), DbError> {
        for key in &self.keys {
            db.run(throttle::REFUND, &[key.as_str().into()])?;
        }
        Ok(())
    }

    /// The attempt failed: it stays counted; dead rows of every key are swept.
    pub fn failed(&self, db: &Db) -> Result<(), DbError> {
        db.run(throttle::SWEEP, &[fn_common::now_ms().into()])
    }
}

/// Adds one to `key`'s counter (a new window when the old one has ended) and
/// returns the counter and the window's end, atomically per key.
fn hit(db: &Db, key: &str, window_ms: i64, now: i64) -> Result<(i64, i64), DbError> {
    let ends = now + window_ms;
    db.run_statement(throttle::hit(db.backend().dialect(), key, now, ends))?;
    let row = db.query_opt(throttle::COUNTER, &[key.into()])?;
    match row {
        Some(r) => Ok((r.int(0)?, r.int(1)?)),
        None => Ok((1, ends)),
    }
}

/// Whether the user signed in from this address within [`KNOWN_ADDRESS_MS`].
pub fn is_known_address(db: &Db, user_id: &str, ip: &str) -> Result<bool, DbError> {
    let row = db.query_opt(
        throttle::ALIVE,
        &[known_key(user_id, ip).into(), fn_common::now_ms().into()],
    )?;
    Ok(row.is_some())
}

/// After a right password: the address becomes the user's, and the pair's
/// failures are forgotten.
pub fn signed_in(db: &Db, user_id: &str, ip: &str, pair_key: &str) -> Result<(), DbError> {
    db.run(
        throttle::FORGET_TWO,
        &[pair_key.into(), known_key(user_id, ip).into()],
    )?;
    db.run(
        throttle::REMEMBER,
        &[
            known_key(user_id, ip).into(),
            (fn_common::now_ms() + KNOWN_ADDRESS_MS).into(),
        ],
    )
}

/// Forgets a key (a password changed after a few wrong tries).
pub fn forget(db: &Db, key: &str) -> Result<(), DbError> {
    db.run(throttle::FORGET, &[key.into()])
}
