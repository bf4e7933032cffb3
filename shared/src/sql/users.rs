//! Statements on `users`.

/// One row (`1`) when user `?` exists and is a client.
pub const IS_CLIENT: &str = "SELECT 1 FROM users WHERE id = ? AND role = 'client'";
