//! `iems bench api`'s cost case: docs/cost.md's time-of-use tariff (Europe/Berlin,
//! two seasons, weekday peaks, a standing charge) stored and assigned to the
//! bench client with the billing component's statements, the charts of a month
//! by day and a year by month in the tariff's zone, and the checks that a
//! chart carries a cost (or, before the assignment, none).

use std::sync::Arc;

use anyhow::{ensure, Context};
use chrono::{Datelike, Days, Months, NaiveDate, Utc};
use http_body_util::Empty;
use iems_shared::cost::TariffSpec;
use iems_shared::sql::cost::{insert_assignment, insert_tariff, NewAssignment, NewTariff};
use iems_shared::time::{day_window, parse_tz, rfc3339};
use serde_json::Value;

use super::{Requests, FIRST_DAY};
use crate::load::{self, MakeRequest};

/// The tariff's zone, also the zone of the cost case's charts.
const TARIFF_TZ: &str = "Europe/Berlin";

/// docs/cost.md's time-of-use example.
const TARIFF: &str = r#"{"kind": "time_of_use", "currency": "EUR", "tz": "Europe/Berlin",
 "standing_charge_per_day": "0.45",
 "seasons": [
   {"months": [11, 2], "default_price_per_kwh": "0.22", "periods": [
     {"days": ["mon", "tue", "wed", "thu", "fri"], "from": "07:00", "to": "23:00", "price_per_kwh": "0.34"}
   ]},
   {"months": [3, 10], "default_price_per_kwh": "0.18", "periods": [
     {"days": ["mon", "tue", "wed", "thu", "fri"], "from": "07:00", "to": "23:00", "price_per_kwh": "0.28"},
     {"days": ["sat", "sun"], "from": "11:00", "to": "15:00", "price_per_kwh": "0.05"}
   ]}
 ]}"#;

/// Stores [`TARIFF`] and assigns it to `client_id` from a month before the
/// first seeded hour, with the statements `POST /api/tariffs` and
/// `POST /api/tariff-assignments` run.
pub async fn assign_tariff(db_url: &str, client_id: &str) -> anyhow::Result<()> {
    let spec: TariffSpec = serde_json::from_str(TARIFF).context("the bench tariff")?;
    let invalid = |e: iems_shared::ApiError| anyhow::anyhow!("the bench tariff: {}", e.message);
    let tariff = spec.validate().map_err(invalid)?;
    let stored = spec.to_stored_json().map_err(invalid)?;
    let now = Utc::now().timestamp_millis();
    let tariff_id = uuid::Uuid::new_v4().to_string();
    let valid_from = (FIRST_DAY - Months::new(1))
        .and_hms_opt(0, 0, 0)
        .context("midnight")?
        .and_utc()
        .timestamp_millis();
    let pool = iems_db::connect(db_url, 1).await?;
    iems_db::statement(&insert_tariff(&NewTariff {
        id: &tariff_id,
        name: "Bench time of use",
        currency: tariff.currency.as_str(),
        kind: "time_of_use",
        spec: &stored,
        created_at_ms: now,
    }))
    .execute(&pool)
    .await
    .context("storing the bench tariff")?;
    iems_db::statement(&insert_assignment(&NewAssignment {
        id: &uuid::Uuid::new_v4().to_string(),
        client_id: Some(client_id),
        device_id: None,
        tariff_id: Some(&tariff_id),
        valid_from_ms: valid_from,
        created_at_ms: now,
        created_by: None,
    }))
    .execute(&pool)
    .await
    .context("assigning the bench tariff")?;
    pool.close().await;
    Ok(())
}

/// `from=…&to=…` of `[start, end)` local days in the tariff's zone.
fn span(start: NaiveDate, end: NaiveDate) -> String {
    let tz = parse_tz(TARIFF_TZ).expect("a known zone");
    format!(
        "from={}&to={}",
        rfc3339(day_window(start, tz).0),
        rfc3339(day_window(end, tz).0)
    )
}

