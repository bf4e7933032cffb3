//! What every billing route needs: who is asking, ids from paths and bodies,
//! pages, and the tariff as the API shows it.

use fn_common::auth::{authenticate, require_admin};
use fn_common::db::{Db, Row};
use fn_common::Req;
use iems_shared::access;
use iems_shared::cost::load::stored_tariff;
use iems_shared::domain::{parse_id, PageRequest};
use iems_shared::identity::Claims;
use iems_shared::model::Page;
use iems_shared::time::rfc3339_ms;
use iems_shared::{sql, ApiError};
use serde_json::{json, Value};

/// The claims of a signed-in admin (401/403 otherwise).
pub fn admin(req: &Req) -> Result<Claims, ApiError> {
    let claims = authenticate(req)?;
    require_admin(&claims)?;
    Ok(claims)
}

/// `page`/`per_page` of the query.
pub fn page(req: &Req) -> Result<PageRequest, ApiError> {
    PageRequest::parse(req.query("page"), req.query("per_page"))
}

/// A page of items.
pub fn paged<T>(items: Vec<T>, total: u64, page: PageRequest) -> Page<T> {
    Page {
        items,
        total,
        page: page.page,
        per_page: page.per_page,
    }
}

/// A path id in canonical form, 404 `what` when it is not a UUID.
pub fn path_id(what: &str, raw: &str) -> Result<String, ApiError> {
    parse_id(what, raw)
        .map(|u| u.to_string())
        .map_err(|_| ApiError::not_found(what))
}

/// Whether `id` names an existing client.
pub fn is_client(db: &Db, id: &str) -> Result<bool, ApiError> {
    Ok(db.query_opt(sql::users::IS_CLIENT, &[id.into()])?.is_some())
}

/// The client `raw` (a path segment) if the caller may act for it: a client
/// only for themselves, an admin for any existing client; 404 otherwise.
pub fn client_for(db: &Db, claims: &Claims, raw: &str) -> Result<String, ApiError> {
    let id = path_id("client", raw)?;
    if access::client(claims, &id, "client")? == access::ConversationCheck::IfClient {
        access::client_of(is_client(db, &id)?, "client")?;
    }
    Ok(id)
}

/// A tariff row ([`sql::cost::TARIFF_SELECT`]'s columns) as the API shows it:
/// the stored spec's fields with `id`, `name`, `assigned` and the times.
pub fn tariff_json(row: &Row) -> Result<Value, ApiError> {
    let (spec, _) = stored_tariff(&row.text(2)?)?;
    let mut out = serde_json::to_value(&spec).map_err(|_| ApiError::internal())?;
    let extra = json!({
        "id": row.text(0)?,
        "name": row.text(1)?,
        "created_at": rfc3339_ms(row.int(3)?),
        "updated_at": rfc3339_ms(row.int(4)?),
        "assigned": row.int(5)? != 0,
    });
    if let (Some(map), Value::Object(extra)) = (out.as_object_mut(), extra) {
        map.extend(extra);
    }
    Ok(out)
}

/// Tariff `id` as stored (its row), if any.
pub fn tariff_row(db: &Db, id: &str) -> Result<Option<Row>, ApiError> {
    Ok(db.query_opt(sql::cost::TARIFF_BY_ID, &[id.into()])?)
}

/// Whether a client may read tariff `id` (assigned to them or their devices).
pub fn client_sees_tariff(db: &Db, client: &str, id: &str) -> Result<bool, ApiError> {
    let sql = format!(
        "SELECT 1 FROM tariffs t WHERE t.id = ? AND {}",
        sql::cost::VISIBLE_TO_CLIENT
    );
    Ok(db
        .query_opt(&sql, &[id.into(), client.into(), client.into()])?
        .is_some())
}

/// Tariff `raw` if the caller may read it (404 otherwise), as its row.
pub fn visible_tariff(db: &Db, claims: &Claims, raw: &str) -> Result<Row, ApiError> {
    let id = path_id("tariff", raw)?;
    let row = tariff_row(db, &id)?.ok_or_else(|| ApiError::not_found("tariff"))?;
    if claims.is_admin() || client_sees_tariff(db, &claims.sub, &id)? {
        Ok(row)
    } else {
        Err(ApiError::not_found("tariff"))
    }
}
