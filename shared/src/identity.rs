//! Identity: Ed25519 (EdDSA) access tokens, Argon2id password hashes, opaque
//! refresh tokens and key pairs. Only the auth function holds the private key;
//! everything else verifies with the public key.

use crate::domain::Role;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use base64::Engine as _;
use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{EncodePrivateKey, EncodePublicKey};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand_core::{OsRng, RngCore};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The `iss` claim of every iems token.
pub const ISSUER: &str = "iems";
/// Access tokens live 15 minutes.
pub const ACCESS_TOKEN_TTL_SECS: i64 = 15 * 60;
/// Refresh tokens live 30 days (rotated on each use).
pub const REFRESH_TOKEN_TTL_SECS: i64 = 30 * 24 * 60 * 60;
/// Clock skew tolerated when checking `exp`.
pub const LEEWAY_SECS: u64 = 5;

/// The claims of an access token, as the architecture fixes them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The user's id (UUID).
    pub sub: String,
    /// The user's role.
    pub role: Role,
    /// The user's display name.
    pub name: String,
    /// Issued at (unix seconds).
    pub iat: i64,
    /// Expires at (unix seconds).
    pub exp: i64,
    /// Issuer, always [`ISSUER`].
    pub iss: String,
    /// Unique token id.
    pub jti: String,
    /// The sign-in session (refresh-token family) the token belongs to: signing
    /// out or a detected refresh-token reuse ends the session, and with it
    /// every access token that names it. Absent in tokens minted outside a
    /// session (tools, tests), which then end only with the user or their role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
}

impl Claims {
    /// True for admins.
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }
}

/// The live state of a token's session, read with each request (by the
/// functions and by the WebSocket hubs) so that deleting, demoting or signing
/// out a user ends their access tokens at once. Parameters: the token's `sid`
/// (or an empty string) and `sub`; columns: the user's current role and
/// whether the session's refresh-token family still has an unrevoked token.
pub const SESSION_STATE_SQL: &str = "SELECT u.role, \
     EXISTS (SELECT 1 FROM refresh_tokens r WHERE r.family_id = ? AND r.revoked_at IS NULL) \
     FROM users u WHERE u.id = ?";

/// Why a signed, unexpired access token no longer counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionEnded {
    /// The user was deleted.
    UserGone,
    /// The user's role changed since the token was issued.
    RoleChanged,
    /// The session was signed out or revoked (refresh-token reuse, password change).
    SignedOut,
}

impl SessionEnded {
    /// The message of the 401 answer.
    pub fn message(self) -> &'static str {
        match self {
            SessionEnded::UserGone => "this account no longer exists",
            SessionEnded::RoleChanged => "your role changed: sign in again",
            SessionEnded::SignedOut => "this session was signed out: sign in again",
        }
    }
}

/// Judges a token's claims against the row of [`SESSION_STATE_SQL`]
/// (`None`: no such user): the role must be the current one and the session,
/// when the token names one, still live.
pub fn check_session(claims: &Claims, state: Option<(&str, bool)>) -> Result<(), SessionEnded> {
    let Some((role, family_live)) = state else {
        return Err(SessionEnded::UserGone);
    };
    if role != claims.role.as_str() {
        return Err(SessionEnded::RoleChanged);
    }
    if claims.sid.is_some() && !family_live {
        return Err(SessionEnded::SignedOut);
    }
    Ok(())
}

/// Why keys or tokens could not be used.
#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    /// A PEM key that does not parse as the expected Ed25519 key.
    #[error("invalid {0} key: expected an Ed25519 PEM")]
    BadKey(&'static str),
    /// The token is expired, tampered with, of another algorithm or issuer, or malformed.
    #[error("invalid token: {0}")]
    BadToken(String),
    /// Hashing failed (should not happen with valid parameters).
    #[error("password hashing failed")]
    Hash,
}

/// Signs access tokens (auth function only).
pub struct TokenSigner {
    key: EncodingKey,
}

impl TokenSigner {
    /// From a PKCS#8 PEM Ed25519 private key.
    pub fn from_pem(private_pem: &str) -> Result<Self, IdentityError> {
        EncodingKey::from_ed_pem(private_pem.as_bytes())
            .map(|key| TokenSigner { key })
            .map_err(|_| IdentityError::BadKey("private"))
    }

