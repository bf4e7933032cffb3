//! Register, login, refresh (rotation with reuse detection), logout, `me` and
//! password change.

use fn_common::auth::authenticate;
use fn_common::db::{Db, DbError};
use fn_common::json::Object;
use fn_common::{http, Req};
use iems_shared::domain::{parse_address, parse_name, validate_password, Role, Username};
use iems_shared::identity::{
    hash_refresh_token, new_refresh_token, TokenSigner, ACCESS_TOKEN_TTL_SECS,
    REFRESH_TOKEN_TTL_SECS,
};
use iems_shared::model::User;
use iems_shared::{ApiError, ErrorCode};
use spin_sdk::http::Response;

use crate::hashing::{self, Busy};
use crate::ratelimit::{
    self, Limited, LOGIN_ADDR, LOGIN_PAIR, LOGIN_USER, PASSWORD_CHANGE, REGISTER_ADDR,
};
use crate::store::{self, NewUser};

/// The refresh cookie's name.
pub const REFRESH_COOKIE: &str = "iems_refresh";

/// How long after a refresh token was rotated it may still be presented once
/// more without counting as reuse: two tabs waking up together both refresh
/// with the same cookie, and both get a new pair (in the same family).
pub const REFRESH_GRACE_MS: i64 = 15_000;

/// Why a request was refused before or instead of its work.
pub(crate) enum Refusal {
    /// An ordinary API error.
    Api(ApiError),
    /// Throttled: 429 with `Retry-After`.
    Limited(Limited),
    /// No hashing slot: 503 with `Retry-After`.
    Busy(Busy),
}

impl From<ApiError> for Refusal {
    fn from(e: ApiError) -> Self {
        Refusal::Api(e)
    }
}
impl From<DbError> for Refusal {
    fn from(e: DbError) -> Self {
        Refusal::Api(e.into())
    }
}
impl From<Busy> for Refusal {
    fn from(b: Busy) -> Self {
        match b {
            Busy::Db(e) => Refusal::Api(e.into()),
            busy => Refusal::Busy(busy),
        }
    }
}

impl Refusal {
    /// The answer, with `Retry-After` when waiting helps.
    pub(crate) fn response(self) -> Response {
        match self {
            Refusal::Api(e) => http::error(&e),
            Refusal::Limited(limited) => {
                let mut resp = http::error(&limited.error());
                resp.set_header("retry-after", limited.retry_after_secs.to_string());
                resp
            }
            Refusal::Busy(busy) => {
                let mut resp = http::error(&busy.error());
                resp.set_header("retry-after", "1");
                resp
            }
        }
    }
}

/// A handler whose refusals carry headers, as an ordinary handler.
pub(crate) fn answer(result: Result<Response, Refusal>) -> Result<Response, ApiError> {
    Ok(result.unwrap_or_else(Refusal::response))
}

fn invalid_credentials() -> ApiError {
    ApiError::new(ErrorCode::InvalidCredentials, "wrong username or password")
}

/// A register or create-user body, validated.
pub(crate) struct Account {
    username: Username,
    password: String,
    full_name: String,
    address: Option<String>,
}

/// Validates a register or create-user body (`username`, `password`,
/// `full_name`, optional `address`).
pub(crate) fn parse_account(body: &Object) -> Result<Account, ApiError> {
    let username = Username::parse(body.str("username")?)?;
    let password = body.str("password")?;
    validate_password("password", password)?;
    let full_name = parse_name("full_name", body.str("full_name")?)?;
    let address = parse_address(body.opt_str("address")?)?;
    Ok(Account {
        username,
        password: password.to_string(),
        full_name,
        address,
    })
}

/// Stores a validated account with `role`, its password hashed in a slot.
pub(crate) fn create_account(db: &Db, account: &Account, role: Role) -> Result<User, Refusal> {
    let password_hash = hashing::hash(db, &account.password)?;
    Ok(store::insert_user(
        db,
        &NewUser {
            username: account.username.as_str(),
            username_key: account.username.key(),
            full_name: &account.full_name,
            address: account.address.as_deref(),
            role,
            password_hash: &password_hash,
        },
    )?)
}

/// `POST /api/auth/register`: a new client; 201 `{"user": User}`. At most
/// [`REGISTER_ADDR`] registrations per address and hour.
pub fn register(req: &Req) -> Result<Response, ApiError> {
    answer((|| {
        let account = parse_account(&req.json()?)?;
        let db = Db::open_default()?;
        let ip = req.client_ip_behind_proxies();
        let checks = [(REGISTER_ADDR, ratelimit::key(REGISTER_ADDR, &[&ip]))];
        if let Err(limited) = ratelimit::count(&db, &checks, "registrations from your address")? {
            return Err(Refusal::Limited(limited));
        }
        let user = create_account(&db, &account, Role::Client)?;
        Ok(http::json(201, &serde_json::json!({ "user": user })))
    })())
}

