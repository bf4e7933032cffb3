//! Who may see what, by the rule in `iems_shared::access` (a device or a
//! conversation the caller may not see is a 404, like one that does not exist).

use fn_common::db::{Db, Param};
use iems_shared::access::{self as rule, ConversationCheck};
use iems_shared::identity::Claims;
use iems_shared::sql;
use iems_shared::ApiError;

/// The fields of a device the queries need.
#[derive(Debug, Clone)]
pub struct VisibleDevice {
    /// Canonical UUID.
    pub id: String,
    /// The hourly limit in µWh.
    pub max_hourly_uwh: i64,
    /// The client it is assigned to (whose tariffs price it).
    pub owner_id: Option<String>,
}

/// The device `id` if the caller may see it, 404 `not_found` otherwise.
pub fn device(db: &Db, claims: &Claims, id: &str) -> Result<VisibleDevice, ApiError> {
    // Columns as in `sql::devices::COLUMNS`.
    let row = db.query_opt(sql::devices::BY_ID, &[Param::from(id)])?;
    let Some(row) = row else {
        return Err(rule::device_not_found());
    };
    let owner_id = row.opt_text(4)?;
    if !rule::may_see_device(claims, owner_id.as_deref()) {
        return Err(rule::device_not_found());
    }
    Ok(VisibleDevice {
        id: row.text(0)?,
        max_hourly_uwh: row.int(3)?,
        owner_id,
    })
}

/// The conversation `client_id` if the caller may read it: a client only its
/// own, an admin any existing client's. 404 `not_found` otherwise.
pub fn conversation(db: &Db, claims: &Claims, client_id: &str) -> Result<(), ApiError> {
    match rule::conversation(claims, client_id)? {
        ConversationCheck::Granted => Ok(()),
        ConversationCheck::IfClient => {
            let row = db.query_opt(sql::users::IS_CLIENT, &[Param::from(client_id)])?;
            rule::conversation_of(row.is_some())
        }
    }
}
