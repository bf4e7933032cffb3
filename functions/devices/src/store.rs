//! The devices component's SQL, all through [`Db`].

use fn_common::db::{Db, Param, Row};
use iems_shared::domain::{like_pattern, PageRequest};
use iems_shared::ingest::IssuedCredential;
use iems_shared::model::{CredentialView, Device, MeterEventView, Page};
use iems_shared::sql::{self, devices::COLUMNS};
use iems_shared::time::rfc3339_ms;
use iems_shared::{ApiError, Energy};

fn device_from(row: &Row) -> Result<Device, ApiError> {
    Ok(Device {
        id: row.text(0)?,
        name: row.text(1)?,
        address: row.opt_text(2)?,
        max_hourly_kwh: Energy::from_uwh(row.int(3)?).kwh(),
        max_power_kw: row.opt_int(6)?.map(|w| w as f64 / 1000.0),
        owner_id: row.opt_text(4)?,
        created_at: rfc3339_ms(row.int(5)?),
        meter_format: row.opt_text(7)?,
        time_zone: row.opt_text(8)?,
        last_reported_at: row.opt_int(9)?.map(rfc3339_ms),
        last_reported_via: row.opt_text(10)?,
        unusual_sensitivity: row.opt_real(11)?,
        unusual_sustain_hours: row.opt_int(12)?.and_then(|h| u32::try_from(h).ok()),
        credential: None,
    })
}

/// A device to insert.
pub struct NewDevice {
    /// Display name.
    pub name: String,
    /// Where it is installed.
    pub address: Option<String>,
    /// Hourly limit.
    pub max_hourly: Energy,
    /// Plausible maximum power in watts (`None`: the policy's default).
    pub max_power_w: Option<i64>,
    /// Assigned client.
    pub owner_id: Option<String>,
}

/// Inserts a device and returns it.
pub fn insert(db: &Db, new: NewDevice) -> Result<Device, ApiError> {
    let id = fn_common::new_id();
    let now = fn_common::now_ms();
    db.run_statement(sql::devices::insert(&sql::devices::NewDevice {
        id: &id,
        name: &new.name,
        address: new.address.as_deref(),
        max_hourly_uwh: new.max_hourly.uwh(),
        max_power_w: new.max_power_w,
        owner_id: new.owner_id.as_deref(),
        created_at_ms: now,
    }))?;
    by_id(db, &id)?.ok_or_else(ApiError::internal)
}

/// The device with this id.
pub fn by_id(db: &Db, id: &str) -> Result<Option<Device>, ApiError> {
    db.query_opt(sql::devices::BY_ID, &[id.into()])?
        .as_ref()
        .map(device_from)
        .transpose()
}

/// List filters.
#[derive(Default)]
pub struct Filter {
    /// Only this owner's devices.
    pub owner_id: Option<String>,
    /// Only unassigned devices.
    pub unassigned: bool,
    /// Search in name and address.
    pub search: Option<String>,
}

/// A page of devices matching the filter, by name.
pub fn list(db: &Db, filter: &Filter, page: PageRequest) -> Result<Page<Device>, ApiError> {
    let pattern: Param = filter.search.as_deref().map(like_pattern).into();
    let owner: Param = filter.owner_id.clone().into();
    let clause = "(? IS NULL OR owner_id = ?) AND (? = 0 OR owner_id IS NULL) \
                  AND (? IS NULL OR name LIKE ? ESCAPE '!' OR address LIKE ? ESCAPE '!')";
    let params = vec![
        owner.clone(),
        owner,
        i64::from(filter.unassigned).into(),
        pattern.clone(),
        pattern.clone(),
        pattern,
    ];
    let total = db.query_opt(
        &format!("SELECT COUNT(*) FROM devices WHERE {clause}"),
        &params,
    )?;
    let total = total.map(|r| r.int(0)).transpose()?.unwrap_or(0);
    let mut all = params;
    all.push(i64::from(page.per_page).into());
    all.push((page.offset() as i64).into());
    let sql =
        format!("SELECT {COLUMNS} FROM devices WHERE {clause} ORDER BY name, id LIMIT ? OFFSET ?");
    let items = db
        .query(&sql, &all)?
        .iter()
        .map(device_from)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Page {
        items,
        total: total.max(0) as u64,
        page: page.page,
        per_page: page.per_page,
    })
}

/// The device columns an update may change.
#[derive(Clone, Copy)]
pub enum Column {
    /// `name`.
    Name,
    /// `address`.
    Address,
    /// `max_hourly_uwh`.
    MaxHourly,
    /// `max_power_w`.
    MaxPower,
    /// `owner_id`.
    Owner,
    /// `meter_format`.
    MeterFormat,
    /// `time_zone`.
    TimeZone,
    /// `unusual_sensitivity`.
    UnusualSensitivity,
    /// `unusual_sustain_hours`.
    UnusualSustainHours,
}

