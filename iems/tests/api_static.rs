//! The static component over HTTP, serving a fixture `dist` directory: content
//! types, client-side route fallback, caching, precompressed siblings, HEAD,
//! methods and path traversal.

mod common;

use bytes::Bytes;
use common::{Reply, TestApi};
use std::path::Path;

const INDEX: &str = "<!doctype html><title>iems</title>";
const APP_JS: &str = "console.log('app');";

/// A `dist` directory like Vite's output, plus files that must never be served.
fn write_dist(dir: &Path) {
    let files: &[(&str, &[u8])] = &[
        ("index.html", INDEX.as_bytes()),
        ("assets/app-3f9a1c.js", APP_JS.as_bytes()),
        ("assets/app-3f9a1c.js.br", b"BROTLI-BYTES"),
        ("assets/app-3f9a1c.js.gz", b"GZIP-BYTES"),
        ("assets/style-77aa.css", b"body{}"),
        ("favicon.svg", b"<svg/>"),
        ("manifest.webmanifest", b"{}"),
        ("robots.txt", b"User-agent: *"),
        ("docs/index.html", b"<p>docs</p>"),
        (".env", b"SECRET=1"),
    ];
    for (name, bytes) in files {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
    std::fs::write(dir.parent().unwrap().join("outside.txt"), b"OUTSIDE").unwrap();
}

/// The built API with the static component's mount pointed at a fixture.
struct StaticApp {
    api: TestApi,
    _dist: tempfile::TempDir,
}

async fn start() -> StaticApp {
    let dist = tempfile::tempdir().unwrap();
    let root = dist.path().join("dist");
    write_dist(&root);
    let api = TestApi::start_with_manifest(|manifest| {
        let component = manifest
            .get_mut("component")
            .and_then(|c| c.get_mut("static"))
            .and_then(|s| s.as_table_mut())
            .expect("spin.toml has a static component");
        let mut mount = toml::Table::new();
        mount.insert("source".into(), root.display().to_string().into());
        mount.insert("destination".into(), "/".into());
        component.insert("files".into(), toml::Value::Array(vec![mount.into()]));
    })
    .await;
    StaticApp { api, _dist: dist }
}

impl StaticApp {
    async fn get(&self, path: &str, headers: &[(&str, &str)]) -> Reply {
        self.send("GET", path, headers).await
    }

    async fn send(&self, method: &str, path: &str, headers: &[(&str, &str)]) -> Reply {
        self.api.send(method, path, headers, Bytes::new()).await
    }
}

fn header(r: &Reply, name: &str) -> String {
    r.header(name).unwrap_or_default()
}

#[tokio::test]
async fn files_routes_and_caching() {
    let app = start().await;

    let index = app.get("/", &[]).await;
    assert_eq!(index.status, 200);
    assert_eq!(index.text(), INDEX);
    assert_eq!(header(&index, "content-type"), "text/html; charset=utf-8");
    assert_eq!(header(&index, "cache-control"), "no-cache");
    let etag = header(&index, "etag");
    assert!(etag.starts_with('"') && etag.len() > 4, "{etag}");

    // Revalidation with the ETag is a bodiless 304.
    let again = app.get("/", &[("if-none-match", &etag)]).await;
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());

    // Client-side routes get index.html; missing files with an extension do not.
    for route in ["/devices", "/devices/7f1c/day", "/admin/users?page=2"] {
        let r = app.get(route, &[]).await;
        assert_eq!((r.status, r.text().as_str()), (200, INDEX), "{route}");
        assert_eq!(header(&r, "cache-control"), "no-cache");
    }
    let missing = app.get("/missing.js", &[]).await;
    assert_eq!(missing.status, 404);
    assert_eq!(app.get("/assets/gone-123.css", &[]).await.status, 404);

    // A directory answers its index.html.
    assert_eq!(app.get("/docs", &[]).await.text(), "<p>docs</p>");
    assert_eq!(app.get("/docs/", &[]).await.text(), "<p>docs</p>");

    // Content types.
    for (path, ty) in [
        ("/assets/style-77aa.css", "text/css; charset=utf-8"),
        ("/favicon.svg", "image/svg+xml"),
        ("/manifest.webmanifest", "application/manifest+json"),
        ("/robots.txt", "text/plain; charset=utf-8"),
    ] {
        let r = app.get(path, &[]).await;
        assert_eq!(r.status, 200, "{path}");
        assert_eq!(header(&r, "content-type"), ty, "{path}");
        assert_eq!(header(&r, "x-content-type-options"), "nosniff");
    }
    // Hashed assets are immutable; other files revalidate.
    let css = app.get("/assets/style-77aa.css", &[]).await;
    assert_eq!(
        header(&css, "cache-control"),
        "public, max-age=31536000, immutable"
    );
    assert_eq!(
        header(&app.get("/robots.txt", &[]).await, "cache-control"),
        "no-cache"
    );

    // Unmatched API paths are JSON 404s, never the app.
    for path in ["/api/nope", "/api", "/api/consumptionx/1"] {
        let r = app.get(path, &[]).await;
        assert_eq!(r.status, 404, "{path}");
        assert_eq!(r.error_code(), "not_found", "{path}");
    }
    drop(app.api);
}

