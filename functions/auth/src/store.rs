//! The auth component's SQL: users and refresh tokens, all through [`Db`].

use fn_common::db::{Db, DbError, Param, Row};
use iems_shared::domain::{like_pattern, PageRequest, Role};
use iems_shared::model::{Page, User};
use iems_shared::sql;
use iems_shared::time::rfc3339_ms;
use iems_shared::{ApiError, ErrorCode};

const USER_COLUMNS: &str = "id, username, full_name, address, role, created_at, password_hash";

/// A user with the password hash, which never leaves this component.
pub struct StoredUser {
    /// The API shape.
    pub user: User,
    /// Argon2id PHC string.
    pub password_hash: String,
}

fn user_from(row: &Row) -> Result<StoredUser, ApiError> {
    let role: Role = row.text(4)?.parse().map_err(|_| ApiError::internal())?;
    Ok(StoredUser {
        user: User {
            id: row.text(0)?,
            username: row.text(1)?,
            full_name: row.text(2)?,
            address: row.opt_text(3)?,
            role,
            created_at: rfc3339_ms(row.int(5)?),
        },
        password_hash: row.text(6)?,
    })
}

/// A user to insert.
pub struct NewUser<'a> {
    /// As typed.
    pub username: &'a str,
    /// Lower-cased, unique.
    pub username_key: String,
    /// Display name.
    pub full_name: &'a str,
    /// Optional address.
    pub address: Option<&'a str>,
    /// Role.
    pub role: Role,
    /// Argon2id PHC string.
    pub password_hash: &'a str,
}

/// Inserts a user; a taken username is 409 `conflict` (by the unique constraint, no pre-check).
pub fn insert_user(db: &Db, new: &NewUser<'_>) -> Result<User, ApiError> {
    let id = fn_common::new_id();
    let now = fn_common::now_ms();
    let result = db.run_statement(sql::users::insert(&sql::users::NewUser {
        id: &id,
        username: new.username,
        username_key: &new.username_key,
        full_name: new.full_name,
        address: new.address,
        role: new.role,
        password_hash: new.password_hash,
        created_at_ms: now,
    }));
    match result {
        Ok(()) => Ok(User {
            id,
            username: new.username.to_string(),
            full_name: new.full_name.to_string(),
            address: new.address.map(str::to_string),
            role: new.role,
            created_at: rfc3339_ms(now),
        }),
        Err(e) if e.is_unique_violation("username_key") => Err(ApiError {
            code: ErrorCode::Conflict,
            message: "this username is already taken".into(),
            field: Some("username".into()),
        }),
        Err(e) => Err(e.into()),
    }
}

/// The user with this (lower-cased) username.
pub fn user_by_username_key(db: &Db, key: &str) -> Result<Option<StoredUser>, ApiError> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE username_key = ?");
    db.query_opt(&sql, &[key.into()])?
        .as_ref()
        .map(user_from)
        .transpose()
}

/// The user with this id.
pub fn user_by_id(db: &Db, id: &str) -> Result<Option<StoredUser>, ApiError> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = ?");
    db.query_opt(&sql, &[id.into()])?
        .as_ref()
        .map(user_from)
        .transpose()
}

/// A page of users, optionally searched by username or full name.
pub fn list_users(
    db: &Db,
    search: Option<&str>,
    page: PageRequest,
) -> Result<Page<User>, ApiError> {
    let pattern: Param = search.map(like_pattern).into();
    let filter = "(? IS NULL OR username LIKE ? ESCAPE '!' OR full_name LIKE ? ESCAPE '!')";
    let params = [pattern.clone(), pattern.clone(), pattern];
    let total = db.query_opt(
        &format!("SELECT COUNT(*) FROM users WHERE {filter}"),
        &params,
    )?;
    let total = total.map(|r| r.int(0)).transpose()?.unwrap_or(0);
    let sql = format!(
        "SELECT {USER_COLUMNS} FROM users WHERE {filter} ORDER BY username_key LIMIT ? OFFSET ?"
    );
    let mut all = params.to_vec();
    all.push(i64::from(page.per_page).into());
    all.push((page.offset() as i64).into());
    let items = db
        .query(&sql, &all)?
        .iter()
        .map(|r| user_from(r).map(|u| u.user))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Page {
        items,
        total: total.max(0) as u64,
        page: page.page,
        per_page: page.per_page,
    })
}

/// How many admins exist.
pub fn admin_count(db: &Db) -> Result<i64, ApiError> {
    let row = db.query_opt("SELECT COUNT(*) FROM users WHERE role = 'admin'", &[])?;
    Ok(row.map(|r| r.int(0)).transpose()?.unwrap_or(0))
}

/// Sets one column of a user (column names come from this crate, never from input).
pub fn set_user_field(db: &Db, id: &str, column: UserColumn, value: Param) -> Result<(), DbError> {
    let sql = format!(
        "UPDATE users SET {} = ?, updated_at = ? WHERE id = ?",
        column.name()
    );
    db.run(&sql, &[value, fn_common::now_ms().into(), id.into()])
}

/// The user columns an update may change.
#[derive(Clone, Copy)]
pub enum UserColumn {
    /// `full_name`.
    FullName,
    /// `address`.
    Address,
    /// `role`.
    Role,
    /// `password_hash`.
    PasswordHash,
}

