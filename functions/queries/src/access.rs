//! Who may see what: clients see only the devices assigned to them, admins see
//! every device. A device the caller may not see is reported exactly like one
//! that does not exist (404), so ids of other clients' devices leak nothing.

use fn_common::db::{Db, Param};
use iems_shared::identity::Claims;
use iems_shared::ApiError;

/// The fields of a device the queries need.
#[derive(Debug, Clone)]
pub struct VisibleDevice {
    /// Canonical UUID.
    pub id: String,
    /// The hourly limit in µWh.
    pub max_hourly_uwh: i64,
}

/// The device `id` if the caller may see it, 404 `not_found` otherwise.
pub fn device(db: &Db, claims: &Claims, id: &str) -> Result<VisibleDevice, ApiError> {
    let row = db.query_opt(
        "SELECT id, max_hourly_uwh, owner_id FROM devices WHERE id = ?",
        &[Param::from(id)],
    )?;
    let Some(row) = row else {
        return Err(ApiError::not_found("device"));
    };
    let owner = row.opt_text(2)?;
    if !claims.is_admin() && owner.as_deref() != Some(claims.sub.as_str()) {
        return Err(ApiError::not_found("device"));
    }
    Ok(VisibleDevice {
        id: row.text(0)?,
        max_hourly_uwh: row.int(1)?,
    })
}

/// The conversation `client_id` if the caller may read it: a client only its
/// own, an admin any existing client's. 404 `not_found` otherwise.
pub fn conversation(db: &Db, claims: &Claims, client_id: &str) -> Result<(), ApiError> {
    if !claims.is_admin() {
        return if client_id == claims.sub {
            Ok(())
        } else {
            Err(ApiError::not_found("conversation"))
        };
    }
    let row = db.query_opt(
        "SELECT 1 FROM users WHERE id = ? AND role = 'client'",
        &[Param::from(client_id)],
    )?;
    row.map(|_| ())
        .ok_or_else(|| ApiError::not_found("conversation"))
}
