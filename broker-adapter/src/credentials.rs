//! Device credentials in force, looked up by key id and cached briefly
//! (docs/ingest.md): the broker's auth routes, `POST /api/ingest` and the
//! MQTT frames on the readings queue all ask here, so a revocation bites on
//! every path within the cache's lifetime.

use iems_db::Pool;
use iems_shared::ingest;
use iems_shared::sql;
use sqlx::Row;
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// Entries kept at most: a flood of made-up key ids cannot grow the cache
/// without bound.
const MAX_ENTRIES: usize = 100_000;

/// A credential in force: its device and the secret's hash.
#[derive(Debug, Clone)]
pub(crate) struct Active {
    pub(crate) device_id: String,
    pub(crate) secret_sha256: String,
}

/// Lookups remembered for `ttl`, the knowledge that a key is not in force included.
#[derive(Debug)]
pub(crate) struct CredentialCache {
    ttl: Duration,
    entries: HashMap<String, (Instant, Option<Active>)>,
}

impl CredentialCache {
    pub(crate) fn new(ttl: Duration) -> Self {
        CredentialCache {
            ttl,
            entries: HashMap::new(),
        }
    }

    /// A fresh answer for `key_id`, if one is cached.
    pub(crate) fn get(&self, key_id: &str) -> Option<Option<Active>> {
        self.entries
            .get(key_id)
            .filter(|(at, _)| at.elapsed() < self.ttl)
            .map(|(_, active)| active.clone())
    }

    /// Remembers an answer.
    pub(crate) fn put(&mut self, key_id: &str, active: Option<Active>) {
        if self.entries.len() >= MAX_ENTRIES {
            let ttl = self.ttl;
            self.entries.retain(|_, (at, _)| at.elapsed() < ttl);
            if self.entries.len() >= MAX_ENTRIES {
                self.entries.clear();
            }
        }
        self.entries
            .insert(key_id.to_string(), (Instant::now(), active));
    }

    /// Entries held now.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }
}

/// The credential `key_id` in force, from the database (`None` for anything
/// that is not a key id, without a query).
pub(crate) async fn lookup(pool: &Pool, key_id: &str) -> Result<Option<Active>, sqlx::Error> {
    if !ingest::is_key_id(key_id) {
        return Ok(None);
    }
    let rows = sqlx::query(sql::credentials::ACTIVE_BY_KEY)
        .bind(key_id)
        .fetch_all(pool)
        .await?;
    rows.first()
        .map(|row| -> Result<Active, sqlx::Error> {
            Ok(Active {
                device_id: row.try_get(0)?,
                secret_sha256: row.try_get(1)?,
            })
        })
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cache_stays_bounded_and_forgets_after_its_lifetime() {
        let mut cache = CredentialCache::new(Duration::from_secs(3600));
        for i in 0..MAX_ENTRIES + 5 {
            cache.put(&i.to_string(), None);
            assert!(cache.len() <= MAX_ENTRIES);
        }
        let mut brief = CredentialCache::new(Duration::ZERO);
        brief.put("k", None);
        assert!(brief.get("k").is_none(), "expired at once");
    }
}
