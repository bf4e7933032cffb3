//! The devices component: `/api/devices` list (admins all, clients only their
//! own), admin create/update/delete, assignment to a client, each device's
//! meter events (resets and gaps the reading policy booked), and the device
//! credentials real meters report with (docs/ingest.md).

mod store;

use fn_common::auth::{authenticate, require_admin};
use fn_common::db::{Db, Param};
use fn_common::json::Object;
use fn_common::{http, Req};
use iems_shared::access;
use iems_shared::domain::{
    parse_address, parse_id, parse_max_hourly_kwh, parse_max_power_kw, parse_name, parse_search,
    PageRequest,
};
use iems_shared::identity::Claims;
use iems_shared::ingest::{DeviceTopics, IssuedCredential};
use iems_shared::insight::unusual::{DEFAULT_SENSITIVITY, DEFAULT_SUSTAIN_HOURS};
use iems_shared::insight::UnusualSettings;
use iems_shared::model::IssuedCredentialView;
use iems_shared::wire::meter_formats::MeterFormat;
use iems_shared::ApiError;
use spin_sdk::http::{IncomingRequest, Response};
use spin_sdk::http_component;

use store::{Column, Filter, NewDevice};

#[http_component]
async fn handle(req: IncomingRequest) -> Response {
    match Req::read(req).await {
        Ok(req) => route(&req),
        Err(e) => http::error(&e),
    }
}

fn route(req: &Req) -> Response {
    let method = req.method.as_str();
    let result = match req.segments().as_slice() {
        ["api", "devices"] => match method {
            "GET" => list(req),
            "POST" => create(req),
            _ => return http::method_not_allowed(&["GET", "POST"]),
        },
        ["api", "devices", id] => match method {
            "GET" => get(req, id),
            "PATCH" => update(req, id),
            "DELETE" => delete(req, id),
            _ => return http::method_not_allowed(&["GET", "PATCH", "DELETE"]),
        },
        ["api", "devices", id, "owner"] => match method {
            "PUT" => assign(req, id),
            _ => return http::method_not_allowed(&["PUT"]),
        },
        ["api", "devices", id, "credential"] => match method {
            "POST" => issue_credential(req, id),
            "DELETE" => revoke_credential(req, id),
            _ => return http::method_not_allowed(&["POST", "DELETE"]),
        },
        ["api", "devices", id, "events"] => match method {
            "GET" => events(req, id),
            _ => return http::method_not_allowed(&["GET"]),
        },
        _ => Err(http::no_route()),
    };
    http::respond(result)
}

fn admin(req: &Req) -> Result<Claims, ApiError> {
    let claims = authenticate(req)?;
    require_admin(&claims)?;
    Ok(claims)
}

fn parse_bool(field: &str, raw: Option<&str>) -> Result<bool, ApiError> {
    match raw.map(str::trim) {
        None | Some("") | Some("false") | Some("0") => Ok(false),
        Some("true") | Some("1") => Ok(true),
        Some(_) => Err(ApiError::invalid(
            field,
            format!("{field} must be true or false"),
        )),
    }
}

/// A user id from a body or query that must name an existing client (422 otherwise).
fn client_id(db: &Db, field: &str, raw: &str) -> Result<String, ApiError> {
    let not_client = || {
        ApiError::invalid(
            field,
            format!("{field} must be the id of an existing client"),
        )
    };
    let id = parse_id("user", raw).map_err(|_| not_client())?.to_string();
    if store::is_client(db, &id)? {
        Ok(id)
    } else {
        Err(not_client())
    }
}

/// An optional owner in a body: absent or null → `None`.
fn owner_field(db: &Db, body: &Object, field: &str) -> Result<Option<String>, ApiError> {
    match body.opt_str(field)? {
        Some(raw) => client_id(db, field, raw).map(Some),
        None => Ok(None),
    }
}

fn list(req: &Req) -> Result<Response, ApiError> {
    let claims = authenticate(req)?;
    let page = PageRequest::parse(req.query("page"), req.query("per_page"))?;
    let search = parse_search(req.query("q"))?;
    let mut filter = Filter {
        search,
        ..Filter::default()
    };
    if let Some(own) = iems_shared::access::owner_scope(&claims) {
        // A client sees only their own devices, whatever the query says.
        filter.owner_id = Some(own.to_string());
    } else {
        filter.unassigned = parse_bool("unassigned", req.query("unassigned"))?;
        if let Some(owner) = req.query("owner_id").filter(|o| !o.is_empty()) {
            let id = parse_id("user", owner)
                .map_err(|_| ApiError::invalid("owner_id", "owner_id must be a user id"))?;
            filter.owner_id = Some(id.to_string());
        }
    }
    let db = Db::open_default()?;
    Ok(http::json(200, &store::list(&db, &filter, page)?))
}

