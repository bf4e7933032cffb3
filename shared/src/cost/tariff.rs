//! Tariffs: the JSON an admin sends ([`TariffSpec`]) and its validated,
//! compiled form ([`Tariff`]) that answers "what is the price at this instant".
//!
//! A time-of-use tariff is compiled into a table of 96 quarter-hour prices per
//! weekday per season, so a lookup is one time-zone conversion and an index.
//! Periods start and end on quarter hours of local wall time, so the price of a
//! local quarter hour is the price at its start, and an instant between quarter
//! starts (zones with odd historical offsets) takes the price of the local
//! quarter containing it.

use super::money::{Currency, Money, Price};
use crate::time::parse_tz;
use crate::ApiError;
use chrono::{Datelike, TimeZone, Timelike};
use chrono_tz::Tz;
use serde::{Deserialize, Deserializer, Serialize};

/// The most seasons in a time-of-use tariff.
pub const MAX_SEASONS: usize = 12;
/// The most periods in one season.
pub const MAX_PERIODS: usize = 48;
/// Quarter hours in a local day.
pub const QUARTERS_PER_DAY: usize = 96;
/// Milliseconds in a quarter hour.
pub const QUARTER_MS: i64 = 900_000;

/// A tariff as the API receives and stores it (`kind` says which).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TariffSpec {
    /// ISO 4217 code, e.g. `EUR`.
    pub currency: String,
    /// IANA zone whose local time and days the tariff follows.
    pub tz: String,
    /// Charged per local day of `tz`, apart from energy (decimal, default `"0"`).
    #[serde(default = "zero", deserialize_with = "decimal")]
    pub standing_charge_per_day: String,
    /// How energy is priced.
    #[serde(flatten)]
    pub rule: RuleSpec,
}

/// The three kinds of tariff.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RuleSpec {
    /// One price at all times.
    Flat {
        /// Decimal price per kWh.
        #[serde(deserialize_with = "decimal")]
        price_per_kwh: String,
    },
    /// Prices by season (month range) and period of the local week.
    TimeOfUse {
        /// The first season whose months contain the local month applies.
        seasons: Vec<SeasonSpec>,
    },
    /// Prices from an uploaded series of slots (see [`super::dynamic`]).
    Dynamic {
        /// 15 or 60.
        slot_minutes: u32,
    },
}

/// A season of a time-of-use tariff.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeasonSpec {
    /// `[from, to]`, months 1–12 inclusive; `[11, 2]` wraps over the new year.
    pub months: [u32; 2],
    /// The price when no period applies.
    #[serde(deserialize_with = "decimal")]
    pub default_price_per_kwh: String,
    /// The first period containing the local weekday and time applies.
    #[serde(default)]
    pub periods: Vec<PeriodSpec>,
}

/// A period of the local week.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PeriodSpec {
    /// Weekdays: `mon`, `tue`, `wed`, `thu`, `fri`, `sat`, `sun`.
    pub days: Vec<String>,
    /// Local start time `HH:MM` on a quarter hour.
    pub from: String,
    /// Local end time (exclusive) `HH:MM` on a quarter hour, up to `24:00`.
    pub to: String,
    /// Decimal price per kWh.
    #[serde(deserialize_with = "decimal")]
    pub price_per_kwh: String,
}

fn zero() -> String {
    "0".to_string()
}

/// A decimal given as a JSON string or number, kept as its exact text (a
/// number as its shortest decimal form, so `0.21` stays `"0.21"`).
pub(crate) fn decimal<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Text {
        S(String),
        N(serde_json::Number),
    }
    Ok(match Text::deserialize(d)? {
        Text::S(s) => s,
        Text::N(n) => n.to_string(),
    })
}

/// A validated tariff.
#[derive(Debug, Clone, PartialEq)]
pub struct Tariff {
    /// The currency of every price and charge.
    pub currency: Currency,
    /// The zone of its local days and wall times.
    pub tz: Tz,
    /// Charged per local day.
    pub standing_charge_per_day: Money,
    /// How energy is priced.
    pub rule: PriceRule,
}

