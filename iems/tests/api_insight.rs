//! Insight over HTTP: a client's total across devices and any chart compared
//! with earlier periods (against the shared crate's bucket rules over the
//! seeded hours), per-device unusual-alert settings, the stored baseline and
//! the forecast, unusual alerts in the alert list, access and bad input.
//! Hourly totals, baselines and alerts are inserted directly, as the
//! broker-adapter writes them.

mod common;

use chrono::{DateTime, NaiveDate, Utc};
use common::world::world;
use common::TestApi;
use iems_shared::consumption::into_buckets;
use iems_shared::insight::compare::{bars, Comparison, Period};
use iems_shared::sql;
use iems_shared::time::{parse_tz, rfc3339, to_unix_ms};
use iems_shared::Energy;
use serde_json::{json, Value};

const H: i64 = 3_600_000;

/// Inserts hourly totals `(hour start ms, µWh)` with their day and month rows.
async fn seed_hours(api: &TestApi, device: &str, hours: &[(i64, i64)]) {
    api.seed_hours(device, hours).await;
}

fn utc(s: &str) -> i64 {
    DateTime::parse_from_rfc3339(s).unwrap().timestamp_millis()
}

/// Every hour of `[from, to)` with a recognisable total that differs per device.
fn hours(from: &str, to: &str, salt: i64) -> Vec<(i64, i64)> {
    (utc(from) / H..utc(to) / H)
        .map(|h| (h * H, 1_000_000 * (100 + (h * 7 + salt) % 900)))
        .collect()
}

/// The energy per bar of the period starting at `start` by the shared rules.
fn expected(rows: &[(i64, i64)], period: Period, start: NaiveDate, tz: &str) -> Vec<Energy> {
    let tz = parse_tz(tz).unwrap();
    let (from, to, starts) = bars(period, start, tz);
    let mut edges: Vec<i64> = starts.iter().map(|t| to_unix_ms(*t)).collect();
    edges[0] = edges[0].max(to_unix_ms(from));
    edges.push(to_unix_ms(to));
    let rows: Vec<(i64, Energy)> = rows
        .iter()
        .map(|&(h, e)| (h, Energy::from_uwh(e)))
        .collect();
    into_buckets(&rows, &edges)
}

fn close(got: &Value, want: Energy, what: &str) {
    let got = got.as_f64().unwrap_or_else(|| panic!("{what}: {got}"));
    assert!(
        (got - want.kwh()).abs() < 1e-9,
        "{what}: {got} != {}",
        want.kwh()
    );
}

