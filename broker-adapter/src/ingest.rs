//! Readings from real meters (docs/ingest.md), the two HTTP faces of the
//! adapter:
//!
//! - `POST /api/ingest`: a device reports with its credential as a bearer
//!   token; its payload (in the device's format) is decoded, checked, and put
//!   on the readings queue as iems' own batch; `202` only once the broker has
//!   confirmed it (durable), a clear 4xx otherwise; rate-limited per device.
//! - `/broker-auth/{user,vhost,resource,topic}`: RabbitMQ's HTTP auth backend
//!   asks here whether a device credential may connect over MQTT and publish
//!   to a topic; a credential may publish only under `<namespace>/<its key id>/`.
//!   Served on its own listener, for the broker only.
//!
//! Credentials are cached for [`IngestConfig::credential_ttl`] (2 s), and the
//! broker caches answers for 3 s (`scripts/ensure-mqtt`): a revoked or
//! rotated credential stops working within seconds: new connections are
//! refused, and the frames of a connection the broker keeps open are refused
//! by the adapter (the topic names the key).

use crate::credentials::{self, Active, CredentialCache};
use axum::body::{to_bytes, Body};
use axum::extract::{Form, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use iems_db::Pool;
use iems_messaging::Bus;
use iems_shared::consumption::policy::ReadingPolicy;
use iems_shared::ingest::{self, DeviceTopics};
use iems_shared::sql;
use iems_shared::wire::meter_formats::{
    self, DecodeError, ErrorCode, MeterFormat, MAX_PAYLOAD_BYTES,
};
use iems_shared::wire::MeterReading;
use serde_json::json;
use sqlx::Row;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The `source` of readings published by `POST /api/ingest` (the adapter
/// records them as reported over HTTP).
pub const HTTP_SOURCE: &str = "http";

/// Settings of the ingestion routes.
#[derive(Debug, Clone)]
pub struct IngestConfig {
    /// The broker namespace: devices publish under `<namespace>/<device id>/`.
    pub namespace: String,
    /// The RabbitMQ virtual host MQTT devices connect to.
    pub vhost: String,
    /// How long a credential lookup is trusted.
    pub credential_ttl: Duration,
    /// Requests a device may make at once (the bucket's size).
    pub burst: u32,
    /// Requests per second a device may make on average.
    pub per_second: f64,
    /// The timestamp window applied at once (the adapter applies the rest).
    pub policy: ReadingPolicy,
}

impl Default for IngestConfig {
    fn default() -> Self {
        IngestConfig {
            namespace: "iems".into(),
            vhost: "/".into(),
            credential_ttl: Duration::from_secs(2),
            burst: 20,
            per_second: 1.0,
            policy: ReadingPolicy::default(),
        }
    }
}

/// Shared state of both routers.
#[derive(Clone)]
pub struct Ingest {
    inner: Arc<Inner>,
}

struct Inner {
    config: IngestConfig,
    topics: DeviceTopics,
    pool: Pool,
    bus: Bus,
    credentials: Mutex<CredentialCache>,
    limiter: Mutex<Limiter>,
}

/// Entries kept at most in the rate limiter: a flood of devices cannot grow it
/// without bound.
const MAX_ENTRIES: usize = 100_000;

#[derive(Default)]
struct Limiter {
    buckets: HashMap<String, (Instant, f64)>,
}

impl Limiter {
    /// Takes a token of `device`'s bucket; `Err(wait)` when it is empty.
    fn take(
        &mut self,
        device: &str,
        burst: u32,
        per_second: f64,
        now: Instant,
    ) -> Result<(), Duration> {
        if self.buckets.len() >= MAX_ENTRIES && !self.buckets.contains_key(device) {
            // Full buckets carry no state worth keeping.
            let full = f64::from(burst);
            self.buckets.retain(|_, (at, tokens)| {
                *tokens + now.duration_since(*at).as_secs_f64() * per_second < full
            });
            if self.buckets.len() >= MAX_ENTRIES {
                self.buckets.clear();
            }
        }
        let (at, tokens) = self
            .buckets
            .entry(device.to_string())
            .or_insert((now, f64::from(burst)));
        let refilled =
            (*tokens + now.duration_since(*at).as_secs_f64() * per_second).min(f64::from(burst));
        *at = now;
        if refilled >= 1.0 {
            *tokens = refilled - 1.0;
            Ok(())
        } else {
            *tokens = refilled;
            Err(Duration::from_secs_f64((1.0 - refilled) / per_second))
        }
    }
}

/// Why a request is refused: the status and the `{"error": {"code", "message"}}` body.
#[derive(Debug)]
struct Refused {
    status: StatusCode,
    code: &'static str,
    message: String,
    retry_after: Option<u64>,
}

impl Refused {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Refused {
            status,
            code,
            message: message.into(),
            retry_after: None,
        }
    }
}

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        let mut response = (
            self.status,
            Json(json!({"error": {"code": self.code, "message": self.message}})),
        )
            .into_response();
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds.max(1)));
        }
        if self.status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

