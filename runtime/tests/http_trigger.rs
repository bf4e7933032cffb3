//! Spin's HTTP trigger over real HTTP: routing, headers, streaming, failures, concurrency.

mod common;

use std::time::{Duration, Instant};

use bytes::Bytes;
use common::{probe, send, start};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spin_headers_match_spin_for_wildcard_route() {
    let app = start(|_| {}).await;
    let reply = send(app.addr, "GET", "/hello/a/b?x=1", &[], Bytes::new()).await;
    assert_eq!(reply.status, 200);
    let h = reply.json();
    assert_eq!(
        h["spin-full-url"],
        format!("http://{}/hello/a/b?x=1", app.addr)
    );
    assert_eq!(h["spin-path-info"], "/a/b");
    assert_eq!(h["spin-matched-route"], "/hello/...");
    assert_eq!(h["spin-component-route"], "/hello");
    assert_eq!(h["spin-raw-component-route"], "/hello/...");
    assert_eq!(h["spin-base-path"], "/");
    let client = h["spin-client-addr"].as_str().unwrap_or_default();
    assert!(
        client.starts_with("127.0.0.1:") && client.len() > 10,
        "{client}"
    );
    assert_eq!(h["path"], "/hello/a/b?x=1");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn routing_precedence_and_path_params() {
    let app = start(|_| {}).await;
    // Exact beats the wildcard of the same prefix.
    let exact = send(app.addr, "GET", "/hello", &[], Bytes::new()).await;
    assert_eq!((exact.status, exact.text().as_str()), (200, "hello"));
    // `:name` captures one segment.
    let user = send(app.addr, "GET", "/users/alice", &[], Bytes::new())
        .await
        .json();
    assert_eq!(user["spin-path-match-name"], "alice");
    assert_eq!(user["spin-matched-route"], "/users/:name");
    assert_eq!(user["spin-path-info"], "");
    // A param route with a wildcard tail.
    let posts = send(
        app.addr,
        "GET",
        "/users/bob/posts/7/comments",
        &[],
        Bytes::new(),
    )
    .await
    .json();
    assert_eq!(posts["spin-path-match-name"], "bob");
    assert_eq!(posts["spin-path-info"], "/7/comments");
    // Longest wildcard prefix wins over the root wildcard.
    let probe_route = probe(app.addr, "/probe/x", "", "").await.json();
    assert_eq!(probe_route["spin-matched-route"], "/probe/...");
    // Everything else falls to `/...`, with the whole path as path-info.
    let other = send(app.addr, "GET", "/users/alice/extra", &[], Bytes::new())
        .await
        .json();
    assert_eq!(other["spin-matched-route"], "/...");
    assert_eq!(other["spin-path-info"], "/users/alice/extra");
    assert_eq!(other["spin-component-route"], "");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_cannot_spoof_spin_headers() {
    let app = start(|_| {}).await;
    let h = send(
        app.addr,
        "GET",
        "/hello/z",
        &[("spin-path-info", "/evil")],
        Bytes::new(),
    )
    .await
    .json();
    assert_eq!(h["spin-path-info"], "/z");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_route_gives_404_json() {
    let dir = common::fixture_dir();
    let manifest = dir.path().join("spin.toml");
    let text = std::fs::read_to_string(&manifest)
        .unwrap()
        .replace("route = \"/...\"", "route = \"/root\"");
    std::fs::write(&manifest, text).unwrap();
    let app = iems_runtime::App::load(&manifest, common::options(dir.path())).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { app.serve(listener, std::future::pending()).await });
    let reply = send(addr, "GET", "/nowhere", &[], Bytes::new()).await;
    assert_eq!(reply.status, 404);
    assert!(
        reply.text().contains(r#""code":"not_found""#),
        "{}",
        reply.text()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn large_bodies_stream_both_ways() {
    let app = start(|_| {}).await;
    let upload: Vec<u8> = (0..8 * 1024 * 1024u32).map(|i| (i % 241) as u8).collect();
    let echoed = send(
        app.addr,
        "POST",
        "/probe/echo",
        &[("x-probe-op", "echo")],
        upload.clone(),
    )
    .await;
    assert_eq!(echoed.status, 200);
    assert_eq!(echoed.body.len(), upload.len());
    assert!(echoed.body == upload, "echoed body differs");

    let size = 16 * 1024 * 1024usize;
    let big = probe(app.addr, "/probe/big", "big", &size.to_string()).await;
    assert_eq!(big.status, 200);
    assert_eq!(big.body.len(), size);
    assert!(big
        .body
        .iter()
        .enumerate()
        .all(|(i, b)| *b == (i % 251) as u8));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trap_gives_500_and_server_keeps_serving() {
    let app = start(|_| {}).await;
    for _ in 0..3 {
        let trap = probe(app.addr, "/probe/t", "trap", "").await;
        assert_eq!(trap.status, 500);
        assert!(trap.text().contains("internal"));
        let hello = send(app.addr, "GET", "/hello", &[], Bytes::new()).await;
        assert_eq!(hello.status, 200);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn timeout_and_memory_limit_give_500() {
    let app = start(|o| {
        o.limits.request_timeout = Duration::from_millis(500);
        o.limits.memory_bytes = 64 * 1024 * 1024;
    })
    .await;
    let started = Instant::now();
    let looping = probe(app.addr, "/probe/l", "loop", "").await;
    assert_eq!(looping.status, 500);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
    let small = probe(app.addr, "/probe/a", "alloc", "8").await;
    assert_eq!(
        (small.status, small.text().as_str()),
        (200, "allocated 8388608")
    );
    let huge = probe(app.addr, "/probe/a", "alloc", "200").await;
    assert_eq!(huge.status, 500);
    let hello = send(app.addr, "GET", "/hello", &[], Bytes::new()).await;
    assert_eq!(hello.status, 200);
}

/// Every request runs in a fresh instance whose memory holds nothing of an
/// earlier one, whichever way the freed slot was reset (pages kept resident
/// and cleared, or returned to the kernel beyond the kept size).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_memory_survives_from_one_request_to_the_next() {
    let app = start(|_| {}).await;
    // The detector: a second check in the same instance finds the marks.
    let same = probe(app.addr, "/probe/i", "isolation", "twice:1").await;
    assert!(
        same.text().starts_with("dirty data=8 bss[0]=171"),
        "{}",
        same.text()
    );
    for round in 0..3 {
        // 0 MiB: only the initial memory; 4 MiB: grown heap inside the
        // resident size; 24 MiB: grown beyond it.
        for megabytes in ["0", "4", "24"] {
            let reply = probe(app.addr, "/probe/i", "isolation", megabytes).await;
            let text = reply.text();
            assert_eq!(reply.status, 200, "{text}");
            assert!(
                text.starts_with("clean"),
                "round {round}, {megabytes} MiB: {text}"
            );
            if megabytes == "24" {
                assert_ne!(text, "clean grown=0", "the heap should have grown");
            }
        }
    }
    // Concurrent requests take several slots; each must be clean, too.
    let addr = app.addr;
    let tasks: Vec<_> = (0..40)
        .map(|i| {
            tokio::spawn(async move {
                let megabytes = ["0", "4", "24"][i % 3];
                probe(addr, "/probe/i", "isolation", megabytes).await
            })
        })
        .collect();
    for task in tasks {
        let reply = task.await.unwrap();
        assert!(reply.text().starts_with("clean"), "{}", reply.text());
    }
}

/// Without the `spin-mysql3` feature a component importing Spin 4's
/// `spin:mysql/mysql@3.0.0` is refused at load, naming the component.
#[cfg(not(feature = "spin-mysql3"))]
#[test]
fn spin_mysql3_component_needs_the_feature() {
    let err = common::load_error("spin-mysql3.toml");
    assert!(err.contains("mysql3"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hundred_concurrent_requests() {
    let app = start(|_| {}).await;
    let addr = app.addr;
    let tasks: Vec<_> = (0..100)
        .map(|i| {
            tokio::spawn(async move {
                if i % 2 == 0 {
                    send(addr, "GET", "/hello", &[], Bytes::new()).await
                } else {
                    send(addr, "GET", &format!("/users/u{i}"), &[], Bytes::new()).await
                }
            })
        })
        .collect();
    for (i, task) in tasks.into_iter().enumerate() {
        let reply = task.await.unwrap();
        assert_eq!(reply.status, 200);
        if i % 2 == 1 {
            assert_eq!(reply.json()["spin-path-match-name"], format!("u{i}"));
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guest_stdout_does_not_break_requests() {
    let app = start(|_| {}).await;
    let reply = probe(app.addr, "/probe/s", "stdout", "").await;
    assert_eq!((reply.status, reply.text().as_str()), (200, "printed"));
}

/// Spin's reserved `/.well-known/spin/...` routes win over the app's `/...`
/// fallback: health, info, and 404 for anything else there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn well_known_spin_routes_come_before_the_app() {
    let app = start(|_| {}).await;
    let health = send(
        app.addr,
        "GET",
        "/.well-known/spin/health",
        &[],
        Bytes::new(),
    )
    .await;
    assert_eq!((health.status, health.text().as_str()), (200, "OK"));
    let info = send(app.addr, "GET", "/.well-known/spin/info", &[], Bytes::new()).await;
    assert_eq!(info.status, 200);
    let info: serde_json::Value = serde_json::from_str(&info.text()).expect("JSON");
    assert_eq!(info["name"], "runtime-tests");
    let other = send(app.addr, "GET", "/.well-known/spin/nope", &[], Bytes::new()).await;
    assert_eq!(other.status, 404);
    // Outside the reserved prefix the app's fallback still answers.
    let fallback = send(app.addr, "GET", "/.well-known/other", &[], Bytes::new()).await;
    assert_eq!(fallback.status, 200);
}

/// `App::observe` sees every answered request with its route as written in
/// `spin.toml` (not the raw path), the component and the status: what the
/// functions' request metrics count.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn observer_sees_route_component_and_status() {
    use std::sync::{Arc, Mutex};
    let dir = common::fixture_dir();
    let app = iems_runtime::App::load(&dir.path().join("spin.toml"), common::options(dir.path()))
        .unwrap();
    let seen: Arc<Mutex<Vec<(String, String, u16)>>> = Arc::default();
    let log = seen.clone();
    assert!(
        app.observe(Arc::new(move |r: &iems_runtime::RequestRecord<'_>| {
            log.lock()
                .unwrap()
                .push((r.route.to_owned(), r.component.to_owned(), r.status));
        }))
    );
    assert!(
        !app.observe(Arc::new(|_: &iems_runtime::RequestRecord<'_>| {})),
        "only one observer"
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { app.serve(listener, std::future::pending()).await });

    assert_eq!(
        send(addr, "GET", "/users/alice", &[], Bytes::new())
            .await
            .status,
        200
    );
    assert_eq!(probe(addr, "/probe/t", "trap", "").await.status, 500);
    assert_eq!(
        send(addr, "GET", "/.well-known/spin/health", &[], Bytes::new())
            .await
            .status,
        200
    );
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 3, "{seen:?}");
    assert_eq!((seen[0].0.as_str(), seen[0].2), ("/users/:name", 200));
    assert_eq!((seen[1].0.as_str(), seen[1].2), ("/probe/...", 500));
    assert!(seen[0].1 != "-" && seen[1].1 != "-", "{seen:?}");
    assert_eq!(
        (seen[2].0.as_str(), seen[2].1.as_str(), seen[2].2),
        ("/.well-known/spin/...", "-", 200)
    );
}
