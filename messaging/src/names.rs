//! Names of the exchanges and queues, all prefixed by a namespace so that
//! several deployments (or test runs) can share one broker.

/// A fan-out topic: every subscriber instance receives every message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Topic {
    /// Alerts raised by the broker-adapter (`AlertEvent` JSON).
    Alerts,
    /// Changed hourly totals (`ConsumptionUpdate` JSON).
    Consumption,
    /// Chat events between ws-hub instances.
    Chat,
}

impl Topic {
    /// Every topic, for declaring them all.
    pub const ALL: [Topic; 3] = [Topic::Alerts, Topic::Consumption, Topic::Chat];

    /// The topic's short name.
    pub fn as_str(self) -> &'static str {
        match self {
            Topic::Alerts => "alerts",
            Topic::Consumption => "consumption",
            Topic::Chat => "chat",
        }
    }
}

/// The broker object names of one namespace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Names {
    namespace: String,
}

impl Names {
    /// Names under `namespace` (e.g. `iems`, or a unique prefix per test).
    pub fn new(namespace: impl Into<String>) -> Self {
        Names {
            namespace: namespace.into(),
        }
    }

    /// The namespace itself.
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// Durable direct exchange the readings are published to.
    pub fn readings_exchange(&self) -> String {
        format!("{}.readings", self.namespace)
    }

    /// Routing key of readings on [`Names::readings_exchange`].
    pub fn readings_routing_key(&self) -> &'static str {
        "reading"
    }

    /// Durable quorum work queue of readings (also reachable through the default exchange).
    pub fn readings_queue(&self) -> String {
        format!("{}.readings", self.namespace)
    }

    /// Fanout exchange that collects dead letters.
    pub fn dead_letter_exchange(&self) -> String {
        format!("{}.dead-letter", self.namespace)
    }

    /// Durable queue holding dead letters for inspection.
    pub fn dead_letter_queue(&self) -> String {
        format!("{}.readings.dead-letter", self.namespace)
    }

    /// Durable fanout exchange of a topic.
    pub fn topic_exchange(&self, topic: Topic) -> String {
        format!("{}.{}", self.namespace, topic.as_str())
    }
}

/// Header carrying the reason a message was dead-lettered.
pub const REASON_HEADER: &str = "x-iems-reason";
/// Header of a dead-lettered MQTT frame: the routing key it had on
/// `amq.topic`, where a replay puts it back (so it is read in its device's
/// format again).
pub const MQTT_ROUTING_KEY_HEADER: &str = "x-iems-mqtt-routing-key";

/// Header naming where a reading message came from (`http` for `POST /api/ingest`).
pub const SOURCE_HEADER: &str = "x-iems-source";

/// The URL with any password replaced, for logs and error messages.
pub use iems_shared::redact::redact_url as redact;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_prefixed() {
        let n = Names::new("t1");
        assert_eq!(n.readings_queue(), "t1.readings");
        assert_eq!(n.dead_letter_queue(), "t1.readings.dead-letter");
        assert_eq!(n.topic_exchange(Topic::Chat), "t1.chat");
    }
}
