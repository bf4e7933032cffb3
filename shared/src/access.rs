//! Who may see what: an admin sees every device and every client's
//! conversation; a client sees only the devices assigned to it and its own
//! conversation. Whatever a caller may not see is answered exactly like what
//! does not exist (404 `not_found`), on HTTP and on the WebSocket alike, so
//! ids of other clients' devices and conversations reveal nothing.

use crate::identity::Claims;
use crate::ApiError;

/// The owner a caller's device queries are limited to: `None` for an admin
/// (every device), the caller's own id for a client.
pub fn owner_scope(claims: &Claims) -> Option<&str> {
    (!claims.is_admin()).then_some(claims.sub.as_str())
}

/// May the caller see a device assigned to `owner_id` (`None`: unassigned)?
pub fn may_see_device(claims: &Claims, owner_id: Option<&str>) -> bool {
    owner_scope(claims).is_none_or(|own| owner_id == Some(own))
}

/// The answer for a device that does not exist or that the caller may not see.
pub fn device_not_found() -> ApiError {
    ApiError::not_found("device")
}

/// What remains to check before the caller may act on client `client_id`'s
/// data (its conversation, budget, tariff history or summary).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConversationCheck {
    /// Nothing: it is the caller's own.
    Granted,
    /// That `client_id` is an existing client (an admin asks;
    /// [`crate::sql::users::IS_CLIENT`]), then [`client_of`].
    IfClient,
}

/// The first half of the client rule: a client may act only on its own data
/// (another client's is a 404 `not_found` naming `what`), an admin on any
/// existing client's.
pub fn client(claims: &Claims, client_id: &str, what: &str) -> Result<ConversationCheck, ApiError> {
    if claims.is_admin() {
        Ok(ConversationCheck::IfClient)
    } else if client_id == claims.sub {
        Ok(ConversationCheck::Granted)
    } else {
        Err(ApiError::not_found(what))
    }
}

/// The second half, for [`ConversationCheck::IfClient`]: granted when the id
/// names an existing client, 404 `not_found` naming `what` otherwise.
pub fn client_of(is_client: bool, what: &str) -> Result<(), ApiError> {
    if is_client {
        Ok(())
    } else {
        Err(ApiError::not_found(what))
    }
}

/// [`client`] for a conversation (a client's conversation id is its user id).
pub fn conversation(claims: &Claims, client_id: &str) -> Result<ConversationCheck, ApiError> {
    client(claims, client_id, "conversation")
}

/// [`client_of`] for a conversation.
pub fn conversation_of(is_client: bool) -> Result<(), ApiError> {
    client_of(is_client, "conversation")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Role;

    fn claims(sub: &str, role: Role) -> Claims {
        Claims {
            sub: sub.into(),
            role,
            name: String::new(),
            iat: 0,
            exp: 0,
            iss: String::new(),
            jti: String::new(),
            sid: None,
        }
    }

    #[test]
    fn clients_see_their_own_devices_admins_all() {
        let (c, a) = (claims("c", Role::Client), claims("a", Role::Admin));
        assert!(may_see_device(&c, Some("c")));
        assert!(!may_see_device(&c, Some("d")));
        assert!(!may_see_device(&c, None));
        assert!(may_see_device(&a, Some("d")) && may_see_device(&a, None));
        assert_eq!(owner_scope(&c), Some("c"));
        assert_eq!(owner_scope(&a), None);
    }

    #[test]
    fn another_clients_conversation_is_not_found() {
        let c = claims("c", Role::Client);
        assert_eq!(conversation(&c, "c").unwrap(), ConversationCheck::Granted);
        let err = conversation(&c, "d").unwrap_err();
        assert_eq!(err.code, crate::ErrorCode::NotFound);
        let a = claims("a", Role::Admin);
        assert_eq!(conversation(&a, "d").unwrap(), ConversationCheck::IfClient);
        assert!(conversation_of(true).is_ok());
        assert_eq!(
            conversation_of(false).unwrap_err().code,
            crate::ErrorCode::NotFound
        );
    }

    #[test]
    fn a_clients_data_is_its_own_and_any_existing_clients_for_admins() {
        let alice = claims("alice", Role::Client);
        let admin = claims("root", Role::Admin);
        assert_eq!(
            client(&alice, "alice", "budget").unwrap(),
            ConversationCheck::Granted
        );
        let err = client(&alice, "bob", "budget").unwrap_err();
        assert_eq!(
            (err.code, err.message.contains("budget")),
            (crate::ErrorCode::NotFound, true)
        );
        assert_eq!(
            client(&admin, "bob", "budget").unwrap(),
            ConversationCheck::IfClient
        );
        assert!(client_of(true, "budget").is_ok());
        assert_eq!(
            client_of(false, "budget").unwrap_err().code,
            crate::ErrorCode::NotFound
        );
    }
}
