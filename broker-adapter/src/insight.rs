//! Baselines and unusual-consumption alerts as readings arrive
//! (docs/insight.md). A device whose readings were stored is checked again at
//! most once per `interval`, a bounded number per flush: its baseline is
//! learned again once its data reaches a new hour (one device's day rows of
//! the window, at most 8 weeks), and the whole hours it has not yet looked at
//! (plus a day before them, so a run spanning two checks is seen whole) are
//! compared with it. One `unusual` alert per run, stored once (the unique
//! key and the run's end kept with the baseline are the guards) and published
//! like limit alerts. Time is the device's data time: the hours before the
//! hour of its latest reading are whole, so a backfill is judged as it lands.

use iems_db::{statement, statement_as, Backend, Pool};
use iems_shared::consumption::daily::hours_of_days;
use iems_shared::consumption::HOUR_MS;
use iems_shared::insight::baseline::SLOTS;
use iems_shared::insight::unusual::LOOK_BACK_MS;
use iems_shared::insight::{
    check_window, decide, decode_slots, encode_slots, find_unusual, learn_baseline, AlertDecision,
    Baseline, BaselineParams, Direction, UnusualRun, UnusualSettings,
};
use iems_shared::model::{StoredAlert, ALERT_UNUSUAL};
use iems_shared::sql::{self, Statement};
use iems_shared::time::parse_tz;
use iems_shared::wire::AlertEvent;
use iems_shared::Energy;
use sqlx::Row;
use std::collections::HashMap;

/// The most devices waiting for a check ([`crate::watch::Watch`]); beyond it
/// new marks wait for the device's next readings.
pub(crate) const MAX_PENDING: usize = 100_000;
/// Devices checked per flush at most, so that a burst of new devices does
/// not hold up the readings.
pub(crate) const CHECKS_PER_FLUSH: usize = 25;

/// What a check found worth telling.
#[derive(Debug)]
pub(crate) struct Checked {
    /// The alert stored, if any.
    pub alert: Option<AlertEvent>,
}

struct State {
    tz: chrono_tz::Tz,
    tz_name: String,
    settings: UnusualSettings,
    max_hourly_uwh: i64,
    owner_id: Option<String>,
    /// The stored baseline: zone, learned at, slots, checked to, alerted to.
    stored: Option<StoredBaseline>,
}

struct StoredBaseline {
    tz_name: String,
    learned_at: i64,
    weeks_of_history: u32,
    ready: bool,
    slots: Option<Vec<iems_shared::insight::SlotStats>>,
    checked_to: i64,
    alerted_to: i64,
}

async fn state(pool: &Pool, device: &str) -> Result<Option<State>, sqlx::Error> {
    let Some(row) = statement(&Statement::new(
        sql::insight::DEVICE_STATE,
        vec![device.into()],
    ))
    .fetch_optional(pool)
    .await?
    else {
        return Ok(None);
    };
    let tz_name: Option<String> = row.try_get(0)?;
    let tz_name = tz_name.unwrap_or_else(|| "UTC".to_string());
    let tz = parse_tz(&tz_name).unwrap_or(chrono_tz::UTC);
    let sensitivity: Option<f64> = row.try_get(1)?;
    let sustain: Option<i64> = row.try_get(2)?;
    let default = UnusualSettings::default();
    // Stored settings were checked when written; anything else falls back.
    let settings = UnusualSettings::new(
        sensitivity.unwrap_or(default.sensitivity),
        sustain
            .and_then(|h| u32::try_from(h).ok())
            .unwrap_or(default.sustain_hours),
    )
    .unwrap_or(default);
    let stored = match row.try_get::<Option<String>, _>(5)? {
        None => None,
        Some(name) => Some(StoredBaseline {
            tz_name: name,
            learned_at: row.try_get(6)?,
            weeks_of_history: u32::try_from(row.try_get::<i64, _>(7)?).unwrap_or(0),
            ready: row.try_get::<i64, _>(8)? != 0,
            slots: decode_slots(&row.try_get::<String, _>(9)?),
            checked_to: row.try_get(10)?,
            alerted_to: row.try_get(11)?,
        }),
    };
    Ok(Some(State {
        tz,
        tz_name,
        settings,
        max_hourly_uwh: row.try_get(3)?,
        owner_id: row.try_get(4)?,
        stored,
    }))
}

/// Learns `device`'s baseline at data hour `to` from its day rows.
async fn learn(
    pool: &Pool,
    device: &str,
    to: i64,
    tz: chrono_tz::Tz,
    params: BaselineParams,
) -> Result<Baseline, sqlx::Error> {
    let first: Option<i64> = statement(&Statement::new(
        sql::insight::FIRST_HOUR,
        vec![device.into()],
    ))
    .fetch_one(pool)
    .await?
    .try_get(0)?;
    let (from, to) = iems_shared::insight::history_from_ms(to, params.weeks);
    let days: Vec<(i64, String)> =
        statement_as(&sql::daily::hours_between(device, from - HOUR_MS, to))
            .fetch_all(pool)
            .await?;
    let days: Vec<_> = days
        .iter()
        .filter_map(|(day, text)| Some((*day, sql::daily::parse_hours(text)?)))
        .collect();
    let rows = hours_of_days(&days, from - HOUR_MS, to);
    Ok(learn_baseline(&rows, first, to, tz, params))
}

