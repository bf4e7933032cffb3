//! For the runtime's own tests; not a stable API.

use crate::app::App;

/// Calls `export`, an `async func(string, string) -> string` of `component`'s
/// world, in a fresh instance set up as a request's (host state, memory and
/// time limits): how the tests reach a component-model async task without an
/// HTTP handler (a wasi:http 0.2 handler is not one; a 0.3 handler, with the
/// `wasi-http-p3` feature, is). The error is the failure's text (a trap, the
/// timeout).
pub async fn call_async_export(
    app: &App,
    component: &str,
    export: &str,
    args: (String, String),
) -> Result<String, String> {
    let inner = &app.inner;
    let loaded = inner
        .by_id
        .get(component)
        .map(|&index| &inner.components[index])
        .ok_or_else(|| format!("no component {component}"))?;
    let mut store = inner.request_store(loaded).map_err(|e| format!("{e:#}"))?;
    let timeout = inner.limits.request_timeout;
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
    let result = tokio::time::timeout(timeout + crate::invoke::TIMEOUT_GRACE, call).await;
    store.data().flush_stdio();
    match result {
        Ok(result) => result.map_err(|e| format!("{e:?}")),
        Err(_) => Err("timed out".into()),
    }
}
