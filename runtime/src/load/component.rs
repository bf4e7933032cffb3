//! A component from its file to a pre-instantiated HTTP export, and what its
//! instances may use (sources, mounts, stores).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use wasmtime::component::{Component, Linker};
use wasmtime::Engine;
use wasmtime_wasi_http::p2::bindings::ProxyPre;

use super::manifest::FileMount;
use crate::host::{ComponentCtx, HostState};

/// A component ready to serve: its pre-instantiated export and what its
/// instances may use.
pub(crate) struct LoadedComponent {
    pub(crate) pre: Handler,
    pub(crate) ctx: Arc<ComponentCtx>,
}

/// A component's HTTP export, pre-instantiated.
#[derive(Clone)]
pub(crate) enum Handler {
    /// `wasi:http/incoming-handler@0.2` (spin-sdk 5, what Spin 3 and 4 run).
    P2(ProxyPre<HostState>),
    /// `wasi:http/handler@0.3.0` (spin-sdk 7, Spin 4), with the
    /// `wasi-http-p3` feature.
    #[cfg(feature = "wasi-http-p3")]
    P3(wasmtime_wasi_http::p3::bindings::ServicePre<HostState>),
}

/// The export a wasi:http 0.3 component serves requests from.
const P3_HANDLER: &str = "wasi:http/handler@0.3.0";

/// Why a Spin 4 component does not load without the features.
pub(super) const NEEDS_ASYNC: &str = "Spin 4 components (spin-sdk 7: wasi:http 0.3, \
    spin:mysql/mysql@3.0.0) load only when the runtime is built with its \
    `wasi-http-p3` feature (`spin-mysql3` for the MySQL interface alone)";

impl Handler {
    /// Pre-instantiates `component` for the HTTP interface it exports.
    pub(super) fn new(
        engine: &Engine,
        linker: &Linker<HostState>,
        component: &Component,
    ) -> wasmtime::Result<Self> {
        let p3 = component
            .component_type()
            .exports(engine)
            .any(|(name, _)| name == P3_HANDLER);
        if !p3 {
            return ProxyPre::new(linker.instantiate_pre(component)?).map(Handler::P2);
        }
        #[cfg(feature = "wasi-http-p3")]
        return wasmtime_wasi_http::p3::bindings::ServicePre::new(
            linker.instantiate_pre(component)?,
        )
        .map(Handler::P3);
        #[cfg(not(feature = "wasi-http-p3"))]
        wasmtime::bail!("it exports {P3_HANDLER}: {NEEDS_ASYNC}")
    }

    /// What the instances are made from.
    #[cfg(feature = "testing")]
    pub(crate) fn instance_pre(&self) -> &wasmtime::component::InstancePre<HostState> {
        match self {
            Handler::P2(pre) => pre.instance_pre(),
            #[cfg(feature = "wasi-http-p3")]
            Handler::P3(pre) => pre.instance_pre(),
        }
    }
}

/// The file of a local component source: relative to the app directory, or
/// under `target_dir` when it names a file in `target/`.
pub(super) fn local_source(app_dir: &Path, source: &str, target_dir: Option<&Path>) -> PathBuf {
    let relative = Path::new(source);
    match (target_dir, relative.strip_prefix("target")) {
        (Some(target), Ok(rest)) if relative.is_relative() => target.join(rest),
        _ => app_dir.join(relative),
    }
}

pub(super) fn pick<T>(
    allowed: &[String],
    all: &HashMap<String, Arc<T>>,
) -> HashMap<String, Arc<T>> {
    allowed
        .iter()
        .filter_map(|n| all.get(n).map(|s| (n.clone(), Arc::clone(s))))
        .collect()
}

pub(super) fn mounts(app_dir: &Path, files: &[FileMount]) -> Vec<(PathBuf, String)> {
    files
        .iter()
        .map(|f| match f {
            FileMount::Placement {
                source,
                destination,
            } => (app_dir.join(source), destination.clone()),
            FileMount::Pattern(pattern) => {
                // A glob mounts its literal leading directory; a file mounts its directory.
                let literal: Vec<&str> = pattern
                    .split('/')
                    .take_while(|s| !s.contains(['*', '?', '[']))
                    .collect();
                let mut dir = literal.join("/");
                if app_dir.join(&dir).is_file() || literal.len() == pattern.split('/').count() {
                    dir = Path::new(&dir)
                        .parent()
                        .map(|p| p.display().to_string())
                        .unwrap_or_default();
                }
                let guest = format!("/{dir}");
                (app_dir.join(&dir), guest)
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::local_source;
    use std::path::Path;

    #[test]
    fn target_sources_follow_the_target_dir() {
        let app = Path::new("/app");
        let source = "target/wasm32-wasip2/release/x.wasm";
        assert_eq!(
            local_source(app, source, None),
            Path::new("/app/target/wasm32-wasip2/release/x.wasm")
        );
        assert_eq!(
            local_source(app, source, Some(Path::new("/cache/t"))),
            Path::new("/cache/t/wasm32-wasip2/release/x.wasm")
        );
        // Only a leading `target` directory is redirected.
        assert_eq!(
            local_source(app, "dist/target/x.wasm", Some(Path::new("/cache/t"))),
            Path::new("/app/dist/target/x.wasm")
        );
        assert_eq!(
            local_source(app, "targets/x.wasm", Some(Path::new("/cache/t"))),
            Path::new("/app/targets/x.wasm")
        );
    }
}
