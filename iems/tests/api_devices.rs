//! The devices component over HTTP: the access matrix, assignment rules,
//! validation and filters.

mod common;

use common::world::world;
use serde_json::{json, Value};

fn ids(v: &Value) -> Vec<String> {
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn access_matrix() {
    let w = world().await;
    let api = &w.api;
    let (anon, client, admin) = (
        None,
        Some(w.alice.token.as_str()),
        Some(w.admin.token.as_str()),
    );
    let new = json!({"name": "New", "max_hourly_kwh": 1.5});
    let patch = json!({"name": "Renamed"});
    let own = json!({"user_id": w.alice.id});
    let mine = format!("/api/devices/{}", w.mine);
    let theirs = format!("/api/devices/{}", w.theirs);
    let spare = format!("/api/devices/{}", w.spare);
    let cases: Vec<(&str, String, Option<&Value>, [u16; 3])> = vec![
        // [anonymous, client (alice), admin]
        ("GET", "/api/devices".into(), None, [401, 200, 200]),
        ("POST", "/api/devices".into(), Some(&new), [401, 403, 201]),
        ("GET", mine.clone(), None, [401, 200, 200]),
        ("GET", theirs.clone(), None, [401, 404, 200]),
        ("GET", spare.clone(), None, [401, 404, 200]),
        ("PATCH", mine.clone(), Some(&patch), [401, 403, 200]),
        ("PATCH", theirs.clone(), Some(&patch), [401, 403, 200]),
        (
            "PUT",
            format!("{theirs}/owner"),
            Some(&own),
            [401, 403, 200],
        ),
        ("DELETE", mine.clone(), None, [401, 403, 204]),
        ("DELETE", mine.clone(), None, [401, 403, 404]),
        (
            "GET",
            "/api/devices/00000000-0000-4000-8000-000000000000".into(),
            None,
            [401, 404, 404],
        ),
        ("PUT", "/api/devices".into(), None, [405, 405, 405]),
        ("POST", format!("{spare}/owner"), None, [405, 405, 405]),
    ];
    for (method, path, body, expected) in cases {
        for (who, token, status) in [
            ("anonymous", anon, expected[0]),
            ("client", client, expected[1]),
            ("admin", admin, expected[2]),
        ] {
            // Only the admin's mutation should take effect; run the admin last.
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
    // Bob's device was assigned to Alice by the admin above: now she sees it, Bob does not.
    let r = api.call("GET", &theirs, client, None).await;
    assert_eq!(r.status, 200);
    assert_eq!(
        api.call("GET", &theirs, Some(w.bob.token.as_str()), None)
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn clients_see_only_their_devices_whatever_the_query() {
    let w = world().await;
    let api = &w.api;
    let list = |token: &str, query: &str| {
        let path = format!("/api/devices{query}");
        let token = token.to_string();
        async move {
            api.call("GET", &path, Some(token.as_str()), None)
                .await
                .json()
        }
    };
    assert_eq!(ids(&list(&w.alice.token, "").await), vec![w.mine.clone()]);
    let sneaky = list(&w.alice.token, &format!("?owner_id={}", w.bob.id)).await;
    assert_eq!(ids(&sneaky), vec![w.mine.clone()]);
    assert!(ids(&list(&w.alice.token, "?q=Bob").await).is_empty());
    assert_eq!(list(&w.bob.token, "").await["total"], 1);

    let all = list(&w.admin.token, "").await;
    assert_eq!(
        (
            all["total"].as_u64(),
            all["page"].as_u64(),
            all["per_page"].as_u64()
        ),
        (Some(3), Some(1), Some(20))
    );
    assert_eq!(
        ids(&list(&w.admin.token, &format!("?owner_id={}", w.bob.id)).await),
        vec![w.theirs.clone()]
    );
    assert_eq!(
        ids(&list(&w.admin.token, "?unassigned=true").await),
        vec![w.spare.clone()]
    );
    assert_eq!(
        ids(&list(&w.admin.token, "?q=spare").await),
        vec![w.spare.clone()]
    );
    let paged = list(&w.admin.token, "?per_page=2&page=2").await;
    assert_eq!((ids(&paged).len(), paged["total"].as_u64()), (1, Some(3)));
    for bad in [
        "?per_page=0",
        "?per_page=1000",
        "?page=0",
        "?unassigned=maybe",
        "?owner_id=nope",
    ] {
        let r = api
            .call(
                "GET",
                &format!("/api/devices{bad}"),
                Some(w.admin.token.as_str()),
                None,
            )
            .await;
        assert_eq!(
            (r.status, r.error_code().as_str()),
            (422, "validation_failed"),
            "{bad}"
        );
    }
}

#[tokio::test]
async fn create_validate_assign() {
    let w = world().await;
    let api = &w.api;
    let admin = Some(w.admin.token.as_str());
    let r = api
        .call("POST", "/api/devices", admin, Some(&json!({"name": " Kitchen ", "address": "Str. 1", "max_hourly_kwh": 0.75, "owner_id": w.alice.id})))
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let d = r.json();
    assert_eq!(
        (
            d["name"].as_str(),
            d["max_hourly_kwh"].as_f64(),
            d["owner_id"].as_str()
        ),
        (Some("Kitchen"), Some(0.75), Some(w.alice.id.as_str()))
    );
    let id = d["id"].as_str().unwrap().to_string();
    let stored: i64 = sqlx::query_scalar("SELECT max_hourly_uwh FROM devices WHERE id = ?")
        .bind(&id)
        .fetch_one(&api.pool)
        .await
        .unwrap();
    assert_eq!(stored, 750_000_000);

    for (body, field) in [
        (json!({"max_hourly_kwh": 1}), "name"),
        (json!({"name": "x"}), "max_hourly_kwh"),
        (
            json!({"name": "x", "max_hourly_kwh": "1"}),
            "max_hourly_kwh",
        ),
        (json!({"name": "x", "max_hourly_kwh": -1}), "max_hourly_kwh"),
        (json!({"name": "x", "max_hourly_kwh": 0}), "max_hourly_kwh"),
        (
            json!({"name": "x", "max_hourly_kwh": 1e300}),
            "max_hourly_kwh",
        ),
        (json!({"name": "", "max_hourly_kwh": 1}), "name"),
        (
            json!({"name": "x", "max_hourly_kwh": 1, "owner_id": w.admin.id}),
            "owner_id",
        ),
        (
            json!({"name": "x", "max_hourly_kwh": 1, "owner_id": "00000000-0000-4000-8000-000000000000"}),
            "owner_id",
        ),
        (
            json!({"name": "x", "max_hourly_kwh": 1, "owner_id": 5}),
            "owner_id",
        ),
    ] {
        let r = api.call("POST", "/api/devices", admin, Some(&body)).await;
        assert_eq!(
            (r.status, r.json()["error"]["field"].as_str()),
            (422, Some(field)),
            "{body}"
        );
    }
    let r = api
        .send(
            "POST",
            "/api/devices",
            &[
                (
                    "authorization",
                    format!("Bearer {}", w.admin.token).as_str(),
                ),
                ("content-type", "application/json"),
            ],
            "{\"name\":",
        )
        .await;
    assert_eq!((r.status, r.error_code().as_str()), (400, "invalid_json"));

    let owner = format!("/api/devices/{id}/owner");
    for (body, status) in [
        (json!({"user_id": w.admin.id}), 422),
        (
            json!({"user_id": "00000000-0000-4000-8000-000000000000"}),
            422,
        ),
        (json!({"user_id": "' OR 1=1 --"}), 422),
        (json!({}), 422),
        (json!({"user_id": w.bob.id}), 200),
        (json!({"user_id": null}), 200),
    ] {
        let r = api.call("PUT", &owner, admin, Some(&body)).await;
        assert_eq!(r.status, status, "{body}: {}", r.text());
    }
    assert!(api
        .call("GET", &format!("/api/devices/{id}"), admin, None)
        .await
        .json()["owner_id"]
        .is_null());
    let missing = api
        .call(
            "PUT",
            "/api/devices/00000000-0000-4000-8000-000000000000/owner",
            admin,
            Some(&json!({"user_id": null})),
        )
        .await;
    assert_eq!(missing.status, 404);

    let evil = "'; DELETE FROM devices; --";
    let r = api
        .call(
            "PATCH",
            &format!("/api/devices/{id}"),
            admin,
            Some(&json!({"name": evil, "address": null, "max_hourly_kwh": 2})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        (
            r.json()["name"].as_str(),
            r.json()["address"].is_null(),
            r.json()["max_hourly_kwh"].as_f64()
        ),
        (Some(evil), true, Some(2.0))
    );
    let r = api
        .call(
            "PATCH",
            &format!("/api/devices/{id}"),
            admin,
            Some(&json!({"max_hourly_kwh": null})),
        )
        .await;
    assert_eq!(r.status, 422);
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM devices")
        .fetch_one(&api.pool)
        .await
        .unwrap();
    assert_eq!(count, 4);
}

/// `iems simulate --api-url` lists every device through the API, page by page,
/// and a client's token only yields the client's own devices.
#[tokio::test]
async fn simulator_lists_devices_through_the_api() {
    let w = world().await;
    let mut expected = vec![w.mine.clone(), w.theirs.clone(), w.spare.clone()];
    for n in 0..110 {
        expected.push(w.api.seed_device(&format!("Meter {n}"), None, 1.0).await);
    }
    expected.sort();
    let url = format!("http://{}", w.api.addr);
    let listed = iems::cmd::simulate::api_devices(&url, &w.admin.token)
        .await
        .expect("devices listed");
    let mut listed: Vec<String> = listed.iter().map(ToString::to_string).collect();
    listed.sort();
    assert_eq!(listed, expected, "every device, across two pages");

    let own = iems::cmd::simulate::api_devices(&url, &w.alice.token)
        .await
        .expect("own devices listed");
    assert_eq!(own.len(), 1);
    assert_eq!(own[0].to_string(), w.mine);

    let err = iems::cmd::simulate::api_devices(&url, "not-a-token")
        .await
        .expect_err("a bad token is refused");
    assert!(err.to_string().contains("401"), "{err:#}");
}

/// A device's plausible power is set, validated and reset to the default; its
/// meter events (resets and gaps of the reading policy) are listed for its
/// owner and admins only, newest first.
#[tokio::test]
async fn plausible_power_and_meter_events() {
    let w = world().await;
    let api = &w.api;
    let admin = Some(w.admin.token.as_str());
    let created = api
        .call(
            "POST",
            "/api/devices",
            admin,
            Some(&json!({"name": "Heat pump", "max_hourly_kwh": 1.2, "max_power_kw": 11.04})),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text());
    assert_eq!(created.json()["max_power_kw"], 11.04);
    let path = format!("/api/devices/{}", created.json()["id"].as_str().unwrap());
    for bad in [json!(0), json!(-3), json!(2e6), json!("fast")] {
        let r = api
            .call("PATCH", &path, admin, Some(&json!({"max_power_kw": bad})))
            .await;
        assert_eq!(r.status, 422, "{bad}: {}", r.text());
        assert_eq!(r.json()["error"]["field"], "max_power_kw");
    }
    let reset = api
        .call("PATCH", &path, admin, Some(&json!({"max_power_kw": null})))
        .await;
    assert_eq!(reset.status, 200);
    assert!(
        reset.json()["max_power_kw"].is_null(),
        "back to the default"
    );

    // Alice's meter had a reset and a gap.
    for (ts, kind, unspread) in [(1_000, "reset", 0i64), (2_000, "gap", 240_000_000_000)] {
        sqlx::query(
            "INSERT INTO meter_events (device_id, ts, kind, from_ts, register_before_uwh, register_after_uwh, unspread_uwh, recorded_at) \
             VALUES (?, ?, ?, ?, 5, 7, ?, 0)",
        )
        .bind(&w.mine)
        .bind(ts)
        .bind(kind)
        .bind(ts - 600)
        .bind(unspread)
        .execute(&api.pool)
        .await
        .unwrap();
    }
    let events = format!("/api/devices/{}/events?per_page=1", w.mine);
    let r = api.call("GET", &events, Some(&w.alice.token), None).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let page = r.json();
    assert_eq!(page["total"], 2);
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    assert_eq!(page["items"][0]["kind"], "gap");
    assert_eq!(page["items"][0]["unspread_kwh"], 240.0);
    assert_eq!(page["items"][0]["to"], "1970-01-01T00:00:02Z");
    for (who, token, status) in [
        ("bob", Some(w.bob.token.as_str()), 404),
        ("anonymous", None, 401),
        ("admin", admin, 200),
    ] {
        let r = api.call("GET", &events, token, None).await;
        assert_eq!(r.status, status, "{who}: {}", r.text());
    }
}
