use super::*;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn pair() -> (TokenSigner, TokenVerifier, KeyPair) {
    let keys = generate_keypair();
    (
        TokenSigner::from_pem(&keys.private_pem).unwrap(),
        TokenVerifier::from_pem(&keys.public_pem).unwrap(),
        keys,
    )
}

#[test]
fn issued_tokens_verify_with_the_claims_of_the_architecture() {
    let (signer, verifier, _) = pair();
    let (token, claims) = signer.issue("u-1", Role::Client, "Ana", now()).unwrap();
    let got = verifier.verify(&token).unwrap();
    assert_eq!(got, claims);
    assert_eq!(got.exp - got.iat, ACCESS_TOKEN_TTL_SECS);
    assert_eq!(got.iss, "iems");
    let header: serde_json::Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(token.split('.').next().unwrap())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(header["alg"], "EdDSA");
}

#[test]
fn expired_tokens_are_rejected() {
    let (signer, verifier, _) = pair();
    let (token, _) = signer.issue("u", Role::Admin, "A", now() - 3600).unwrap();
    assert!(verifier.verify(&token).is_err());
}

#[test]
fn tokens_of_another_key_are_rejected() {
    let (signer, _, _) = pair();
    let (_, other, _) = pair();
    let (token, _) = signer.issue("u", Role::Admin, "A", now()).unwrap();
    assert!(other.verify(&token).is_err());
}

#[test]
fn tampered_payload_is_rejected() {
    let (signer, verifier, _) = pair();
    let (token, _) = signer.issue("u", Role::Client, "A", now()).unwrap();
    let parts: Vec<&str> = token.split('.').collect();
    let mut payload: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    payload["role"] = "admin".into();
    let forged = format!(
        "{}.{}.{}",
        parts[0],
        URL_SAFE_NO_PAD.encode(payload.to_string()),
        parts[2]
    );
    assert!(verifier.verify(&forged).is_err());
}

#[test]
fn alg_none_and_hs256_with_the_public_key_are_rejected() {
    let (_, verifier, keys) = pair();
    let claims = serde_json::json!({
        "sub": "u", "role": "admin", "name": "A", "iat": now(), "exp": now() + 600,
        "iss": "iems", "jti": "x"
    });
    let none = format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    assert!(verifier.verify(&none).is_err());
    let hs = jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(keys.public_pem.as_bytes()),
    )
    .unwrap();
    assert!(verifier.verify(&hs).is_err());
}

#[test]
fn wrong_issuer_is_rejected() {
    let keys = generate_keypair();
    let verifier = TokenVerifier::from_pem(&keys.public_pem).unwrap();
    let claims = serde_json::json!({
        "sub": "u", "role": "admin", "name": "A", "iat": now(), "exp": now() + 600,
        "iss": "someone-else", "jti": "x"
    });
    let token = jsonwebtoken::encode(
        &Header::new(Algorithm::EdDSA),
        &claims,
        &EncodingKey::from_ed_pem(keys.private_pem.as_bytes()).unwrap(),
    )
    .unwrap();
    assert!(verifier.verify(&token).is_err());
}

#[test]
fn bad_pem_is_a_clear_error() {
    assert!(matches!(
        TokenVerifier::from_pem("nope"),
        Err(IdentityError::BadKey("public"))
    ));
    assert!(matches!(
        TokenSigner::from_pem("nope"),
        Err(IdentityError::BadKey("private"))
    ));
}

#[test]
fn passwords_hash_with_argon2id_and_verify() {
    let hash = hash_password("correct horse battery").unwrap();
    assert!(hash.starts_with("$argon2id$"));
    assert!(verify_password("correct horse battery", &hash));
    assert!(!verify_password("wrong", &hash));
    assert!(!verify_password("x", "not a hash"));
    assert_ne!(
        hash,
        hash_password("correct horse battery").unwrap(),
        "salted"
    );
}

#[test]
fn refresh_tokens_are_random_and_hashed() {
    let a = new_refresh_token();
    assert_ne!(a, new_refresh_token());
    assert_eq!(hash_refresh_token(&a).len(), 64);
    assert_eq!(hash_refresh_token(&a), hash_refresh_token(&a));
}

#[test]
fn bearer_header_parsing() {
    assert_eq!(bearer_token("Bearer abc"), Some("abc"));
    assert_eq!(bearer_token("bearer  abc "), Some("abc"));
    assert_eq!(bearer_token("Basic abc"), None);
    assert_eq!(bearer_token("Bearer "), None);
}
