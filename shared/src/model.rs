//! The JSON shapes of the HTTP API that more than one part produces or reads
//! (`User`, `Device`, `Alert`, chat messages, pages). Field names are a contract.

use crate::domain::Role;
use crate::time::rfc3339_ms;
use crate::Energy;
use serde::{Deserialize, Serialize};

/// A user as the API shows it (never with the password hash).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    /// UUID.
    pub id: String,
    /// As typed at registration.
    pub username: String,
    /// Display name.
    pub full_name: String,
    /// Postal address, if given.
    pub address: Option<String>,
    /// Admin or client.
    pub role: Role,
    /// RFC 3339 UTC.
    pub created_at: String,
}

/// A smart meter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Device {
    /// UUID.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Where it is installed.
    pub address: Option<String>,
    /// The hourly limit above which an alert is raised.
    pub max_hourly_kwh: f64,
    /// The most power the device can plausibly draw, in kW: a step between two
    /// readings implying more is refused as `implausible`. `null`: the
    /// default, four times the hourly limit and at least 50 kW.
    #[serde(default)]
    pub max_power_kw: Option<f64>,
    /// The client it is assigned to.
    pub owner_id: Option<String>,
    /// RFC 3339 UTC.
    pub created_at: String,
    /// How its MQTT frames and HTTP bodies are read (`docs/meters.md`);
    /// `null`: detected from the topic, else iems' own message.
    #[serde(default)]
    pub meter_format: Option<String>,
    /// The IANA time zone that places a Tasmota `Time` without an offset.
    #[serde(default)]
    pub time_zone: Option<String>,
    /// When it last sent a stored reading (RFC 3339 UTC), `null`: never.
    #[serde(default)]
    pub last_reported_at: Option<String>,
    /// Over which path: `amqp`, `mqtt` or `http`.
    #[serde(default)]
    pub last_reported_via: Option<String>,
    /// Unusual-consumption sensitivity (1–10; `None`: the default, 3).
    #[serde(default)]
    pub unusual_sensitivity: Option<f64>,
    /// Hours a departure must last before an unusual alert (1–24; `None`: the default, 3).
    #[serde(default)]
    pub unusual_sustain_hours: Option<u32>,
    /// Its credential in force (admins only; absent when it has none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential: Option<CredentialView>,
}

/// A device credential as listed: never its secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialView {
    /// The key id, the device's MQTT user name.
    pub key_id: String,
    /// When it was issued (RFC 3339 UTC).
    pub created_at: String,
}

/// A credential just issued: the only time its secret is shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedCredentialView {
    /// The key id: the MQTT user name.
    pub key_id: String,
    /// The secret: the MQTT password.
    pub secret: String,
    /// `<key_id>.<secret>`: the bearer token of `POST /api/ingest`.
    pub token: String,
    /// The MQTT topic prefix the device may publish under (`<namespace>/<device id>`).
    pub topic_prefix: String,
    /// When it was issued (RFC 3339 UTC).
    pub created_at: String,
}

/// A step between two consecutive readings of a device that the reading
/// policy booked specially: a meter reset, or a gap whose energy is not in the
/// hourly totals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeterEventView {
    /// `reset` or `gap`.
    pub kind: String,
    /// The earlier reading's time (RFC 3339 UTC).
    pub from: String,
    /// The later reading's time (RFC 3339 UTC).
    pub to: String,
    /// The register at the earlier reading.
    pub register_before_kwh: f64,
    /// The register at the later reading.
    pub register_after_kwh: f64,
    /// Energy of the step not in the hourly totals (a gap's; 0 for a reset).
    pub unspread_kwh: f64,
    /// When it was recorded (RFC 3339 UTC).
    pub recorded_at: String,
}

/// A device's alert: an hour in which its consumption passed its limit
/// (`limit`), or a run of hours that departed from its baseline (`unusual`,
/// docs/insight.md).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    /// UUID.
    pub id: String,
    /// The device.
    pub device_id: String,
    /// `limit` or `unusual`.
    #[serde(default = "limit_kind")]
    pub kind: String,
    /// Start of the (first) clock hour (RFC 3339 UTC).
    pub hour_start: String,
    /// End of the last hour (RFC 3339 UTC).
    #[serde(default)]
    pub hour_end: String,
    /// Hours covered (1 for a limit alert).
    #[serde(default = "one_hour")]
    pub hours: u32,
    /// The energy of those hours when the alert was raised.
    pub kwh: f64,
    /// Unusual: the energy the baseline expected over them.
    #[serde(default)]
    pub expected_kwh: Option<f64>,
    /// Unusual: `high` or `low`.
    #[serde(default)]
    pub direction: Option<String>,
    /// The limit at that moment.
    pub max_hourly_kwh: f64,
    /// RFC 3339 UTC.
    pub created_at: String,
    /// When someone acknowledged it.
    pub acknowledged_at: Option<String>,
}

fn limit_kind() -> String {
    ALERT_LIMIT.to_string()
}

fn one_hour() -> u32 {
    1
}

/// The kind of an alert for an hour over the device's limit.
pub const ALERT_LIMIT: &str = "limit";
/// The kind of an alert for a run of hours unlike the device's baseline.
pub const ALERT_UNUSUAL: &str = "unusual";

