//! Budget alerts as readings arrive: a client whose devices sent readings is
//! checked again (at most once per `interval`): its month is projected with
//! the shared cost rules (`iems_shared::cost::load`, the same statements and
//! assembly as the API's budget status), and a `projected` or `spent` alert is
//! stored once per client, month and threshold (the unique key is the guard).

use crate::watch::Watch;
use iems_db::{statement, statement_as, Backend, Pool};
use iems_shared::cost::load::{
    client_projection, dynamic_ids, month_window, pricer, tariff_ids, AssignmentRow, DeviceMonth,
    PriceRow, TariffRow,
};
use iems_shared::cost::projection::history_window;
use iems_shared::cost::{budget_status, Budget, Pricer, Projection};
use iems_shared::model::{BudgetAlert, StoredBudgetAlert};
use iems_shared::sql::cost as sql;
use iems_shared::sql::Statement;
use iems_shared::time::parse_tz;
use iems_shared::Energy;
use sqlx::Row;
use std::time::{Duration, Instant};

/// The most clients waiting for a check; beyond it the oldest marks are kept
/// and new ones wait for the client's next readings.
const MAX_PENDING: usize = 10_000;

/// Which clients to check, and when each was last checked.
#[derive(Debug)]
pub(crate) struct BudgetWatch(Watch);

impl BudgetWatch {
    /// Checks each client at most once per `interval` (zero: never checks).
    pub(crate) fn new(interval: Duration) -> Self {
        BudgetWatch(Watch::new(interval, MAX_PENDING))
    }

    /// `client`'s devices sent readings.
    pub(crate) fn mark(&mut self, client: &str) {
        self.0.mark(client, 0);
    }

    /// The clients due for a check now (taken off the pending list).
    pub(crate) fn due(&mut self, now: Instant) -> Vec<String> {
        self.0
            .due(now, usize::MAX)
            .into_iter()
            .map(|(c, _)| c)
            .collect()
    }

    /// A check that failed is tried again an interval later.
    pub(crate) fn retry(&mut self, client: &str) {
        self.mark(client);
    }
}

/// Checks `client`'s budget at `now_ms`; returns the alerts stored by this check.
pub(crate) async fn check(
    pool: &Pool,
    backend: Backend,
    client: &str,
    now_ms: i64,
) -> Result<Vec<BudgetAlert>, sqlx::Error> {
    let Some(row) = statement(&Statement::new(sql::BUDGET_BY_CLIENT, vec![client.into()]))
        .fetch_optional(pool)
        .await?
    else {
        return Ok(Vec::new());
    };
    let (kind, amount, tz): (String, i64, String) =
        (row.try_get(0)?, row.try_get(1)?, row.try_get(2)?);
    let Some(budget) = Budget::from_stored(&kind, amount) else {
        return Ok(Vec::new());
    };
    let tz = parse_tz(&tz).unwrap_or(chrono_tz::UTC);
    let (month, month_start, month_end) = month_window(now_ms, tz);
    let projection = project_client(pool, client, now_ms, month_start, month_end).await?;
    let status = budget_status(budget, &projection.0);
    let mut stored = Vec::new();
    for (kind, over) in [
        ("projected", status.projected_over),
        ("spent", status.spent_over),
    ] {
        if !over {
            continue;
        }
        let (spent, projected) = budget.spent_and_projected(&projection.0);
        let alert = StoredBudgetAlert {
            id: uuid::Uuid::new_v4().to_string(),
            client_id: client.to_string(),
            client_name: None,
            month: month.clone(),
            kind: kind.to_string(),
            budget_kind: budget.kind().to_string(),
            budget_amount: amount,
            spent,
            projected,
            currency: projection.1.clone(),
            created_at_ms: now_ms,
            acknowledged_at_ms: None,
        };
        statement(&sql::insert_budget_alert_once(backend.dialect(), &alert))
            .execute(pool)
            .await?;
        // The month's alert of this kind, with the client's name: ours only
        // if this check stored it.
        let kept: Option<sql::BudgetAlertRow> =
            statement_as(&sql::budget_alert_by_key(client, &month, kind))
                .fetch_optional(pool)
                .await?;
        if let Some(row) = kept {
            let kept = sql::budget_alert(row);
            if kept.id == alert.id {
                stored.push(kept.into());
            }
        }
    }
    Ok(stored)
}

