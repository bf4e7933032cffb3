//! `/api/tariffs` and `/api/tariffs/{id}`: admins create, change and delete
//! tariffs; a tariff ever assigned changes only its name (so past costs stay)
//! and cannot be deleted. Clients read only the tariffs assigned to them or
//! their devices.

use crate::common::{admin, page, paged, path_id, tariff_json, tariff_row, visible_tariff};
use fn_common::auth::authenticate;
use fn_common::cost::{count, query};
use fn_common::db::Db;
use fn_common::{http, Req};
use iems_shared::access::owner_scope;
use iems_shared::cost::tariff::RuleSpec;
use iems_shared::cost::{Tariff, TariffSpec};
use iems_shared::domain::parse_name;
use iems_shared::sql::cost::{self as sql, NewTariff};
use iems_shared::{ApiError, ErrorCode};
use serde_json::{Map, Value};
use spin_sdk::http::Response;

/// The spec fields of a body (everything but `name`), validated.
fn spec_from(fields: Map<String, Value>) -> Result<(TariffSpec, Tariff), ApiError> {
    let spec: TariffSpec = serde_json::from_value(Value::Object(fields)).map_err(|e| {
        let field = if e.to_string().contains("kind") {
            "kind"
        } else {
            "tariff"
        };
        ApiError::invalid(field, format!("the tariff is not valid: {e}"))
    })?;
    let tariff = spec.validate()?;
    Ok((spec, tariff))
}

fn kind(spec: &TariffSpec) -> &'static str {
    match spec.rule {
        RuleSpec::Flat { .. } => "flat",
        RuleSpec::TimeOfUse { .. } => "time_of_use",
        RuleSpec::Dynamic { .. } => "dynamic",
    }
}

fn body_object(req: &Req) -> Result<Map<String, Value>, ApiError> {
    req.json()?;
    match serde_json::from_slice(&req.body) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(ApiError::new(
            ErrorCode::InvalidJson,
            "the body must be a JSON object",
        )),
    }
}

fn name_of(map: &Map<String, Value>) -> Result<Option<String>, ApiError> {
    match map.get("name") {
        None => Ok(None),
        Some(Value::String(s)) => parse_name("name", s).map(Some),
        Some(_) => Err(ApiError::invalid("name", "name must be a string")),
    }
}

/// `GET /api/tariffs?page=&per_page=`: all (admin) or the caller's (client), by name.
pub fn list(req: &Req) -> Result<Response, ApiError> {
    let claims = authenticate(req)?;
    let page = page(req)?;
    let client = owner_scope(&claims);
    let db = Db::open_default()?;
    let total = count(&db, sql::tariff_count(client))?;
    let rows = query(
        &db,
        sql::tariff_page(client, i64::from(page.per_page), page.offset() as i64),
    )?;
    let items = rows
        .iter()
        .map(tariff_json)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(http::json(200, &paged(items, total, page)))
}

/// `POST /api/tariffs` (admin): `{name, ...TariffSpec}` → 201 tariff.
pub fn create(req: &Req) -> Result<Response, ApiError> {
    admin(req)?;
    let mut fields = body_object(req)?;
    let name = name_of(&fields)?.ok_or_else(|| ApiError::invalid("name", "name is required"))?;
    fields.remove("name");
    let (spec, tariff) = spec_from(fields)?;
    let spec_json = spec.to_stored_json()?;
    let id = fn_common::new_id();
    let db = Db::open_default()?;
    db.run_statement(sql::insert_tariff(&NewTariff {
        id: &id,
        name: &name,
        currency: tariff.currency.as_str(),
        kind: kind(&spec),
        spec: &spec_json,
        created_at_ms: fn_common::now_ms(),
    }))?;
    let row = tariff_row(&db, &id)?.ok_or_else(ApiError::internal)?;
    Ok(http::json(201, &tariff_json(&row)?))
}

/// `GET /api/tariffs/{id}`: admin, or a client it is assigned to (else 404).
pub fn get(req: &Req, raw: &str) -> Result<Response, ApiError> {
    let claims = authenticate(req)?;
    let db = Db::open_default()?;
    let row = visible_tariff(&db, &claims, raw)?;
    Ok(http::json(200, &tariff_json(&row)?))
}

/// `PATCH /api/tariffs/{id}` (admin): `name`, and while never assigned any
/// field of the tariff (the result is validated whole); 409 once assigned.
pub fn update(req: &Req, raw: &str) -> Result<Response, ApiError> {
    admin(req)?;
    let id = path_id("tariff", raw)?;
    let mut fields = body_object(req)?;
    let name = name_of(&fields)?;
    fields.remove("name");
    for fixed in ["id", "assigned", "created_at", "updated_at"] {
        fields.remove(fixed);
    }
    let db = Db::open_default()?;
    let now = fn_common::now_ms();
    db.transaction(|db| -> Result<(), ApiError> {
        let row = tariff_row(db, &id)?.ok_or_else(|| ApiError::not_found("tariff"))?;
        let assigned = row.int(5)? != 0;
        let name = name.clone().unwrap_or(row.text(1)?);
        if fields.is_empty() {
            return Ok(db.run_statement(sql::rename_tariff(&id, &name, now))?);
        }
        if assigned {
            return Err(ApiError::new(
                ErrorCode::Conflict,
                "this tariff was assigned: only its name may change (create a new tariff and assign it from a date)",
            ));
        }
        let mut merged = match serde_json::from_str::<Value>(&row.text(2)?) {
            Ok(Value::Object(map)) => map,
            _ => return Err(ApiError::internal()),
        };
        merged.extend(fields.clone());
        let (spec, tariff) = spec_from(merged)?;
        let spec_json = spec.to_stored_json()?;
        let new = NewTariff {
            id: &id,
            name: &name,
            currency: tariff.currency.as_str(),
            kind: kind(&spec),
            spec: &spec_json,
            created_at_ms: now,
        };
        Ok(db.run_statement(sql::replace_spec(&id, &new, now))?)
    })?;
    let row = tariff_row(&db, &id)?.ok_or_else(|| ApiError::not_found("tariff"))?;
    Ok(http::json(200, &tariff_json(&row)?))
}

/// `DELETE /api/tariffs/{id}` (admin): 204, or 409 once it was ever assigned.
pub fn delete(req: &Req, raw: &str) -> Result<Response, ApiError> {
    admin(req)?;
    let id = path_id("tariff", raw)?;
    let db = Db::open_default()?;
    db.transaction(|db| -> Result<(), ApiError> {
        tariff_row(db, &id)?.ok_or_else(|| ApiError::not_found("tariff"))?;
        let s = sql::delete_unassigned_tariff(&id);
        let params: Vec<_> = s.params.into_iter().map(Into::into).collect();
        if db.execute(&s.sql, &params)? == 0 {
            return Err(ApiError::new(
                ErrorCode::Conflict,
                "this tariff was assigned and keeps pricing the past: it cannot be deleted",
            ));
        }
        Ok(())
    })?;
    Ok(http::empty(204))
}