/// Checks `device` whose latest stored reading is at `latest_ms`: at most
/// four reads (its state, and when it reached a new hour its first hour, day
/// rows and new hours) and one write.
pub(crate) async fn check(
    pool: &Pool,
    backend: Backend,
    device: &str,
    latest_ms: i64,
    now_ms: i64,
) -> Result<Checked, sqlx::Error> {
    let Some(state) = state(pool, device).await? else {
        return Ok(Checked { alert: None });
    };
    // The hour of the latest reading is not whole yet, nor is the current
    // hour (a reading a little ahead of the clock is accepted).
    let to = latest_ms.min(now_ms).div_euclid(HOUR_MS) * HOUR_MS;
    let (mut checked_to, mut alerted_to) = state
        .stored
        .as_ref()
        .map_or((to - LOOK_BACK_MS, 0), |s| (s.checked_to, s.alerted_to));
    let kept = state.stored.as_ref().and_then(|s| {
        let usable = s.tz_name == state.tz_name && s.learned_at >= to;
        let slots = s.slots.clone().filter(|slots| slots.len() == SLOTS)?;
        usable.then_some(Baseline {
            tz: state.tz,
            weeks_of_history: s.weeks_of_history,
            ready: s.ready,
            slots,
        })
    });
    let relearned = kept.is_none();
    let baseline = match kept {
        Some(b) => b,
        None => learn(pool, device, to, state.tz, BaselineParams::default()).await?,
    };
    let mut alert = None;
    if let (true, Some((from, to))) = (baseline.ready, check_window(checked_to, to)) {
        let rows: Vec<(i64, i64)> = statement_as(&Statement::new(
            sql::insight::HOURS_FROM,
            vec![device.into(), from.into(), to.into()],
        ))
        .fetch_all(pool)
        .await?;
        let rows: Vec<(i64, Energy)> = rows
            .into_iter()
            .map(|(h, e)| (h, Energy::from_uwh(e)))
            .collect();
        if let Some(run) = find_unusual(&baseline, &rows, from, to, state.settings) {
            match decide(&run, alerted_to) {
                AlertDecision::Raise => {
                    alert = store_alert(pool, backend, device, &state, &run, now_ms).await?;
                    alerted_to = run.to_ms;
                }
                AlertDecision::Extend => alerted_to = run.to_ms,
                AlertDecision::Nothing => {}
            }
        }
        checked_to = to;
    }
    if relearned {
        let slots = encode_slots(&baseline.slots);
        let saved = sql::insight::SavedBaseline {
            device_id: device,
            time_zone: &state.tz_name,
            learned_at_ms: to,
            weeks_of_history: baseline.weeks_of_history,
            ready: baseline.ready,
            slots: &slots,
            checked_to_ms: checked_to,
            alerted_to_ms: alerted_to,
            now_ms,
        };
        statement(&sql::insight::save_baseline(backend.dialect(), &saved))
            .execute(pool)
            .await?;
    } else if baseline.ready {
        statement(&sql::insight::save_progress(
            device, checked_to, alerted_to, now_ms,
        ))
        .execute(pool)
        .await?;
    }
    Ok(Checked { alert })
}

/// Stores the run's alert unless it exists; the event to publish when stored.
async fn store_alert(
    pool: &Pool,
    backend: Backend,
    device: &str,
    state: &State,
    run: &UnusualRun,
    now_ms: i64,
) -> Result<Option<AlertEvent>, sqlx::Error> {
    let id = uuid::Uuid::new_v4().to_string();
    let direction = match run.direction {
        Direction::High => "high",
        Direction::Low => "low",
    };
    let new = sql::alerts::NewAlert {
        id: &id,
        device_id: device,
        kind: ALERT_UNUSUAL,
        hour_start_ms: run.from_ms,
        hours: run.hours,
        energy_uwh: run.observed.uwh(),
        expected_uwh: Some(run.expected.uwh()),
        direction: Some(direction),
        max_hourly_uwh: state.max_hourly_uwh,
        created_at_ms: now_ms,
    };
    let done = statement(&sql::alerts::insert_once(backend.dialect(), &new))
        .execute(pool)
        .await?;
    Ok((done.rows_affected() == 1).then(|| AlertEvent {
        alert: StoredAlert::from(&new).into(),
        owner_id: state.owner_id.clone(),
    }))
}

/// Devices marked, deduplicated (for a batch's readings).
pub(crate) fn latest_by_device<'a>(
    readings: impl Iterator<Item = (&'a str, i64)>,
) -> HashMap<&'a str, i64> {
    let mut latest: HashMap<&str, i64> = HashMap::new();
    for (device, at) in readings {
        let t = latest.entry(device).or_insert(at);
        *t = (*t).max(at);
    }
    latest
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::watch::Watch;
    use std::time::{Duration, Instant};

    #[test]
    fn each_device_is_checked_at_most_once_per_interval_and_a_few_per_flush() {
        let mut watch = Watch::new(Duration::from_secs(60), MAX_PENDING);
        let t0 = Instant::now();
        for i in 0..30 {
            watch.mark(&format!("d{i}"), 10);
        }
        watch.mark("d0", 50);
        watch.mark("d0", 20);
        let first = watch.due(t0, CHECKS_PER_FLUSH);
        assert_eq!(first.len(), CHECKS_PER_FLUSH);
        let rest = watch.due(t0, CHECKS_PER_FLUSH);
        assert_eq!(rest.len(), 5);
        let all: HashMap<String, i64> = first.into_iter().chain(rest).collect();
        assert_eq!(all["d0"], 50);
        watch.mark("d0", 60);
        assert!(watch.due(t0 + Duration::from_secs(59), 10).is_empty());
        assert_eq!(
            watch.due(t0 + Duration::from_secs(60), 10),
            vec![("d0".to_string(), 60)]
        );
        let mut off = Watch::new(Duration::ZERO, MAX_PENDING);
        off.mark("d", 1);
        assert!(off.due(t0, 10).is_empty());
        let latest = latest_by_device([("a", 3), ("b", 1), ("a", 5), ("a", 4)].into_iter());
        assert_eq!(latest["a"], 5);
    }
}