#[tokio::test]
async fn totals_across_devices_and_comparisons() {
    let w = world().await;
    let second = w
        .api
        .seed_device("Alice heat pump", Some(&w.alice.id), 2.0)
        .await;
    let a = hours("2025-02-20T00:00:00Z", "2025-04-10T00:00:00Z", 1);
    let b = hours("2025-12-20T00:00:00Z", "2026-04-10T00:00:00Z", 5);
    let c = hours("2025-12-20T00:00:00Z", "2026-04-10T00:00:00Z", 11);
    seed_hours(&w.api, &w.mine, &a).await;
    seed_hours(&w.api, &w.mine, &b).await;
    seed_hours(&w.api, &second, &c).await;
    seed_hours(&w.api, &w.theirs, &c).await; // Bob's: never in Alice's total
    let mut all: Vec<(i64, i64)> = a.iter().chain(&b).chain(&c).copied().collect();
    all.sort_unstable();
    let mine: Vec<(i64, i64)> = a.iter().chain(&b).copied().collect();

    let tz = "Europe/Berlin";
    for (period, date) in [
        ("year", "2026-06-01"),
        ("month", "2026-03-15"),
        ("week", "2026-03-25"),
        ("day", "2026-03-29"),
    ] {
        let p = Period::parse(period).unwrap();
        let date: NaiveDate = date.parse().unwrap();
        let start = p.start(date);
        let path = format!(
            "/api/consumption/total?period={period}&date={date}&tz={tz}&compare=previous,year"
        );
        let r = w.api.call("GET", &path, Some(&w.alice.token), None).await;
        assert_eq!(r.status, 200, "{period}: {}", r.text());
        let body = r.json();
        assert_eq!(body["scope"], "client");
        assert_eq!(body["devices"], 2);
        assert_eq!(body["client_id"], w.alice.id.as_str());
        assert!(body.get("max_hourly_kwh").is_none());
        let want = expected(&all, p, start, tz);
        let got = body["buckets"].as_array().unwrap();
        assert_eq!(got.len(), want.len(), "{period}");
        for (i, (g, e)) in got.iter().zip(&want).enumerate() {
            close(&g["kwh"], *e, &format!("{period} bar {i}"));
        }
        let total: Energy = want.iter().copied().sum();
        close(&body["kwh_total"], total, period);
        let comparisons = body["comparisons"].as_array().unwrap();
        assert_eq!(comparisons.len(), 2);
        for (cmp, kind) in comparisons
            .iter()
            .zip([Comparison::Previous, Comparison::Year])
        {
            assert_eq!(cmp["kind"], kind.as_str());
            let other = expected(&all, p, kind.start(p, start), tz);
            let other_total: Energy = other.iter().copied().sum();
            close(
                &cmp["kwh_total"],
                other_total,
                &format!("{period} {kind:?} total"),
            );
            let diff = cmp["change_kwh"].as_f64().unwrap();
            assert!((diff - (total.kwh() - other_total.kwh())).abs() < 1e-9);
            if other_total == Energy::ZERO {
                assert!(cmp["change_pct"].is_null());
            } else {
                let pct = cmp["change_pct"].as_f64().unwrap();
                let want_pct = (total.kwh() - other_total.kwh()) / other_total.kwh() * 100.0;
                assert!(
                    (pct - want_pct).abs() < 1e-6,
                    "{period} {kind:?}: {pct} != {want_pct}"
                );
            }
            assert_eq!(cmp["buckets"].as_array().unwrap().len(), want.len());
        }
        // One device's chart of the same period: only its own hours.
        let path = format!(
            "/api/consumption/{}/period?period={period}&date={date}&tz={tz}&compare=year",
            w.mine
        );
        let r = w.api.call("GET", &path, Some(&w.alice.token), None).await;
        assert_eq!(r.status, 200, "{}", r.text());
        let body = r.json();
        assert_eq!(body["scope"], "device");
        assert_eq!(body["max_hourly_kwh"], 2.0);
        assert!(body["buckets"][0]["unpriced_kwh"].is_number(), "{body}");
        let want = expected(&mine, p, start, tz);
        for (i, (g, e)) in body["buckets"]
            .as_array()
            .unwrap()
            .iter()
            .zip(&want)
            .enumerate()
        {
            close(&g["kwh"], *e, &format!("device {period} bar {i}"));
        }
    }

    // A 23-hour day compared with the 24-hour day before: matched by clock hour.
    let r = w
        .api
        .call(
            "GET",
            "/api/consumption/total?period=day&date=2026-03-29&tz=Europe/Berlin&compare=previous",
            Some(&w.alice.token),
            None,
        )
        .await;
    let body = r.json();
    let matched = body["comparisons"][0]["buckets"].as_array().unwrap();
    assert_eq!(matched.len(), 23);
    assert_eq!(matched[2]["start"], "2026-03-28T02:00:00Z"); // 03:00 CET with 03:00 CET
    let day_before = expected(&all, Period::Day, "2026-03-28".parse().unwrap(), tz);
    close(&matched[2]["kwh"], day_before[3], "03:00 the day before");

    // Access and bad input.
    for (token, query, status, field) in [
        (
            &w.alice.token,
            format!("period=week&date=2026-03-01&client_id={}", w.bob.id),
            404,
            None,
        ),
        (
            &w.admin.token,
            "period=week&date=2026-03-01".to_string(),
            422,
            Some("client_id"),
        ),
        (
            &w.alice.token,
            "period=quarter&date=2026-03-01".to_string(),
            422,
            Some("period"),
        ),
        (&w.alice.token, "period=week".to_string(), 422, Some("date")),
        (
            &w.alice.token,
            "period=week&date=2026-03-01&compare=last".to_string(),
            422,
            Some("compare"),
        ),
        (
            &w.alice.token,
            "period=week&date=2026-03-01&forecast=true".to_string(),
            422,
            Some("forecast"),
        ),
        (
            &w.alice.token,
            "period=day&date=2026-03-01&tz=Mars/Olympus".to_string(),
            422,
            Some("tz"),
        ),
    ] {
        let r = w
            .api
            .call(
                "GET",
                &format!("/api/consumption/total?{query}"),
                Some(token),
                None,
            )
            .await;
        assert_eq!(r.status, status, "{query}: {}", r.text());
        if let Some(field) = field {
            assert_eq!(r.json()["error"]["field"], field, "{query}");
        }
    }
    // An admin names the client and sees the same.
    let r = w
        .api
        .call(
            "GET",
            &format!(
                "/api/consumption/total?period=month&date=2026-03-01&client_id={}",
                w.alice.id
            ),
            Some(&w.admin.token),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = w
        .api
        .call(
            "GET",
            &format!(
                "/api/consumption/{}/period?period=day&date=2026-03-01",
                w.theirs
            ),
            Some(&w.alice.token),
            None,
        )
        .await;
    assert_eq!(r.status, 404);
    let r = w
        .api
        .call(
            "GET",
            "/api/consumption/total?period=day&date=2026-03-01",
            None,
            None,
        )
        .await;
    assert_eq!(r.status, 401);
}

#[tokio::test]
async fn settings_baseline_forecast_and_unusual_alerts() {
    let w = world().await;
    let device = format!("/api/devices/{}", w.mine);
    // Settings: admin only, checked, null back to the default.
    let r = w
        .api
        .call(
            "PATCH",
            &device,
            Some(&w.admin.token),
            Some(&json!({"unusual_sensitivity": 5.5, "unusual_sustain_hours": 4})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["unusual_sensitivity"], 5.5);
    assert_eq!(r.json()["unusual_sustain_hours"], 4);
    for (body, field) in [
        (json!({"unusual_sensitivity": 0.5}), "unusual_sensitivity"),
        (json!({"unusual_sensitivity": 11}), "unusual_sensitivity"),
        (
            json!({"unusual_sensitivity": "high"}),
            "unusual_sensitivity",
        ),
        (json!({"unusual_sustain_hours": 0}), "unusual_sustain_hours"),
        (
            json!({"unusual_sustain_hours": 25}),
            "unusual_sustain_hours",
        ),
        (
            json!({"unusual_sustain_hours": 2.5}),
            "unusual_sustain_hours",
        ),
    ] {
        let r = w
            .api
            .call("PATCH", &device, Some(&w.admin.token), Some(&body))
            .await;
        assert_eq!(r.status, 422, "{body}: {}", r.text());
        assert_eq!(r.json()["error"]["field"], field, "{body}");
    }
    let r = w
        .api
        .call(
            "PATCH",
            &device,
            Some(&w.alice.token),
            Some(&json!({"unusual_sensitivity": 9})),
        )
        .await;
    assert_eq!(r.status, 403);

    // Before any learning: not ready, no forecast.
    let insight = format!("/api/consumption/{}/insight", w.mine);
    let r = w
        .api
        .call("GET", &insight, Some(&w.alice.token), None)
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let body = r.json();
    assert_eq!(body["ready"], false);
    assert_eq!(body["weeks_of_history"], 0);
    assert_eq!(body["min_weeks"], 3);
    assert_eq!(body["sensitivity"], 5.5);
    assert_eq!(body["sustain_hours"], 4);
    assert!(body["tomorrow"].is_null());
    assert_eq!(body["slots"].as_array().unwrap().len(), 0);

    // A learned baseline: 0.5 kWh in every hour of the week, 0.75 on Mondays 00:00.
    let mut slots = vec![
        iems_shared::insight::SlotStats {
            median: Energy::from_uwh(500_000_000),
            spread: Energy::from_uwh(25_000_000),
            samples: 6
        };
        168
    ];
    slots[0].median = Energy::from_uwh(750_000_000);
    let text = iems_shared::insight::encode_slots(&slots);
    let saved = sql::insight::SavedBaseline {
        device_id: &w.mine,
        time_zone: "UTC",
        learned_at_ms: 0,
        weeks_of_history: 6,
        ready: true,
        slots: &text,
        checked_to_ms: 0,
        alerted_to_ms: 0,
        now_ms: 0,
    };
    iems_db::statement(&sql::insight::save_baseline(
        w.api.backend().dialect(),
        &saved,
    ))
    .execute(&w.api.pool)
    .await
    .unwrap();
    let r = w
        .api
        .call("GET", &insight, Some(&w.alice.token), None)
        .await;
    let body = r.json();
    assert_eq!(body["ready"], true);
    assert_eq!(body["weeks_of_history"], 6);
    assert_eq!(body["slots"].as_array().unwrap().len(), 168);
    let tomorrow = &body["tomorrow"];
    assert_eq!(tomorrow["hours"].as_array().unwrap().len(), 24);
    let monday = NaiveDate::parse_from_str(tomorrow["date"].as_str().unwrap(), "%Y-%m-%d")
        .unwrap()
        .format("%a")
        .to_string()
        == "Mon";
    let want = if monday { 12.25 } else { 12.0 };
    assert!(
        (tomorrow["kwh_total"].as_f64().unwrap() - want).abs() < 1e-9,
        "{tomorrow}"
    );

    // The forecast line of a day chart (2026-03-02 is a Monday), for the
    // device and for all of Alice's devices (the other has no baseline).
    for path in [
        format!(
            "/api/consumption/{}/period?period=day&date=2026-03-02&forecast=true",
            w.mine
        ),
        "/api/consumption/total?period=day&date=2026-03-02&forecast=true".to_string(),
    ] {
        let r = w.api.call("GET", &path, Some(&w.alice.token), None).await;
        assert_eq!(r.status, 200, "{}", r.text());
        let f = &r.json()["forecast"];
        assert_eq!(f["ready"], true, "{path}");
        let hours = f["hours"].as_array().unwrap();
        assert_eq!(hours.len(), 24);
        assert_eq!(hours[0]["start"], "2026-03-02T00:00:00Z");
        assert_eq!(hours[0]["kwh"], 0.75);
        assert_eq!(hours[1]["kwh"], 0.5);
    }
    // Bob sees none of it.
    let r = w.api.call("GET", &insight, Some(&w.bob.token), None).await;
    assert_eq!(r.status, 404);

    // An unusual alert in the list, filtered by kind.
    let id = common::uuid_v4();
    let alert = sql::alerts::NewAlert {
        id: &id,
        device_id: &w.mine,
        kind: "unusual",
        hour_start_ms: utc("2026-03-01T22:00:00Z"),
        hours: 8,
        energy_uwh: 8_000_000_000,
        expected_uwh: Some(160_000_000),
        direction: Some("high"),
        max_hourly_uwh: 2_000_000_000,
        created_at_ms: utc("2026-03-02T06:01:00Z"),
    };
    iems_db::statement(&sql::alerts::insert_once(w.api.backend().dialect(), &alert))
        .execute(&w.api.pool)
        .await
        .unwrap();
    let r = w
        .api
        .call(
            "GET",
            "/api/alerts?kind=unusual",
            Some(&w.alice.token),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let items = r.json()["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["kind"], "unusual");
    assert_eq!(items[0]["hours"], 8);
    assert_eq!(
        items[0]["hour_end"],
        rfc3339(DateTime::<Utc>::from_timestamp_millis(utc("2026-03-02T06:00:00Z")).unwrap())
    );
    assert_eq!(items[0]["expected_kwh"], 0.16);
    assert_eq!(items[0]["kwh"], 8.0);
    assert_eq!(items[0]["direction"], "high");
    let r = w
        .api
        .call("GET", "/api/alerts?kind=limit", Some(&w.alice.token), None)
        .await;
    assert_eq!(r.json()["items"].as_array().unwrap().len(), 0);
    let r = w
        .api
        .call("GET", "/api/alerts?kind=odd", Some(&w.alice.token), None)
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.json()["error"]["field"], "kind");
    let r = w
        .api
        .call("GET", "/api/alerts?kind=unusual", Some(&w.bob.token), None)
        .await;
    assert_eq!(r.json()["items"].as_array().unwrap().len(), 0);
    let r = w
        .api
        .call(
            "POST",
            &format!("/api/alerts/{id}/ack"),
            Some(&w.alice.token),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
}
