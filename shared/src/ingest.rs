//! Readings from real meters (docs/ingest.md): device credentials, the MQTT
//! topic a device may publish to, and the paths a reading arrives by. Pure
//! rules, used by the devices component (issuing credentials), the
//! broker-adapter (the broker's auth backend, MQTT frames, `POST /api/ingest`)
//! and the simulator.
//!
//! A credential is a key id (the MQTT user name) and a 256-bit random secret
//! (the MQTT password); the HTTP bearer token is `<key id>.<secret>`. Only the
//! SHA-256 of the secret is stored: the secret is random, not chosen by a
//! person, so a slow password hash would add nothing but cost on every
//! connection.

use base64::Engine;
use rand_core::{OsRng, RngCore};
use sha2::{Digest, Sha256};
use std::fmt;
use std::str::FromStr;

/// The prefix of every key id (`dk` = device key), so a key id is told from a user name.
pub const KEY_ID_PREFIX: &str = "dk";
/// Hex digits after [`KEY_ID_PREFIX`].
const KEY_ID_HEX: usize = 20;
/// Characters of a secret: 32 random bytes, base64url without padding.
const SECRET_CHARS: usize = 43;

/// A newly issued credential; the secret exists only here and in the answer
/// that shows it once.
#[derive(Clone, PartialEq, Eq)]
pub struct IssuedCredential {
    /// The public half: the MQTT user name.
    pub key_id: String,
    /// The secret half: the MQTT password.
    pub secret: String,
    /// What is stored: the SHA-256 of the secret, lowercase hex.
    pub secret_sha256: String,
}

impl fmt::Debug for IssuedCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IssuedCredential")
            .field("key_id", &self.key_id)
            .field("secret", &"<redacted>")
            .finish()
    }
}

impl IssuedCredential {
    /// A new random credential.
    pub fn generate() -> Self {
        let mut id = [0u8; KEY_ID_HEX / 2];
        OsRng.fill_bytes(&mut id);
        let mut secret = [0u8; 32];
        OsRng.fill_bytes(&mut secret);
        let secret = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(secret);
        IssuedCredential {
            key_id: format!("{KEY_ID_PREFIX}{}", hex(&id)),
            secret_sha256: secret_sha256(&secret),
            secret,
        }
    }

    /// The HTTP bearer token: `<key id>.<secret>`.
    pub fn token(&self) -> String {
        format!("{}.{}", self.key_id, self.secret)
    }
}