/// The local months of 2025 that start within the first `days` seeded days.
pub fn months(days: u32) -> Vec<String> {
    let end = FIRST_DAY + Days::new(u64::from(days));
    (0..12)
        .map(|m| FIRST_DAY + Months::new(m))
        .take_while(|first| *first < end && first.year() == FIRST_DAY.year())
        .map(|first| span(first, first + Months::new(1)))
        .collect()
}

/// The local year 2025.
pub fn year() -> String {
    span(FIRST_DAY, FIRST_DAY + Months::new(12))
}

impl Requests {
    /// `GET /api/consumption/{id}/range?bucket=day&…` over a random seeded month.
    pub fn month_by_day(&self) -> MakeRequest {
        self.range("day", self.months.clone())
    }

    /// `GET /api/consumption/{id}/range?bucket=month&…` over the year.
    pub fn year_by_month(&self) -> MakeRequest {
        self.range("month", Arc::new(vec![self.year.as_ref().clone()]))
    }

    /// A range in `bucket`s over one of `spans` for a random device.
    fn range(&self, bucket: &'static str, spans: Arc<Vec<String>>) -> MakeRequest {
        let (auth, devices) = (self.auth.clone(), self.devices.clone());
        Arc::new(move |connection, n| {
            let pick = load::mix(connection as u64, n);
            let device = &devices[(pick % devices.len() as u64) as usize];
            let span = &spans[((pick >> 32) % spans.len() as u64) as usize];
            http::Request::get(format!(
                "/api/consumption/{device}/range?bucket={bucket}&{span}&tz={TARIFF_TZ}"
            ))
            .header(http::header::AUTHORIZATION, auth.clone())
            .body(Empty::new())
        })
    }
}

/// Fails unless `chart` is priced in EUR: a cost total, a standing charge,
/// and a cost with nothing unpriced in each of its `rows` that has energy.
pub fn ensure_priced(what: &str, chart: &Value, rows: &str) -> anyhow::Result<()> {
    ensure!(
        chart["currency"] == "EUR"
            && chart["cost_total"].as_f64().is_some_and(|c| c > 0.0)
            && chart["standing_charge"].as_f64().is_some_and(|c| c > 0.0),
        "{what}: the tariff is not applied (no currency, cost_total or standing_charge): {chart}"
    );
    let bars = chart[rows]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    ensure!(!bars.is_empty(), "{what}: no {rows}: {chart}");
    for bar in bars
        .iter()
        .filter(|b| b["kwh"].as_f64().is_some_and(|k| k > 0.0))
    {
        ensure!(
            bar["cost"].as_f64().is_some()
                && bar["price_per_kwh"].as_f64().is_some()
                && bar["unpriced_kwh"].as_f64() == Some(0.0),
            "{what}: a bar with energy is not priced: {bar}"
        );
    }
    Ok(())
}

/// Fails unless `chart` carries no cost (the baseline, before the tariff).
pub fn ensure_unpriced(what: &str, chart: &Value) -> anyhow::Result<()> {
    ensure!(
        chart["cost_total"].is_null() && chart["currency"].is_null(),
        "{what}: priced before any tariff was assigned: {chart}"
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tariff_is_valid_and_fits_the_column() {
        let spec: TariffSpec = serde_json::from_str(TARIFF).unwrap();
        spec.validate().unwrap();
        spec.to_stored_json().unwrap();
    }

    #[test]
    fn months_are_local_and_follow_the_seeded_days() {
        assert_eq!(
            months(30),
            ["from=2024-12-31T23:00:00Z&to=2025-01-31T23:00:00Z"]
        );
        assert_eq!(months(365).len(), 12);
        assert_eq!(months(3650).len(), 12);
        assert_eq!(year(), "from=2024-12-31T23:00:00Z&to=2025-12-31T23:00:00Z");
    }
}
