//! From stored rows to pricing: the rows that `crate::sql::cost`'s statements
//! return become a device's [`Pricer`], and a client's devices their month's
//! [`Projection`]. Driver-neutral (plain values in, no I/O), so the functions
//! (Spin SQLite/MySQL) and the broker-adapter (sqlx) assemble prices alike:
//!
//! 1. `DEVICE_TIMELINE` (device id, owner id) → [`AssignmentRow`]s;
//! 2. [`tariff_ids`] of them → `tariffs_by_ids(n)` → [`TariffRow`]s;
//! 3. [`dynamic_ids`] → `prices_of_tariffs(n)` over the range → [`PriceRow`]s;
//! 4. [`pricer`]; then, per month, [`month_window`] and [`client_projection`].

use super::dynamic::{DynamicPrices, MAX_ROWS};
use super::money::Price;
use super::pricer::{PricedTariff, Pricer};
use super::projection::{project_month, Projection};
use super::tariff::{PriceRule, Tariff, TariffSpec};
use super::timeline::TariffTimeline;
use crate::time::day_window;
use crate::{ApiError, Energy};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use chrono_tz::Tz;
use std::collections::BTreeMap;

/// One row of `DEVICE_TIMELINE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssignmentRow {
    /// A device's own assignment (else its client's).
    pub for_device: bool,
    /// Unix ms from which it applies.
    pub valid_from_ms: i64,
    /// The tariff; `None` (devices only): back to the client's.
    pub tariff_id: Option<String>,
}

/// One row of `tariffs_by_ids`: a tariff's id and its stored spec JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TariffRow {
    /// UUID.
    pub id: String,
    /// The validated `TariffSpec`, as stored.
    pub spec: String,
}

/// One row of `prices_of_tariffs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PriceRow<'a> {
    /// The dynamic tariff.
    pub tariff_id: &'a str,
    /// Unix ms.
    pub slot_start_ms: i64,
    /// Micro-units per kWh.
    pub price_micro: i64,
}

/// A stored spec, parsed and validated again (a row that no longer
/// validates is a 500: it was validated when stored).
pub fn stored_tariff(spec: &str) -> Result<(TariffSpec, Tariff), ApiError> {
    let parsed: TariffSpec = serde_json::from_str(spec).map_err(|_| ApiError::internal())?;
    let tariff = parsed.validate().map_err(|_| ApiError::internal())?;
    Ok((parsed, tariff))
}