/// The stored form of a secret: SHA-256, lowercase hex.
pub fn secret_sha256(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

/// Whether `secret` is the one whose hash is `stored_sha256`, compared in
/// constant time over the digests.
pub fn secret_matches(secret: &str, stored_sha256: &str) -> bool {
    let given = secret_sha256(secret);
    given.len() == stored_sha256.len()
        && given
            .bytes()
            .zip(stored_sha256.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

/// Whether `key_id` has a key id's shape (so that no lookup is made for anything else).
pub fn is_key_id(key_id: &str) -> bool {
    key_id.len() == KEY_ID_PREFIX.len() + KEY_ID_HEX
        && key_id.starts_with(KEY_ID_PREFIX)
        && key_id[KEY_ID_PREFIX.len()..]
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// A bearer token split into key id and secret; `None` unless it has the shape of one.
pub fn parse_token(token: &str) -> Option<(&str, &str)> {
    let (key_id, secret) = token.split_once('.')?;
    (is_key_id(key_id)
        && secret.len() == SECRET_CHARS
        && secret
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
    .then_some((key_id, secret))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// How a reading reached iems, as a device's "last reported via" shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Via {
    /// iems' own message on the readings exchange (the simulator, integrations).
    Amqp,
    /// A device's MQTT publish on its own topic.
    Mqtt,
    /// `POST /api/ingest` with the device's credential.
    Http,
}

impl Via {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Via::Amqp => "amqp",
            Via::Mqtt => "mqtt",
            Via::Http => "http",
        }
    }
}

impl FromStr for Via {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        match s {
            "amqp" => Ok(Via::Amqp),
            "mqtt" => Ok(Via::Mqtt),
            "http" => Ok(Via::Http),
            _ => Err(()),
        }
    }
}

/// The MQTT topics of device credentials under one namespace: a credential
/// publishes under `<namespace>/<key id>/…` and nowhere else. The topic
/// names the credential, not the device, so that a revoked or rotated key's
/// frames are refused by iems even on a connection the broker keeps open.
/// RabbitMQ's MQTT plugin turns the topic into a routing key on `amq.topic`
/// by swapping `/` and `.`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceTopics {
    namespace: String,
}

/// Why a namespace cannot prefix MQTT topics.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("namespace {0:?} cannot prefix MQTT topics: use letters, digits, '-' and '_'")]
pub struct BadNamespace(pub String);

impl DeviceTopics {
    /// Topics under `namespace` (the broker namespace, `iems` by default).
    pub fn new(namespace: &str) -> Result<Self, BadNamespace> {
        let ok = !namespace.is_empty()
            && namespace.len() <= 64
            && namespace
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if ok {
            Ok(DeviceTopics {
                namespace: namespace.to_string(),
            })
        } else {
            Err(BadNamespace(namespace.to_string()))
        }
    }

    /// The prefix a credential's topics start with: `<namespace>/<key id>`.
    pub fn prefix(&self, key_id: &str) -> String {
        format!("{}/{key_id}", self.namespace)
    }

    /// The topic iems' own messages go to: `<namespace>/<key id>/readings`.
    pub fn readings_topic(&self, key_id: &str) -> String {
        format!("{}/readings", self.prefix(key_id))
    }

    /// The binding key on `amq.topic` that catches every credential's topics.
    pub fn binding_key(&self) -> String {
        format!("{}.*.#", self.namespace)
    }

    /// A routing key from `amq.topic` as the key id and the rest of its topic
    /// (`tele/plug/SENSOR`; empty when it published to its prefix itself);
    /// `None` when it is not under this namespace or names no key id.
    pub fn split_routing_key<'a>(&self, routing_key: &'a str) -> Option<(&'a str, String)> {
        let rest = routing_key
            .strip_prefix(self.namespace.as_str())?
            .strip_prefix('.')?;
        let (key_id, rest) = rest.split_once('.').unwrap_or((rest, ""));
        if !is_key_id(key_id) {
            return None;
        }
        // Back to the MQTT topic: the plugin swapped '/' and '.'.
        let topic = rest
            .chars()
            .map(|c| match c {
                '.' => '/',
                '/' => '.',
                c => c,
            })
            .collect();
        Some((key_id, topic))
    }

    /// Whether the credential `key_id` may publish with this routing key:
    /// only under its own prefix, never a wildcard.
    pub fn may_publish(&self, key_id: &str, routing_key: &str) -> bool {
        !routing_key.contains(['*', '#']) && self.may_subscribe(key_id, routing_key)
    }

    /// Whether the credential `key_id` may subscribe with this routing key:
    /// under its own prefix (wildcards below it allowed).
    pub fn may_subscribe(&self, key_id: &str, routing_key: &str) -> bool {
        self.split_routing_key(routing_key)
            .is_some_and(|(key, _)| key == key_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_issued_credential_matches_its_hash_and_its_token_parses() {
        let issued = IssuedCredential::generate();
        assert!(is_key_id(&issued.key_id), "{}", issued.key_id);
        assert!(secret_matches(&issued.secret, &issued.secret_sha256));
        assert!(!secret_matches("wrong", &issued.secret_sha256));
        let token = issued.token();
        assert_eq!(
            parse_token(&token),
            Some((issued.key_id.as_str(), issued.secret.as_str()))
        );
        assert_ne!(IssuedCredential::generate().key_id, issued.key_id);
        assert!(!format!("{issued:?}").contains(&issued.secret));
    }

    #[test]
    fn tokens_of_the_wrong_shape_are_refused() {
        let issued = IssuedCredential::generate();
        for bad in [
            String::new(),
            issued.key_id.clone(),
            format!("{}.", issued.key_id),
            format!("guest.{}", issued.secret),
            format!("{}.{}x", issued.key_id, issued.secret),
            format!("{}.{}", issued.key_id, &issued.secret[1..]),
            format!("{}.{}", issued.key_id.to_uppercase(), issued.secret),
            format!("{}.{}!", issued.key_id, &issued.secret[1..]),
        ] {
            assert_eq!(parse_token(&bad), None, "{bad}");
        }
    }

    #[test]
    fn a_credential_may_publish_only_under_its_own_prefix() {
        let topics = DeviceTopics::new("iems").unwrap();
        let me = IssuedCredential::generate().key_id;
        let other = IssuedCredential::generate().key_id;
        assert_eq!(topics.prefix(&me), format!("iems/{me}"));
        assert!(topics.may_publish(&me, &format!("iems.{me}.readings")));
        assert!(topics.may_publish(&me, &format!("iems.{me}.tele.plug.SENSOR")));
        assert!(topics.may_publish(&me, &format!("iems.{me}")));
        assert!(!topics.may_publish(&me, &format!("iems.{other}.readings")));
        assert!(!topics.may_publish(&me, &format!("iems.{me}.#")));
        assert!(!topics.may_publish(&me, &format!("iems.*.{me}")));
        assert!(!topics.may_publish(&me, &format!("other.{me}.readings")));
        assert!(!topics.may_publish(&me, &format!("iemsx.{me}.readings")));
        assert!(!topics.may_publish(&me, "iems"));
        assert!(!topics.may_publish("guest", "iems.guest.readings"));
        assert!(topics.may_subscribe(&me, &format!("iems.{me}.cmnd.plug.#")));
        assert!(!topics.may_subscribe(&me, "iems.#"));
        assert!(!topics.may_subscribe(&me, &format!("iems.{other}.#")));
        assert_eq!(
            topics.split_routing_key(&format!("iems.{me}.status.switch:0")),
            Some((me.as_str(), "status/switch:0".to_string()))
        );
        assert_eq!(
            topics.split_routing_key(&format!("iems.{me}.a/b")),
            Some((me.as_str(), "a.b".to_string()))
        );
    }

    #[test]
    fn a_namespace_must_be_a_plain_topic_level() {
        assert!(DeviceTopics::new("iems-test_1").is_ok());
        for bad in ["", "a.b", "a/b", "a+b", "a#", &"x".repeat(65)] {
            assert!(DeviceTopics::new(bad).is_err(), "{bad}");
        }
    }
}