/// The validated pricing rule.
#[derive(Debug, Clone, PartialEq)]
pub enum PriceRule {
    /// One price.
    Flat(Price),
    /// Compiled time-of-use table.
    TimeOfUse(Box<TouTable>),
    /// Prices from a series of slots this long (minutes).
    Dynamic {
        /// 15 or 60.
        slot_minutes: u32,
    },
}

/// Time of use compiled: the season of each month, and per season a price for
/// each local quarter hour of each weekday (Monday first).
#[derive(Debug, Clone, PartialEq)]
pub struct TouTable {
    season_of_month: [u8; 12],
    prices: Vec<[[Price; QUARTERS_PER_DAY]; 7]>,
}

impl TouTable {
    /// The price of the local quarter hour containing `local`.
    pub fn price_at_local(&self, local: chrono::NaiveDateTime) -> Price {
        self.price_of(
            local.month0() as usize,
            local.weekday().num_days_from_monday() as usize,
            (local.hour() * 4 + local.minute() / 15) as usize,
        )
    }

    /// The price of local quarter `quarter` (0–95) of a weekday (0 = Monday)
    /// in month `month0` (0 = January).
    pub fn price_of(&self, month0: usize, weekday: usize, quarter: usize) -> Price {
        let season = self.season_of_month[month0] as usize;
        self.prices[season][weekday][quarter]
    }
}

impl Tariff {
    /// The price in force at `at_ms` (unix ms) from the tariff itself; `None`
    /// for a dynamic tariff, whose prices come from its series.
    pub fn static_price_at(&self, at_ms: i64) -> Option<Price> {
        match &self.rule {
            PriceRule::Flat(p) => Some(*p),
            PriceRule::TimeOfUse(table) => {
                let utc = chrono::DateTime::from_timestamp_millis(at_ms)?;
                Some(
                    table.price_at_local(self.tz.from_utc_datetime(&utc.naive_utc()).naive_local()),
                )
            }
            PriceRule::Dynamic { .. } => None,
        }
    }
}

/// The longest stored tariff (its JSON, in characters): the `tariffs.spec`
/// column holds this much in both dialects.
pub const MAX_STORED_SPEC_CHARS: usize = 8000;

impl TariffSpec {
    /// The JSON stored for a validated tariff; a tariff longer than
    /// [`MAX_STORED_SPEC_CHARS`] is refused (too many seasons and periods).
    pub fn to_stored_json(&self) -> Result<String, ApiError> {
        let json = serde_json::to_string(self).map_err(|_| ApiError::internal())?;
        let chars = json.chars().count();
        if chars > MAX_STORED_SPEC_CHARS {
            return Err(ApiError::invalid(
                "seasons",
                format!(
                    "seasons: the tariff is too large to store ({chars} characters as JSON; at most {MAX_STORED_SPEC_CHARS}): use fewer periods"
                ),
            ));
        }
        Ok(json)
    }

    /// Checks every field and compiles the tariff; errors name the field path,
    /// e.g. `seasons[1].periods[0].to`.
    pub fn validate(&self) -> Result<Tariff, ApiError> {
        let currency = Currency::parse("currency", &self.currency)?;
        let tz = parse_tz(&self.tz).map_err(|_| {
            ApiError::invalid("tz", format!("tz: unknown IANA time zone {:?}", self.tz))
        })?;
        let standing_charge_per_day =
            Money::parse("standing_charge_per_day", &self.standing_charge_per_day)?;
        let rule = match &self.rule {
            RuleSpec::Flat { price_per_kwh } => {
                PriceRule::Flat(Price::parse("price_per_kwh", price_per_kwh)?)
            }
            RuleSpec::TimeOfUse { seasons } => PriceRule::TimeOfUse(Box::new(compile(seasons)?)),
            RuleSpec::Dynamic { slot_minutes } => {
                if !matches!(slot_minutes, 15 | 60) {
                    return Err(ApiError::invalid(
                        "slot_minutes",
                        "slot_minutes: must be 15 or 60",
                    ));
                }
                PriceRule::Dynamic {
                    slot_minutes: *slot_minutes,
                }
            }
        };
        Ok(Tariff {
            currency,
            tz,
            standing_charge_per_day,
            rule,
        })
    }
}

fn invalid(path: &str, why: &str) -> ApiError {
    ApiError::invalid(path, format!("{path}: {why}"))
}

