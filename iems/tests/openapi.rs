//! The OpenAPI document: served at `/api/openapi.json`, covers every route of
//! spin.toml's components, every documented route is routed to a component,
//! and every `$ref` resolves.

mod common;

use common::TestApi;
use serde_json::Value;

/// `[[trigger.http]]` routes of the workspace spin.toml.
fn spin_routes() -> Vec<String> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../spin.toml");
    let manifest: toml::Table = std::fs::read_to_string(path).unwrap().parse().unwrap();
    manifest["trigger"]["http"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["route"].as_str().map(str::to_string))
        .collect()
}

/// Does a spin route match a documented path (with `{param}`s)?
fn route_covers(route: &str, path: &str) -> bool {
    match route.strip_suffix("/...") {
        Some(prefix) => {
            path == prefix || path.starts_with(&format!("{prefix}/")) || prefix.is_empty()
        }
        None => route == path,
    }
}

fn refs<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                match (k.as_str(), v) {
                    ("$ref", Value::String(r)) => out.push(r),
                    _ => refs(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

#[tokio::test]
async fn the_document_covers_every_route_and_every_documented_route_answers() {
    let api = TestApi::start().await;
    let r = api.call("GET", "/api/openapi.json", None, None).await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.header("content-type").as_deref(),
        Some("application/json")
    );
    let doc = r.json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    assert_eq!(
        doc["components"]["securitySchemes"]["bearerAuth"]["scheme"],
        "bearer"
    );
    let paths = doc["paths"].as_object().unwrap();

    // Every spin.toml route has documented paths; every documented path is routed.
    let routes = spin_routes();
    for route in &routes {
        assert!(
            paths.keys().any(|p| route_covers(route, p)),
            "{route} is not documented"
        );
    }
    for path in paths.keys() {
        assert!(
            routes.iter().any(|r| route_covers(r, path)),
            "{path} is documented but not in spin.toml"
        );
    }

    // Every `$ref` points at something that exists.
    let mut found = Vec::new();
    refs(&doc, &mut found);
    assert!(found.len() > 50);
    for r in found {
        let pointer = r.strip_prefix('#').expect("local ref");
        assert!(doc.pointer(pointer).is_some(), "dangling {r}");
    }

    // Every documented operation reaches a component that knows it: anonymous
    // callers get 2xx, 400, 401 or 422 — never a 404/405 for the route itself.
    let admin = api.admin().await;
    for (path, item) in paths {
        let concrete = path
            .split('/')
            .map(|s| {
                if s.starts_with('{') {
                    common::uuid_v4()
                } else {
                    s.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join("/");
        for (method, op) in item.as_object().unwrap() {
            if method == "parameters" {
                continue;
            }
            assert!(
                op["responses"].as_object().is_some_and(|r| !r.is_empty()),
                "{method} {path}"
            );
            assert!(op["operationId"].is_string(), "{method} {path}");
            if op["tags"][0] == "frontend" {
                continue; // depends on whether frontend/dist is built; tests/api_static.rs covers it
            }
            let m = method.to_ascii_uppercase();
            // As a JSON client would send it (other content types get 415 on JSON routes).
            let json = [("content-type", "application/json")];
            let anonymous = api.send(&m, &concrete, &json, Vec::new()).await;
            assert!(
                matches!(anonymous.status, 200..=299 | 400 | 401 | 422),
                "{m} {concrete}: {} {}",
                anonymous.status,
                anonymous.text()
            );
            let secured = op["security"].as_array().is_some_and(|s| !s.is_empty());
            if secured {
                assert_eq!(
                    anonymous.status, 401,
                    "{m} {concrete} is documented as needing a token"
                );
            }
            // With a token the route is still found (404 would then only mean the resource).
            let signed_in = api.call(&m, &concrete, Some(&admin.token), None).await;
            assert_ne!(signed_in.status, 405, "{m} {concrete}");
            if signed_in.status == 404 {
                assert!(path.contains('{'), "{m} {concrete}: {}", signed_in.text());
                assert_eq!(signed_in.error_code(), "not_found");
            }
        }
    }
}
