//! A test component that exercises one host interface per request, chosen by
//! the `x-probe-op` header (default: report the request's `spin-*` headers).

use futures::{SinkExt, StreamExt};
use spin_sdk::http::{Fields, IncomingRequest, OutgoingResponse, ResponseOutparam};
use spin_sdk::http_component;
use spin_sdk::{key_value, sqlite, sqlite3, variables};

mod mysql;

#[http_component]
async fn handle(req: IncomingRequest, out: ResponseOutparam) {
    let headers: Vec<(String, Vec<u8>)> = req.headers().entries();
    let header = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| String::from_utf8_lossy(v).into_owned())
            .unwrap_or_default()
    };
    let op = header("x-probe-op");
    let arg = header("x-probe-arg");
    match op.as_str() {
        "echo" => echo(req, out).await,
        "big" => big(out, arg.parse().unwrap_or(0)).await,
        "var" => {
            let result = variables::get(&arg).map_err(|e| format!("{e:?}"));
            reply_result(out, result).await
        }
        "kv" => kv(req, out, &arg, &header("x-probe-key")).await,
        "sql" => sql3(req, out, &arg).await,
        "sql2" => sql2(req, out, &arg).await,
        "point" => point(out, &header("x-probe-key")).await,
        "file" => {
            let result = std::fs::read_to_string(&arg).map_err(|e| e.to_string());
            reply_result(out, result).await
        }
        "file-write" => {
            let result = std::fs::write(&arg, b"x").map(|()| "written".to_owned());
            reply_result(out, result.map_err(|e| e.to_string())).await
        }
        "out" => outbound(out, &arg).await,
        "mysql" => {
            let script = req.into_body().await.unwrap_or_default();
            reply_result(out, mysql::run(&arg, &script)).await
        }
        "trap" => panic!("probe asked to trap"),
        "loop" => {
            let mut n: u64 = 0;
            loop {
                n = std::hint::black_box(n.wrapping_add(1));
            }
        }
        "alloc" => {
            let megabytes: usize = arg.parse().unwrap_or(1);
            let mut block = vec![1u8; megabytes * 1024 * 1024];
            block[megabytes] = 2;
            reply(
                out,
                200,
                format!("allocated {}", std::hint::black_box(block).len()),
            )
            .await
        }
        "isolation" => {
            // `twice:<MiB>` checks twice in one instance: the second check
            // must find the first one's marks (the detector works).
            let (twice, megabytes) = match arg.strip_prefix("twice:") {
                Some(mb) => (true, mb.parse().unwrap_or(0)),
                None => (false, arg.parse().unwrap_or(0)),
            };
            let mut result = isolation(megabytes);
            if twice {
                result = isolation(megabytes);
            }
            reply(out, 200, result).await
        }
        "stdout" => {
            println!("probe says hello on stdout");
            eprintln!("probe says hello on stderr");
            reply(out, 200, "printed".to_owned()).await
        }
        _ => {
            let spin: serde_json::Map<String, serde_json::Value> = headers
                .iter()
                .filter(|(k, _)| k.starts_with("spin-") || k == "host")
                .map(|(k, v)| (k.clone(), String::from_utf8_lossy(v).into_owned().into()))
                .collect();
            let mut spin = spin;
            spin.insert("method".into(), format!("{:?}", req.method()).into());
            spin.insert(
                "path".into(),
                req.path_with_query().unwrap_or_default().into(),
            );
            reply(out, 200, serde_json::Value::Object(spin).to_string()).await
        }
    }
}

fn response(status: u16) -> OutgoingResponse {
    let fields = Fields::from_list(&[("content-type".to_owned(), b"text/plain".to_vec())])
        .expect("static header is valid");
    let resp = OutgoingResponse::new(fields);
    resp.set_status_code(status).expect("valid status");
    resp
}

async fn reply(out: ResponseOutparam, status: u16, body: String) {
    let _ = out.set_with_body(response(status), body.into_bytes()).await;
}

async fn reply_result(out: ResponseOutparam, result: Result<String, String>) {
    match result {
        Ok(body) => reply(out, 200, body).await,
        Err(e) => reply(out, 500, e).await,
    }
}

async fn echo(req: IncomingRequest, out: ResponseOutparam) {
    let resp = response(200);
    let mut body = resp.take_body();
    out.set(resp);
    let mut stream = req.into_body_stream();
    while let Some(chunk) = stream.next().await {
        match chunk {
            Ok(chunk) => {
                if body.send(chunk).await.is_err() {
                    return;
                }
            }
            Err(_) => return,
        }
    }
}

async fn big(out: ResponseOutparam, size: usize) {
    let resp = response(200);
    let mut body = resp.take_body();
    out.set(resp);
    let mut sent = 0;
    while sent < size {
        let n = (size - sent).min(64 * 1024);
        let chunk: Vec<u8> = (sent..sent + n).map(|i| (i % 251) as u8).collect();
        if body.send(chunk).await.is_err() {
            return;
        }
        sent += n;
    }
}

