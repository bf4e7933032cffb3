//! Energy cost over HTTP (#17): tariffs, prices, assignments and budgets
//! (component `billing`), cost in consumption, the summary and budget alerts
//! (component `queries`): the access matrix, validation, the assignment
//! rules and exact costs over seeded hourly rows.

mod common;

use common::world::{world, World};
use common::TestApi;
use iems_shared::sql;
use serde_json::{json, Value};

const H: i64 = 3_600_000;
const KWH: i64 = 1_000_000_000;
/// 2025-06-16T00:00:00Z, a Monday.
const MONDAY: i64 = 1_750_032_000_000;

/// Inserts hourly totals `(hour start ms, µWh)` with their day and month rows.
async fn seed_hours(api: &TestApi, device: &str, hours: &[(i64, i64)]) {
    api.seed_hours(device, hours).await;
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

fn rfc(ms: i64) -> String {
    iems_shared::time::rfc3339_ms(ms)
}

/// A money or kWh number as micro-units, to compare exactly.
fn micros(v: &Value) -> i64 {
    (v.as_f64().unwrap_or_else(|| panic!("not a number: {v}")) * 1e6).round() as i64
}

fn flat(name: &str, currency: &str, price: &str) -> Value {
    json!({"name": name, "kind": "flat", "currency": currency, "tz": "UTC",
           "standing_charge_per_day": "0.35", "price_per_kwh": price})
}

fn time_of_use() -> Value {
    json!({"name": "Peak", "kind": "time_of_use", "currency": "EUR", "tz": "UTC",
    "seasons": [{"months": [1, 12], "default_price_per_kwh": "0.10", "periods": [
        {"days": ["mon", "tue", "wed", "thu", "fri"], "from": "07:00", "to": "23:00", "price_per_kwh": 0.3}
    ]}]})
}

async fn create(w: &World, body: &Value) -> String {
    let r = w
        .api
        .call("POST", "/api/tariffs", Some(&w.admin.token), Some(body))
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    r.json()["id"].as_str().unwrap().to_string()
}

async fn assign(w: &World, body: Value) -> Value {
    let r = w
        .api
        .call(
            "POST",
            "/api/tariff-assignments",
            Some(&w.admin.token),
            Some(&body),
        )
        .await;
    assert_eq!(r.status, 201, "{body}: {}", r.text());
    r.json()
}

fn assert_error(r: &common::Reply, status: u16, field: Option<&str>) {
    assert_eq!(r.status, status, "{}", r.text());
    let body = r.json();
    assert!(body["error"]["code"].is_string(), "{body}");
    if let Some(f) = field {
        assert_eq!(body["error"]["field"], f, "{body}");
    }
}

#[tokio::test]
async fn tariffs_access_matrix_and_validation() {
    let w = world().await;
    let api = &w.api;
    let (anon, alice, bob, admin) = (
        None,
        Some(w.alice.token.as_str()),
        Some(w.bob.token.as_str()),
        Some(w.admin.token.as_str()),
    );
    let body = flat("Flat", "EUR", "0.2534");
    let t = create(&w, &body).await;
    let r = api
        .call("GET", &format!("/api/tariffs/{t}"), admin, None)
        .await;
    let tariff = r.json();
    assert_eq!(tariff["price_per_kwh"], "0.2534");
    assert_eq!(tariff["standing_charge_per_day"], "0.35");
    assert_eq!(tariff["assigned"], false);
    assert_eq!(tariff["kind"], "flat");
    let spare = create(&w, &flat("Spare", "EUR", "0.1")).await;
    assign(
        &w,
        json!({"client_id": w.alice.id, "tariff_id": t, "from": "2025-01-01T00:00:00Z"}),
    )
    .await;
    let one = format!("/api/tariffs/{t}");
    let rename = json!({"name": "Renamed"});
    let reprice = json!({"price_per_kwh": "0.3"});
    let csv_prices = format!("/api/tariffs/{t}/prices");
    let cases: Vec<(&str, String, Option<&Value>, [u16; 4])> = vec![
        // [anonymous, alice (assigned), bob, admin]
        ("GET", "/api/tariffs".into(), None, [401, 200, 200, 200]),
        (
            "POST",
            "/api/tariffs".into(),
            Some(&body),
            [401, 403, 403, 201],
        ),
        ("GET", one.clone(), None, [401, 200, 404, 200]),
        (
            "GET",
            format!("/api/tariffs/{spare}"),
            None,
            [401, 404, 404, 200],
        ),
        ("PATCH", one.clone(), Some(&rename), [401, 403, 403, 200]),
        ("PATCH", one.clone(), Some(&reprice), [401, 403, 403, 409]),
        ("DELETE", one.clone(), None, [401, 403, 403, 409]),
        ("GET", csv_prices.clone(), None, [401, 200, 404, 200]),
        (
            "GET",
            "/api/tariff-assignments".into(),
            None,
            [401, 200, 200, 422],
        ),
        (
            "GET",
            format!("/api/tariff-assignments?client_id={}", w.alice.id),
            None,
            [401, 200, 404, 200],
        ),
        (
            "GET",
            format!("/api/tariff-assignments?device_id={}", w.mine),
            None,
            [401, 200, 404, 200],
        ),
        (
            "POST",
            "/api/tariff-assignments".into(),
            Some(&rename),
            [401, 403, 403, 422],
        ),
        (
            "DELETE",
            "/api/tariff-assignments/00000000-0000-4000-8000-000000000000".into(),
            None,
            [401, 403, 403, 404],
        ),
        (
            "GET",
            format!("/api/budgets/{}", w.alice.id),
            None,
            [401, 404, 404, 404],
        ),
        (
            "GET",
            format!("/api/budgets/{}/status", w.alice.id),
            None,
            [401, 404, 404, 404],
        ),
        (
            "GET",
            format!("/api/budgets/{}", w.admin.id),
            None,
            [401, 404, 404, 404],
        ),
        (
            "GET",
            "/api/alerts/budget".into(),
            None,
            [401, 200, 200, 200],
        ),
        ("GET", "/api/alerts".into(), None, [401, 200, 200, 200]),
        (
            "GET",
            "/api/consumption/summary".into(),
            None,
            [401, 200, 200, 422],
        ),
        (
            "DELETE",
            format!("/api/tariffs/{spare}"),
            None,
            [401, 403, 403, 204],
        ),
        ("PUT", "/api/tariffs".into(), None, [405, 405, 405, 405]),
    ];
    for (method, path, body, expected) in cases {
        for (who, token, status) in [
            ("anonymous", anon, expected[0]),
            ("alice", alice, expected[1]),
            ("bob", bob, expected[2]),
            ("admin", admin, expected[3]),
        ] {
            let r = api.call(method, &path, token, body).await;
            assert_eq!(r.status, status, "{who} {method} {path}: {}", r.text());
            if status >= 400 {
                assert!(
                    r.json()["error"]["code"].is_string(),
                    "{who} {method} {path}"
                );
            }
        }
    }
    // Lists: alice sees her tariff (renamed), bob none, the admin both.
    let list = |token| api.call("GET", "/api/tariffs?page=1&per_page=10", token, None);
    let r = list(alice).await.json();
    assert_eq!(
        (r["total"].as_u64(), r["items"][0]["name"].as_str()),
        (Some(1), Some("Renamed"))
    );
    assert_eq!(r["items"][0]["assigned"], true);
    assert_eq!(list(bob).await.json()["total"], 0);
    assert_eq!(list(admin).await.json()["total"], 2);

    // Validation: bad decimals, zones, uncovered months, kinds.
    let bad = |patch: Value| {
        let mut b = flat("Bad", "EUR", "0.2");
        b.as_object_mut()
            .unwrap()
            .extend(patch.as_object().unwrap().clone());
        b
    };
    for (body, field) in [
        (bad(json!({"price_per_kwh": "0.1234567"})), "price_per_kwh"),
        (bad(json!({"price_per_kwh": "1e-3"})), "price_per_kwh"),
        (bad(json!({"tz": "Mars/Olympus"})), "tz"),
        (bad(json!({"currency": "euro"})), "currency"),
        (bad(json!({"name": ""})), "name"),
    ] {
        let r = api.call("POST", "/api/tariffs", admin, Some(&body)).await;
        assert_error(&r, 422, Some(field));
    }
    let mut uncovered = time_of_use();
    uncovered["seasons"][0]["months"] = json!([1, 6]);
    let r = api
        .call("POST", "/api/tariffs", admin, Some(&uncovered))
        .await;
    assert_error(&r, 422, None);
    assert!(r.text().contains("month"), "{}", r.text());
    let r = api
        .call(
            "POST",
            "/api/tariffs",
            admin,
            Some(&json!({"name": "X", "kind": "gas"})),
        )
        .await;
    assert_error(&r, 422, None);
}

#[tokio::test]
async fn dynamic_prices_upload_and_unpriced_hours() {
    let w = world().await;
    let api = &w.api;
    let admin = Some(w.admin.token.as_str());
    let t = create(
        &w,
        &json!({"name": "Spot", "kind": "dynamic", "currency": "EUR", "tz": "UTC", "slot_minutes": 60}),
    )
    .await;
    let path = format!("/api/tariffs/{t}/prices");
    let auth = format!("Bearer {}", w.admin.token);
    let put = |ct: &'static str, body: String| {
        let (auth, path) = (auth.clone(), path.clone());
        async move {
            api.send(
                "PUT",
                &path,
                &[("authorization", &auth), ("content-type", ct)],
                body,
            )
            .await
        }
    };
    // A bad line is named; other media types are refused.
    let r = put(
        "text/csv",
        "start,price\n2025-06-16T06:00:00Z,0.2\n2025-06-16T07:30:00Z,0.1\n".into(),
    )
    .await;
    assert_error(&r, 422, Some("prices"));
    assert!(r.text().contains("line 3"), "{}", r.text());
    let r = put("text/csv", "start,price\n2025-06-16T06:00:00Z,abc\n".into()).await;
    assert_error(&r, 422, Some("prices"));
    assert!(r.text().contains("line 2"), "{}", r.text());
    assert_eq!(put("text/plain", "x".into()).await.status, 415);
    let big = format!("start,price\n{}", "2025-06-16T06:00:00Z,0.2\n".repeat(4000));
    assert_eq!(put("text/csv", big).await.status, 413);
    // 07:00 has no price.
    let csv = "start,price\n2025-06-16T06:00:00Z,0.2\n2025-06-16T08:00:00Z,0.3\n".to_string();
    let r = put("text/csv", csv.clone()).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json(), json!({"stored": 2, "replaced": 0}));
    // The same past prices again are kept; another price for a past slot is refused.
    assert_eq!(
        put("text/csv", csv).await.json(),
        json!({"stored": 2, "replaced": 2})
    );
    let r = put(
        "application/json",
        json!([{"start": "2025-06-16T06:00:00Z", "price": "0.25"}]).to_string(),
    )
    .await;
    assert_error(&r, 409, None);
    let future = (now_ms() / H + 48) * H;
    let r = put(
        "application/json",
        json!([{"start": rfc(future), "price": -0.01}]).to_string(),
    )
    .await;
    assert_eq!(
        r.json(),
        json!({"stored": 1, "replaced": 0}),
        "{}",
        r.text()
    );
    let r = api
        .call("GET", &format!("{path}?per_page=2&page=1"), admin, None)
        .await;
    let page = r.json();
    assert_eq!(page["total"], 3, "{page}");
    assert_eq!(
        page["items"][0],
        json!({"start": "2025-06-16T06:00:00Z", "price_per_kwh": 0.2})
    );
    // A flat tariff has no series.
    let f = create(&w, &flat("Flat", "EUR", "0.2")).await;
    let r = api
        .send(
            "PUT",
            &format!("/api/tariffs/{f}/prices"),
            &[("authorization", &auth), ("content-type", "text/csv")],
            "start,price\n",
        )
        .await;
    assert_error(&r, 422, Some("kind"));

    // Bob's meter on the spot tariff: the hour without a price is unpriced.
    assign(
        &w,
        json!({"client_id": w.bob.id, "tariff_id": t, "from": "2025-01-01T00:00:00Z"}),
    )
    .await;
    seed_hours(
        api,
        &w.theirs,
        &[
            (MONDAY + 6 * H, KWH),
            (MONDAY + 7 * H, 2 * KWH),
            (MONDAY + 8 * H, KWH),
        ],
    )
    .await;
    let bob = Some(w.bob.token.as_str());
    let day = api
        .call(
            "GET",
            &format!("/api/consumption/{}/day?date=2025-06-16&tz=UTC", w.theirs),
            bob,
            None,
        )
        .await
        .json();
    assert_eq!(day["currency"], "EUR");
    assert_eq!(micros(&day["hours"][6]["cost"]), 200_000);
    assert_eq!(day["hours"][7]["cost"], Value::Null);
    assert_eq!(day["hours"][7]["price_per_kwh"], Value::Null);
    assert_eq!(micros(&day["hours"][7]["unpriced_kwh"]), 2_000_000);
    assert_eq!(micros(&day["hours"][8]["cost"]), 300_000);
    assert_eq!(micros(&day["cost_total"]), 500_000);
    assert_eq!(micros(&day["standing_charge"]), 0);
    let r = api
        .call(
            "GET",
            &format!(
                "/api/consumption/{}/range.csv?from=2025-06-16T06:00:00Z&to=2025-06-16T09:00:00Z&bucket=hour",
                w.theirs
            ),
            bob,
            None,
        )
        .await;
    let text = r.text();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines,
        vec![
            "start,kwh,cost,currency,price_per_kwh,unpriced_kwh",
            "2025-06-16T06:00:00Z,1,0.2,EUR,0.2,0",
            "2025-06-16T07:00:00Z,2,,,,2",
            "2025-06-16T08:00:00Z,1,0.3,EUR,0.3,0",
        ]
    );
}