fn unavailable(what: &str, err: impl std::fmt::Display) -> Refused {
    tracing::warn!(error = %err, "ingest: {what} failed");
    let mut refused = Refused::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "unavailable",
        format!("{what} is unavailable; try again shortly"),
    );
    refused.retry_after = Some(5);
    refused
}

impl Ingest {
    /// The ingestion state over `pool` (migrated) and `bus`.
    pub fn new(config: IngestConfig, pool: Pool, bus: Bus) -> Result<Self, ingest::BadNamespace> {
        let topics = DeviceTopics::new(&config.namespace)?;
        let config_ttl = config.credential_ttl;
        Ok(Ingest {
            inner: Arc::new(Inner {
                config,
                topics,
                pool,
                bus,
                credentials: Mutex::new(CredentialCache::new(config_ttl)),
                limiter: Mutex::new(Limiter::default()),
            }),
        })
    }

    /// `POST /api/ingest`, for the public listener.
    pub fn router(&self) -> Router {
        Router::new()
            .route("/api/ingest", post(ingest_readings))
            .with_state(self.clone())
    }

    /// `/broker-auth/…`, RabbitMQ's HTTP auth backend, for a listener only the broker reaches.
    pub fn broker_auth_router(&self) -> Router {
        Router::new()
            .route("/broker-auth/user", post(auth_user))
            .route("/broker-auth/vhost", post(auth_vhost))
            .route("/broker-auth/resource", post(auth_resource))
            .route("/broker-auth/topic", post(auth_topic))
            .with_state(self.clone())
    }

    /// The credential `key_id` in force, from the cache or the database.
    async fn active(&self, key_id: &str) -> Result<Option<Active>, sqlx::Error> {
        if let Some(answer) = self.inner.credentials.lock().expect("cache").get(key_id) {
            return Ok(answer);
        }
        let active = credentials::lookup(&self.inner.pool, key_id).await?;
        self.inner
            .credentials
            .lock()
            .expect("cache")
            .put(key_id, active.clone());
        Ok(active)
    }

    /// The device of a key id and secret, when they are a credential in force.
    async fn device_of(&self, key_id: &str, secret: &str) -> Result<Option<String>, sqlx::Error> {
        Ok(self
            .active(key_id)
            .await?
            .filter(|a| ingest::secret_matches(secret, &a.secret_sha256))
            .map(|a| a.device_id))
    }
}

/// `POST /api/ingest`.
async fn ingest_readings(State(ingest): State<Ingest>, headers: HeaderMap, body: Body) -> Response {
    match accept(&ingest, &headers, body).await {
        Ok(accepted) => {
            (StatusCode::ACCEPTED, Json(json!({ "accepted": accepted }))).into_response()
        }
        Err(refused) => refused.into_response(),
    }
}

