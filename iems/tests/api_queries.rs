//! The queries component over HTTP: consumption (day, range, CSV, current)
//! against the shared crate's time rules, alerts and acknowledgement, chat
//! conversations and history, the access matrix and bad input. Hourly totals,
//! alerts and chat rows are inserted directly, as the native services write them.

mod common;

use chrono::{DateTime, NaiveDate, Utc};
use common::world::world;
use common::{Reply, TestApi};
use iems_shared::time::{day_hours, day_window, parse_instant, parse_tz, rfc3339};
use serde_json::Value;

fn utc(s: &str) -> DateTime<Utc> {
    parse_instant("t", s).unwrap()
}

fn ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

/// Inserts hourly totals `(hour start, µWh)` for a device, and their day and month rows.
async fn seed_hours(api: &TestApi, device: &str, hours: &[(DateTime<Utc>, i64)]) {
    let hours: Vec<(i64, i64)> = hours.iter().map(|(t, e)| (ms(*t), *e)).collect();
    api.seed_hours(device, &hours).await;
}

/// Every UTC hour in `[from, to)` with a distinct, recognisable total: `(k + 1) * 1.001 kWh`.
fn every_hour(from: &str, to: &str) -> Vec<(DateTime<Utc>, i64)> {
    let (mut t, end) = (utc(from), utc(to));
    let mut out = Vec::new();
    while t < end {
        out.push((t, (out.len() as i64 + 1) * 1_001_000_000));
        t += chrono::Duration::hours(1);
    }
    out
}

/// The seeded µWh of hours in `[from, to)`.
fn sum(hours: &[(DateTime<Utc>, i64)], from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
    hours
        .iter()
        .filter(|(t, _)| *t >= from && *t < to)
        .map(|(_, e)| e)
        .sum()
}

fn kwh(uwh: i64) -> f64 {
    uwh as f64 / 1e9
}

fn assert_kwh(got: &Value, uwh: i64, what: &str) {
    let got = got
        .as_f64()
        .unwrap_or_else(|| panic!("{what}: not a number: {got}"));
    assert!(
        (got - kwh(uwh)).abs() < 1e-9,
        "{what}: {got} != {}",
        kwh(uwh)
    );
}

fn assert_invalid(r: &Reply, field: &str) {
    assert_eq!(r.status, 422, "{}", r.text());
    let body = r.json();
    assert_eq!(body["error"]["code"], "validation_failed", "{body}");
    assert_eq!(body["error"]["field"], field, "{body}");
    assert!(body["error"]["message"]
        .as_str()
        .is_some_and(|m| !m.is_empty()));
}

#[tokio::test]
async fn day_charts_follow_local_days_including_dst() {
    let w = world().await;
    let hours = every_hour("2026-03-27T00:00:00Z", "2026-10-27T00:00:00Z");
    seed_hours(&w.api, &w.mine, &hours).await;
    let tz = parse_tz("Europe/Bucharest").unwrap();
    for (date, expected_hours) in [("2026-03-29", 23), ("2026-10-25", 25), ("2026-06-15", 24)] {
        let path = format!(
            "/api/consumption/{}/day?date={date}&tz=Europe/Bucharest",
            w.mine
        );
        let r = w.api.call("GET", &path, Some(&w.alice.token), None).await;
        assert_eq!(r.status, 200, "{}", r.text());
        let body = r.json();
        assert_eq!(body["device_id"], w.mine.as_str());
        assert_eq!(body["date"], date);
        assert_eq!(body["tz"], "Europe/Bucharest");
        assert_kwh(&body["max_hourly_kwh"], 2_000_000_000, "limit");
        let got = body["hours"].as_array().unwrap();
        let day = NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap();
        let starts = day_hours(day, tz);
        assert_eq!(got.len(), expected_hours, "{date}");
        assert_eq!(starts.len(), expected_hours);
        for (bar, start) in got.iter().zip(&starts) {
            assert_eq!(bar["start"], rfc3339(*start), "{date}");
            let seeded = hours.iter().find(|(t, _)| t == start).unwrap().1;
            assert_kwh(&bar["kwh"], seeded, &format!("{date} {start}"));
        }
    }
    // Local midnight of 2026-03-29 in Bucharest is 22:00 UTC the day before.
    let r = w
        .api
        .call(
            "GET",
            &format!(
                "/api/consumption/{}/day?date=2026-03-29&tz=Europe/Bucharest",
                w.mine
            ),
            Some(&w.admin.token),
            None,
        )
        .await;
    assert_eq!(r.json()["hours"][0]["start"], "2026-03-28T22:00:00Z");
    // Without tz the day is UTC's.
    let r = w
        .api
        .call(
            "GET",
            &format!("/api/consumption/{}/day?date=2026-06-15", w.mine),
            Some(&w.alice.token),
            None,
        )
        .await;
    let body = r.json();
    assert_eq!(body["tz"], "UTC");
    assert_eq!(body["hours"][0]["start"], "2026-06-15T00:00:00Z");
    assert_eq!(body["hours"].as_array().unwrap().len(), 24);
    // A day with no data is all zeros, not an error.
    let r = w
        .api
        .call(
            "GET",
            &format!("/api/consumption/{}/day?date=2030-01-01", w.mine),
            Some(&w.alice.token),
            None,
        )
        .await;
    assert!(r.json()["hours"]
        .as_array()
        .unwrap()
        .iter()
        .all(|h| h["kwh"] == 0.0));
}

