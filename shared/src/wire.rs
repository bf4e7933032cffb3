//! Wire formats between the parts: the AMQP reading message, the events the
//! broker-adapter and ws-hub exchange, and the WebSocket frames.

pub mod meter_formats;
mod reading;
mod ws;

pub use reading::{decode_readings, DecodeError, MeterReading, ReadingError};
pub use ws::{
    decode_client_frame, validate_chat_body, validate_client_msg_id, ClientFrame, ServerFrame,
};

use crate::model::{Alert, BudgetAlert, ChatMessage};
use serde::{Deserialize, Serialize};

/// An alert as published by the broker-adapter for ws-hub (routing needs the owner).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertEvent {
    /// The stored alert.
    pub alert: Alert,
    /// The device's owner at the time, if assigned.
    pub owner_id: Option<String>,
}

/// A budget alert as published by the broker-adapter for ws-hub, on the
/// alerts topic beside [`AlertEvent`] (told apart by its fields).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BudgetAlertEvent {
    /// The stored alert (its `client_id` routes it).
    pub budget_alert: BudgetAlert,
}

/// What the alerts topic carries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum AlertsTopicEvent {
    /// An hour over a device's limit.
    Limit(AlertEvent),
    /// A client's budget.
    Budget(BudgetAlertEvent),
}

/// A changed hourly total, published for live charts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConsumptionUpdate {
    /// The device.
    pub device_id: String,
    /// The device's owner, if assigned.
    pub owner_id: Option<String>,
    /// Start of the clock hour (RFC 3339 UTC).
    pub hour_start: String,
    /// The hour's total now.
    pub kwh: f64,
}

/// A chat event fanned out between ws-hub instances.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ChatEvent {
    /// A message was stored.
    Message {
        /// The message.
        message: ChatMessage,
    },
    /// Someone started or stopped typing.
    Typing {
        /// The conversation (the client's id).
        conversation_id: String,
        /// Who is typing.
        user_id: String,
        /// True while typing.
        typing: bool,
    },
    /// A read mark moved.
    Read {
        /// The conversation (the client's id).
        conversation_id: String,
        /// Who read.
        user_id: String,
        /// The last message read.
        up_to_id: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{StoredAlert, StoredBudgetAlert};

    #[test]
    fn the_alerts_topic_tells_limit_and_budget_alerts_apart() {
        let limit = AlertEvent {
            alert: StoredAlert {
                id: "a".into(),
                device_id: "d".into(),
                kind: "limit".into(),
                hour_start_ms: 0,
                hours: 1,
                energy_uwh: 2_000_000_000,
                expected_uwh: None,
                direction: None,
                max_hourly_uwh: 1_000_000_000,
                created_at_ms: 0,
                acknowledged_at_ms: None,
            }
            .into(),
            owner_id: Some("c".into()),
        };
        let budget = BudgetAlertEvent {
            budget_alert: StoredBudgetAlert {
                id: "b".into(),
                client_id: "c".into(),
                client_name: None,
                month: "2026-12".into(),
                kind: "spent".into(),
                budget_kind: "money".into(),
                budget_amount: 120_000_000,
                spent: 120_500_000,
                projected: 130_000_000,
                currency: Some("EUR".into()),
                created_at_ms: 0,
                acknowledged_at_ms: None,
            }
            .into(),
        };
        assert_eq!(budget.budget_alert.budget.amount, 120.0);
        assert_eq!(budget.budget_alert.spent, 120.5);
        let decode = |v: &[u8]| serde_json::from_slice::<AlertsTopicEvent>(v).unwrap();
        assert_eq!(
            decode(&serde_json::to_vec(&limit).unwrap()),
            AlertsTopicEvent::Limit(limit)
        );
        assert_eq!(
            decode(&serde_json::to_vec(&budget).unwrap()),
            AlertsTopicEvent::Budget(budget)
        );
    }

    #[test]
    fn kwh_budgets_show_kwh() {
        let alert: BudgetAlert = StoredBudgetAlert {
            id: "b".into(),
            client_id: "c".into(),
            client_name: Some("Alice".into()),
            month: "2026-12".into(),
            kind: "projected".into(),
            budget_kind: "kwh".into(),
            budget_amount: 300_000_000_000,
            spent: 150_000_000_000,
            projected: 310_000_000_000,
            currency: None,
            created_at_ms: 0,
            acknowledged_at_ms: None,
        }
        .into();
        assert_eq!(
            (alert.budget.amount, alert.spent, alert.projected),
            (300.0, 150.0, 310.0)
        );
        assert_eq!(alert.client_name, "Alice");
    }
}
