//! Pricing from the database: runs `iems_shared::sql::cost`'s statements and
//! hands their rows to `iems_shared::cost::load` (the same assembly the
//! broker-adapter does over sqlx).

use crate::db::{Db, Param, Row};
use iems_shared::cost::load::{self, AssignmentRow, DeviceMonth, PriceRow, TariffRow};
use iems_shared::cost::projection::history_window;
use iems_shared::cost::{Currency, Pricer, Projection};
use iems_shared::sql::cost as sql;
use iems_shared::sql::Statement;
use iems_shared::{ApiError, Energy};

/// Runs a shared statement that returns rows.
pub fn query(db: &Db, s: Statement) -> Result<Vec<Row>, ApiError> {
    let params: Vec<Param> = s.params.into_iter().map(Param::from).collect();
    Ok(db.query(&s.sql, &params)?)
}

/// The one integer of a `COUNT(*)` statement.
pub fn count(db: &Db, s: Statement) -> Result<u64, ApiError> {
    let rows = query(db, s)?;
    let n = rows.first().map(|r| r.int(0)).transpose()?.unwrap_or(0);
    Ok(n.max(0) as u64)
}

/// The pricer of device `device_id` (owned by `owner_id`) with the dynamic
/// prices of `[from_ms, to_ms)`.
pub fn device_pricer(
    db: &Db,
    device_id: &str,
    owner_id: Option<&str>,
    from_ms: i64,
    to_ms: i64,
) -> Result<Pricer, ApiError> {
    let assignments = db
        .query(sql::DEVICE_TIMELINE, &[device_id.into(), owner_id.into()])?
        .iter()
        .map(|r| {
            Ok(AssignmentRow {
                for_device: r.int(0)? != 0,
                valid_from_ms: r.int(1)?,
                tariff_id: r.opt_text(2)?,
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    let ids = load::tariff_ids(&assignments);
    if ids.is_empty() {
        return load::pricer(&assignments, &[], &[]);
    }
    let params: Vec<Param> = ids.iter().map(|i| Param::from(i.as_str())).collect();
    let tariffs = db
        .query(&sql::tariffs_by_ids(ids.len()), &params)?
        .iter()
        .map(|r| {
            Ok(TariffRow {
                id: r.text(0)?,
                spec: r.text(1)?,
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    let dynamic = load::dynamic_ids(&tariffs)?;
    let mut price_rows: Vec<(String, i64, i64)> = Vec::new();
    if !dynamic.is_empty() {
        let mut params: Vec<Param> = dynamic.iter().map(|i| Param::from(i.as_str())).collect();
        params.push(from_ms.into());
        params.push(to_ms.into());
        for r in db.query(&sql::prices_of_tariffs(dynamic.len()), &params)? {
            price_rows.push((r.text(0)?, r.int(1)?, r.int(2)?));
        }
    }
    let prices: Vec<PriceRow<'_>> = price_rows
        .iter()
        .map(|(t, s, p)| PriceRow {
            tariff_id: t,
            slot_start_ms: *s,
            price_micro: *p,
        })
        .collect();
    load::pricer(&assignments, &tariffs, &prices)
}

/// `(hour_start_ms, energy)` of a device's hours starting in `[from_ms, to_ms)`.
pub fn device_hours(
    db: &Db,
    device_id: &str,
    from_ms: i64,
    to_ms: i64,
) -> Result<Vec<(i64, Energy)>, ApiError> {
    db.query(
        sql::DEVICE_HOURS,
        &[device_id.into(), from_ms.into(), to_ms.into()],
    )?
    .iter()
    .map(|r| Ok((r.int(0)?, Energy::from_uwh(r.int(1)?))))
    .collect()
}

/// `(id, name)` of a client's devices (at most `MAX_CLIENT_DEVICES`).
pub fn client_devices(db: &Db, client_id: &str) -> Result<Vec<(String, String)>, ApiError> {
    db.query(
        sql::CLIENT_DEVICES,
        &[client_id.into(), sql::MAX_CLIENT_DEVICES.into()],
    )?
    .iter()
    .map(|r| Ok((r.text(0)?, r.text(1)?)))
    .collect()
}

/// A client's month `[month_start_ms, month_end_ms)` projected at `now_ms`
/// over all their devices, with the currency of their costs.
pub fn client_projection(
    db: &Db,
    client_id: &str,
    now_ms: i64,
    month_start_ms: i64,
    month_end_ms: i64,
) -> Result<(Projection, Option<Currency>), ApiError> {
    let (history_from, history_to) = history_window(now_ms, month_start_ms);
    let mut devices = Vec::new();
    let mut currency = None;
    for (id, _) in client_devices(db, client_id)? {
        let pricer = device_pricer(db, &id, Some(client_id), history_from, month_end_ms)?;
        currency = currency.or(pricer.currency());
        let history = device_hours(db, &id, history_from, history_to)?;
        let first_row_ms = db
            .query_opt(sql::DEVICE_FIRST_HOUR, &[id.as_str().into()])?
            .map(|r| r.opt_int(0))
            .transpose()?
            .flatten();
        devices.push(DeviceMonth {
            pricer,
            history,
            first_row_ms,
        });
    }
    Ok((
        load::client_projection(&devices, now_ms, month_start_ms, month_end_ms),
        currency,
    ))
}
