//! Spin 4's HTTP components (spin-sdk 7, `wasi:http/handler@0.3.0`), through
//! the `rt-hello3` component: served with the runtime's `wasi-http-p3`
//! feature, refused at load without it.

mod common;

#[cfg(feature = "wasi-http-p3")]
mod served {
    use super::common;
    use bytes::Bytes;
    use serde_json::json;

    async fn start() -> common::TestApp {
        common::start_manifest("spin-p3.toml", |_| {}).await
    }

    /// The app with a request timeout of one second.
    async fn start_impatient() -> common::TestApp {
        common::start_manifest("spin-p3.toml", |o| {
            o.limits.request_timeout = std::time::Duration::from_secs(1);
        })
        .await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn spin_headers_and_routing_as_for_a_wasi_http_0_2_component() {
        let app = start().await;
        let reply = common::send(app.addr, "GET", "/hello3/a/b?x=1", &[], Bytes::new()).await;
        assert_eq!(reply.status, 200, "{}", reply.text());
        let answer = reply.json();
        assert_eq!(answer["method"], "GET");
        let headers = &answer["headers"];
        assert_eq!(headers["spin-path-info"], "/a/b", "{answer}");
        assert_eq!(headers["spin-matched-route"], "/hello3/...");
        assert_eq!(headers["spin-component-route"], "/hello3");
        assert_eq!(
            headers["spin-full-url"],
            format!("http://{}/hello3/a/b?x=1", app.addr)
        );
        // The 0.2 components of the same app are served beside it.
        let hello = common::send(app.addr, "GET", "/hello", &[], Bytes::new()).await;
        assert_eq!(hello.status, 200, "{}", hello.text());
    }

    /// The guest writes the body after returning the response: all of it
    /// arrives, and the next request is served.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_body_written_after_the_response_arrives_whole() {
        let app = start().await;
        for _ in 0..3 {
            let reply = common::send(app.addr, "GET", "/hello3/big", &[], Bytes::new()).await;
            assert_eq!(reply.status, 200);
            assert_eq!(reply.body.len(), 4 << 20);
            assert!(reply.body.iter().all(|&b| b == b'x'));
        }
        let reply = common::send(app.addr, "GET", "/hello3/x", &[], Bytes::new()).await;
        assert_eq!(reply.json()["method"], json!("GET"));
    }

    /// wasi:http 0.3's client is held to `allowed_outbound_hosts` as 0.2's is,
    /// and `http://self` reaches the app's own routes.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn outbound_requests_are_allow_listed() {
        let app = start().await;
        let fetch = |url: &'static str| {
            let addr = app.addr;
            async move {
                let reply = common::send(
                    addr,
                    "GET",
                    "/hello3/fetch",
                    &[("x-url", url)],
                    Bytes::new(),
                )
                .await;
                assert_eq!(reply.status, 200, "{}", reply.text());
                reply.json()
            }
        };
        assert_eq!(fetch("http://self/hello").await, json!({"status": 200}));
        let denied = fetch("http://127.0.0.1:9/").await;
        assert!(
            denied["error"]
                .as_str()
                .is_some_and(|e| e.contains("Denied")),
            "{denied}"
        );
    }

    /// A handler that never answers is stopped at the request timeout (a 500),
    /// and the app goes on serving.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_handler_that_never_answers_times_out() {
        let app = start_impatient().await;
        let started = std::time::Instant::now();
        let reply = common::send(app.addr, "GET", "/hello3/spin", &[], Bytes::new()).await;
        assert_eq!(reply.status, 500);
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
        let reply = common::send(app.addr, "GET", "/hello3/x", &[], Bytes::new()).await;
        assert_eq!(reply.status, 200);
    }

    /// A handler that answers and then waits for ever without finishing the
    /// body (it echoes a request body whose client stalls half-way): the
    /// response is cut at the request timeout with an error (the connection
    /// closes), neither held open nor ended as if it were whole.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_body_never_finished_is_cut_at_the_timeout() {
        use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
        let app = start_impatient().await;
        let started = std::time::Instant::now();
        let mut conn = tokio::net::TcpStream::connect(app.addr).await.unwrap();
        conn.write_all(
            b"POST /hello3/echo HTTP/1.1\r\nhost: test\r\ncontent-length: 100\r\n\r\nfirst part",
        )
        .await
        .unwrap();
        let mut seen = Vec::new();
        let read = tokio::time::timeout(std::time::Duration::from_secs(10), async {
            let mut buf = [0u8; 4096];
            loop {
                match conn.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => seen.extend_from_slice(&buf[..n]),
                }
            }
        })
        .await;
        assert!(read.is_ok(), "the body was held open past the timeout");
        let elapsed = started.elapsed();
        assert!(
            elapsed >= std::time::Duration::from_millis(900),
            "{elapsed:?}"
        );
        assert!(elapsed < std::time::Duration::from_secs(5), "{elapsed:?}");
        let seen = String::from_utf8_lossy(&seen);
        assert!(seen.starts_with("HTTP/1.1 200"), "{seen}");
        assert!(seen.contains("first part"), "{seen}");
        // Cut, not ended: no last chunk.
        assert!(!seen.ends_with("0\r\n\r\n"), "{seen}");
        // The app goes on serving.
        let reply = common::send(app.addr, "GET", "/hello3/x", &[], Bytes::new()).await;
        assert_eq!(reply.status, 200);
    }
}

/// Without the `wasi-http-p3` feature such a component is refused at load,
/// naming the component and the feature.
#[cfg(not(feature = "wasi-http-p3"))]
#[test]
fn a_wasi_http_0_3_component_needs_the_feature() {
    let err = common::load_error("spin-p3.toml");
    assert!(err.contains("hello3"), "{err}");
    assert!(err.contains("`wasi-http-p3` feature"), "{err}");
}
