//! Prometheus `/metrics` of the functions (`iems serve-functions --metrics-listen`):
//! requests by route, component, method and status, and their durations by
//! route, counted by the runtime's [`App::observe`] hook. Routes are the ones
//! written in `spin.toml` (`/api/devices/...`), never raw paths, so the number
//! of series stays bounded whatever clients ask for.

use std::sync::Arc;

use axum::routing::get;
use iems_runtime::{App, RequestRecord};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    route: String,
    component: String,
    method: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
}

type Durations = Family<RouteLabels, Histogram, fn() -> Histogram>;

fn new_histogram() -> Histogram {
    // 0.5 ms to about 8 s.
    Histogram::new(exponential_buckets(0.0005, 2.0, 15))
}

/// Counts every request `app` answers from now on; returns the `/metrics` router.
pub fn install(app: &App) -> axum::Router {
    let requests = Family::<RequestLabels, Counter>::default();
    let durations: Durations = Family::new_with_constructor(new_histogram);
    let mut registry = Registry::with_prefix("iems");
    registry.register(
        "http_requests",
        "Requests answered by the functions, by spin.toml route, component, method and status",
        requests.clone(),
    );
    registry.register(
        "http_request_duration_seconds",
        "Time until the response head, by spin.toml route",
        durations.clone(),
    );
    let observed = app.observe(Arc::new(move |r: &RequestRecord<'_>| {
        requests
            .get_or_create(&RequestLabels {
                route: r.route.to_owned(),
                component: r.component.to_owned(),
                method: r.method.as_str().to_owned(),
                status: r.status,
            })
            .inc();
        durations
            .get_or_create(&RouteLabels {
                route: r.route.to_owned(),
            })
            .observe(r.duration.as_secs_f64());
    }));
    if !observed {
        tracing::warn!("request metrics: the app already has an observer");
    }
    let registry = Arc::new(registry);
    axum::Router::new().route(
        "/metrics",
        get(move || {
            let registry = registry.clone();
            async move { super::ops::openmetrics(&registry) }
        }),
    )
}
