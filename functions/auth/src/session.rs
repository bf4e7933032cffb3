//! Register, login, refresh (rotation with reuse detection), logout, `me` and
//! password change.

use fn_common::auth::authenticate;
use fn_common::db::Db;
use fn_common::json::Object;
use fn_common::{http, Req};
use iems_shared::domain::{parse_address, parse_name, validate_password, Role, Username};
use iems_shared::identity::{
    hash_password, hash_refresh_token, new_refresh_token, verify_password, TokenSigner,
    ACCESS_TOKEN_TTL_SECS, REFRESH_TOKEN_TTL_SECS,
};
use iems_shared::model::User;
use iems_shared::{ApiError, ErrorCode};
use spin_sdk::http::Response;

use crate::ratelimit::Limiter;
use crate::store::{self, NewUser};

/// The refresh cookie's name.
pub const REFRESH_COOKIE: &str = "iems_refresh";

pub(crate) fn hash(password: &str) -> Result<String, ApiError> {
    hash_password(password).map_err(|e| {
        eprintln!("hashing failed: {e}");
        ApiError::internal()
    })
}

fn invalid_credentials() -> ApiError {
    ApiError::new(ErrorCode::InvalidCredentials, "wrong username or password")
}

/// A new account from a register or create-user body (`username`, `password`,
/// `full_name`, optional `address`), validated, its password hashed, stored with `role`.
pub(crate) fn new_account(body: &Object, role: Role) -> Result<User, ApiError> {
    let username = Username::parse(body.str("username")?)?;
    let password = body.str("password")?;
    validate_password("password", password)?;
    let full_name = parse_name("full_name", body.str("full_name")?)?;
    let address = parse_address(body.opt_str("address")?)?;
    let password_hash = hash(password)?;
    let db = Db::open_default()?;
    store::insert_user(
        &db,
        &NewUser {
            username: username.as_str(),
            username_key: username.key(),
            full_name: &full_name,
            address: address.as_deref(),
            role,
            password_hash: &password_hash,
        },
    )
}

/// `POST /api/auth/register`: a new client; 201 `{"user": User}`.
pub fn register(req: &Req) -> Result<Response, ApiError> {
    let user = new_account(&req.json()?, Role::Client)?;
    Ok(http::json(201, &serde_json::json!({ "user": user })))
}

/// `POST /api/auth/login`: checks the rate limit, then the password.
pub fn login(req: &Req) -> Result<Response, ApiError> {
    let body = req.json()?;
    let raw_username = body.str("username")?;
    let password = body.str("password")?;
    let key = raw_username.trim().to_ascii_lowercase();
    let limiter = Limiter::new(&key, &req.client_ip_behind_proxies());
    let now = fn_common::now_ms();
    if let Err(limited) = limiter.check(now) {
        let mut resp = http::error(&limited.error());
        resp.set_header("retry-after", limited.retry_after_secs.to_string());
        return Ok(resp);
    }
    let db = Db::open_default()?;
    let found = match Username::parse(raw_username) {
        Ok(u) => store::user_by_username_key(&db, &u.key())?,
        Err(_) => None,
    };
    let ok = match &found {
        Some(stored) => verify_password(password, &stored.password_hash),
        None => {
            // Spend the same work as a real check so timing does not reveal unknown usernames.
            let _ = hash_password(password);
            false
        }
    };
    match found {
        Some(stored) if ok => {
            limiter.record_success();
            start_session(&db, req, &stored.user)
        }
        _ => {
            limiter.record_failure(now);
            Err(invalid_credentials())
        }
    }
}

/// Starts a new refresh family and issues the tokens.
fn start_session(db: &Db, req: &Req, user: &User) -> Result<Response, ApiError> {
    let refresh = new_refresh_token();
    let family = fn_common::new_id();
    store::insert_refresh(
        db,
        &user.id,
        &family,
        &hash_refresh_token(&refresh),
        REFRESH_TOKEN_TTL_SECS * 1000,
    )?;
    issue(req, user, &refresh)
}

/// The token response: a signed access token in the body, the refresh token as a cookie.
fn issue(req: &Req, user: &User, refresh: &str) -> Result<Response, ApiError> {
    let pem = fn_common::variable("jwt_private_key")?;
    let signer = TokenSigner::from_pem(&pem).map_err(|e| {
        eprintln!("jwt_private_key is not usable: {e}");
        ApiError::internal()
    })?;
    let (token, _) = signer
        .issue(
            &user.id,
            user.role,
            &user.full_name,
            fn_common::now_ms() / 1000,
        )
        .map_err(|e| {
            eprintln!("signing failed: {e}");
            ApiError::internal()
        })?;
    let mut resp = http::json(
        200,
        &serde_json::json!({
            "access_token": token, "token_type": "Bearer", "expires_in": ACCESS_TOKEN_TTL_SECS, "user": user,
        }),
    );
    resp.set_header("set-cookie", cookie(req, refresh, REFRESH_TOKEN_TTL_SECS)?);
    Ok(resp)
}