/// Sets one column (names come from this crate, never from input); false when no such device.
pub fn set(db: &Db, id: &str, column: Column, value: Param) -> Result<bool, ApiError> {
    let name = match column {
        Column::Name => "name",
        Column::Address => "address",
        Column::MaxHourly => "max_hourly_uwh",
        Column::MaxPower => "max_power_w",
        Column::Owner => "owner_id",
        Column::MeterFormat => "meter_format",
        Column::TimeZone => "time_zone",
        Column::UnusualSensitivity => "unusual_sensitivity",
        Column::UnusualSustainHours => "unusual_sustain_hours",
    };
    let sql = format!("UPDATE devices SET {name} = ?, updated_at = ? WHERE id = ?");
    Ok(db.execute(&sql, &[value, fn_common::now_ms().into(), id.into()])? > 0)
}

/// Deletes a device (its readings, totals and alerts go with it); false when none.
pub fn delete(db: &Db, id: &str) -> Result<bool, ApiError> {
    for table in [
        "alerts",
        "hourly_consumption",
        "daily_consumption",
        "monthly_consumption",
        "device_baselines",
        "meter_events",
        "readings",
        "device_credentials",
    ] {
        db.run(
            &format!("DELETE FROM {table} WHERE device_id = ?"),
            &[id.into()],
        )?;
    }
    Ok(db.execute("DELETE FROM devices WHERE id = ?", &[id.into()])? > 0)
}

/// Whether `user_id` names an existing client.
pub fn is_client(db: &Db, user_id: &str) -> Result<bool, ApiError> {
    Ok(db
        .query_opt(sql::users::IS_CLIENT, &[user_id.into()])?
        .is_some())
}

/// A page of a device's meter events, newest first.
pub fn events(
    db: &Db,
    device_id: &str,
    page: PageRequest,
) -> Result<Page<MeterEventView>, ApiError> {
    let total = db
        .query_opt(
            "SELECT COUNT(*) FROM meter_events WHERE device_id = ?",
            &[device_id.into()],
        )?
        .map(|r| r.int(0))
        .transpose()?
        .unwrap_or(0);
    let rows = db.query(
        "SELECT kind, from_ts, ts, register_before_uwh, register_after_uwh, unspread_uwh, recorded_at \
         FROM meter_events WHERE device_id = ? ORDER BY ts DESC LIMIT ? OFFSET ?",
        &[
            device_id.into(),
            i64::from(page.per_page).into(),
            (page.offset() as i64).into(),
        ],
    )?;
    let kwh = |uwh: i64| Energy::from_uwh(uwh).kwh();
    let items = rows
        .iter()
        .map(|row| {
            Ok(MeterEventView {
                kind: row.text(0)?,
                from: rfc3339_ms(row.int(1)?),
                to: rfc3339_ms(row.int(2)?),
                register_before_kwh: kwh(row.int(3)?),
                register_after_kwh: kwh(row.int(4)?),
                unspread_kwh: kwh(row.int(5)?),
                recorded_at: rfc3339_ms(row.int(6)?),
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    Ok(Page {
        items,
        total: total.max(0) as u64,
        page: page.page,
        per_page: page.per_page,
    })
}

/// The device's credential in force, if any (never its secret).
pub fn credential(db: &Db, device_id: &str) -> Result<Option<CredentialView>, ApiError> {
    db.query_opt(sql::credentials::ACTIVE_FOR_DEVICE, &[device_id.into()])?
        .map(|row| {
            Ok(CredentialView {
                key_id: row.text(0)?,
                created_at: rfc3339_ms(row.int(1)?),
            })
        })
        .transpose()
}

/// Revokes the device's credential in force and stores `issued` in its place
/// (its hash only); run in a transaction.
pub fn issue(
    db: &Db,
    device_id: &str,
    issued: &IssuedCredential,
    now_ms: i64,
) -> Result<(), ApiError> {
    db.run_statement(sql::credentials::revoke_for_device(device_id, now_ms))?;
    db.run_statement(sql::credentials::insert(
        &issued.key_id,
        device_id,
        &issued.secret_sha256,
        now_ms,
    ))?;
    Ok(())
}

/// Revokes the device's credential in force; false when it had none.
pub fn revoke(db: &Db, device_id: &str, now_ms: i64) -> Result<bool, ApiError> {
    let statement = sql::credentials::revoke_for_device(device_id, now_ms);
    let params: Vec<Param> = statement.params.into_iter().map(Param::from).collect();
    Ok(db.execute(&statement.sql, &params)? > 0)
}
