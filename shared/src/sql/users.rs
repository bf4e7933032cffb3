//! Statements on `users`.

use super::{Statement, Value};
use crate::domain::Role;

/// One row (`1`) when user `?` exists and is a client.
pub const IS_CLIENT: &str = "SELECT 1 FROM users WHERE id = ? AND role = 'client'";

/// Inserts a user; see [`insert`].
pub const INSERT: &str = "INSERT INTO users (id, username, username_key, full_name, address, \
     role, password_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";

/// A new user's row, already validated (`username_key` is the lower-cased
/// unique key, `password_hash` an Argon2id PHC string).
#[derive(Debug, Clone)]
pub struct NewUser<'a> {
    /// UUID.
    pub id: &'a str,
    /// As typed.
    pub username: &'a str,
    /// Lower-cased, unique.
    pub username_key: &'a str,
    /// Display name.
    pub full_name: &'a str,
    /// Optional address.
    pub address: Option<&'a str>,
    /// Role.
    pub role: Role,
    /// Argon2id PHC string.
    pub password_hash: &'a str,
    /// Creation time, unix ms.
    pub created_at_ms: i64,
}

/// The insert of `user`; a taken username violates the unique key `username_key`.
pub fn insert(user: &NewUser<'_>) -> Statement {
    Statement::new(
        INSERT,
        vec![
            user.id.into(),
            user.username.into(),
            user.username_key.into(),
            user.full_name.into(),
            user.address.into(),
            user.role.as_str().into(),
            user.password_hash.into(),
            Value::Int(user.created_at_ms),
            Value::Int(user.created_at_ms),
        ],
    )
}