/// `POST /api/auth/login`: counts the attempt (see [`ratelimit`]), then checks
/// the password in a hashing slot.
pub fn login(req: &Req) -> Result<Response, ApiError> {
    answer(login_inner(req))
}

fn login_inner(req: &Req) -> Result<Response, Refusal> {
    let body = req.json()?;
    let raw_username = body.str("username")?;
    let password = body.str("password")?;
    let key = raw_username.trim().to_ascii_lowercase();
    let ip = req.client_ip_behind_proxies();
    let db = Db::open_default()?;
    let found = match Username::parse(raw_username) {
        Ok(u) => store::user_by_username_key(&db, &u.key())?,
        Err(_) => None,
    };
    let known = match &found {
        Some(stored) => ratelimit::is_known_address(&db, &stored.user.id, &ip)?,
        None => false,
    };
    let pair_key = ratelimit::key(LOGIN_PAIR, &[&key, &ip]);
    let mut checks = vec![(LOGIN_PAIR, pair_key.clone())];
    if !known {
        checks.push((LOGIN_USER, ratelimit::key(LOGIN_USER, &[&key])));
        checks.push((LOGIN_ADDR, ratelimit::key(LOGIN_ADDR, &[&ip])));
    }
    let counted = match ratelimit::count(&db, &checks, "failed sign-in attempts")? {
        Ok(counted) => counted,
        Err(limited) => return Err(Refusal::Limited(limited)),
    };
    let verified = hashing::verify(
        &db,
        password,
        found.as_ref().map(|s| s.password_hash.as_str()),
    );
    let ok = match verified {
        Ok(ok) => ok,
        Err(busy) => {
            // Not an attempt at the password: it does not count.
            counted.refund(&db)?;
            return Err(busy.into());
        }
    };
    match found {
        Some(stored) if ok => {
            counted.refund(&db)?;
            ratelimit::signed_in(&db, &stored.user.id, &ip, &pair_key)?;
            Ok(start_session(&db, &stored.user)?)
        }
        _ => {
            counted.failed(&db)?;
            Err(invalid_credentials().into())
        }
    }
}

/// Starts a new refresh family and issues the tokens.
fn start_session(db: &Db, user: &User) -> Result<Response, ApiError> {
    let refresh = new_refresh_token();
    let family = fn_common::new_id();
    store::insert_refresh(
        db,
        &user.id,
        &family,
        &hash_refresh_token(&refresh),
        REFRESH_TOKEN_TTL_SECS * 1000,
    )?;
    issue(user, &family, &refresh)
}

/// The token response: a signed access token of the session `family` in the
/// body, the refresh token as a cookie.
fn issue(user: &User, family: &str, refresh: &str) -> Result<Response, ApiError> {
    let pem = fn_common::variable("jwt_private_key")?;
    let signer = TokenSigner::from_pem(&pem).map_err(|e| {
        eprintln!("jwt_private_key is not usable: {e}");
        ApiError::internal()
    })?;
    let (token, _) = signer
        .issue_in_session(
            &user.id,
            user.role,
            &user.full_name,
            fn_common::now_ms() / 1000,
            Some(family),
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
    resp.set_header("set-cookie", cookie(refresh, REFRESH_TOKEN_TTL_SECS));
    Ok(resp)
}

/// Whether the refresh cookie is `Secure`: the Spin variable `cookie_secure`
/// (`false` only where the app is served over plain HTTP, such as `iems up`
/// on a laptop), never the request's `Host`, which the client chooses.
fn cookie_secure() -> bool {
    let setting = spin_sdk::variables::get("cookie_secure").unwrap_or_default();
    !setting.trim().eq_ignore_ascii_case("false")
}

/// `Set-Cookie` for the refresh token (an empty value with max-age 0 clears it).
fn cookie(value: &str, max_age: i64) -> String {
    let mut c = format!(
        "{REFRESH_COOKIE}={value}; HttpOnly; SameSite=Strict; Path=/api/auth; Max-Age={max_age}"
    );
    if cookie_secure() {
        c.push_str("; Secure");
    }
    c
}

fn clear_cookie(mut resp: Response) -> Response {
    resp.set_header("set-cookie", cookie("", 0));
    resp
}

enum Refreshed {
    Rotated {
        user: User,
        family: String,
        token: String,
    },
    Rejected,
}

/// `POST /api/auth/refresh`: rotates the cookie's token. A token rotated less
/// than [`REFRESH_GRACE_MS`] ago gets a new pair too (concurrent refreshes);
/// presenting it later is reuse and revokes its family.
pub fn refresh(req: &Req) -> Result<Response, ApiError> {
    let rejected = || ApiError::unauthorized("the refresh token is invalid, expired or revoked");
    let token = req
        .cookie(REFRESH_COOKIE)
        .filter(|t| !t.is_empty())
        .ok_or_else(rejected)?;
    let db = Db::open_default()?;
    let outcome = db.transaction(|db| -> Result<Refreshed, ApiError> {
        let Some(row) = store::refresh_by_hash_for_update(db, &hash_refresh_token(token))? else {
            return Ok(Refreshed::Rejected);
        };
        let now = fn_common::now_ms();
        if row.revoked_at.is_some() {
            return Ok(Refreshed::Rejected);
        }
        match row.rotated_at {
            Some(at) if now - at < REFRESH_GRACE_MS => {}
            Some(_) => {
                // Reuse of a rotated token: someone else may hold the family; end all of it.
                store::revoke_family(db, &row.family_id)?;
                store::record_revocation(db, &row.user_id, Some(&row.family_id))?;
                return Ok(Refreshed::Rejected);
            }
            None => {
                if row.expires_at <= now || !store::mark_rotated(db, &row.id)? {
                    return Ok(Refreshed::Rejected);
                }
            }
        }
        if row.expires_at <= now {
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
            family: row.family_id,
            token,
        })
    })?;
    match outcome {
        Refreshed::Rotated {
            user,
            family,
            token,
        } => issue(&user, &family, &token),
        Refreshed::Rejected => Ok(clear_cookie(http::error(&rejected()))),
    }
}

