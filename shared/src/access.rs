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

/// What remains to check before the caller may read conversation `client_id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConversationCheck {
    /// Nothing: it is the caller's own conversation.
    Granted,
    /// That `client_id` is an existing client (an admin asks;
    /// [`crate::sql::users::IS_CLIENT`]), then [`conversation_of`].
    IfClient,
}

/// The first half of the conversation rule: a client may read only its own
/// conversation (another one is a 404), an admin any existing client's.
pub fn conversation(claims: &Claims, client_id: &str) -> Result<ConversationCheck, ApiError> {
    if claims.is_admin() {
        Ok(ConversationCheck::IfClient)
    } else if client_id == claims.sub {
        Ok(ConversationCheck::Granted)
    } else {
        Err(conversation_not_found())
    }
}

/// The second half, for [`ConversationCheck::IfClient`]: granted when the id
/// names an existing client, 404 otherwise.
pub fn conversation_of(is_client: bool) -> Result<(), ApiError> {
    if is_client {
        Ok(())
    } else {
        Err(conversation_not_found())
    }
}

fn conversation_not_found() -> ApiError {
    ApiError::not_found("conversation")
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
}