#[tokio::test]
async fn precompressed_siblings_follow_accept_encoding() {
    let app = start().await;
    let js = "/assets/app-3f9a1c.js";
    let cases: [(&str, &str, &str); 6] = [
        ("br, gzip", "BROTLI-BYTES", "br"),
        ("gzip, deflate, br;q=0.5", "GZIP-BYTES", "gzip"),
        ("gzip", "GZIP-BYTES", "gzip"),
        ("br;q=0, gzip;q=0", APP_JS, ""),
        ("identity", APP_JS, ""),
        ("*", "BROTLI-BYTES", "br"),
    ];
    for (accept, body, encoding) in cases {
        let r = app.get(js, &[("accept-encoding", accept)]).await;
        assert_eq!(r.status, 200, "{accept}");
        assert_eq!(r.text(), body, "{accept}");
        assert_eq!(header(&r, "content-encoding"), encoding, "{accept}");
        assert_eq!(header(&r, "vary"), "Accept-Encoding", "{accept}");
        assert_eq!(header(&r, "content-type"), "text/javascript; charset=utf-8");
        assert_eq!(
            header(&r, "cache-control"),
            "public, max-age=31536000, immutable"
        );
    }
    let plain = app.get(js, &[]).await;
    assert_eq!(
        (
            plain.text().as_str(),
            header(&plain, "content-encoding").as_str()
        ),
        (APP_JS, "")
    );
    // Variants have different validators.
    let br = app.get(js, &[("accept-encoding", "br")]).await;
    assert_ne!(header(&br, "etag"), header(&plain, "etag"));
    // Files without siblings do not vary.
    assert_eq!(
        app.get("/robots.txt", &[("accept-encoding", "br")])
            .await
            .header("vary"),
        None
    );
}

#[tokio::test]
async fn head_methods_and_traversal() {
    let app = start().await;
    let head = app.send("HEAD", "/assets/app-3f9a1c.js", &[]).await;
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    assert_eq!(
        header(&head, "content-type"),
        "text/javascript; charset=utf-8"
    );
    assert_eq!(app.send("HEAD", "/devices", &[]).await.status, 200);

    for method in ["POST", "PUT", "DELETE", "PATCH"] {
        let r = app.send(method, "/", &[]).await;
        assert_eq!(r.status, 405, "{method}");
        assert_eq!(header(&r, "allow"), "GET, HEAD");
        assert_eq!(r.error_code(), "method_not_allowed");
    }

    for path in [
        "/../outside.txt",
        "/%2e%2e/outside.txt",
        "/assets/..%2f..%2foutside.txt",
        "/assets/%2e%2e/%2e%2e/outside.txt",
        "/.env",
        "/%2eenv",
        "/assets/..%5c..%5coutside.txt",
        "/index.html%00.js",
    ] {
        let r = app.get(path, &[]).await;
        assert!(matches!(r.status, 400 | 404), "{path}: {}", r.status);
        let text = r.text();
        assert!(
            !text.contains("OUTSIDE") && !text.contains("SECRET"),
            "{path}: {text}"
        );
    }
    assert_eq!(app.get("/%zz", &[]).await.status, 400);
}