/// The distinct tariff ids the assignments name (for `tariffs_by_ids`).
pub fn tariff_ids(assignments: &[AssignmentRow]) -> Vec<String> {
    let mut ids: Vec<String> = assignments
        .iter()
        .filter_map(|a| a.tariff_id.clone())
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

/// The ids of the dynamic tariffs among `tariffs` (for `prices_of_tariffs`).
pub fn dynamic_ids(tariffs: &[TariffRow]) -> Result<Vec<String>, ApiError> {
    let mut ids = Vec::new();
    for t in tariffs {
        if matches!(stored_tariff(&t.spec)?.1.rule, PriceRule::Dynamic { .. }) {
            ids.push(t.id.clone());
        }
    }
    Ok(ids)
}

/// A device's pricer from its assignments, their tariffs and the dynamic
/// prices of the range to price (slots beyond [`MAX_ROWS`] per tariff are
/// left out, so unpriced; callers read prices only for bounded ranges).
pub fn pricer(
    assignments: &[AssignmentRow],
    tariffs: &[TariffRow],
    prices: &[PriceRow<'_>],
) -> Result<Pricer, ApiError> {
    let mut client = Vec::new();
    let mut device = Vec::new();
    for a in assignments {
        match (a.for_device, &a.tariff_id) {
            (true, t) => device.push((a.valid_from_ms, t.clone())),
            (false, Some(t)) => client.push((a.valid_from_ms, t.clone())),
            (false, None) => {}
        }
    }
    let mut priced = BTreeMap::new();
    for t in tariffs {
        let (_, tariff) = stored_tariff(&t.spec)?;
        let series = match tariff.rule {
            PriceRule::Dynamic { slot_minutes } => {
                let rows: Vec<(i64, Price, usize)> = prices
                    .iter()
                    .filter(|p| p.tariff_id == t.id)
                    .take(MAX_ROWS)
                    .enumerate()
                    .map(|(i, p)| (p.slot_start_ms, Price::from_micros(p.price_micro), i + 1))
                    .collect();
                DynamicPrices::from_rows(slot_minutes, rows).map_err(|_| ApiError::internal())?
            }
            _ => DynamicPrices::default(),
        };
        priced.insert(t.id.clone(), PricedTariff { tariff, series });
    }
    Pricer::new(TariffTimeline::new(client, device), priced)
}

/// The month containing `now_ms` in `tz`: `("YYYY-MM", start_ms, end_ms)`.
pub fn month_window(now_ms: i64, tz: Tz) -> (String, i64, i64) {
    let now = DateTime::<Utc>::from_timestamp_millis(now_ms).unwrap_or_default();
    let local = now.with_timezone(&tz).date_naive();
    let first = NaiveDate::from_ymd_opt(local.year(), local.month(), 1).unwrap_or(local);
    let next = first
        .checked_add_months(chrono::Months::new(1))
        .unwrap_or(first);
    (
        first.format("%Y-%m").to_string(),
        day_window(first, tz).0.timestamp_millis(),
        day_window(next, tz).0.timestamp_millis(),
    )
}

/// What one device's projection reads: its pricer, its `DEVICE_HOURS` rows
/// over `projection::history_window(now, month_start)`, and
/// `DEVICE_FIRST_HOUR`.
#[derive(Debug, Clone)]
pub struct DeviceMonth {
    /// The device's pricer over that span and the rest of the month.
    pub pricer: Pricer,
    /// `(hour_start_ms, energy)` rows.
    pub history: Vec<(i64, Energy)>,
    /// The device's first stored hour.
    pub first_row_ms: Option<i64>,
}

/// A client's month projection: the sum of `project_month` over its devices.
pub fn client_projection(
    devices: &[DeviceMonth],
    now_ms: i64,
    month_start_ms: i64,
    month_end_ms: i64,
) -> Projection {
    let mut total = Projection::default();
    for d in devices {
        let p = project_month(
            &d.history,
            d.first_row_ms,
            now_ms,
            month_start_ms,
            month_end_ms,
            |hour, energy| d.pricer.hour_cost(hour, energy),
        );
        total.spent_energy += p.spent_energy;
        total.spent_cost += p.spent_cost;
        total.projected_energy += p.projected_energy;
        total.projected_cost += p.projected_cost;
        total.unpriced_energy += p.unpriced_energy;
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cost::Money;

    const H: i64 = 3_600_000;
    const T0: i64 = 1_767_225_600_000; // 2026-01-01T00:00:00Z

    fn flat(price: &str) -> String {
        format!(r#"{{"kind":"flat","currency":"EUR","tz":"UTC","price_per_kwh":"{price}"}}"#)
    }

    #[test]
    fn a_device_override_and_its_return_to_the_client() {
        let rows = vec![
            AssignmentRow {
                for_device: false,
                valid_from_ms: T0,
                tariff_id: Some("a".into()),
            },
            AssignmentRow {
                for_device: true,
                valid_from_ms: T0 + H,
                tariff_id: Some("b".into()),
            },
            AssignmentRow {
                for_device: true,
                valid_from_ms: T0 + 2 * H,
                tariff_id: None,
            },
        ];
        assert_eq!(tariff_ids(&rows), vec!["a".to_string(), "b".to_string()]);
        let tariffs = vec![
            TariffRow {
                id: "a".into(),
                spec: flat("0.1"),
            },
            TariffRow {
                id: "b".into(),
                spec: flat("0.2"),
            },
        ];
        assert!(dynamic_ids(&tariffs).unwrap().is_empty());
        let p = pricer(&rows, &tariffs, &[]).unwrap();
        let kwh = Energy::from_uwh(1_000_000_000);
        assert_eq!(p.hour_cost(T0 - H, kwh), None);
        assert_eq!(p.hour_cost(T0, kwh), Some(Money::from_micros(100_000)));
        assert_eq!(p.hour_cost(T0 + H, kwh), Some(Money::from_micros(200_000)));
        assert_eq!(
            p.hour_cost(T0 + 2 * H, kwh),
            Some(Money::from_micros(100_000))
        );
    }

    #[test]
    fn dynamic_prices_come_from_the_rows() {
        let rows = vec![AssignmentRow {
            for_device: false,
            valid_from_ms: T0,
            tariff_id: Some("d".into()),
        }];
        let tariffs = vec![TariffRow {
            id: "d".into(),
            spec: r#"{"kind":"dynamic","currency":"EUR","tz":"UTC","slot_minutes":60}"#.into(),
        }];
        assert_eq!(dynamic_ids(&tariffs).unwrap(), vec!["d".to_string()]);
        let prices = [PriceRow {
            tariff_id: "d",
            slot_start_ms: T0,
            price_micro: 300_000,
        }];
        let p = pricer(&rows, &tariffs, &prices).unwrap();
        let kwh = Energy::from_uwh(1_000_000_000);
        assert_eq!(p.hour_cost(T0, kwh), Some(Money::from_micros(300_000)));
        assert_eq!(p.hour_cost(T0 + H, kwh), None);
    }

    #[test]
    fn months_in_a_zone_and_a_client_sum() {
        let (month, start, end) = month_window(T0 + 5 * H, "Europe/Berlin".parse().unwrap());
        assert_eq!(month, "2026-01");
        assert_eq!(start, T0 - H);
        assert_eq!(end, T0 - H + 31 * 24 * H);
        let rows = vec![AssignmentRow {
            for_device: false,
            valid_from_ms: 0,
            tariff_id: Some("a".into()),
        }];
        let p = pricer(
            &rows,
            &[TariffRow {
                id: "a".into(),
                spec: flat("0.5"),
            }],
            &[],
        )
        .unwrap();
        let d = DeviceMonth {
            pricer: p,
            history: vec![(T0, Energy::from_uwh(2_000_000_000))],
            first_row_ms: Some(T0),
        };
        let total = client_projection(&[d.clone(), d], T0 + H, T0, T0 + 24 * H);
        assert_eq!(total.spent_energy, Energy::from_uwh(4_000_000_000));
        assert_eq!(total.spent_cost, Money::from_micros(2_000_000));
    }
}
