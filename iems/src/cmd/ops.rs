//! What an operator's probes and Prometheus ask the native services:
//! `GET /healthz` (the database answers) and `GET /metrics` (OpenMetrics text).

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use iems_db::Pool;
use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric};
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::metrics::MetricType;
use prometheus_client::registry::Registry;
use std::sync::Arc;

/// A value read at every scrape.
pub type Read = Box<dyn Fn() -> u64 + Send + Sync>;

/// Metrics whose values live elsewhere (atomics of a service), read at scrape time.
#[derive(Default)]
pub struct Sampled {
    metrics: Vec<(&'static str, &'static str, MetricType, Read)>,
}

impl std::fmt::Debug for Sampled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.metrics.iter().map(|m| m.0).collect();
        f.debug_struct("Sampled").field("metrics", &names).finish()
    }
}

impl Sampled {
    /// A counter (exposed as `<name>_total`).
    pub fn counter(mut self, name: &'static str, help: &'static str, read: Read) -> Self {
        self.metrics.push((name, help, MetricType::Counter, read));
        self
    }

    /// A gauge.
    pub fn gauge(mut self, name: &'static str, help: &'static str, read: Read) -> Self {
        self.metrics.push((name, help, MetricType::Gauge, read));
        self
    }
}

impl Collector for Sampled {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        for (name, help, kind, read) in &self.metrics {
            let metric = encoder.encode_descriptor(name, help, None, *kind)?;
            let value = read();
            match kind {
                MetricType::Counter => ConstCounter::new(value).encode(metric)?,
                _ => ConstGauge::new(i64::try_from(value).unwrap_or(i64::MAX)).encode(metric)?,
            }
        }
        Ok(())
    }
}

#[derive(Clone)]
struct Ops {
    registry: Arc<Registry>,
    pool: Pool,
}

/// `/healthz` and `/metrics` for a service with `metrics` and a database.
pub fn router(metrics: Sampled, pool: Pool) -> axum::Router {
    let mut registry = Registry::with_prefix("iems");
    registry.register_collector(Box::new(metrics));
    axum::Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics_text))
        .with_state(Ops {
            registry: Arc::new(registry),
            pool,
        })
}

async fn healthz(State(ops): State<Ops>) -> Response {
    match sqlx::query_scalar::<_, i64>("SELECT 1")
        .fetch_one(&ops.pool)
        .await
    {
        Ok(_) => (
            [(header::CONTENT_TYPE, "application/json")],
            r#"{"status":"ok"}"#,
        )
            .into_response(),
        Err(err) => {
            tracing::warn!(error = %err, "health check: the database does not answer");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                [(header::CONTENT_TYPE, "application/json")],
                r#"{"error":{"code":"unavailable","message":"the database does not answer"}}"#,
            )
                .into_response()
        }
    }
}

async fn metrics_text(State(ops): State<Ops>) -> Response {
    openmetrics(&ops.registry)
}

/// A registry's metrics as an OpenMetrics text response.
pub fn openmetrics(registry: &Registry) -> Response {
    let mut text = String::new();
    match prometheus_client::encoding::text::encode(&mut text, registry) {
        Ok(()) => (
            [(
                header::CONTENT_TYPE,
                "application/openmetrics-text; version=1.0.0; charset=utf-8",
            )],
            text,
        )
            .into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}