    /// Issues a 15-minute access token for a user at `now` (unix seconds),
    /// outside any sign-in session (see [`Claims::sid`]).
    pub fn issue(
        &self,
        user_id: &str,
        role: Role,
        name: &str,
        now: i64,
    ) -> Result<(String, Claims), IdentityError> {
        self.issue_in_session(user_id, role, name, now, None)
    }

    /// Issues a 15-minute access token that belongs to the sign-in session `sid`.
    pub fn issue_in_session(
        &self,
        user_id: &str,
        role: Role,
        name: &str,
        now: i64,
        sid: Option<&str>,
    ) -> Result<(String, Claims), IdentityError> {
        let claims = Claims {
            sub: user_id.to_string(),
            role,
            name: name.to_string(),
            iat: now,
            exp: now + ACCESS_TOKEN_TTL_SECS,
            iss: ISSUER.to_string(),
            jti: uuid::Uuid::new_v4().to_string(),
            sid: sid.map(str::to_string),
        };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::EdDSA), &claims, &self.key)
            .map_err(|e| IdentityError::BadToken(e.to_string()))?;
        Ok((token, claims))
    }
}

/// Verifies access tokens with the public key: EdDSA only, issuer and expiry checked.
#[derive(Clone)]
pub struct TokenVerifier {
    key: DecodingKey,
    validation: Validation,
}

impl TokenVerifier {
    /// From an SPKI PEM Ed25519 public key.
    pub fn from_pem(public_pem: &str) -> Result<Self, IdentityError> {
        let key = DecodingKey::from_ed_pem(public_pem.as_bytes())
            .map_err(|_| IdentityError::BadKey("public"))?;
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.set_issuer(&[ISSUER]);
        validation.set_required_spec_claims(&["exp", "iss", "sub"]);
        validation.leeway = LEEWAY_SECS;
        Ok(TokenVerifier { key, validation })
    }

    /// The claims of a valid token, or why it is not valid.
    pub fn verify(&self, token: &str) -> Result<Claims, IdentityError> {
        jsonwebtoken::decode::<Claims>(token, &self.key, &self.validation)
            .map(|data| data.claims)
            .map_err(|e| IdentityError::BadToken(e.to_string()))
    }
}

/// The token of an `Authorization: Bearer <token>` header value.
pub fn bearer_token(header: &str) -> Option<&str> {
    let (scheme, token) = header.trim().split_once(' ')?;
    (scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty()).then(|| token.trim())
}

/// An Ed25519 key pair as PEM text.
#[derive(Clone)]
pub struct KeyPair {
    /// PKCS#8 private key (a secret: never log it).
    pub private_pem: String,
    /// SPKI public key.
    pub public_pem: String,
}

impl std::fmt::Debug for KeyPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyPair")
            .field("public_pem", &self.public_pem)
            .finish_non_exhaustive()
    }
}

/// Generates a new Ed25519 key pair from the OS random source.
pub fn generate_keypair() -> KeyPair {
    let signing = ed25519_dalek::SigningKey::generate(&mut OsRng);
    let private_pem = signing
        .to_pkcs8_pem(LineEnding::LF)
        .expect("an Ed25519 key always encodes")
        .to_string();
    let public_pem = signing
        .verifying_key()
        .to_public_key_pem(LineEnding::LF)
        .expect("an Ed25519 key always encodes");
    KeyPair {
        private_pem,
        public_pem,
    }
}

fn argon2() -> Argon2<'static> {
    // Argon2id v19 with the OWASP-recommended defaults (19 MiB, 2 passes, 1 lane).
    Argon2::default()
}

/// Hashes a password with Argon2id and a random salt; returns the PHC string.
pub fn hash_password(password: &str) -> Result<String, IdentityError> {
    let salt = SaltString::generate(&mut OsRng);
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|_| IdentityError::Hash)
}

/// True when `password` matches the PHC `hash` (false for a malformed hash).
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            argon2()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A new opaque refresh token: 32 random bytes, base64url.
pub fn new_refresh_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// A new random password for generated accounts: 20 base64url characters.
pub fn generate_password() -> String {
    let mut bytes = [0u8; 15];
    OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The stored form of a refresh token: hex SHA-256 (tokens are random, so no salt is needed).
pub fn hash_refresh_token(token: &str) -> String {
    sha256_hex(token)
}

/// Hex SHA-256 of `text`: fixed-length keys for throttling state, whatever the input's length.
pub fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests;
