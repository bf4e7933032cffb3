//! Device limits and owners, read from the database and cached briefly so an
//! admin's change applies within seconds without a query per reading.

use iems_db::Pool;
use std::collections::HashMap;
use std::time::{Duration, Instant};
use uuid::Uuid;

/// What the adapter needs to know about a device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceInfo {
    /// The device id as stored (lower-case hyphenated UUID).
    pub id: String,
    /// The hourly limit in µWh.
    pub max_hourly_uwh: i64,
    /// The assigned client, if any.
    pub owner_id: Option<String>,
}

/// A time-limited cache of devices, including the knowledge that one does not exist.
#[derive(Debug)]
pub(crate) struct DeviceCache {
    ttl: Duration,
    entries: HashMap<Uuid, (Instant, Option<DeviceInfo>)>,
}

impl DeviceCache {
    pub(crate) fn new(ttl: Duration) -> Self {
        DeviceCache {
            ttl,
            entries: HashMap::new(),
        }
    }

    /// The device, or `None` when no such device exists.
    pub(crate) async fn get(
        &mut self,
        pool: &Pool,
        id: Uuid,
    ) -> Result<Option<DeviceInfo>, sqlx::Error> {
        if let Some((fetched, info)) = self.entries.get(&id) {
            if fetched.elapsed() < self.ttl {
                return Ok(info.clone());
            }
        }
        let key = id.hyphenated().to_string();
        let row: Option<(String, i64, Option<String>)> =
            sqlx::query_as("SELECT id, max_hourly_uwh, owner_id FROM devices WHERE id = ?")
                .bind(&key)
                .fetch_optional(pool)
                .await?;
        let info = row.map(|(id, max_hourly_uwh, owner_id)| DeviceInfo {
            id,
            max_hourly_uwh,
            owner_id,
        });
        self.entries.insert(id, (Instant::now(), info.clone()));
        Ok(info)
    }
}
