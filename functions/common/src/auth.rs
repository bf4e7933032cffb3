//! Who is asking: the bearer access token verified with the `jwt_public_key`
//! Spin variable (EdDSA only, issuer and expiry checked by `iems-shared`), then
//! checked against the database, so that a deleted, demoted or signed-out
//! user's token stops working at once rather than when it expires.

use iems_shared::identity::{
    bearer_token, check_session, Claims, TokenVerifier, SESSION_STATE_SQL,
};
use iems_shared::ApiError;

use crate::db::Db;
use crate::http::Req;

/// The claims of the request's valid bearer token whose session is still
/// live, or 401 `unauthorized`.
pub fn authenticate(req: &Req) -> Result<Claims, ApiError> {
    let claims = verify_token(req)?;
    let db = Db::open_default()?;
    check_live(&db, &claims)?;
    Ok(claims)
}

/// The claims of the request's validly signed, unexpired bearer token,
/// without asking the database whether its session still lives.
fn verify_token(req: &Req) -> Result<Claims, ApiError> {
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

/// 401 unless the user still exists with the token's role and the token's
/// session was not signed out (one indexed lookup).
pub fn check_live(db: &Db, claims: &Claims) -> Result<(), ApiError> {
    let sid = claims.sid.as_deref().unwrap_or("");
    let row = db.query_opt(SESSION_STATE_SQL, &[sid.into(), claims.sub.as_str().into()])?;
    let state = match &row {
        Some(r) => Some((r.text(0)?, r.int(1)? != 0)),
        None => None,
    };
    check_session(
        claims,
        state.as_ref().map(|(role, live)| (role.as_str(), *live)),
    )
    .map_err(|ended| ApiError::unauthorized(ended.message()))
}

/// 403 `forbidden` unless the caller is an admin.
pub fn require_admin(claims: &Claims) -> Result<(), ApiError> {
    if claims.is_admin() {
        Ok(())
    } else {
        Err(ApiError::forbidden())
    }
}
