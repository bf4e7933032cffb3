//! Events from the bus (alerts, consumption, chat of other instances) to the
//! connections of this instance, and this instance's chat events to the bus.

use crate::Shared;
use iems_messaging::{Subscription, Topic};
use iems_shared::wire::{AlertsTopicEvent, ChatEvent, ConsumptionUpdate, ServerFrame};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// The payload of `Topic::Chat`: a chat event and the instance that published it
/// (which has delivered it to its own connections already).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatEnvelope {
    /// The publishing instance's id.
    pub origin: String,
    /// The event.
    pub event: ChatEvent,
}

/// Delivers a chat event to the connections of this instance: messages to the
/// conversation's client and every admin; typing and read marks to the same
/// audience except the user who typed or read.
pub(crate) fn deliver_chat(shared: &Shared, event: &ChatEvent) {
    match event {
        ChatEvent::Message { message } => {
            let frame = ServerFrame::ChatMessage {
                message: message.clone(),
            };
            shared
                .registry
                .deliver(Some(&message.conversation_id), None, &frame);
        }
        ChatEvent::Typing {
            conversation_id,
            user_id,
            typing,
        } => {
            let frame = ServerFrame::ChatTyping {
                conversation_id: conversation_id.clone(),
                user_id: user_id.clone(),
                typing: *typing,
            };
            shared
                .registry
                .deliver(Some(conversation_id), Some(user_id), &frame);
        }
        ChatEvent::Read {
            conversation_id,
            user_id,
            up_to_id,
        } => {
            let frame = ServerFrame::ChatRead {
                conversation_id: conversation_id.clone(),
                user_id: user_id.clone(),
                up_to_id: up_to_id.clone(),
            };
            shared
                .registry
                .deliver(Some(conversation_id), Some(user_id), &frame);
        }
    }
}

/// Delivers a chat event here at once, then publishes it for the other instances.
pub(crate) async fn fan_out_chat(shared: &Shared, event: ChatEvent) {
    deliver_chat(shared, &event);
    let envelope = ChatEnvelope {
        origin: shared.instance_id.clone(),
        event,
    };
    let payload = serde_json::to_vec(&envelope).unwrap_or_default();
    if let Err(e) = shared.bus.publish(Topic::Chat, &payload).await {
        tracing::warn!(error = %e, "chat event not published to other instances");
    }
}

/// Runs until the hub shuts down: each topic's events to the right connections.
pub(crate) async fn pump(shared: Arc<Shared>, topic: Topic, mut sub: Subscription) {
    loop {
        let payload = tokio::select! {
            _ = shared.shutdown.cancelled() => return,
            p = sub.next() => match p {
                Some(p) => p,
                None => {
                    tracing::error!(topic = topic.as_str(), "bus subscription ended");
                    return;
                }
            },
        };
        if let Err(e) = dispatch(&shared, topic, &payload) {
            tracing::warn!(topic = topic.as_str(), error = %e, "undecodable event ignored");
        }
    }
}

fn dispatch(shared: &Shared, topic: Topic, payload: &[u8]) -> Result<(), serde_json::Error> {
    match topic {
        Topic::Alerts => match serde_json::from_slice(payload)? {
            AlertsTopicEvent::Limit(event) => {
                let frame = ServerFrame::Alert { alert: event.alert };
                shared
                    .registry
                    .deliver(event.owner_id.as_deref(), None, &frame);
            }
            AlertsTopicEvent::Budget(event) => {
                let client = event.budget_alert.client_id.clone();
                let frame = ServerFrame::BudgetAlert {
                    alert: event.budget_alert,
                };
                shared.registry.deliver(Some(&client), None, &frame);
            }
        },
        Topic::Consumption => {
            let update: ConsumptionUpdate = serde_json::from_slice(payload)?;
            let frame = ServerFrame::Consumption {
                device_id: update.device_id,
                hour_start: update.hour_start,
                kwh: update.kwh,
            };
            shared
                .registry
                .deliver(update.owner_id.as_deref(), None, &frame);
        }
        Topic::Chat => {
            let envelope: ChatEnvelope = serde_json::from_slice(payload)?;
            if envelope.origin != shared.instance_id {
                deliver_chat(shared, &envelope.event);
            }
        }
    }
    Ok(())
}