/// `POST /api/auth/logout`: ends the session: revokes the cookie's family
/// (its access tokens stop working at once) and clears the cookie; always 204.
pub fn logout(req: &Req) -> Result<Response, ApiError> {
    if let Some(token) = req.cookie(REFRESH_COOKIE).filter(|t| !t.is_empty()) {
        let db = Db::open_default()?;
        if let Some(row) = store::refresh_by_hash(&db, &hash_refresh_token(token))? {
            db.transaction(|db| -> Result<(), DbError> {
                store::revoke_family(db, &row.family_id)?;
                store::record_revocation(db, &row.user_id, Some(&row.family_id))
            })?;
        }
    }
    Ok(clear_cookie(http::empty(204)))
}

/// `GET /api/auth/me`: the signed-in user.
pub fn me(req: &Req) -> Result<Response, ApiError> {
    let claims = authenticate(req)?;
    let db = Db::open_default()?;
    let stored = store::user_by_id(&db, &claims.sub)?;
    let stored = stored.ok_or_else(|| ApiError::unauthorized("this account no longer exists"))?;
    Ok(http::json(200, &stored.user))
}

/// `POST /api/auth/password`: needs the current password (at most
/// [`PASSWORD_CHANGE`] wrong ones per user in a window); revokes the user's
/// other sessions.
pub fn change_password(req: &Req) -> Result<Response, ApiError> {
    answer(change_password_inner(req))
}

fn change_password_inner(req: &Req) -> Result<Response, Refusal> {
    let claims = authenticate(req)?;
    let body = req.json()?;
    let current = body.str("current_password")?;
    let new = body.str("new_password")?;
    validate_password("new_password", new)?;
    let db = Db::open_default()?;
    let stored = store::user_by_id(&db, &claims.sub)?;
    let stored = stored.ok_or_else(|| ApiError::unauthorized("this account no longer exists"))?;
    let throttle_key = ratelimit::key(PASSWORD_CHANGE, &[&claims.sub]);
    let checks = [(PASSWORD_CHANGE, throttle_key.clone())];
    let counted = match ratelimit::count(&db, &checks, "wrong current passwords")? {
        Ok(counted) => counted,
        Err(limited) => return Err(Refusal::Limited(limited)),
    };
    let right = match hashing::verify(&db, current, Some(&stored.password_hash)) {
        Ok(right) => right,
        Err(busy) => {
            counted.refund(&db)?;
            return Err(busy.into());
        }
    };
    if !right {
        counted.failed(&db)?;
        return Err(invalid_credentials().into());
    }
    ratelimit::forget(&db, &throttle_key)?;
    let new_hash = hashing::hash(&db, new)?;
    let keep = match req.cookie(REFRESH_COOKIE) {
        Some(t) => store::refresh_by_hash(&db, &hash_refresh_token(t))?
            .filter(|row| row.user_id == claims.sub)
            .map(|row| row.family_id),
        None => claims.sid.clone(),
    };
    db.transaction(|db| -> Result<(), ApiError> {
        store::set_user_field(
            db,
            &claims.sub,
            store::UserColumn::PasswordHash,
            new_hash.into(),
        )?;
        store::revoke_user_tokens(db, &claims.sub, keep.as_deref())?;
        store::record_revocation(db, &claims.sub, None)?;
        Ok(())
    })?;
    Ok(http::empty(204))
}