/// The client's month so far and projected, and the currency of its costs.
async fn project_client(
    pool: &Pool,
    client: &str,
    now_ms: i64,
    month_start: i64,
    month_end: i64,
) -> Result<(Projection, Option<String>), sqlx::Error> {
    let devices = statement(&Statement::new(
        sql::CLIENT_DEVICES,
        vec![client.into(), sql::MAX_CLIENT_DEVICES.into()],
    ))
    .fetch_all(pool)
    .await?;
    let (from, through) = history_window(now_ms, month_start);
    let mut months = Vec::new();
    let mut currency = None;
    for d in &devices {
        let device: String = d.try_get(0)?;
        let pricer = device_pricer(pool, &device, client, from, month_end).await?;
        if currency.is_none() {
            currency = pricer.currency().map(|c| c.as_str().to_string());
        }
        let history = statement(&Statement::new(
            sql::DEVICE_HOURS,
            vec![device.as_str().into(), from.into(), through.into()],
        ))
        .fetch_all(pool)
        .await?
        .iter()
        .map(|r| Ok((r.try_get::<i64, _>(0)?, Energy::from_uwh(r.try_get(1)?))))
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
        let first_row_ms: Option<i64> = statement(&Statement::new(
            sql::DEVICE_FIRST_HOUR,
            vec![device.as_str().into()],
        ))
        .fetch_one(pool)
        .await?
        .try_get(0)?;
        months.push(DeviceMonth {
            pricer,
            history,
            first_row_ms,
        });
    }
    Ok((
        client_projection(&months, now_ms, month_start, month_end),
        currency,
    ))
}

/// A device's pricer over `[from, to)`: its and its owner's assignments, their
/// tariffs and the dynamic prices of the span.
async fn device_pricer(
    pool: &Pool,
    device: &str,
    owner: &str,
    from: i64,
    to: i64,
) -> Result<Pricer, sqlx::Error> {
    let assignments = statement(&Statement::new(
        sql::DEVICE_TIMELINE,
        vec![device.into(), owner.into()],
    ))
    .fetch_all(pool)
    .await?
    .iter()
    .map(|r| {
        Ok(AssignmentRow {
            for_device: r.try_get::<i64, _>(0)? != 0,
            valid_from_ms: r.try_get(1)?,
            tariff_id: r.try_get(2)?,
        })
    })
    .collect::<Result<Vec<_>, sqlx::Error>>()?;
    let ids = tariff_ids(&assignments);
    let tariffs = if ids.is_empty() {
        Vec::new()
    } else {
        let query = sql::tariffs_by_ids(ids.len());
        ids.iter()
            .fold(sqlx::query(&query), |q, id| q.bind(id.as_str()))
            .fetch_all(pool)
            .await?
            .iter()
            .map(|r| {
                Ok(TariffRow {
                    id: r.try_get(0)?,
                    spec: r.try_get(1)?,
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()?
    };
    let dynamic = dynamic_ids(&tariffs).map_err(invalid)?;
    let price_rows: Vec<(String, i64, i64)> = if dynamic.is_empty() {
        Vec::new()
    } else {
        let query = sql::prices_of_tariffs(dynamic.len());
        dynamic
            .iter()
            .fold(sqlx::query(&query), |q, id| q.bind(id.as_str()))
            .bind(from)
            .bind(to)
            .fetch_all(pool)
            .await?
            .iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
            .collect::<Result<Vec<_>, sqlx::Error>>()?
    };
    let prices: Vec<PriceRow<'_>> = price_rows
        .iter()
        .map(|(t, s, p)| PriceRow {
            tariff_id: t,
            slot_start_ms: *s,
            price_micro: *p,
        })
        .collect();
    pricer(&assignments, &tariffs, &prices).map_err(invalid)
}

/// A stored tariff that no longer validates (it did when stored).
fn invalid(err: iems_shared::ApiError) -> sqlx::Error {
    sqlx::Error::Protocol(format!("a stored tariff is invalid: {}", err.message))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_is_checked_at_most_once_per_interval() {
        let mut watch = BudgetWatch::new(Duration::from_secs(30));
        let t0 = Instant::now();
        watch.mark("c");
        watch.mark("c");
        assert_eq!(watch.due(t0), ["c"]);
        assert!(watch.due(t0).is_empty(), "nothing pending");
        watch.mark("c");
        assert!(watch.due(t0 + Duration::from_secs(29)).is_empty());
        assert_eq!(watch.due(t0 + Duration::from_secs(30)), ["c"]);
    }

    #[test]
    fn a_failed_check_is_due_again_an_interval_later() {
        let mut watch = BudgetWatch::new(Duration::from_secs(30));
        let t0 = Instant::now();
        watch.mark("c");
        assert_eq!(watch.due(t0), ["c"]);
        watch.retry("c");
        assert!(watch.due(t0 + Duration::from_secs(1)).is_empty());
        assert_eq!(watch.due(t0 + Duration::from_secs(30)), ["c"]);
    }

    #[test]
    fn a_zero_interval_turns_checks_off_and_pending_is_bounded() {
        let mut off = BudgetWatch::new(Duration::ZERO);
        off.mark("c");
        assert!(off.due(Instant::now()).is_empty());
        let mut watch = BudgetWatch::new(Duration::from_secs(1));
        for i in 0..MAX_PENDING + 10 {
            watch.mark(&i.to_string());
        }
        assert_eq!(watch.due(Instant::now()).len(), MAX_PENDING);
    }
}
