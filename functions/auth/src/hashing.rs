//! Argon2id runs in one of a few slots leased in the database
//! (`auth_hash_slots`), so that however many sign-ins and registrations
//! arrive at once, at most `password_hash_concurrency` hashes run at the same
//! time across every instance, and the other requests keep their cores. A
//! request that finds no free slot within [`WAIT_MS`] gets 503 with
//! `Retry-After` instead of queuing without end.

use fn_common::db::{Db, DbError};
use iems_shared::identity::{hash_password, verify_password};
use iems_shared::{ApiError, ErrorCode};

/// Slots in the table (the most `password_hash_concurrency` can use).
const SLOTS_MAX: i64 = 8;
/// How long a request waits for a free slot.
const WAIT_MS: i64 = 2_000;
/// Polling interval while waiting.
const POLL_MS: u64 = 20;
/// A lease older than this is free again (its holder died mid-hash).
const LEASE_MS: i64 = 10_000;

/// Why no hash was computed: the store failed, or every slot stayed busy.
pub enum Busy {
    /// A database error.
    Db(DbError),
    /// No slot within [`WAIT_MS`].
    NoSlot,
}

impl From<DbError> for Busy {
    fn from(e: DbError) -> Self {
        Busy::Db(e)
    }
}

impl Busy {
    /// The API error (503 `unavailable` for a busy server).
    pub fn error(self) -> ApiError {
        match self {
            Busy::Db(e) => e.into(),
            Busy::NoSlot => ApiError::new(
                ErrorCode::Unavailable,
                "the server is busy checking other passwords; try again in a moment",
            ),
        }
    }
}

/// The `password_hash_concurrency` Spin variable, 1 to [`SLOTS_MAX`] (default 1:
/// on a small machine one core hashes while the others serve everything else).
fn concurrency() -> i64 {
    spin_sdk::variables::get("password_hash_concurrency")
        .ok()
        .and_then(|v| v.trim().parse::<i64>().ok())
        .unwrap_or(1)
        .clamp(1, SLOTS_MAX)
}

/// Runs `work` while holding a hashing slot.
fn in_slot<T>(db: &Db, work: impl FnOnce() -> T) -> Result<T, Busy> {
    let holder = fn_common::new_id();
    let slots = concurrency();
    let deadline = fn_common::now_ms() + WAIT_MS;
    let slot = loop {
        let now = fn_common::now_ms();
        let mut taken = None;
        for slot in 0..slots {
            let n = db.execute(
                "UPDATE auth_hash_slots SET leased_until = ?, holder = ? WHERE slot = ? AND leased_until <= ?",
                &[(now + LEASE_MS).into(), holder.as_str().into(), slot.into(), now.into()],
            )?;
            if n == 1 {
                taken = Some(slot);
                break;
            }
        }
        if let Some(slot) = taken {
            break slot;
        }
        if now >= deadline {
            return Err(Busy::NoSlot);
        }
        std::thread::sleep(std::time::Duration::from_millis(POLL_MS));
    };
    let out = work();
    db.run(
        "UPDATE auth_hash_slots SET leased_until = 0, holder = NULL WHERE slot = ? AND holder = ?",
        &[slot.into(), holder.as_str().into()],
    )?;
    Ok(out)
}

/// Hashes a new password in a slot.
pub fn hash(db: &Db, password: &str) -> Result<String, Busy> {
    in_slot(db, || hash_password(password))?.map_err(|e| {
        eprintln!("hashing failed: {e}");
        Busy::Db(DbError::Statement("password hashing failed".into()))
    })
}

/// Checks a password in a slot; with no stored hash (an unknown user) spends
/// the same work, so the answer's timing does not tell which usernames exist.
pub fn verify(db: &Db, password: &str, stored: Option<&str>) -> Result<bool, Busy> {
    in_slot(db, || match stored {
        Some(hash) => verify_password(password, hash),
        None => {
            let _ = hash_password(password);
            false
        }
    })
}