/// `Set-Cookie` for the refresh token (an empty value with max-age 0 clears it).
fn cookie(req: &Req, value: &str, max_age: i64) -> Result<String, ApiError> {
    let setting = fn_common::variable("cookie_secure").unwrap_or_else(|_| "auto".into());
    let local = matches!(
        req.host().as_str(),
        "localhost" | "127.0.0.1" | "[::1]" | "::1"
    );
    let secure = match setting.trim() {
        "true" => true,
        "false" => false,
        _ => !local,
    };
    let mut c = format!(
        "{REFRESH_COOKIE}={value}; HttpOnly; SameSite=Strict; Path=/api/auth; Max-Age={max_age}"
    );
    if secure {
        c.push_str("; Secure");
    }
    Ok(c)
}

fn clear_cookie(req: &Req, mut resp: Response) -> Response {
    if let Ok(c) = cookie(req, "", 0) {
        resp.set_header("set-cookie", c);
    }
    resp
}

enum Refreshed {
    Rotated { user: User, token: String },
    Rejected,
}

/// `POST /api/auth/refresh`: rotates the cookie's token; reusing a rotated one revokes its family.
pub fn refresh(req: &Req) -> Result<Response, ApiError> {
    let rejected = || ApiError::unauthorized("the refresh token is invalid, expired or revoked");
    let token = req
        .cookie(REFRESH_COOKIE)
        .filter(|t| !t.is_empty())
        .ok_or_else(rejected)?;
    let db = Db::open_default()?;
    let outcome = db.transaction(|db| -> Result<Refreshed, ApiError> {
        let Some(row) = store::refresh_by_hash(db, &hash_refresh_token(token))? else {
            return Ok(Refreshed::Rejected);
        };
        if row.rotated_at.is_some() || row.revoked_at.is_some() {
            // Reuse of a rotated token: someone else may hold the family; end all of it.
            store::revoke_family(db, &row.family_id)?;
            return Ok(Refreshed::Rejected);
        }
        if row.expires_at <= fn_common::now_ms() || !store::mark_rotated(db, &row.id)? {
            return Ok(Refreshed::Rejected);
        }
        let Some(stored) = store::user_by_id(db, &row.user_id)? else {
            return Ok(Refreshed::Rejected);
        };
        let token = new_refresh_token();
        let ttl = REFRESH_TOKEN_TTL_SECS * 1000;
        store::insert_refresh(
            db,
            &stored.user.id,
            &row.family_id,
            &hash_refresh_token(&token),
            ttl,
        )?;
        Ok(Refreshed::Rotated {
            user: stored.user,
            token,
        })
    })?;
    match outcome {
        Refreshed::Rotated { user, token } => issue(req, &user, &token),
        Refreshed::Rejected => Ok(clear_cookie(req, http::error(&rejected()))),
    }
}

/// `POST /api/auth/logout`: revokes the cookie's family (if any) and clears the cookie; always 204.
pub fn logout(req: &Req) -> Result<Response, ApiError> {
    if let Some(token) = req.cookie(REFRESH_COOKIE).filter(|t| !t.is_empty()) {
        let db = Db::open_default()?;
        if let Some(row) = store::refresh_by_hash(&db, &hash_refresh_token(token))? {
            store::revoke_family(&db, &row.family_id)?;
        }
    }
    Ok(clear_cookie(req, http::empty(204)))
}

/// `GET /api/auth/me`: the signed-in user.
pub fn me(req: &Req) -> Result<Response, ApiError> {
    let claims = authenticate(req)?;
    let db = Db::open_default()?;
    let stored = store::user_by_id(&db, &claims.sub)?;
    let stored = stored.ok_or_else(|| ApiError::unauthorized("this account no longer exists"))?;
    Ok(http::json(200, &stored.user))
}

/// `POST /api/auth/password`: needs the current password; revokes the user's other sessions.
pub fn change_password(req: &Req) -> Result<Response, ApiError> {
    let claims = authenticate(req)?;
    let body = req.json()?;
    let current = body.str("current_password")?;
    let new = body.str("new_password")?;
    validate_password("new_password", new)?;
    let db = Db::open_default()?;
    let stored = store::user_by_id(&db, &claims.sub)?;
    let stored = stored.ok_or_else(|| ApiError::unauthorized("this account no longer exists"))?;
    if !verify_password(current, &stored.password_hash) {
        return Err(invalid_credentials());
    }
    let new_hash = hash(new)?;
    let keep = match req.cookie(REFRESH_COOKIE) {
        Some(t) => store::refresh_by_hash(&db, &hash_refresh_token(t))?
            .filter(|row| row.user_id == claims.sub)
            .map(|row| row.family_id),
        None => None,
    };
    db.transaction(|db| -> Result<(), ApiError> {
        store::set_user_field(
            db,
            &claims.sub,
            store::UserColumn::PasswordHash,
            new_hash.into(),
        )?;
        store::revoke_user_tokens(db, &claims.sub, keep.as_deref())?;
        Ok(())
    })?;
    Ok(http::empty(204))
}
