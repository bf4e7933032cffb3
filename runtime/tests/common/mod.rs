//! Test helpers: build the test components once, serve the fixture app over
//! real HTTP on a free port, and the shared test client (`iems_testkit::http`).
#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use bytes::Bytes;
use iems_runtime::{App, RuntimeOptions};
use tokio::net::TcpListener;

/// The workspace target directory the test binary was built in.
fn target_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("target dir")
        .to_path_buf()
}

/// Builds the test components (`rt-hello`, `rt-probe`, `rt-mysql3`,
/// `rt-hello3`) for wasm32-wasip2 once per test binary and returns the
/// directory holding the `.wasm` files.
pub fn wasm_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .expect("workspace root");
        // The same target dir as the tests (cargo releases its lock before running them).
        let target = target_dir();
        let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .current_dir(workspace)
            .args([
                "build",
                "--target",
                "wasm32-wasip2",
                "--release",
                "-p",
                "rt-hello",
                "-p",
                "rt-probe",
                "-p",
                "rt-mysql3",
                "-p",
                "rt-hello3",
            ])
            .env("CARGO_TARGET_DIR", &target)
            .status()
            .expect("running cargo build for the test components");
        assert!(status.success(), "building the test components failed");
        target.join("wasm32-wasip2").join("release")
    })
}

/// A running test application.
pub struct TestApp {
    /// Where it listens.
    pub addr: SocketAddr,
    /// Its app directory (manifest, assets, data).
    pub dir: tempfile::TempDir,
    /// The loaded app.
    pub app: App,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Writes the fixture app into a fresh directory.
pub fn fixture_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let wasm = wasm_dir().display().to_string();
    let data = dir.path().join("data").display().to_string();
    let read = |name: &str| {
        let text = std::fs::read_to_string(fixtures.join(name)).expect("fixture");
        text.replace("@WASM@", &wasm).replace("@DATA@", &data)
    };
    let write = |name: &str, text: String| {
        std::fs::write(dir.path().join(name), text).expect("write fixture");
    };
    let app = read("spin.toml");
    write("runtime-config.toml", read("runtime-config.toml"));
    // The same app plus a Spin 4 component (component-model async): one
    // importing spin:mysql/mysql@3.0.0, one exporting wasi:http 0.3.
    write(
        "spin-mysql3.toml",
        format!("{app}\n{}", read("mysql3.toml")),
    );
    write("spin-p3.toml", format!("{app}\n{}", read("hello3.toml")));
    write("spin.toml", app);
    std::fs::create_dir_all(dir.path().join("assets")).unwrap();
    std::fs::copy(
        fixtures.join("assets/note.txt"),
        dir.path().join("assets/note.txt"),
    )
    .unwrap();
    dir
}

/// Why the fixture `manifest` does not load (failing when it does).
pub fn load_error(manifest: &str) -> String {
    let dir = fixture_dir();
    let options = options(dir.path());
    match App::load(&dir.path().join(manifest), options) {
        Ok(_) => panic!("{manifest} loaded"),
        Err(e) => e.to_string(),
    }
}

/// Default options for the fixture in `dir`.
pub fn options(dir: &Path) -> RuntimeOptions {
    RuntimeOptions {
        data_dir: Some(dir.join("data")),
        runtime_config: Some(dir.join("runtime-config.toml")),
        cache_dir: Some(target_dir().join("wasmtime-cache")),
        ..Default::default()
    }
}

/// Loads and serves the fixture app with `tweak` applied to the options.
pub async fn start(tweak: impl FnOnce(&mut RuntimeOptions)) -> TestApp {
    start_manifest("spin.toml", tweak).await
}

/// Loads and serves one of the fixture's manifests (`spin.toml`, or
/// `spin-mysql3.toml`: the same plus the `mysql3` component).
pub async fn start_manifest(manifest: &str, tweak: impl FnOnce(&mut RuntimeOptions)) -> TestApp {
    let dir = fixture_dir();
    let mut opts = options(dir.path());
    tweak(&mut opts);
    let app = App::load(&dir.path().join(manifest), opts).expect("app loads");
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = app.clone();
    tokio::spawn(async move {
        let _ = serving.serve(listener, async { drop(stopped.await) }).await;
    });
    TestApp {
        addr,
        dir,
        app,
        stop: Some(stop),
    }
}

pub use iems_testkit::http::{send, Reply};

/// `GET path` with an `x-probe-op` (and optional `x-probe-arg`).
pub async fn probe(addr: SocketAddr, path: &str, op: &str, arg: &str) -> Reply {
    send(
        addr,
        "GET",
        path,
        &[("x-probe-op", op), ("x-probe-arg", arg)],
        Bytes::new(),
    )
    .await
}
