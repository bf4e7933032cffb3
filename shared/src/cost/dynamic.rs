//! The price series of a dynamic tariff, uploaded by an admin as CSV or JSON
//! (`start`, `price`), as day-ahead markets publish them.
//!
//! Slots are 15 or 60 minutes long and aligned to multiples of their length
//! in UTC (every quarter hour and hour of every zone in use today is aligned
//! that way, except hours of :30/:45 zones: their markets publish UTC hours).
//! A quarter hour without a slot has no price: its hour is reported unpriced.

use super::money::Price;
use super::tariff::decimal;
use crate::time::parse_instant;
use crate::ApiError;
use serde::Deserialize;

/// The most rows in one upload (a year of quarter hours is 35,136).
pub const MAX_ROWS: usize = 40_000;

/// A validated series: starts strictly increasing, each aligned to its slot.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DynamicPrices {
    slot_ms: i64,
    starts: Vec<i64>,
    prices: Vec<Price>,
}

impl DynamicPrices {
    /// A series from `(start_ms, price)` rows in any order: each start aligned to
    /// `slot_minutes` (15 or 60), no start twice, at most [`MAX_ROWS`] rows, prices
    /// within bounds. Each row is `(start_ms, price, line)`; `line` names it in errors.
    pub fn from_rows(
        slot_minutes: u32,
        mut rows: Vec<(i64, Price, usize)>,
    ) -> Result<Self, ApiError> {
        if !matches!(slot_minutes, 15 | 60) {
            return Err(ApiError::invalid(
                "slot_minutes",
                "slot_minutes: must be 15 or 60",
            ));
        }
        if rows.len() > MAX_ROWS {
            return Err(ApiError::invalid(
                "prices",
                format!("prices: at most {MAX_ROWS} rows"),
            ));
        }
        let slot_ms = i64::from(slot_minutes) * 60_000;
        for &(start, price, line) in &rows {
            if start.rem_euclid(slot_ms) != 0 {
                return Err(ApiError::invalid(
                    "prices",
                    format!("prices: line {line}: start is not on a {slot_minutes}-minute slot boundary (UTC)"),
                ));
            }
            if !price.is_valid() {
                return Err(ApiError::invalid(
                    "prices",
                    format!("prices: line {line}: price out of range"),
                ));
            }
        }
        rows.sort_by_key(|r| r.0);
        for pair in rows.windows(2) {
            if pair[0].0 == pair[1].0 {
                let (a, b) = (pair[0].2.min(pair[1].2), pair[0].2.max(pair[1].2));
                return Err(ApiError::invalid(
                    "prices",
                    format!("prices: line {b}: start repeats line {a}"),
                ));
            }
        }
        Ok(DynamicPrices {
            slot_ms,
            starts: rows.iter().map(|r| r.0).collect(),
            prices: rows.iter().map(|r| r.1).collect(),
        })
    }

    /// Parses CSV with the header `start,price`: RFC 3339 starts, decimal prices.
    /// Lines are numbered from 1 (the header); blank lines are skipped.
    pub fn parse_csv(slot_minutes: u32, text: &str) -> Result<Self, ApiError> {
        let mut lines = text.lines().enumerate();
        let header = lines.next().map(|(_, l)| l.trim()).unwrap_or("");
        if header.replace(' ', "") != "start,price" {
            return Err(ApiError::invalid(
                "prices",
                "prices: line 1: the header must be start,price",
            ));
        }
        let mut rows = Vec::new();
        for (i, line) in lines {
            let line_no = i + 1;
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            if rows.len() == MAX_ROWS {
                return Err(ApiError::invalid(
                    "prices",
                    format!("prices: at most {MAX_ROWS} rows"),
                ));
            }
            let (start, price) = line.split_once(',').ok_or_else(|| {
                ApiError::invalid(
                    "prices",
                    format!("prices: line {line_no}: expected start,price"),
                )
            })?;
            rows.push(row(line_no, start.trim(), price.trim())?);
        }
        Self::from_rows(slot_minutes, rows)
    }

    /// Parses JSON `[{"start": "...", "price": "0.21"}]` (price a string or
    /// number); rows are numbered from 1 in errors.
    pub fn parse_json(slot_minutes: u32, text: &str) -> Result<Self, ApiError> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Row {
            start: String,
            #[serde(deserialize_with = "decimal")]
            price: String,
        }
        let raw: Vec<serde_json::Value> = serde_json::from_str(text).map_err(|e| {
            ApiError::invalid("prices", format!("prices: not a JSON array of rows: {e}"))
        })?;
        if raw.len() > MAX_ROWS {
            return Err(ApiError::invalid(
                "prices",
                format!("prices: at most {MAX_ROWS} rows"),
            ));
        }
        let mut rows = Vec::with_capacity(raw.len());
        for (i, value) in raw.into_iter().enumerate() {
            let r: Row = serde_json::from_value(value)
                .map_err(|e| ApiError::invalid("prices", format!("prices: row {}: {e}", i + 1)))?;
            rows.push(row(i + 1, &r.start, &r.price)?);
        }
        Self::from_rows(slot_minutes, rows)
    }

    /// The slot length in milliseconds.
    pub fn slot_ms(&self) -> i64 {
        self.slot_ms
    }

    /// The number of slots.
    pub fn len(&self) -> usize {
        self.starts.len()
    }

    /// True when no slot has a price.
    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }

    /// The slots in order, `(start_ms, price)`.
    pub fn slots(&self) -> impl Iterator<Item = (i64, Price)> + '_ {
        self.starts.iter().copied().zip(self.prices.iter().copied())
    }

    /// The price of the slot containing `at_ms`, if there is one (O(log n)).
    pub fn price_at(&self, at_ms: i64) -> Option<Price> {
        if self.slot_ms == 0 {
            return None;
        }
        let slot = at_ms.div_euclid(self.slot_ms) * self.slot_ms;
        self.starts
            .binary_search(&slot)
            .ok()
            .map(|i| self.prices[i])
    }
}

fn row(line: usize, start: &str, price: &str) -> Result<(i64, Price, usize), ApiError> {
    let start = parse_instant("start", start).map_err(|_| {
        ApiError::invalid(
            "prices",
            format!("prices: line {line}: start must be an RFC 3339 time"),
        )
    })?;
    let price = Price::parse("price", price)
        .map_err(|e| ApiError::invalid("prices", format!("prices: line {line}: {}", e.message)))?;
    Ok((start.timestamp_millis(), price, line))
}

#[cfg(test)]
mod tests;