#[tokio::test]
async fn assignment_rules() {
    let w = world().await;
    let api = &w.api;
    let admin = Some(w.admin.token.as_str());
    let eur = create(&w, &flat("EUR flat", "EUR", "0.2")).await;
    let usd = create(&w, &flat("USD flat", "USD", "0.2")).await;
    let post = |body: Value| async move {
        api.call("POST", "/api/tariff-assignments", admin, Some(&body))
            .await
    };
    // The first may be backdated; a later one may not.
    let first = assign(
        &w,
        json!({"client_id": w.alice.id, "tariff_id": eur, "from": "2025-01-01T00:00:00Z"}),
    )
    .await;
    assert_eq!(first["tariff_name"], "EUR flat");
    assert_eq!(first["device_id"], Value::Null);
    assert_eq!(first["from"], "2025-01-01T00:00:00Z");
    let r =
        post(json!({"client_id": w.alice.id, "tariff_id": eur, "from": "2025-02-01T00:00:00Z"}))
            .await;
    assert_error(&r, 422, Some("from"));
    // From the future on: allowed, then not before it; deletable while future.
    let later = rfc((now_ms() / H + 72) * H);
    let sooner = rfc((now_ms() / H + 24) * H);
    let future = assign(
        &w,
        json!({"client_id": w.alice.id, "tariff_id": eur, "from": later}),
    )
    .await;
    let r = post(json!({"client_id": w.alice.id, "tariff_id": eur, "from": sooner})).await;
    assert_error(&r, 422, Some("from"));
    let r = api
        .call(
            "DELETE",
            &format!("/api/tariff-assignments/{}", first["id"].as_str().unwrap()),
            admin,
            None,
        )
        .await;
    assert_error(&r, 409, None);
    let list = api
        .call(
            "GET",
            &format!("/api/tariff-assignments?client_id={}", w.alice.id),
            Some(&w.alice.token),
            None,
        )
        .await
        .json();
    assert_eq!(list["total"], 2);
    assert_eq!(list["items"][0]["id"], future["id"], "newest from first");
    assert_eq!(list["current"]["id"], first["id"]);
    let r = api
        .call(
            "DELETE",
            &format!("/api/tariff-assignments/{}", future["id"].as_str().unwrap()),
            admin,
            None,
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text());
    // The client must be a client, the device must exist, one of them only.
    let r = post(json!({"client_id": w.admin.id, "tariff_id": eur, "from": later})).await;
    assert_error(&r, 422, Some("client_id"));
    let r = post(json!({"device_id": "00000000-0000-4000-8000-000000000000", "tariff_id": eur, "from": later})).await;
    assert_error(&r, 422, Some("device_id"));
    let r = post(
        json!({"client_id": w.alice.id, "device_id": w.mine, "tariff_id": eur, "from": later}),
    )
    .await;
    assert_error(&r, 422, Some("client_id"));
    let r = post(json!({"client_id": w.alice.id, "tariff_id": null, "from": later})).await;
    assert_error(&r, 422, Some("tariff_id"));
    let r = post(json!({"client_id": w.alice.id, "tariff_id": eur, "from": "yesterday"})).await;
    assert_error(&r, 422, Some("from"));
    // A device's tariff shares its client's currency; null sends it back.
    let r =
        post(json!({"device_id": w.mine, "tariff_id": usd, "from": "2025-01-01T00:00:00Z"})).await;
    assert_error(&r, 422, Some("tariff_id"));
    let d = assign(
        &w,
        json!({"device_id": w.mine, "tariff_id": eur, "from": "2025-03-01T00:00:00Z"}),
    )
    .await;
    assert_eq!(
        (d["client_id"].clone(), d["device_id"].as_str()),
        (Value::Null, Some(w.mine.as_str()))
    );
    let back = assign(
        &w,
        json!({"device_id": w.mine, "tariff_id": null, "from": later}),
    )
    .await;
    assert_eq!(back["tariff_id"], Value::Null);
    // Bob's device may take USD: Bob has no tariff yet.
    assign(
        &w,
        json!({"device_id": w.theirs, "tariff_id": usd, "from": "2025-01-01T00:00:00Z"}),
    )
    .await;
    let r = post(json!({"client_id": w.bob.id, "tariff_id": eur, "from": "2025-01-01T00:00:00Z"}))
        .await;
    assert_error(&r, 422, Some("tariff_id"));
    // The tariff is now assigned: only its name may change.
    let t = api
        .call("GET", &format!("/api/tariffs/{usd}"), admin, None)
        .await
        .json();
    assert_eq!(t["assigned"], true);
}

