//! `GET /api/consumption/summary?tz=&client_id=`: today's and this month's
//! energy and cost (in `tz`) per device of a client and for all of them.
//! A client asks for themselves; an admin names the client.

use crate::access::VisibleDevice;
use crate::cost::{self, units};
use crate::params;
use fn_common::db::{Db, Param};
use fn_common::{http, Req};
use iems_shared::access as rule;
use iems_shared::cost::load::month_window;
use iems_shared::cost::Money;
use iems_shared::identity::Claims;
use iems_shared::time::{day_window, from_unix_ms};
use iems_shared::{sql, ApiError, Energy};
use serde::Serialize;
use spin_sdk::http::Response;

#[derive(Serialize, Clone, Copy)]
struct Spend {
    kwh: f64,
    cost: Option<f64>,
}

#[derive(Serialize)]
struct DeviceOut {
    device_id: String,
    name: String,
    today: Spend,
    month: Spend,
}

#[derive(Serialize)]
struct SummaryOut {
    client_id: String,
    tz: String,
    currency: Option<String>,
    today: Spend,
    month: Spend,
    devices: Vec<DeviceOut>,
}

/// The client whose summary the caller asks for (404 for one not a client).
pub(crate) fn client(db: &Db, req: &Req, claims: &Claims) -> Result<String, ApiError> {
    // A client may leave client_id out: it can only mean itself.
    let id = match params::opt_uuid(req, "client_id")? {
        Some(id) => id,
        None if !claims.is_admin() => claims.sub.clone(),
        None => return Err(ApiError::invalid("client_id", "client_id is required")),
    };
    if rule::client(claims, &id, "client")? == rule::ConversationCheck::IfClient {
        let is_client = db
            .query_opt(sql::users::IS_CLIENT, &[Param::from(id.as_str())])?
            .is_some();
        rule::client_of(is_client, "client")?;
    }
    Ok(id)
}

/// `GET /api/consumption/summary`.
pub fn summary(db: &Db, req: &Req, claims: &Claims) -> Result<Response, ApiError> {
    let (tz, tz_name) = params::tz(req)?;
    let client_id = client(db, req, claims)?;
    let now = fn_common::now_ms();
    let (_, month_start, month_end) = month_window(now, tz);
    let today = from_unix_ms(now)
        .unwrap_or_default()
        .with_timezone(&tz)
        .date_naive();
    let (day_start, day_end) = day_window(today, tz);
    let (day_start, day_end) = (day_start.timestamp_millis(), day_end.timestamp_millis());
    let mut currency = None;
    let mut sums = [(Energy::ZERO, Money::ZERO); 2];
    let mut devices = Vec::new();
    for (id, name) in fn_common::cost::client_devices(db, &client_id)? {
        let device = VisibleDevice {
            id,
            max_hourly_uwh: 0,
            owner_id: Some(client_id.clone()),
        };
        let rows = fn_common::cost::device_hours(
            db,
            &device.id,
            month_start.min(day_start) - iems_shared::consumption::HOUR_MS,
            month_end.max(day_end),
        )?;
        let pricer = cost::pricer(
            db,
            &device,
            month_start.min(day_start),
            month_end.max(day_end),
        )?;
        currency = currency.or(pricer.currency());
        let mut spend = [Spend {
            kwh: 0.0,
            cost: None,
        }; 2];
        for (i, edges) in [[day_start, day_end], [month_start, month_end]]
            .iter()
            .enumerate()
        {
            let priced = cost::price_buckets(&pricer, &rows, edges);
            let energy = iems_shared::consumption::into_buckets(&rows, edges)[0];
            sums[i].0 += energy;
            sums[i].1 += priced.cost_total.unwrap_or(Money::ZERO);
            spend[i] = Spend {
                kwh: energy.kwh(),
                cost: units(priced.cost_total),
            };
        }
        devices.push(DeviceOut {
            device_id: device.id,
            name,
            today: spend[0],
            month: spend[1],
        });
    }
    let total = |i: usize| Spend {
        kwh: sums[i].0.kwh(),
        cost: currency.map(|_| sums[i].1.units()),
    };
    Ok(http::json(
        200,
        &SummaryOut {
            client_id,
            tz: tz_name,
            currency: currency.map(|c| c.to_string()),
            today: total(0),
            month: total(1),
            devices,
        },
    ))
}