#[tokio::test]
async fn half_hour_zones_split_utc_hours_exactly() {
    let w = world().await;
    // Kolkata is UTC+05:30: local hours straddle UTC hours.
    let seeded = [
        (utc("2026-03-28T18:00:00Z"), 1_000_000_001),
        (utc("2026-03-28T19:00:00Z"), 3),
    ];
    seed_hours(&w.api, &w.mine, &seeded).await;
    let path = format!(
        "/api/consumption/{}/day?date=2026-03-29&tz=Asia/Kolkata",
        w.mine
    );
    let body = w
        .api
        .call("GET", &path, Some(&w.alice.token), None)
        .await
        .json();
    let got = body["hours"].as_array().unwrap();
    assert_eq!(got.len(), 24);
    assert_eq!(got[0]["start"], "2026-03-28T18:30:00Z");
    // The first local hour takes the second half of 18:00 (ceil) and the first half of 19:00 (floor).
    assert_kwh(&got[0]["kwh"], 500_000_001 + 1, "first local hour");
    // The second local hour takes the rest of 19:00 (3 - 1 µWh); 20:00 is empty.
    assert_kwh(&got[1]["kwh"], 2, "second local hour");
    let total: f64 = got.iter().map(|h| h["kwh"].as_f64().unwrap()).sum();
    // The day starts at 18:30Z: the first half of 18:00 (500 000 000 µWh) is the day before.
    assert!(
        (total - kwh(500_000_004)).abs() < 1e-9,
        "the day adds up: {total}"
    );
    let (start, _) = day_window(
        NaiveDate::from_ymd_opt(2026, 3, 29).unwrap(),
        parse_tz("Asia/Kolkata").unwrap(),
    );
    assert_eq!(rfc3339(start), "2026-03-28T18:30:00Z");
}