async fn kv(req: IncomingRequest, out: ResponseOutparam, store: &str, key: &str) {
    let method = req.method();
    let value = req.into_body().await.unwrap_or_default();
    let result = key_value::Store::open(store).and_then(|s| match method {
        spin_sdk::http::Method::Put => s.set(key, &value).map(|()| "stored".to_owned()),
        spin_sdk::http::Method::Delete => s.delete(key).map(|()| "deleted".to_owned()),
        _ => s.get(key).map(|v| match v {
            Some(v) => String::from_utf8_lossy(&v).into_owned(),
            None => "<none>".to_owned(),
        }),
    });
    reply_result(out, result.map_err(|e| format!("{e:?}"))).await
}

fn value3(v: &sqlite3::Value) -> serde_json::Value {
    match v {
        sqlite3::Value::Integer(i) => (*i).into(),
        sqlite3::Value::Real(r) => (*r).into(),
        sqlite3::Value::Text(t) => t.clone().into(),
        sqlite3::Value::Blob(b) => format!("blob:{}", b.len()).into(),
        sqlite3::Value::Null => serde_json::Value::Null,
    }
}

async fn sql3(req: IncomingRequest, out: ResponseOutparam, db: &str) {
    let statement =
        String::from_utf8(req.into_body().await.unwrap_or_default()).unwrap_or_default();
    let result = sqlite3::Connection::open(db).and_then(|c| {
        let r = c.execute(&statement, &[])?;
        let rows: Vec<Vec<serde_json::Value>> = r
            .rows
            .iter()
            .map(|row| row.values.iter().map(value3).collect())
            .collect();
        Ok(serde_json::json!({
            "columns": r.columns, "rows": rows,
            "changes": c.changes(), "last_insert_rowid": c.last_insert_rowid(),
        })
        .to_string())
    });
    reply_result(out, result.map_err(|e| format!("{e:?}"))).await
}

async fn sql2(req: IncomingRequest, out: ResponseOutparam, db: &str) {
    let statement =
        String::from_utf8(req.into_body().await.unwrap_or_default()).unwrap_or_default();
    let result = sqlite::Connection::open(db).and_then(|c| {
        let r = c.execute(&statement, &[])?;
        Ok(serde_json::json!({ "columns": r.columns, "rows": r.rows.len() }).to_string())
    });
    reply_result(out, result.map_err(|e| format!("{e:?}"))).await
}

async fn point(out: ResponseOutparam, key: &str) {
    let id: i64 = key.parse().unwrap_or(1);
    let result = sqlite3::Connection::open("default").and_then(|c| {
        let r = c.execute(
            "SELECT name FROM bench WHERE id = ?",
            &[sqlite3::Value::Integer(id)],
        )?;
        Ok(match r.rows.first().and_then(|row| row.values.first()) {
            Some(sqlite3::Value::Text(name)) => name.clone(),
            _ => String::new(),
        })
    });
    reply_result(out, result.map_err(|e| format!("{e:?}"))).await
}

async fn outbound(out: ResponseOutparam, url: &str) {
    let request = spin_sdk::http::Request::get(url).build();
    let result: Result<spin_sdk::http::Response, _> = spin_sdk::http::send(request).await;
    match result {
        Ok(resp) => {
            let body = String::from_utf8_lossy(resp.body()).into_owned();
            reply(out, 200, format!("{} {}", resp.status(), body)).await
        }
        Err(e) => reply(out, 502, format!("{e:?}")).await,
    }
}

/// Starts at 7 in every fresh instance (initialised data).
static DATA: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(7);
/// All zero in every fresh instance (zero-initialised data).
static BSS: std::sync::Mutex<[u8; 64 * 1024]> = std::sync::Mutex::new([0; 64 * 1024]);

/// Checks that nothing of an earlier request is left in this instance's
/// memory (static data, zeroed data, and `megabytes` of heap grown past the
/// initial memory), then leaves marks there for the next request to find.
fn isolation(megabytes: usize) -> String {
    let mut found = Vec::new();
    let data = DATA.swap(8, std::sync::atomic::Ordering::SeqCst);
    if data != 7 {
        found.push(format!("data={data}"));
    }
    let mut bss = BSS.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(at) = bss.iter().position(|&b| b != 0) {
        found.push(format!("bss[{at}]={}", bss[at]));
    }
    bss.fill(0xAB);
    let pages_before = core::arch::wasm32::memory_size(0);
    let mut heap = vec![0u8; megabytes * 1024 * 1024];
    if let Some(at) = heap.iter().position(|&b| b != 0) {
        found.push(format!("heap[{at}]={}", heap[at]));
    }
    heap.fill(0xCD);
    let grown = core::arch::wasm32::memory_size(0) - pages_before;
    std::hint::black_box(&heap);
    if found.is_empty() {
        format!("clean grown={grown}")
    } else {
        format!("dirty {}", found.join(" "))
    }
}