fn create(req: &Req) -> Result<Response, ApiError> {
    admin(req)?;
    let body = req.json()?;
    let name = parse_name("name", body.str("name")?)?;
    let address = parse_address(body.opt_str("address")?)?;
    let max_hourly = parse_max_hourly_kwh(body.f64("max_hourly_kwh")?)?;
    let max_power_w = body
        .opt_f64("max_power_kw")?
        .map(parse_max_power_kw)
        .transpose()?;
    let db = Db::open_default()?;
    let owner_id = owner_field(&db, &body, "owner_id")?;
    let device = store::insert(
        &db,
        NewDevice {
            name,
            address,
            max_hourly,
            max_power_w,
            owner_id,
        },
    )?;
    Ok(http::json(201, &device))
}

fn get(req: &Req, id: &str) -> Result<Response, ApiError> {
    let claims = authenticate(req)?;
    let id = parse_id("device", id)?.to_string();
    let db = Db::open_default()?;
    let mut device = visible(&db, &claims, &id)?;
    if claims.is_admin() {
        device.credential = store::credential(&db, &id)?;
    }
    Ok(http::json(200, &device))
}

/// The device if this user may see it (`iems_shared::access`), else 404.
fn visible(db: &Db, claims: &Claims, id: &str) -> Result<iems_shared::model::Device, ApiError> {
    store::by_id(db, id)?
        .filter(|d| access::may_see_device(claims, d.owner_id.as_deref()))
        .ok_or_else(access::device_not_found)
}

fn events(req: &Req, id: &str) -> Result<Response, ApiError> {
    let claims = authenticate(req)?;
    let id = parse_id("device", id)?.to_string();
    let page = PageRequest::parse(req.query("page"), req.query("per_page"))?;
    let db = Db::open_default()?;
    visible(&db, &claims, &id)?;
    Ok(http::json(200, &store::events(&db, &id, page)?))
}

fn update(req: &Req, id: &str) -> Result<Response, ApiError> {
    admin(req)?;
    let id = parse_id("device", id)?.to_string();
    let body = req.json()?;
    let mut changes: Vec<(Column, Param)> = Vec::new();
    match body.opt_str("name")? {
        Some(name) => changes.push((Column::Name, parse_name("name", name)?.into())),
        None if body.has("name") => return Err(ApiError::invalid("name", "name must not be null")),
        None => {}
    }
    if let Some(address) = body.patch_str("address")? {
        changes.push((Column::Address, parse_address(address)?.into()));
    }
    if body.has("max_power_kw") {
        let watts = body
            .opt_f64("max_power_kw")?
            .map(parse_max_power_kw)
            .transpose()?;
        changes.push((Column::MaxPower, watts.into()));
    }
    match body.opt_f64("max_hourly_kwh")? {
        Some(kwh) => changes.push((Column::MaxHourly, parse_max_hourly_kwh(kwh)?.uwh().into())),
        None if body.has("max_hourly_kwh") => {
            return Err(ApiError::invalid(
                "max_hourly_kwh",
                "max_hourly_kwh must not be null",
            ))
        }
        None => {}
    }
    if body.has("meter_format") {
        let format = body
            .opt_str("meter_format")?
            .map(parse_meter_format)
            .transpose()?;
        changes.push((Column::MeterFormat, format.into()));
    }
    if body.has("time_zone") {
        let zone = body
            .opt_str("time_zone")?
            .map(parse_time_zone)
            .transpose()?;
        changes.push((Column::TimeZone, zone.into()));
    }
    if body.has("unusual_sensitivity") {
        let value = match body.opt_f64("unusual_sensitivity")? {
            Some(s) => {
                UnusualSettings::new(s, DEFAULT_SUSTAIN_HOURS).map_err(|_| {
                    ApiError::invalid(
                        "unusual_sensitivity",
                        "unusual_sensitivity must be 1.0 to 10.0, or null for the default",
                    )
                })?;
                Param::Real(s)
            }
            None => Param::Null,
        };
        changes.push((Column::UnusualSensitivity, value));
    }
    if body.has("unusual_sustain_hours") {
        let value = match body.get("unusual_sustain_hours") {
            Some(serde_json::Value::Null) | None => Param::Null,
            Some(v) => {
                let hours = v
                    .as_u64()
                    .and_then(|h| u32::try_from(h).ok())
                    .filter(|&h| UnusualSettings::new(DEFAULT_SENSITIVITY, h).is_ok())
                    .ok_or_else(|| {
                        ApiError::invalid(
                            "unusual_sustain_hours",
                            "unusual_sustain_hours must be a whole number of hours from 1 to 24, or null for the default",
                        )
                    })?;
                Param::Int(i64::from(hours))
            }
        };
        changes.push((Column::UnusualSustainHours, value));
    }
    let db = Db::open_default()?;
    if body.has("owner_id") {
        changes.push((Column::Owner, owner_field(&db, &body, "owner_id")?.into()));
    }
    let device = db.transaction(|db| -> Result<_, ApiError> {
        store::by_id(db, &id)?.ok_or_else(|| ApiError::not_found("device"))?;
        for (column, value) in changes {
            store::set(db, &id, column, value)?;
        }
        store::by_id(db, &id)?.ok_or_else(|| ApiError::not_found("device"))
    })?;
    let mut device = device;
    device.credential = store::credential(&db, &id)?;
    Ok(http::json(200, &device))
}