#[tokio::test]
async fn flat_and_time_of_use_costs() {
    let w = world().await;
    let api = &w.api;
    let flat_id = create(&w, &flat("Flat", "EUR", "0.25")).await;
    let tou = create(&w, &time_of_use()).await;
    assign(
        &w,
        json!({"client_id": w.alice.id, "tariff_id": flat_id, "from": "2025-01-01T00:00:00Z"}),
    )
    .await;
    assign(
        &w,
        json!({"client_id": w.bob.id, "tariff_id": tou, "from": "2025-01-01T00:00:00Z"}),
    )
    .await;
    let hours = [
        (MONDAY + 6 * H, 1_500_000_000),
        (MONDAY + 7 * H, 2 * KWH),
        (MONDAY + 12 * H, KWH),
        (MONDAY + 24 * H + 3 * H, KWH),
        (MONDAY + 48 * H + 20 * H, 3 * KWH),
    ];
    for d in [&w.mine, &w.theirs, &w.spare] {
        seed_hours(api, d, &hours).await;
    }
    let token = w.admin.token.as_str();
    let day = |device: &str, date: &str| {
        let path = format!("/api/consumption/{device}/day?date={date}&tz=UTC");
        async move { api.call("GET", &path, Some(token), None).await.json() }
    };
    // Flat 0.25: 1.5 kWh → 0.375, 2 → 0.5, 1 → 0.25; one day's standing charge.
    let d = day(&w.mine, "2025-06-16").await;
    assert_eq!(d["currency"], "EUR");
    assert_eq!(micros(&d["hours"][6]["cost"]), 375_000);
    assert_eq!(micros(&d["hours"][6]["price_per_kwh"]), 250_000);
    assert_eq!(micros(&d["hours"][0]["cost"]), 0);
    assert_eq!(micros(&d["hours"][7]["cost"]), 500_000);
    assert_eq!(micros(&d["cost_total"]), 1_125_000);
    assert_eq!(micros(&d["standing_charge"]), 350_000);
    // Time of use: 06:00 off-peak 0.10, 07:00 and 12:00 peak 0.30.
    let d = day(&w.theirs, "2025-06-16").await;
    assert_eq!(micros(&d["hours"][6]["cost"]), 150_000);
    assert_eq!(micros(&d["hours"][7]["cost"]), 600_000);
    assert_eq!(micros(&d["hours"][12]["cost"]), 300_000);
    assert_eq!(micros(&d["cost_total"]), 1_050_000);
    assert_eq!(micros(&d["hours"][7]["price_per_kwh"]), 300_000);
    // A range by day costs the sum of its days.
    let range = api
        .call(
            "GET",
            &format!(
                "/api/consumption/{}/range?from=2025-06-16T00:00:00Z&to=2025-06-19T00:00:00Z&bucket=day&tz=UTC",
                w.theirs
            ),
            Some(&w.bob.token),
            None,
        )
        .await
        .json();
    let buckets = range["buckets"].as_array().unwrap();
    assert_eq!(buckets.len(), 3);
    let mut sum = 0;
    for (i, date) in ["2025-06-16", "2025-06-17", "2025-06-18"]
        .iter()
        .enumerate()
    {
        let d = day(&w.theirs, date).await;
        assert_eq!(
            micros(&buckets[i]["cost"]),
            micros(&d["cost_total"]),
            "{date}"
        );
        sum += micros(&d["cost_total"]);
    }
    assert_eq!(micros(&range["cost_total"]), sum);
    // Tuesday 03:00 off-peak 1 kWh → 0.10; Wednesday 20:00 peak 3 kWh → 0.90.
    assert_eq!(sum, 1_050_000 + 100_000 + 900_000);
    assert_eq!(micros(&range["standing_charge"]), 0);
    // CSV with exact decimals.
    let r = api
        .call(
            "GET",
            &format!(
                "/api/consumption/{}/range.csv?from=2025-06-16T06:00:00Z&to=2025-06-16T08:00:00Z",
                w.mine
            ),
            Some(&w.alice.token),
            None,
        )
        .await;
    let text = r.text();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines,
        vec![
            "start,kwh,cost,currency,price_per_kwh,unpriced_kwh",
            "2025-06-16T06:00:00Z,1.5,0.375,EUR,0.25,0",
            "2025-06-16T07:00:00Z,2,0.5,EUR,0.25,0",
        ]
    );
    // Without a tariff: as before, with no currency and no costs.
    let d = day(&w.spare, "2025-06-16").await;
    assert_eq!(d["currency"], Value::Null);
    assert_eq!(d["cost_total"], Value::Null);
    assert_eq!(d["hours"][6]["cost"], Value::Null);
    assert_eq!(micros(&d["hours"][6]["kwh"]), 1_500_000);
    let current = api
        .call(
            "GET",
            &format!("/api/consumption/{}/current", w.spare),
            Some(&w.admin.token),
            None,
        )
        .await
        .json();
    assert_eq!(
        (current["cost"].clone(), current["currency"].clone()),
        (Value::Null, Value::Null)
    );
}