async fn accept(ingest: &Ingest, headers: &HeaderMap, body: Body) -> Result<usize, Refused> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(bearer)
        .ok_or_else(|| {
            Refused::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "a device credential is required: Authorization: Bearer <key id>.<secret>",
            )
        })?;
    let bad_credential = || {
        Refused::new(
            StatusCode::UNAUTHORIZED,
            "invalid_credential",
            "the device credential is unknown, revoked or wrong",
        )
    };
    let (key_id, secret) = ingest::parse_token(token.trim()).ok_or_else(bad_credential)?;
    let device_id = ingest
        .device_of(key_id, secret)
        .await
        .map_err(|e| unavailable("the database", e))?
        .ok_or_else(bad_credential)?;

    let config = &ingest.inner.config;
    let now = Instant::now();
    if let Err(wait) = ingest.inner.limiter.lock().expect("limiter").take(
        &device_id,
        config.burst,
        config.per_second,
        now,
    ) {
        let mut refused = Refused::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            format!(
                "at most {} requests per second per device (bursts of {}); send readings in batches",
                config.per_second, config.burst
            ),
        );
        refused.retry_after = Some(wait.as_secs_f64().ceil() as u64);
        return Err(refused);
    }

    let payload = to_bytes(body, MAX_PAYLOAD_BYTES).await.map_err(|_| {
        Refused::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("a request body is at most {MAX_PAYLOAD_BYTES} bytes; send several batches"),
        )
    })?;

    let row = sqlx::query(sql::credentials::DECODING)
        .bind(&device_id)
        .fetch_optional(&ingest.inner.pool)
        .await
        .map_err(|e| unavailable("the database", e))?
        .ok_or_else(bad_credential)?;
    let format: Option<MeterFormat> = row
        .try_get::<Option<String>, _>(0)
        .ok()
        .flatten()
        .and_then(|f| f.parse().ok());
    let zone: Option<chrono_tz::Tz> = row
        .try_get::<Option<String>, _>(1)
        .ok()
        .flatten()
        .and_then(|z| z.parse().ok());
    let format = format.unwrap_or(MeterFormat::Iems);
    let device = uuid::Uuid::parse_str(&device_id).map_err(|e| unavailable("the device", e))?;

    let received_ms = chrono::Utc::now().timestamp_millis();
    let readings = meter_formats::decode(format, device, None, &payload, received_ms, zone)
        .map_err(|e| refusal(format, e))?;
    if readings.is_empty() {
        return Err(Refused::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            "the batch holds no reading",
        ));
    }
    for (i, r) in readings.iter().enumerate() {
        if let Err(refusal) = config.policy.check_time(&r.reading, received_ms) {
            let at = if readings.len() > 1 {
                format!("reading {i}: ")
            } else {
                String::new()
            };
            return Err(Refused::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                refusal.code(),
                format!("{at}{refusal}"),
            ));
        }
    }
    let batch: Vec<_> = readings.iter().map(MeterReading::to_message).collect();
    let message = serde_json::to_vec(&batch).map_err(|e| unavailable("encoding", e))?;
    ingest
        .inner
        .bus
        .publish_reading_from(&message, Some(HTTP_SOURCE))
        .await
        .map_err(|e| unavailable("the broker", e))?
        .wait()
        .await
        .map_err(|e| unavailable("the broker", e))?;
    Ok(readings.len())
}

/// The token of an `Authorization: Bearer <token>` value (the scheme in any case).
fn bearer(value: &str) -> Option<&str> {
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then_some(token)
}

/// How a payload the decoder refused is answered: a reading naming another
/// device is forbidden (403), anything else unprocessable (422).
fn refusal(format: MeterFormat, e: DecodeError) -> Refused {
    match e.code {
        ErrorCode::OtherDevice => Refused::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            format!(
                "a device credential reports only for its own device: {}",
                e.detail
            ),
        ),
        code => Refused::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            code.as_str(),
            format!("{format} payload: {}", e.detail),
        ),
    }
}

/// The broker's answer.
fn answer(allow: bool) -> &'static str {
    if allow {
        "allow"
    } else {
        "deny"
    }
}

/// The form fields RabbitMQ's HTTP auth backend posts (only those read).
#[derive(Debug, serde::Deserialize)]
struct AuthForm {
    username: String,
    #[serde(default)]
    password: Option<String>,
    #[serde(default)]
    vhost: Option<String>,
    #[serde(default)]
    resource: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    permission: Option<String>,
    #[serde(default)]
    routing_key: Option<String>,
}

/// The device behind a key id in force (a lookup failure denies).
async fn device_in_force(ingest: &Ingest, key_id: &str) -> Option<String> {
    match ingest.active(key_id).await {
        Ok(active) => active.map(|a| a.device_id),
        Err(err) => {
            tracing::warn!(error = %err, "broker auth: credential lookup failed; denying");
            None
        }
    }
}

async fn auth_user(State(ingest): State<Ingest>, Form(form): Form<AuthForm>) -> &'static str {
    let Some(password) = form.password.as_deref() else {
        return answer(false);
    };
    let device = ingest
        .device_of(&form.username, password)
        .await
        .unwrap_or_else(|err| {
            tracing::warn!(error = %err, "broker auth: credential lookup failed; denying");
            None
        });
    answer(device.is_some())
}

