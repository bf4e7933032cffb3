//! SQL on the `dead_letters` table (migrations 0003), the same on SQLite and MySQL.

use super::{describe, truncate};
use iems_db::Pool;
use iems_messaging::{reason_code, DeadLetter};
use sqlx::Row;

/// Dead letters the table keeps at most; older ones are deleted as new ones arrive.
pub const DEFAULT_CAP: i64 = 100_000;

/// One row, as `iems dead-letters list` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredLetter {
    /// Row id (oldest first).
    pub id: i64,
    /// `<code>: <detail>`.
    pub reason: String,
    /// The device the payload names.
    pub device_id: Option<String>,
    /// The reading's timestamp, unix ms.
    pub reading_ts: Option<i64>,
    /// When it was dead-lettered, unix ms.
    pub dead_lettered_at: i64,
    /// True when a replay is requested and `iems up` has not done it yet.
    pub replay_requested: bool,
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Stores `letter`; deletes the rows more than `cap` older than it and returns how many.
pub async fn insert(pool: &Pool, letter: &DeadLetter, cap: i64) -> Result<u64, sqlx::Error> {
    let described = describe(&letter.payload);
    let reason = truncate(&letter.reason, 1000);
    let code = truncate(reason_code(reason), 64);
    sqlx::query(
        "INSERT INTO dead_letters (reason, reason_code, device_id, reading_ts, payload, dead_lettered_at) \
         VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(reason)
    .bind(code)
    .bind(described.device_id)
    .bind(described.reading_ts_ms)
    .bind(letter.payload.clone())
    .bind(now_ms())
    .execute(pool)
    .await?;
    let Some(id) = sqlx::query_scalar::<_, Option<i64>>("SELECT MAX(id) FROM dead_letters")
        .fetch_one(pool)
        .await?
    else {
        return Ok(0);
    };
    // Ids only grow: the rows at least `cap` ids older are the oldest beyond the cap.
    let dropped = sqlx::query("DELETE FROM dead_letters WHERE id <= ?")
        .bind(id - cap.max(1))
        .execute(pool)
        .await?
        .rows_affected();
    Ok(dropped)
}

/// `AND reason_code = ?` when a code is given.
fn code_filter(code: Option<&str>) -> &'static str {
    match code {
        Some(_) => " AND reason_code = ?",
        None => "",
    }
}

/// Dead letters per reason code, most frequent first.
pub async fn count_by_code(pool: &Pool) -> Result<Vec<(String, i64)>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT reason_code, COUNT(*) FROM dead_letters GROUP BY reason_code ORDER BY COUNT(*) DESC, reason_code",
    )
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect()
}

/// Up to `limit` rows with `code` (any when `None`), oldest first, skipping `skip`.
pub async fn list(
    pool: &Pool,
    code: Option<&str>,
    skip: i64,
    limit: i64,
) -> Result<Vec<StoredLetter>, sqlx::Error> {
    let sql = format!(
        "SELECT id, reason, device_id, reading_ts, dead_lettered_at, replay_requested_at \
         FROM dead_letters WHERE 1 = 1{} ORDER BY id LIMIT ? OFFSET ?",
        code_filter(code)
    );
    let mut query = sqlx::query(&sql);
    if let Some(code) = code {
        query = query.bind(code.to_owned());
    }
    let rows = query.bind(limit).bind(skip).fetch_all(pool).await?;
    rows.iter()
        .map(|r| {
            Ok(StoredLetter {
                id: r.try_get(0)?,
                reason: r.try_get(1)?,
                device_id: r.try_get(2)?,
                reading_ts: r.try_get(3)?,
                dead_lettered_at: r.try_get(4)?,
                replay_requested: r.try_get::<Option<i64>, _>(5)?.is_some(),
            })
        })
        .collect()
}

/// Marks the rows with `code` (all when `None`) for replay; returns how many
/// and the highest id marked.
pub async fn mark_for_replay(pool: &Pool, code: Option<&str>) -> Result<(u64, i64), sqlx::Error> {
    let max_sql = format!(
        "SELECT MAX(id) FROM dead_letters WHERE replay_requested_at IS NULL{}",
        code_filter(code)
    );
    let mut max = sqlx::query_scalar::<_, Option<i64>>(&max_sql);
    if let Some(code) = code {
        max = max.bind(code.to_owned());
    }
    let Some(up_to) = max.fetch_one(pool).await? else {
        return Ok((0, 0));
    };
    let sql = format!(
        "UPDATE dead_letters SET replay_requested_at = ? WHERE replay_requested_at IS NULL AND id <= ?{}",
        code_filter(code)
    );
    let mut update = sqlx::query(&sql).bind(now_ms()).bind(up_to);
    if let Some(code) = code {
        update = update.bind(code.to_owned());
    }
    Ok((update.execute(pool).await?.rows_affected(), up_to))
}

/// Rows marked for replay with ids up to `up_to`, not yet re-published.
pub async fn pending_replay(pool: &Pool, up_to: i64) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM dead_letters WHERE replay_requested_at IS NOT NULL AND id <= ?",
    )
    .bind(up_to)
    .fetch_one(pool)
    .await
}

/// Up to `limit` rows marked for replay, oldest first: (id, payload).
pub async fn marked(pool: &Pool, limit: i64) -> Result<Vec<(i64, Vec<u8>)>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, payload FROM dead_letters WHERE replay_requested_at IS NOT NULL ORDER BY id LIMIT ?",
    )
    .bind(limit)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect()
}

/// Deletes one row (after its message was re-published).
pub async fn delete(pool: &Pool, id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM dead_letters WHERE id = ?")
        .bind(id)
        .execute(pool)
        .await?;
    Ok(())
}