#[tokio::test]
async fn summary_budget_status_and_budget_alerts() {
    let w = world().await;
    let api = &w.api;
    let (alice, bob, admin) = (
        Some(w.alice.token.as_str()),
        Some(w.bob.token.as_str()),
        Some(w.admin.token.as_str()),
    );
    let t = create(&w, &flat("Half", "EUR", "0.5")).await;
    assign(
        &w,
        json!({"client_id": w.alice.id, "tariff_id": t, "from": "2025-01-01T00:00:00Z"}),
    )
    .await;
    let hour = now_ms() / H * H;
    seed_hours(api, &w.mine, &[(hour, 4 * KWH)]).await;
    // The current hour: 4 kWh at 0.5.
    let current = api
        .call(
            "GET",
            &format!("/api/consumption/{}/current", w.mine),
            alice,
            None,
        )
        .await
        .json();
    assert_eq!(
        (micros(&current["cost"]), current["currency"].as_str()),
        (2_000_000, Some("EUR"))
    );
    // Summary: the client's own; the admin names a client.
    let s = api
        .call("GET", "/api/consumption/summary?tz=UTC", alice, None)
        .await
        .json();
    assert_eq!(s["client_id"], w.alice.id.as_str());
    assert_eq!(s["currency"], "EUR");
    assert_eq!(micros(&s["today"]["kwh"]), 4_000_000);
    assert_eq!(micros(&s["today"]["cost"]), 2_000_000);
    assert_eq!(micros(&s["month"]["cost"]), 2_000_000);
    assert_eq!(s["devices"][0]["device_id"], w.mine.as_str());
    assert_eq!(micros(&s["devices"][0]["month"]["kwh"]), 4_000_000);
    let summary = |q: String, token| async move {
        api.call("GET", &format!("/api/consumption/summary{q}"), token, None)
            .await
    };
    assert_eq!(
        summary(format!("?client_id={}", w.alice.id), admin)
            .await
            .json()["today"],
        s["today"]
    );
    assert_error(
        &summary(format!("?client_id={}", w.bob.id), alice).await,
        404,
        None,
    );
    assert_error(
        &summary(format!("?client_id={}", w.admin.id), admin).await,
        404,
        None,
    );
    assert_error(
        &summary("?tz=Nowhere/Land".into(), alice).await,
        422,
        Some("tz"),
    );
    let b = summary(format!("?client_id={}", w.bob.id), admin)
        .await
        .json();
    assert_eq!(
        (b["currency"].clone(), micros(&b["today"]["kwh"])),
        (Value::Null, 0)
    );

    // Budgets: the client for themselves, the admin for any client.
    let budget = format!("/api/budgets/{}", w.alice.id);
    assert_error(&api.call("GET", &budget, alice, None).await, 404, None);
    for (body, field) in [
        (json!({"kind": "money", "amount": "1.2345678"}), "amount"),
        (json!({"kind": "money", "amount": "-1"}), "amount"),
        (json!({"kind": "money", "amount": "0"}), "amount"),
        (json!({"kind": "euros", "amount": "1"}), "kind"),
        (
            json!({"kind": "money", "amount": "1", "tz": "Mars/Base"}),
            "tz",
        ),
    ] {
        assert_error(
            &api.call("PUT", &budget, alice, Some(&body)).await,
            422,
            Some(field),
        );
    }
    let put = json!({"kind": "money", "amount": "1.5"});
    assert_error(&api.call("PUT", &budget, bob, Some(&put)).await, 404, None);
    let r = api.call("PUT", &budget, alice, Some(&put)).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let got = r.json();
    assert_eq!(
        (got["kind"].as_str(), micros(&got["amount"])),
        (Some("money"), 1_500_000)
    );
    assert_eq!(
        (got["tz"].as_str(), got["currency"].as_str()),
        (Some("UTC"), Some("EUR"))
    );
    assert_eq!(
        api.call("GET", &budget, admin, None).await.json()["amount"],
        got["amount"]
    );
    let status = api
        .call("GET", &format!("{budget}/status"), alice, None)
        .await
        .json();
    assert_eq!(micros(&status["spent"]["cost"]), 2_000_000, "{status}");
    assert_eq!(micros(&status["projected"]["kwh"]), 4_000_000, "{status}");
    assert_eq!(
        (
            status["spent_over"].as_bool(),
            status["projected_over"].as_bool()
        ),
        (Some(true), Some(true))
    );
    assert_eq!(status["month"].as_str().map(str::len), Some(7));
    assert!(status["method"].as_str().unwrap().contains("weeks"));
    let r = api
        .call(
            "PUT",
            &budget,
            admin,
            Some(&json!({"kind": "kwh", "amount": 100, "tz": "Europe/Berlin"})),
        )
        .await;
    assert_eq!((r.status, r.json()["currency"].clone()), (200, Value::Null));
    let status = api
        .call("GET", &format!("{budget}/status"), admin, None)
        .await
        .json();
    assert_eq!(status["tz"], "Europe/Berlin");
    assert_eq!(
        (
            status["spent_over"].as_bool(),
            status["projected_over"].as_bool()
        ),
        (Some(false), Some(false))
    );
    assert_eq!(micros(&status["budget"]["amount"]), 100_000_000);
    assert_eq!(api.call("DELETE", &budget, alice, None).await.status, 204);
    assert_eq!(api.call("DELETE", &budget, alice, None).await.status, 404);

    // Budget alerts, as the broker-adapter stores them.
    let id = common::uuid_v4();
    let alert = iems_shared::model::StoredBudgetAlert {
        id: id.clone(),
        client_id: w.alice.id.clone(),
        client_name: None,
        month: "2026-12".into(),
        kind: "projected".into(),
        budget_kind: "money".into(),
        budget_amount: 1_500_000,
        spent: 1_000_000,
        projected: 2_000_000,
        currency: Some("EUR".into()),
        created_at_ms: 1,
        acknowledged_at_ms: None,
    };
    let s = sql::cost::insert_budget_alert_once(api.backend().dialect(), &alert);
    iems_db::statement(&s).execute(&api.pool).await.unwrap();
    let list = |token| {
        api.call(
            "GET",
            "/api/alerts/budget?unacknowledged=true&page=1&per_page=5",
            token,
            None,
        )
    };
    let mine = list(alice).await.json();
    assert_eq!(mine["total"], 1);
    assert_eq!(mine["items"][0]["client_name"], "Client alice");
    assert_eq!(micros(&mine["items"][0]["projected"]), 2_000_000);
    assert_eq!(
        mine["items"][0]["budget"],
        json!({"kind": "money", "amount": 1.5})
    );
    assert_eq!(list(bob).await.json()["total"], 0);
    assert_eq!(list(admin).await.json()["total"], 1);
    let ack = format!("/api/alerts/budget/{id}/ack");
    assert_error(&api.call("POST", &ack, bob, None).await, 404, None);
    assert_eq!(api.call("POST", &ack, None, None).await.status, 401);
    let r = api.call("POST", &ack, alice, None).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.json()["acknowledged_at"].is_string());
    assert_eq!(api.call("POST", &ack, admin, None).await.status, 200);
    assert_eq!(list(alice).await.json()["total"], 0);
    assert_eq!(
        api.call(
            "GET",
            "/api/alerts/budget?unacknowledged=maybe",
            alice,
            None
        )
        .await
        .status,
        422
    );
}

