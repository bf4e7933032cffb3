//! Who is asking: the bearer access token verified with the `jwt_public_key`
//! Spin variable (EdDSA only, issuer and expiry checked by `iems-shared`).

use iems_shared::identity::{bearer_token, Claims, TokenVerifier};
use iems_shared::ApiError;

use crate::http::Req;

/// The claims of the request's valid bearer token, or 401 `unauthorized`.
pub fn authenticate(req: &Req) -> Result<Claims, ApiError> {
    let token = req
        .header("authorization")
        .and_then(bearer_token)
        .ok_or_else(|| ApiError::unauthorized("sign in first: missing bearer token"))?;
    let pem = crate::variable("jwt_public_key")?;
    let verifier = TokenVerifier::from_pem(&pem).map_err(|e| {
        eprintln!("jwt_public_key is not usable: {e}");
        ApiError::internal()
    })?;
    verifier
        .verify(token)
        .map_err(|_| ApiError::unauthorized("the access token is invalid or expired"))
}

/// 403 `forbidden` unless the caller is an admin.
pub fn require_admin(claims: &Claims) -> Result<(), ApiError> {
    if claims.is_admin() {
        Ok(())
    } else {
        Err(ApiError::forbidden())
    }
}