/// `HH:MM` on a quarter hour as a quarter index 0..=96 (`24:00` is 96).
fn parse_quarter(path: &str, text: &str) -> Result<usize, ApiError> {
    let bad = || {
        invalid(
            path,
            "must be a local time HH:MM on a quarter hour, 00:00 to 24:00",
        )
    };
    let b = text.as_bytes();
    if b.len() != 5 || b[2] != b':' || ![0, 1, 3, 4].iter().all(|&i| b[i].is_ascii_digit()) {
        return Err(bad());
    }
    let h = usize::from(b[0] - b'0') * 10 + usize::from(b[1] - b'0');
    let m = usize::from(b[3] - b'0') * 10 + usize::from(b[4] - b'0');
    if m % 15 != 0 || m >= 60 || h > 24 || (h == 24 && m != 0) {
        return Err(bad());
    }
    Ok(h * 4 + m / 15)
}

fn parse_day(path: &str, text: &str) -> Result<usize, ApiError> {
    const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    DAYS.iter()
        .position(|d| *d == text)
        .ok_or_else(|| invalid(path, "must be one of mon, tue, wed, thu, fri, sat, sun"))
}

/// Validates the seasons and builds the table: bounded by
/// 12 seasons × 48 periods × 7 days × 96 quarters.
fn compile(seasons: &[SeasonSpec]) -> Result<TouTable, ApiError> {
    if seasons.is_empty() || seasons.len() > MAX_SEASONS {
        return Err(invalid(
            "seasons",
            &format!("must have 1 to {MAX_SEASONS} seasons"),
        ));
    }
    let mut season_of_month: [Option<u8>; 12] = [None; 12];
    let mut prices = Vec::with_capacity(seasons.len());
    for (s, season) in seasons.iter().enumerate() {
        let path = format!("seasons[{s}]");
        let [from, to] = season.months;
        if !(1..=12).contains(&from) || !(1..=12).contains(&to) {
            return Err(invalid(&format!("{path}.months"), "months must be 1 to 12"));
        }
        // Inclusive and wrapping: [11, 2] is Nov, Dec, Jan, Feb.
        let mut m = from;
        loop {
            let slot = &mut season_of_month[(m - 1) as usize];
            if slot.is_none() {
                *slot = Some(s as u8);
            }
            if m == to {
                break;
            }
            m = m % 12 + 1;
        }
        let default = Price::parse(
            &format!("{path}.default_price_per_kwh"),
            &season.default_price_per_kwh,
        )?;
        if season.periods.len() > MAX_PERIODS {
            return Err(invalid(
                &format!("{path}.periods"),
                &format!("must have at most {MAX_PERIODS} periods"),
            ));
        }
        let mut table: [[Option<Price>; QUARTERS_PER_DAY]; 7] = [[None; QUARTERS_PER_DAY]; 7];
        for (p, period) in season.periods.iter().enumerate() {
            let path = format!("{path}.periods[{p}]");
            let from = parse_quarter(&format!("{path}.from"), &period.from)?;
            let to = parse_quarter(&format!("{path}.to"), &period.to)?;
            if from >= to {
                return Err(invalid(&format!("{path}.to"), "must be later than from"));
            }
            if period.days.is_empty() || period.days.len() > 7 {
                return Err(invalid(
                    &format!("{path}.days"),
                    "must list 1 to 7 weekdays",
                ));
            }
            let price = Price::parse(&format!("{path}.price_per_kwh"), &period.price_per_kwh)?;
            for (d, day) in period.days.iter().enumerate() {
                let day = parse_day(&format!("{path}.days[{d}]"), day)?;
                // The first period wins: fill only quarters no earlier period took.
                for q in &mut table[day][from..to] {
                    q.get_or_insert(price);
                }
            }
        }
        prices.push(table.map(|day| day.map(|q| q.unwrap_or(default))));
    }
    let mut months = [0u8; 12];
    for (i, s) in season_of_month.iter().enumerate() {
        months[i] = s.ok_or_else(|| {
            invalid(
                "seasons",
                &format!(
                    "the seasons must cover all 12 months; month {} is in none",
                    i + 1
                ),
            )
        })?;
    }
    Ok(TouTable {
        season_of_month: months,
        prices,
    })
}

#[cfg(test)]
mod tests;
