//! The `static` Spin component: our own file server for the built frontend,
//! mounted at `/` through spin.toml's `files` (Spin ships none, and its
//! templates would download a prebuilt one).
//!
//! - content types by extension, `index.html` for directories;
//! - client-side routes (paths without an extension that name no file) get
//!   `index.html`; unmatched `/api/...` paths get a JSON 404 instead;
//! - `Cache-Control`: hashed files under `/assets/` are immutable for a year,
//!   everything else `no-cache` with an `ETag` so revalidation is a cheap 304;
//! - `file.br` / `file.gz` siblings are served when the client accepts them;
//! - `..`, hidden files and odd bytes in the path are refused; GET and HEAD only.

mod encoding;
mod mime;

use iems_shared::static_path;
use iems_shared::{ApiError, ErrorCode};
use spin_sdk::http::{Method, Request, Response};
use spin_sdk::http_component;
use std::path::{Path, PathBuf};

/// Where spin.toml mounts `frontend/dist`.
const ROOT: &str = "/";
/// Hashed build output: safe to cache forever.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Everything else is revalidated on each use.
const REVALIDATE: &str = "no-cache";

#[http_component]
fn handle(req: Request) -> Response {
    let raw_path = header(&req, "spin-path-info").unwrap_or_else(|| req.path().to_owned());
    if raw_path == "/api" || raw_path.starts_with("/api/") {
        return error(ApiError::new(ErrorCode::NotFound, "no such API route"));
    }
    let head = match req.method() {
        Method::Get => false,
        Method::Head => true,
        _ => {
            let mut resp = error(ApiError::new(
                ErrorCode::MethodNotAllowed,
                "only GET and HEAD are allowed here",
            ));
            resp.set_header("allow", "GET, HEAD");
            return resp;
        }
    };
    let segments = match static_path::segments(&raw_path) {
        Ok(s) => s,
        Err(static_path::PathError::Malformed) => {
            return plain(400, "bad request path");
        }
        Err(static_path::PathError::Forbidden) => return plain(404, "not found"),
    };
    let Some(file) = resolve(&segments) else {
        return plain(404, "not found");
    };
    serve(&req, &file, head)
}

/// The file a path names: itself, its directory's `index.html`, or for a
/// client-side route the app's `index.html`.
fn resolve(segments: &[String]) -> Option<PathBuf> {
    let mut file = Path::new(ROOT).to_path_buf();
    file.extend(segments);
    if file.is_dir() {
        file.push("index.html");
    }
    if file.is_file() {
        return Some(file);
    }
    if static_path::has_extension(segments) {
        return None;
    }
    let index = Path::new(ROOT).join("index.html");
    index.is_file().then_some(index)
}

/// Answers with `file` (or a precompressed sibling the client accepts).
fn serve(req: &Request, file: &Path, head: bool) -> Response {
    let name = file.to_string_lossy().into_owned();
    let siblings: Vec<encoding::Encoding> = [encoding::Encoding::Brotli, encoding::Encoding::Gzip]
        .into_iter()
        .filter(|e| Path::new(&format!("{name}{}", e.suffix())).is_file())
        .collect();
    let accepted = encoding::preferred(header(req, "accept-encoding").as_deref());
    let chosen = accepted.into_iter().find(|e| siblings.contains(e));
    let body_path = match chosen {
        Some(e) => format!("{name}{}", e.suffix()),
        None => name.clone(),
    };
    let body = match std::fs::read(&body_path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("static: reading {body_path}: {e}");
            return error(ApiError::internal());
        }
    };
    let etag = format!(
        "\"{:016x}{}\"",
        fnv1a(&body),
        chosen
            .map(|e| format!("-{}", e.token()))
            .unwrap_or_default()
    );
    let hashed = name.starts_with("/assets/");
    let mut builder = Response::builder();
    builder
        .header("content-type", mime::content_type(&name))
        .header("cache-control", if hashed { IMMUTABLE } else { REVALIDATE })
        .header("etag", etag.clone())
        .header("x-content-type-options", "nosniff");
    if !siblings.is_empty() {
        builder.header("vary", "Accept-Encoding");
    }
    if let Some(e) = chosen {
        builder.header("content-encoding", e.token());
    }
    let fresh = header(req, "if-none-match")
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    if fresh {
        return builder.status(304).build();
    }
    if head {
        return builder.status(200).build();
    }
    builder
        .status(200)
        .header("content-length", body.len().to_string())
        .body(body)
        .build()
}

/// FNV-1a: a cheap, stable content hash for the `ETag`.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn header(req: &Request, name: &str) -> Option<String> {
    req.header(name).and_then(|v| v.as_str()).map(str::to_owned)
}

fn plain(status: u16, text: &str) -> Response {
    Response::builder()
        .status(status)
        .header("content-type", "text/plain; charset=utf-8")
        .body(text.to_owned())
        .build()
}

fn error(err: ApiError) -> Response {
    Response::builder()
        .status(err.status())
        .header("content-type", "application/json")
        .body(err.to_body())
        .build()
}
