//! Admin users CRUD under `/api/users`: list with search, create, read, update
//! (never demoting the last admin), delete (never the last admin).

use fn_common::auth::{authenticate, require_admin};
use fn_common::db::{Db, Param};
use fn_common::{http, Req};
use iems_shared::domain::{
    parse_address, parse_id, parse_name, parse_search, validate_password, PageRequest, Role,
};
use iems_shared::{ApiError, ErrorCode};
use spin_sdk::http::Response;

use crate::hashing;
use crate::session::{answer, Refusal};
use crate::store::{self, UserColumn};

fn admin(req: &Req) -> Result<(), ApiError> {
    require_admin(&authenticate(req)?)
}

fn last_admin() -> ApiError {
    ApiError::new(
        ErrorCode::LastAdmin,
        "the last admin cannot be deleted or demoted",
    )
}

fn parse_role(raw: &str) -> Result<Role, ApiError> {
    raw.parse()
}

/// `GET /api/users?page&per_page&q`.
pub fn list(req: &Req) -> Result<Response, ApiError> {
    admin(req)?;
    let page = PageRequest::parse(req.query("page"), req.query("per_page"))?;
    let search = parse_search(req.query("q"))?;
    let db = Db::open_default()?;
    Ok(http::json(
        200,
        &store::list_users(&db, search.as_deref(), page)?,
    ))
}

/// `POST /api/users`: 201 `User`.
pub fn create(req: &Req) -> Result<Response, ApiError> {
    answer((|| -> Result<Response, Refusal> {
        admin(req)?;
        let body = req.json()?;
        let role = match body.opt_str("role")? {
            Some(r) => parse_role(r)?,
            None => Role::Client,
        };
        let account = crate::session::parse_account(&body)?;
        let db = Db::open_default()?;
        let user = crate::session::create_account(&db, &account, role)?;
        Ok(http::json(201, &user))
    })())
}

/// `GET /api/users/{id}`.
pub fn get(req: &Req, id: &str) -> Result<Response, ApiError> {
    admin(req)?;
    let id = parse_id("user", id)?.to_string();
    let db = Db::open_default()?;
    let stored = store::user_by_id(&db, &id)?.ok_or_else(|| ApiError::not_found("user"))?;
    Ok(http::json(200, &stored.user))
}

/// `PATCH /api/users/{id}`: any of `full_name`, `address` (null clears), `role`,
/// `password`. A new role or password ends the user's current access tokens.
pub fn update(req: &Req, id: &str) -> Result<Response, ApiError> {
    answer(update_inner(req, id))
}

fn update_inner(req: &Req, id: &str) -> Result<Response, Refusal> {
    admin(req)?;
    let id = parse_id("user", id)?.to_string();
    let body = req.json()?;
    let mut changes: Vec<(UserColumn, Param)> = Vec::new();
    if let Some(name) = body.opt_str("full_name")? {
        changes.push((UserColumn::FullName, parse_name("full_name", name)?.into()));
    } else if body.has("full_name") {
        return Err(ApiError::invalid("full_name", "full_name must not be null").into());
    }
    if let Some(address) = body.patch_str("address")? {
        changes.push((UserColumn::Address, parse_address(address)?.into()));
    }
    let role = match body.opt_str("role")? {
        Some(r) => Some(parse_role(r)?),
        None if body.has("role") => {
            return Err(ApiError::invalid("role", "role must not be null").into())
        }
        None => None,
    };
    if let Some(role) = role {
        changes.push((UserColumn::Role, role.as_str().into()));
    }
    let password = body.opt_str("password")?;
    let db = Db::open_default()?;
    if let Some(password) = password {
        validate_password("password", password)?;
        let hashed = hashing::hash(&db, password)?;
        changes.push((UserColumn::PasswordHash, hashed.into()));
    }
    let user = db.transaction(|db| -> Result<_, ApiError> {
        let current = store::user_by_id(db, &id)?.ok_or_else(|| ApiError::not_found("user"))?;
        if current.user.role == Role::Admin
            && role == Some(Role::Client)
            && store::admin_count(db)? <= 1
        {
            return Err(last_admin());
        }
        for (column, value) in changes {
            store::set_user_field(db, &id, column, value)?;
        }
        if password.is_some() {
            store::revoke_user_tokens(db, &id, None)?;
        }
        if password.is_some() || role.is_some_and(|r| r != current.user.role) {
            store::record_revocation(db, &id, None)?;
        }
        Ok(store::user_by_id(db, &id)?
            .ok_or_else(|| ApiError::not_found("user"))?
            .user)
    })?;
    Ok(http::json(200, &user))
}

/// `DELETE /api/users/{id}`: unassigns their devices and revokes their sessions; 204.
pub fn delete(req: &Req, id: &str) -> Result<Response, ApiError> {
    admin(req)?;
    let id = parse_id("user", id)?.to_string();
    let db = Db::open_default()?;
    db.transaction(|db| -> Result<(), ApiError> {
        let current = store::user_by_id(db, &id)?.ok_or_else(|| ApiError::not_found("user"))?;
        if current.user.role == Role::Admin && store::admin_count(db)? <= 1 {
            return Err(last_admin());
        }
        store::delete_user(db, &id)?;
        Ok(())
    })?;
    Ok(http::empty(204))
}