/// An alert as the `alerts` table stores it (unix ms, µWh).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAlert {
    /// UUID.
    pub id: String,
    /// The device.
    pub device_id: String,
    /// [`ALERT_LIMIT`] or [`ALERT_UNUSUAL`].
    pub kind: String,
    /// Start of the (first) clock hour, unix ms.
    pub hour_start_ms: i64,
    /// Hours covered.
    pub hours: u32,
    /// The energy of those hours, µWh.
    pub energy_uwh: i64,
    /// Unusual: the baseline's energy for them, µWh.
    pub expected_uwh: Option<i64>,
    /// Unusual: `high` or `low`.
    pub direction: Option<String>,
    /// The limit at that moment, µWh.
    pub max_hourly_uwh: i64,
    /// Unix ms.
    pub created_at_ms: i64,
    /// When someone acknowledged it, unix ms.
    pub acknowledged_at_ms: Option<i64>,
}

impl From<StoredAlert> for Alert {
    fn from(a: StoredAlert) -> Alert {
        let end = a
            .hour_start_ms
            .saturating_add(i64::from(a.hours.max(1)).saturating_mul(3_600_000));
        Alert {
            id: a.id,
            device_id: a.device_id,
            kind: a.kind,
            hour_start: rfc3339_ms(a.hour_start_ms),
            hour_end: rfc3339_ms(end),
            hours: a.hours.max(1),
            kwh: Energy::from_uwh(a.energy_uwh).kwh(),
            expected_kwh: a.expected_uwh.map(|e| Energy::from_uwh(e).kwh()),
            direction: a.direction,
            max_hourly_kwh: Energy::from_uwh(a.max_hourly_uwh).kwh(),
            created_at: rfc3339_ms(a.created_at_ms),
            acknowledged_at: a.acknowledged_at_ms.map(rfc3339_ms),
        }
    }
}

/// A monthly budget's amount as the API shows it: money in currency units, or kWh.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BudgetAmount {
    /// `money` or `kwh`.
    pub kind: String,
    /// Currency units (money) or kWh.
    pub amount: f64,
}

/// A client's budget alert: the month's projection first passed the budget
/// (`projected`), or the month's spend reached it (`spent`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BudgetAlert {
    /// UUID.
    pub id: String,
    /// The client.
    pub client_id: String,
    /// The client's display name (empty when unknown).
    #[serde(default)]
    pub client_name: String,
    /// `YYYY-MM` in the budget's time zone.
    pub month: String,
    /// `projected` or `spent`.
    pub kind: String,
    /// The budget when the alert was raised.
    pub budget: BudgetAmount,
    /// Spent so far, in the budget's unit.
    pub spent: f64,
    /// Projected to the month's end, in the budget's unit.
    pub projected: f64,
    /// The currency of money budgets.
    pub currency: Option<String>,
    /// RFC 3339 UTC.
    pub created_at: String,
    /// When someone acknowledged it.
    pub acknowledged_at: Option<String>,
}

/// A budget alert as the `budget_alerts` table stores it (unix ms; amounts in
/// micro-units of the currency or µWh, by `budget_kind`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredBudgetAlert {
    /// UUID.
    pub id: String,
    /// The client.
    pub client_id: String,
    /// The client's display name, if read with it.
    pub client_name: Option<String>,
    /// `YYYY-MM`.
    pub month: String,
    /// `projected` or `spent`.
    pub kind: String,
    /// `money` or `kwh`.
    pub budget_kind: String,
    /// Micro-units or µWh.
    pub budget_amount: i64,
    /// Micro-units or µWh.
    pub spent: i64,
    /// Micro-units or µWh.
    pub projected: i64,
    /// ISO 4217, for money budgets.
    pub currency: Option<String>,
    /// Unix ms.
    pub created_at_ms: i64,
    /// Unix ms.
    pub acknowledged_at_ms: Option<i64>,
}

impl From<StoredBudgetAlert> for BudgetAlert {
    fn from(a: StoredBudgetAlert) -> BudgetAlert {
        let budget = crate::cost::Budget::from_stored(&a.budget_kind, a.budget_amount).unwrap_or(
            crate::cost::Budget::Money(crate::cost::Money::from_micros(a.budget_amount)),
        );
        let unit = |v: i64| budget.units_of(v);
        BudgetAlert {
            id: a.id,
            client_id: a.client_id,
            client_name: a.client_name.unwrap_or_default(),
            month: a.month,
            kind: a.kind,
            budget: BudgetAmount {
                kind: a.budget_kind.clone(),
                amount: unit(a.budget_amount),
            },
            spent: unit(a.spent),
            projected: unit(a.projected),
            currency: a.currency,
            created_at: rfc3339_ms(a.created_at_ms),
            acknowledged_at: a.acknowledged_at_ms.map(rfc3339_ms),
        }
    }
}

/// A stored chat message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatMessage {
    /// UUID.
    pub id: String,
    /// The client's user id: each client has one conversation with support.
    pub conversation_id: String,
    /// Who wrote it (always the token's user); `null` once the writer's
    /// account was deleted: the message stays in the conversation, from "a
    /// deleted user".
    pub sender_id: Option<String>,
    /// The text.
    pub body: String,
    /// RFC 3339 UTC.
    pub created_at: String,
    /// The sender's own id for the message, so a retry is stored once.
    pub client_msg_id: String,
}

/// One page of a list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// Items across all pages.
    pub total: u64,
    /// 1-based page number.
    pub page: u32,
    /// Page size.
    pub per_page: u32,
}