#[tokio::test]
async fn ranges_in_hour_day_and_month_buckets_and_csv() {
    let w = world().await;
    let hours = every_hour("2026-03-01T00:00:00Z", "2026-05-01T00:00:00Z");
    seed_hours(&w.api, &w.mine, &hours).await;
    let token = Some(w.alice.token.as_str());
    let base = format!("/api/consumption/{}", w.mine);

    // Day buckets across the spring-forward day, in Bucharest.
    let (from, to) = ("2026-03-28T00:00:00%2B02:00", "2026-03-31T00:00:00%2B03:00");
    let r = w
        .api
        .call(
            "GET",
            &format!("{base}/range?from={from}&to={to}&bucket=day&tz=Europe/Bucharest"),
            token,
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let body = r.json();
    assert_eq!(
        (body["bucket"].as_str(), body["tz"].as_str()),
        (Some("day"), Some("Europe/Bucharest"))
    );
    let days: Vec<&Value> = body["buckets"].as_array().unwrap().iter().collect();
    let tz = parse_tz("Europe/Bucharest").unwrap();
    let expected: Vec<(DateTime<Utc>, DateTime<Utc>)> = ["2026-03-28", "2026-03-29", "2026-03-30"]
        .iter()
        .map(|d| day_window(NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap(), tz))
        .collect();
    assert_eq!(days.len(), 3);
    for (bar, (start, end)) in days.iter().zip(&expected) {
        assert_eq!(bar["start"], rfc3339(*start));
        assert_kwh(&bar["kwh"], sum(&hours, *start, *end), "day bucket");
    }
    assert_eq!(expected[1].1 - expected[1].0, chrono::Duration::hours(23));

    // Hour buckets, half-open: `to` itself is excluded.
    let r = w
        .api
        .call(
            "GET",
            &format!("{base}/range?from=2026-04-01T10:00:00Z&to=2026-04-01T13:00:00Z&bucket=hour"),
            token,
            None,
        )
        .await;
    let bars = r.json()["buckets"].as_array().unwrap().clone();
    assert_eq!(bars.len(), 3);
    for (i, bar) in bars.iter().enumerate() {
        let start = utc("2026-04-01T10:00:00Z") + chrono::Duration::hours(i as i64);
        assert_eq!(bar["start"], rfc3339(start));
        assert_kwh(
            &bar["kwh"],
            sum(&hours, start, start + chrono::Duration::hours(1)),
            "hour",
        );
    }

    // Month buckets: a range starting mid-month counts only from `from`.
    let r = w.api.call("GET", &format!("{base}/range?from=2026-03-15T00:00:00Z&to=2026-05-01T00:00:00Z&bucket=month&tz=UTC"), token, None).await;
    let bars = r.json()["buckets"].as_array().unwrap().clone();
    assert_eq!(bars.len(), 2);
    assert_eq!(bars[0]["start"], "2026-03-01T00:00:00Z");
    assert_kwh(
        &bars[0]["kwh"],
        sum(
            &hours,
            utc("2026-03-15T00:00:00Z"),
            utc("2026-04-01T00:00:00Z"),
        ),
        "march",
    );
    assert_kwh(
        &bars[1]["kwh"],
        sum(
            &hours,
            utc("2026-04-01T00:00:00Z"),
            utc("2026-05-01T00:00:00Z"),
        ),
        "april",
    );

    // CSV: by path and by Accept, exact decimals, as a download.
    let q = "from=2026-04-01T10:00:00Z&to=2026-04-01T12:00:00Z&bucket=hour";
    let by_path = w
        .api
        .call("GET", &format!("{base}/range.csv?{q}"), token, None)
        .await;
    let auth = format!("Bearer {}", w.alice.token);
    let by_accept = w
        .api
        .send(
            "GET",
            &format!("{base}/range?{q}"),
            &[("authorization", &auth), ("accept", "text/csv")],
            Vec::new(),
        )
        .await;
    for r in [&by_path, &by_accept] {
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(
            r.header("content-type").as_deref(),
            Some("text/csv; charset=utf-8")
        );
        let disposition = r.header("content-disposition").unwrap_or_default();
        assert!(
            disposition.starts_with("attachment; filename=\"consumption-"),
            "{disposition}"
        );
        let first = sum(
            &hours,
            utc("2026-04-01T10:00:00Z"),
            utc("2026-04-01T11:00:00Z"),
        );
        let second = sum(
            &hours,
            utc("2026-04-01T11:00:00Z"),
            utc("2026-04-01T12:00:00Z"),
        );
        let text = r.text();
        let lines: Vec<&str> = text.lines().collect();
        // Without a tariff: no cost, currency or price, and all of it unpriced.
        assert_eq!(
            lines[0],
            "start,kwh,cost,currency,price_per_kwh,unpriced_kwh"
        );
        let (first, second) = (decimal(first), decimal(second));
        assert_eq!(lines[1], format!("2026-04-01T10:00:00Z,{first},,,,{first}"));
        assert_eq!(
            lines[2],
            format!("2026-04-01T11:00:00Z,{second},,,,{second}")
        );
        assert_eq!(lines.len(), 3);
    }
}

/// µWh as the exact decimal kWh the CSV writes.
fn decimal(uwh: i64) -> String {
    let frac = format!("{:09}", uwh % 1_000_000_000);
    let frac = frac.trim_end_matches('0');
    if frac.is_empty() {
        format!("{}", uwh / 1_000_000_000)
    } else {
        format!("{}.{frac}", uwh / 1_000_000_000)
    }
}

#[tokio::test]
async fn current_hour_running_total() {
    let w = world().await;
    let now = Utc::now();
    let hour = iems_shared::consumption::hour_start(now);
    seed_hours(
        &w.api,
        &w.mine,
        &[
            (hour, 1_234_000_000),
            (hour - chrono::Duration::hours(1), 9),
        ],
    )
    .await;
    let r = w
        .api
        .call(
            "GET",
            &format!("/api/consumption/{}/current", w.mine),
            Some(&w.alice.token),
            None,
        )
        .await;
    assert_eq!(r.status, 200);
    let body = r.json();
    if body["hour_start"] == rfc3339(hour) {
        assert_kwh(&body["kwh"], 1_234_000_000, "current");
    }
    assert_kwh(&body["max_hourly_kwh"], 2_000_000_000, "limit");
    // No data yet this hour: zero.
    let r = w
        .api
        .call(
            "GET",
            &format!("/api/consumption/{}/current", w.theirs),
            Some(&w.bob.token),
            None,
        )
        .await;
    assert_eq!(r.json()["kwh"], 0.0);
}

#[tokio::test]
async fn bad_consumption_input_is_a_422_with_the_field() {
    let w = world().await;
    let token = Some(w.alice.token.as_str());
    let day = format!("/api/consumption/{}/day", w.mine);
    let range = format!("/api/consumption/{}/range", w.mine);
    let ok = "from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z";
    let cases: Vec<(String, &str)> = vec![
        (day.clone(), "date"),
        (format!("{day}?date=2026-02-30"), "date"),
        (format!("{day}?date=29-03-2026"), "date"),
        (format!("{day}?date=2026-03-29&tz=Mars/Olympus"), "tz"),
        (
            format!("{day}?date=2026-03-29&tz=%27%3B%20DROP%20TABLE%20users"),
            "tz",
        ),
        (format!("{range}?to=2026-01-02T00:00:00Z"), "from"),
        (
            format!("{range}?from=yesterday&to=2026-01-02T00:00:00Z"),
            "from",
        ),
        (format!("{range}?from=2026-01-01T00:00:00Z"), "to"),
        (format!("{range}?{ok}&bucket=week"), "bucket"),
        (format!("{range}?{ok}&tz=Nowhere"), "tz"),
        (
            format!("{range}?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z"),
            "to",
        ),
        (
            format!("{range}?from=2026-01-01T00:00:00Z&to=2026-01-01T00:00:00Z"),
            "to",
        ),
        (
            format!("{range}?from=2024-01-01T00:00:00Z&to=2026-01-01T00:00:00Z&bucket=hour"),
            "to",
        ),
        (
            format!("{range}.csv?from=2000-01-01T00:00:00Z&to=2026-01-01T00:00:00Z&bucket=month"),
            "to",
        ),
    ];
    for (path, field) in cases {
        let r = w.api.call("GET", &path, token, None).await;
        assert_invalid(&r, field);
    }
    // Ranges inside the caps are fine.
    let year = w
        .api
        .call(
            "GET",
            &format!("{range}?from=2025-01-01T00:00:00Z&to=2026-01-01T00:00:00Z&bucket=day"),
            token,
            None,
        )
        .await;
    assert_eq!(year.status, 200);
    assert_eq!(year.json()["buckets"].as_array().unwrap().len(), 365);
    // Wrong methods and unknown sub-routes.
    let r = w
        .api
        .call("POST", &format!("{day}?date=2026-01-01"), token, None)
        .await;
    assert_eq!((r.status, r.header("allow").as_deref()), (405, Some("GET")));
    let r = w
        .api
        .call(
            "GET",
            &format!("/api/consumption/{}/week", w.mine),
            token,
            None,
        )
        .await;
    assert_eq!((r.status, r.error_code().as_str()), (404, "not_found"));
}

#[tokio::test]
async fn consumption_access_matrix() {
    let w = world().await;
    let q = "?date=2026-01-01&from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z";
    let missing = common::uuid_v4();
    for route in ["day", "range", "range.csv", "current"] {
        let path = |device: &str| format!("/api/consumption/{device}/{route}{q}");
        let cases: [(&str, Option<&str>, &str, u16); 7] = [
            ("anonymous", None, &w.mine, 401),
            ("bad token", Some("not.a.token"), &w.mine, 401),
            ("owner", Some(&w.alice.token), &w.mine, 200),
            ("other client", Some(&w.bob.token), &w.mine, 404),
            ("admin", Some(&w.admin.token), &w.mine, 200),
            ("admin, missing device", Some(&w.admin.token), &missing, 404),
            (
                "admin, malformed id",
                Some(&w.admin.token),
                "1%20OR%201=1",
                404,
            ),
        ];
        for (who, token, device, status) in cases {
            let r = w.api.call("GET", &path(device), token, None).await;
            assert_eq!(r.status, status, "{route} as {who}: {}", r.text());
            if status != 200 {
                assert!(!r.error_code().is_empty(), "{route} as {who}: {}", r.text());
            }
        }
        // Another client's device is indistinguishable from a missing one.
        let other = w
            .api
            .call("GET", &path(&w.mine), Some(&w.bob.token), None)
            .await;
        let absent = w
            .api
            .call("GET", &path(&missing), Some(&w.bob.token), None)
            .await;
        assert_eq!(other.text(), absent.text());
    }
}
