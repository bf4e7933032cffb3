//! Device limits and owners, read from the database and cached briefly so an
//! admin's change applies within seconds without a query per reading.

use iems_db::Pool;
use iems_shared::consumption::policy::DeviceLimits;
use iems_shared::sql;
use iems_shared::wire::meter_formats::MeterFormat;
use iems_shared::Energy;
use sqlx::Row;
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
    /// The plausible maximum power in watts (`None`: the policy's default).
    pub max_power_w: Option<i64>,
    /// The assigned client, if any.
    pub owner_id: Option<String>,
    /// How its MQTT frames are read (`None`: detected from the topic, else iems' own message).
    pub meter_format: Option<MeterFormat>,
    /// The time zone that places an offset-less meter time (Tasmota).
    pub time_zone: Option<chrono_tz::Tz>,
}

impl DeviceInfo {
    /// What the reading policy needs to know of the device.
    pub fn limits(&self) -> DeviceLimits {
        DeviceLimits::new(Energy::from_uwh(self.max_hourly_uwh), self.max_power_w)
    }
}

/// Devices remembered at most (known and unknown ids alike): a stream of
/// made-up ids cannot grow the cache without bound.
const MAX_ENTRIES: usize = 10_000;

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
        let row = sqlx::query(sql::devices::BY_ID)
            .bind(&key)
            .fetch_optional(pool)
            .await?;
        // Columns as in `sql::devices::COLUMNS`.
        let info = row
            .map(|row| -> Result<DeviceInfo, sqlx::Error> {
                Ok(DeviceInfo {
                    id: row.try_get(0)?,
                    max_hourly_uwh: row.try_get(3)?,
                    max_power_w: row.try_get(6)?,
                    owner_id: row.try_get(4)?,
                    // Both are validated when set; an unreadable one counts as unset.
                    meter_format: row
                        .try_get::<Option<String>, _>(7)?
                        .and_then(|f| f.parse().ok()),
                    time_zone: row
                        .try_get::<Option<String>, _>(8)?
                        .and_then(|z| z.parse().ok()),
                })
            })
            .transpose()?;
        self.remember(id, info.clone());
        Ok(info)
    }

    fn remember(&mut self, id: Uuid, info: Option<DeviceInfo>) {
        if self.entries.len() >= MAX_ENTRIES {
            let ttl = self.ttl;
            self.entries
                .retain(|_, (fetched, _)| fetched.elapsed() < ttl);
            if self.entries.len() >= MAX_ENTRIES {
                self.entries.clear();
            }
        }
        self.entries.insert(id, (Instant::now(), info));
    }

    /// Entries held now.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cache_stays_bounded_whatever_ids_arrive() {
        let mut cache = DeviceCache::new(Duration::from_secs(3600));
        for _ in 0..MAX_ENTRIES * 3 + 7 {
            cache.remember(Uuid::new_v4(), None);
            assert!(cache.len() <= MAX_ENTRIES);
        }
    }
}