/// A kWh number as µWh, to compare exactly.
fn uwh(v: &Value) -> i64 {
    (v.as_f64().unwrap_or_else(|| panic!("not a number: {v}")) * 1e9).round() as i64
}

/// Ranges longer than two days are read from the day rows (`daily_consumption`),
/// day charts from the hourly rows: for three weeks around the spring clock
/// change, under a time-of-use tariff assigned mid-hour (unpriced before), a
/// dynamic one with missing slots and none at all, in zones with clock changes
/// and a :30 offset, a range by hour is exactly the day charts' hours, and by
/// day and by month exactly their sums (energy, cost, unpriced energy,
/// standing charges).
#[tokio::test]
async fn long_ranges_from_day_rows_equal_the_hourly_charts() {
    use chrono::{Days, NaiveDate};
    use iems_shared::time::{day_window, parse_tz};
    let w = world().await;
    let api = &w.api;
    let tou = create(
        &w,
        &json!({"name": "Berlin", "kind": "time_of_use", "currency": "EUR", "tz": "Europe/Berlin",
        "standing_charge_per_day": "0.45",
        "seasons": [
          {"months": [11, 2], "default_price_per_kwh": "0.22", "periods": [
            {"days": ["mon", "tue", "wed", "thu", "fri"], "from": "07:00", "to": "23:00", "price_per_kwh": "0.34"}]},
          {"months": [3, 10], "default_price_per_kwh": "0.18", "periods": [
            {"days": ["mon", "tue", "wed", "thu", "fri"], "from": "07:15", "to": "22:45", "price_per_kwh": "0.28"},
            {"days": ["sat", "sun"], "from": "01:30", "to": "03:15", "price_per_kwh": "-0.05"}]}]}),
    )
    .await;
    let spot = create(
        &w,
        &json!({"name": "Spot", "kind": "dynamic", "currency": "EUR", "tz": "UTC", "slot_minutes": 15}),
    )
    .await;
    assign(
        &w,
        json!({"client_id": w.alice.id, "tariff_id": tou, "from": "2025-03-20T10:30:00Z"}),
    )
    .await;
    assign(
        &w,
        json!({"client_id": w.bob.id, "tariff_id": spot, "from": "2025-03-25T00:00:00Z"}),
    )
    .await;
    // Quarter prices from 2025-03-25 to 2025-04-01, every 11th missing.
    let first_slot = 1_742_860_800_000i64; // 2025-03-25T00:00:00Z
    let csv: String = (0..7 * 96)
        .filter(|i| i % 11 != 5)
        .map(|i| format!("{},0.{:03}\n", rfc(first_slot + i * H / 4), (i * 37) % 400))
        .collect();
    let r = api
        .send(
            "PUT",
            &format!("/api/tariffs/{spot}/prices"),
            &[
                ("authorization", &format!("Bearer {}", w.admin.token)),
                ("content-type", "text/csv"),
            ],
            format!("start,price\n{csv}"),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    // Every hour from 2025-03-14 to 2025-04-06 UTC, some of them zero.
    let first_hour = 1_741_910_400_000i64; // 2025-03-14T00:00:00Z
    let hours: Vec<(i64, i64)> = (0..23 * 24)
        .map(|k| (first_hour + k * H, (k * 7919 % 3001) * 1_000_003 + k % 7))
        .collect();
    for d in [&w.mine, &w.theirs, &w.spare] {
        seed_hours(api, d, &hours).await;
    }
    let token = Some(w.admin.token.as_str());
    let get = |path: String| async move {
        let r = api.call("GET", &path, token, None).await;
        assert_eq!(r.status, 200, "{path}: {}", r.text());
        r.json()
    };
    let first = NaiveDate::from_ymd_opt(2025, 3, 16).unwrap();
    let days = 19u64;
    for zone in ["Europe/Berlin", "Asia/Kolkata", "America/New_York"] {
        let tz = parse_tz(zone).unwrap();
        let (from, to) = (
            rfc(day_window(first, tz).0.timestamp_millis()),
            rfc(day_window(first + Days::new(days), tz).0.timestamp_millis()),
        );
        let q = |z: &str| z.replace('/', "%2F");
        for device in [&w.mine, &w.theirs, &w.spare] {
            let mut charts = Vec::new();
            for d in 0..days {
                let date = (first + Days::new(d)).format("%Y-%m-%d");
                charts.push(
                    get(format!(
                        "/api/consumption/{device}/day?date={date}&tz={}",
                        q(zone)
                    ))
                    .await,
                );
            }
            let range = |bucket: &str| {
                get(format!(
                    "/api/consumption/{device}/range?from={from}&to={to}&bucket={bucket}&tz={}",
                    q(zone)
                ))
            };
            // By hour: the day charts' hours, value for value (a range's hours
            // are UTC hours, a day chart's local ones: the same where the
            // offset is whole hours).
            let by_hour = range("hour").await;
            if zone != "Asia/Kolkata" {
                let chart_hours: Vec<Value> = charts
                    .iter()
                    .flat_map(|c| c["hours"].as_array().unwrap().clone())
                    .collect();
                assert_eq!(
                    by_hour["buckets"].as_array().unwrap(),
                    &chart_hours,
                    "{zone} {device}"
                );
            }
            // By day: each day chart's sums.
            let by_day = range("day").await;
            let buckets = by_day["buckets"].as_array().unwrap();
            assert_eq!(buckets.len(), days as usize);
            let sum = |c: &Value, field: &str, of: fn(&Value) -> i64| -> Option<i64> {
                let values: Vec<&Value> = c["hours"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|h| &h[field])
                    .filter(|v| !v.is_null())
                    .collect();
                (!values.is_empty()).then(|| values.into_iter().map(of).sum())
            };
            for (bucket, chart) in buckets.iter().zip(&charts) {
                assert_eq!(Some(uwh(&bucket["kwh"])), sum(chart, "kwh", uwh), "{zone}");
                assert_eq!(
                    Some(uwh(&bucket["unpriced_kwh"])),
                    sum(chart, "unpriced_kwh", uwh),
                    "{zone} {device} {bucket} {chart}"
                );
                // The day's cost is the sum of its hours' (unpriced ones count nothing) …
                let or_zero = |v: &Value| if v.is_null() { 0 } else { micros(v) };
                assert_eq!(
                    or_zero(&bucket["cost"]),
                    or_zero(&chart["cost_total"]),
                    "{zone} {bucket}"
                );
                // … shown unless there is no tariff or none of its energy had a price.
                let (kwh, unpriced) = (uwh(&bucket["kwh"]), uwh(&bucket["unpriced_kwh"]));
                assert_eq!(
                    bucket["cost"].is_null(),
                    chart["currency"].is_null() || (kwh != 0 && unpriced == kwh),
                    "{zone} {bucket}"
                );
            }
            // By month: the totals of the days.
            for whole in [&by_day, &by_hour, &range("month").await] {
                for field in ["cost_total", "standing_charge"] {
                    let days: Option<i64> = charts
                        .iter()
                        .map(|c| (!c[field].is_null()).then(|| micros(&c[field])))
                        .sum();
                    let total = (!whole[field].is_null()).then(|| micros(&whole[field]));
                    assert_eq!(total, days, "{zone} {device} {field}");
                }
                assert_eq!(whole["currency"], charts[0]["currency"]);
            }
        }
    }
}