/// A meter format by its name (`docs/meters.md`).
fn parse_meter_format(raw: &str) -> Result<String, ApiError> {
    raw.parse::<MeterFormat>()
        .map(|f| f.as_str().to_string())
        .map_err(|_| {
            let names: Vec<&str> = MeterFormat::ALL.iter().map(|f| f.as_str()).collect();
            ApiError::invalid(
                "meter_format",
                format!("meter_format must be one of {} or null", names.join(", ")),
            )
        })
}

/// An IANA time zone name.
fn parse_time_zone(raw: &str) -> Result<String, ApiError> {
    raw.parse::<chrono_tz::Tz>()
        .map(|tz| tz.name().to_string())
        .map_err(|_| {
            ApiError::invalid(
                "time_zone",
                "time_zone must be an IANA time zone such as Europe/Vienna, or null",
            )
        })
}

/// Issues the device a new credential, revoking the one in force (rotation);
/// the secret is in this answer only.
fn issue_credential(req: &Req, id: &str) -> Result<Response, ApiError> {
    admin(req)?;
    let id = parse_id("device", id)?.to_string();
    let topics = DeviceTopics::new(&fn_common::variable("broker_namespace")?)
        .map_err(|_| ApiError::internal())?;
    let issued = IssuedCredential::generate();
    let now = fn_common::now_ms();
    let db = Db::open_default()?;
    db.transaction(|db| -> Result<_, ApiError> {
        store::by_id(db, &id)?.ok_or_else(|| ApiError::not_found("device"))?;
        store::issue(db, &id, &issued, now)
    })?;
    Ok(http::json(
        201,
        &IssuedCredentialView {
            token: issued.token(),
            topic_prefix: topics.prefix(&issued.key_id),
            created_at: iems_shared::time::rfc3339_ms(now),
            key_id: issued.key_id,
            secret: issued.secret,
        },
    ))
}

/// Revokes the device's credential: the broker refuses it within seconds.
fn revoke_credential(req: &Req, id: &str) -> Result<Response, ApiError> {
    admin(req)?;
    let id = parse_id("device", id)?.to_string();
    let db = Db::open_default()?;
    let now = fn_common::now_ms();
    if !db.transaction(|db| store::revoke(db, &id, now))? {
        return Err(ApiError::not_found("credential"));
    }
    Ok(http::empty(204))
}

fn delete(req: &Req, id: &str) -> Result<Response, ApiError> {
    admin(req)?;
    let id = parse_id("device", id)?.to_string();
    let db = Db::open_default()?;
    if !db.transaction(|db| store::delete(db, &id))? {
        return Err(ApiError::not_found("device"));
    }
    Ok(http::empty(204))
}

fn assign(req: &Req, id: &str) -> Result<Response, ApiError> {
    admin(req)?;
    let id = parse_id("device", id)?.to_string();
    let body = req.json()?;
    if !body.has("user_id") {
        return Err(ApiError::invalid(
            "user_id",
            "user_id is required (null unassigns)",
        ));
    }
    let db = Db::open_default()?;
    let owner = owner_field(&db, &body, "user_id")?;
    if !store::set(&db, &id, Column::Owner, owner.into())? {
        return Err(ApiError::not_found("device"));
    }
    let device = store::by_id(&db, &id)?.ok_or_else(|| ApiError::not_found("device"))?;
    Ok(http::json(200, &device))
}
