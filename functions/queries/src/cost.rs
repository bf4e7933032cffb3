//! Cost beside consumption: a device's hourly rows priced per chart bucket
//! with its tariff history (`iems_shared::cost`, docs/cost.md). A device
//! without any tariff gets no currency and no costs; its energy is unpriced.

use crate::access::VisibleDevice;
use fn_common::db::Db;
use iems_shared::consumption::HOUR_MS;
use iems_shared::cost::{mean_price, Currency, Money, Price, Pricer};
use iems_shared::{ApiError, Energy};

/// One bucket's cost.
#[derive(Debug, Clone, Copy)]
pub struct CostCell {
    /// All its energy, priced or not (exactly what
    /// `iems_shared::consumption::into_buckets` gives).
    pub energy: Energy,
    /// The cost of its priced energy; `None` when none of its energy was
    /// priced (or there is no tariff at all).
    pub cost: Option<Money>,
    /// The mean price of its priced energy (of a whole UTC hour: the mean of
    /// its quarter prices).
    pub price: Option<Price>,
    /// Energy without a price.
    pub unpriced: Energy,
}

/// Costs of a chart.
#[derive(Debug, Clone)]
pub struct Priced {
    /// The tariffs' currency (`None`: no tariff at all).
    pub currency: Option<Currency>,
    /// One cell per bucket.
    pub cells: Vec<CostCell>,
    /// The sum of the buckets' costs (energy only).
    pub cost_total: Option<Money>,
    /// The standing charges of the local days starting in the range.
    pub standing_charge: Option<Money>,
}

/// The pricer of `device` for the hours overlapping `[from_ms, to_ms)`:
/// from `from_ms` minus one hour (a first hour cut by the edge) to `to_ms`
/// plus one (the quarters of a last hour cut by it, e.g. the end of a local
/// day in a :30 zone, are priced too).
pub fn pricer(
    db: &Db,
    device: &VisibleDevice,
    from_ms: i64,
    to_ms: i64,
) -> Result<Pricer, ApiError> {
    fn_common::cost::device_pricer(
        db,
        &device.id,
        device.owner_id.as_deref(),
        from_ms - HOUR_MS,
        to_ms.saturating_add(HOUR_MS),
    )
}

/// Prices `rows` (sorted hourly rows overlapping the range) per bucket of
/// `edges` (`[b0, …, bn]`).
pub fn price_buckets(pricer: &Pricer, rows: &[(i64, Energy)], edges: &[i64]) -> Priced {
    let currency = pricer.currency();
    let buckets = pricer.buckets(rows, edges);
    let mut cells = Vec::with_capacity(buckets.len());
    let mut total = Money::ZERO;
    for (i, b) in buckets.iter().enumerate() {
        let priced = b.energy - b.unpriced_energy;
        let nothing_priced = b.energy != Energy::ZERO && priced == Energy::ZERO;
        let cost = (currency.is_some() && !nothing_priced).then_some(b.cost);
        total += b.cost;
        let (start, end) = (edges[i], edges[i + 1]);
        let price = if currency.is_none() {
            None
        } else if start.rem_euclid(HOUR_MS) == 0 && end - start == HOUR_MS {
            mean_price(pricer.quarter_prices(start))
        } else if priced > Energy::ZERO {
            // micro-units per kWh = micro-units × 10⁹ / µWh, floored.
            let micros =
                (i128::from(b.cost.micros()) * 1_000_000_000).div_euclid(i128::from(priced.uwh()));
            i64::try_from(micros).ok().map(Price::from_micros)
        } else {
            None
        };
        cells.push(CostCell {
            energy: b.energy,
            cost,
            price,
            unpriced: b.unpriced_energy,
        });
    }
    let standing = currency.map(|_| pricer.standing_charges(edges).into_iter().sum());
    Priced {
        currency,
        cells,
        cost_total: currency.map(|_| total),
        standing_charge: standing,
    }
}

/// Money as a JSON number of currency units.
pub fn units(m: Option<Money>) -> Option<f64> {
    m.map(Money::units)
}

/// A price as a JSON number per kWh.
pub fn price_units(p: Option<Price>) -> Option<f64> {
    p.map(|p| p.micros() as f64 / 1e6)
}