impl UserColumn {
    fn name(self) -> &'static str {
        match self {
            UserColumn::FullName => "full_name",
            UserColumn::Address => "address",
            UserColumn::Role => "role",
            UserColumn::PasswordHash => "password_hash",
        }
    }
}

/// Deletes a user after unassigning their devices and dropping their refresh tokens.
pub fn delete_user(db: &Db, id: &str) -> Result<bool, DbError> {
    db.run(
        "UPDATE devices SET owner_id = NULL WHERE owner_id = ?",
        &[id.into()],
    )?;
    db.run("DELETE FROM refresh_tokens WHERE user_id = ?", &[id.into()])?;
    let deleted = db.execute("DELETE FROM users WHERE id = ?", &[id.into()])? > 0;
    if deleted {
        record_revocation(db, id, None)?;
    }
    Ok(deleted)
}

/// A stored refresh token.
pub struct RefreshRow {
    /// Row id.
    pub id: String,
    /// Owner.
    pub user_id: String,
    /// Rotation family.
    pub family_id: String,
    /// Expiry (unix ms).
    pub expires_at: i64,
    /// Set once rotated: presenting it again is reuse.
    pub rotated_at: Option<i64>,
    /// Set when revoked.
    pub revoked_at: Option<i64>,
}

/// Stores a refresh token's hash in a family.
pub fn insert_refresh(
    db: &Db,
    user_id: &str,
    family_id: &str,
    hash: &str,
    ttl_ms: i64,
) -> Result<(), DbError> {
    let now = fn_common::now_ms();
    db.run(
        "INSERT INTO refresh_tokens (id, user_id, family_id, token_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)",
        &[fn_common::new_id().into(), user_id.into(), family_id.into(), hash.into(), now.into(), (now + ttl_ms).into()],
    )
}

/// The refresh token with this hash.
pub fn refresh_by_hash(db: &Db, hash: &str) -> Result<Option<RefreshRow>, DbError> {
    refresh_query(db, hash, "")
}

/// The refresh token with this hash, its row locked until the transaction
/// ends on MySQL (SQLite's transactions already run one at a time), so that
/// two concurrent refreshes of one cookie wait for each other instead of
/// deadlocking.
pub fn refresh_by_hash_for_update(db: &Db, hash: &str) -> Result<Option<RefreshRow>, DbError> {
    refresh_query(db, hash, db.backend().dialect().for_update())
}

fn refresh_query(db: &Db, hash: &str, lock: &str) -> Result<Option<RefreshRow>, DbError> {
    let sql = format!(
        "SELECT id, user_id, family_id, expires_at, rotated_at, revoked_at FROM refresh_tokens WHERE token_hash = ?{lock}"
    );
    let row = db.query_opt(&sql, &[hash.into()])?;
    row.map(|r| {
        Ok(RefreshRow {
            id: r.text(0)?,
            user_id: r.text(1)?,
            family_id: r.text(2)?,
            expires_at: r.int(3)?,
            rotated_at: r.opt_int(4)?,
            revoked_at: r.opt_int(5)?,
        })
    })
    .transpose()
}

/// Marks a token rotated; false when it already was (a concurrent reuse).
pub fn mark_rotated(db: &Db, id: &str) -> Result<bool, DbError> {
    let n = db.execute(
        "UPDATE refresh_tokens SET rotated_at = ? WHERE id = ? AND rotated_at IS NULL AND revoked_at IS NULL",
        &[fn_common::now_ms().into(), id.into()],
    )?;
    Ok(n == 1)
}

/// Revokes every token of a family.
pub fn revoke_family(db: &Db, family_id: &str) -> Result<(), DbError> {
    db.run(
        "UPDATE refresh_tokens SET revoked_at = ? WHERE family_id = ? AND revoked_at IS NULL",
        &[fn_common::now_ms().into(), family_id.into()],
    )
}

/// Revokes every token of a user except those of `keep_family`.
pub fn revoke_user_tokens(
    db: &Db,
    user_id: &str,
    keep_family: Option<&str>,
) -> Result<(), DbError> {
    db.run(
        "UPDATE refresh_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL AND (? IS NULL OR family_id <> ?)",
        &[fn_common::now_ms().into(), user_id.into(), keep_family.into(), keep_family.into()],
    )
}

/// How long revocation events are kept: longer than an access token lives,
/// so a hub that was briefly away still sees them.
const REVOCATION_KEEP_MS: i64 = 60 * 60 * 1000;

/// Records that sessions of a user ended (one family, or all with `None`):
/// the WebSocket hubs follow this log and re-check that user's sockets.
pub fn record_revocation(db: &Db, user_id: &str, family_id: Option<&str>) -> Result<(), DbError> {
    let now = fn_common::now_ms();
    db.run(
        "DELETE FROM session_revocations WHERE created_at < ?",
        &[(now - REVOCATION_KEEP_MS).into()],
    )?;
    db.run(
        "INSERT INTO session_revocations (user_id, family_id, created_at) VALUES (?, ?, ?)",
        &[user_id.into(), family_id.into(), now.into()],
    )
}
