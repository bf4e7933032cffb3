//! Helpers for the runtime's tests and the benchmarks (`testing` feature):
//! they reach inside a loaded [`App`]; not a stable API.

use std::time::Instant;

use crate::serve::App;

/// Median time (µs) to create a store and instantiate `component` from its
/// pre-instantiated form, over `samples` runs (`iems bench http` reports it).
pub async fn median_instantiation_us(app: &App, component: &str, samples: usize) -> Option<f64> {
    let inner = &app.inner;
    let loaded = &inner.loaded.components[*inner.loaded.by_id.get(component)?];
    let mut times = Vec::with_capacity(samples);
    for _ in 0..samples.max(1) {
        let started = Instant::now();
        let mut store = inner.request_store(loaded).ok()?;
        loaded
            .pre
            .instance_pre()
            .instantiate_async(&mut store)
            .await
            .ok()?;
        times.push(started.elapsed().as_secs_f64() * 1e6);
    }
    times.sort_by(f64::total_cmp);
    Some(times[times.len() / 2])
}

/// Calls `export`, an `async func(string, string) -> string` of `component`'s
/// world, in a fresh instance set up as a request's (host state, memory and
/// time limits): how the tests reach a component-model async task without an
/// HTTP handler (a wasi:http 0.2 handler is not one; a 0.3 handler, with the
/// `wasi-http-p3` feature, is). The error is the failure's text (a trap, the
/// timeout).
#[cfg(feature = "spin-mysql3")]
pub async fn call_async_export(
    app: &App,
    component: &str,
    export: &str,
    args: (String, String),
) -> Result<String, String> {
    let inner = &app.inner;
    let loaded = inner
        .loaded
        .by_id
        .get(component)
        .map(|&index| &inner.loaded.components[index])
        .ok_or_else(|| format!("no component {component}"))?;
    let mut store = inner.request_store(loaded).map_err(|e| format!("{e:#}"))?;
    let timeout = inner.loaded.limits.request_timeout;
    let call = async {
        let store = &mut store;
        let instance = loaded
            .pre
            .instance_pre()
            .instantiate_async(&mut *store)
            .await?;
        let func = instance.get_typed_func::<(String, String), (String,)>(&mut *store, export)?;
        let (answer,) = func.call_async(&mut *store, args).await?;
        wasmtime::Result::<String>::Ok(answer)
    };
    let result = tokio::time::timeout(timeout + crate::serve::invoke::TIMEOUT_GRACE, call).await;
    store.data().flush_stdio();
    match result {
        Ok(result) => result.map_err(|e| format!("{e:?}")),
        Err(_) => Err("timed out".into()),
    }
}