async fn auth_vhost(State(ingest): State<Ingest>, Form(form): Form<AuthForm>) -> &'static str {
    let right_vhost = form.vhost.as_deref() == Some(ingest.inner.config.vhost.as_str());
    answer(right_vhost && device_in_force(&ingest, &form.username).await.is_some())
}

async fn auth_resource(State(ingest): State<Ingest>, Form(form): Form<AuthForm>) -> &'static str {
    if device_in_force(&ingest, &form.username).await.is_none() {
        return answer(false);
    }
    let (resource, name, permission) = (
        form.resource.as_deref().unwrap_or_default(),
        form.name.as_deref().unwrap_or_default(),
        form.permission.as_deref().unwrap_or_default(),
    );
    let allow = match resource {
        // Publishing, and receiving what it subscribed to (Tasmota and Shelly
        // subscribe to their command topics, under their own prefix).
        "exchange" => name == "amq.topic" && matches!(permission, "write" | "read"),
        // The MQTT plugin's own subscription queues.
        "queue" => name.starts_with("mqtt-subscription-"),
        _ => false,
    };
    answer(allow)
}

async fn auth_topic(State(ingest): State<Ingest>, Form(form): Form<AuthForm>) -> &'static str {
    if device_in_force(&ingest, &form.username).await.is_none() {
        return answer(false);
    }
    let key = form.routing_key.as_deref().unwrap_or_default();
    let topics = &ingest.inner.topics;
    let allow = match form.permission.as_deref() {
        Some("write") => topics.may_publish(&form.username, key),
        // Subscriptions may use wildcards, below the credential's own level only.
        Some("read") => topics.may_subscribe(&form.username, key),
        _ => false,
    };
    answer(allow)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limiter_allows_a_burst_then_the_rate() {
        let mut limiter = Limiter::default();
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(limiter.take("a", 3, 1.0, t0).is_ok());
        }
        let wait = limiter.take("a", 3, 1.0, t0).unwrap_err();
        assert!(wait <= Duration::from_secs(1) && wait > Duration::ZERO);
        assert!(limiter.take("b", 3, 1.0, t0).is_ok(), "per device");
        assert!(limiter
            .take("a", 3, 1.0, t0 + Duration::from_millis(1100))
            .is_ok());
        assert!(limiter
            .take("a", 3, 1.0, t0 + Duration::from_millis(1200))
            .is_err());
    }

    #[test]
    fn the_bearer_scheme_is_read_in_any_case() {
        assert_eq!(bearer("Bearer abc"), Some("abc"));
        assert_eq!(bearer("bearer abc"), Some("abc"));
        assert_eq!(bearer("Basic abc"), None);
        assert_eq!(bearer("Bearer"), None);
    }

    #[test]
    fn the_limiter_stays_bounded() {
        let mut limiter = Limiter::default();
        let t0 = Instant::now();
        for i in 0..MAX_ENTRIES + 10 {
            let _ = limiter.take(&i.to_string(), 2, 1.0, t0);
            assert!(limiter.buckets.len() <= MAX_ENTRIES);
        }
    }

    #[test]
    fn a_body_may_name_only_its_own_device() {
        let me = "6f1c4a8e-0d3b-4c57-9a51-2b0c6f1d9e10";
        let own_device = |body: &[u8]| {
            meter_formats::decode(MeterFormat::Iems, me.parse().unwrap(), None, body, 0, None)
                .map_err(|e| refusal(MeterFormat::Iems, e))
        };
        assert!(own_device(br#"{"timestamp":1774746600,"measurement_value":2}"#).is_ok());
        let batch = format!(
            r#"[{{"device_id":"{me}","timestamp":1774746600,"measurement_value":2}},{{"timestamp":1774746660,"measurement_value":3}}]"#
        );
        assert!(own_device(batch.as_bytes()).is_ok());
        let other = own_device(
            br#"[{"timestamp":1774746600,"measurement_value":2},{"device_id":"0b7f1b9a-6a0e-4d7e-8a7b-9f0e3c2d1a55","timestamp":1774746660,"measurement_value":3}]"#,
        )
        .unwrap_err();
        assert_eq!(other.status, StatusCode::FORBIDDEN);
    }
}
