//! Meters over MQTT: one device's connection to the broker's MQTT listener
//! (RabbitMQ's MQTT plugin, docs/ingest.md), user name = the credential's key
//! id, password = its secret. Messages go out at QoS 1 and count as delivered
//! only when their PUBACK arrives; a connection the broker ends (it closes it
//! on a publish the credential may not make) fails every message still
//! waiting, and a PUBACK that never comes fails after a timeout, so nothing
//! waits forever.
//!
//! ```no_run
//! # async fn run() -> Result<(), iems_simulator::MqttError> {
//! use iems_simulator::MqttDevice;
//! let device = MqttDevice::connect("mqtt://127.0.0.1:1884", "dk…", "secret…", "meter-1").await?;
//! device.publish("iems/<device id>/readings", b"{...}".to_vec()).await?;
//! device.close().await;
//! # Ok(()) }
//! ```

use rumqttc::{
    AsyncClient, ConnectReturnCode, ConnectionError, Event, EventLoop, MqttOptions, Outgoing,
    Packet, QoS,
};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::oneshot;

/// The port of `mqtt://host` without one.
pub const DEFAULT_MQTT_PORT: u16 = 1883;

/// Why an MQTT connection or publish failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MqttError {
    /// The URL is not `mqtt://host[:port]`.
    #[error("{0:?} is not an MQTT URL: expected mqtt://host[:port] (e.g. mqtt://127.0.0.1:1884)")]
    BadUrl(String),
    /// Nothing answered at the address (refused, unresolvable, unreachable).
    #[error("cannot reach the MQTT broker at {addr}: {reason}")]
    Unreachable {
        /// `host:port`.
        addr: String,
        /// What the network said.
        reason: String,
    },
    /// The broker answered the connect with "bad user name or password" or
    /// "not authorised".
    #[error("the broker refused the credential (user name {key_id:?}): {reason}")]
    CredentialRefused {
        /// The user name given.
        key_id: String,
        /// The broker's return code.
        reason: String,
    },
    /// The broker refused the connection for another reason.
    #[error("the broker refused the connection: {0}")]
    Refused(String),
    /// No CONNACK in time.
    #[error("the MQTT broker at {addr} did not accept the connection within {after:?}")]
    ConnectTimeout {
        /// `host:port`.
        addr: String,
        /// How long it was given.
        after: Duration,
    },
    /// The connection ended while messages waited for their PUBACK. RabbitMQ
    /// closes it on a publish to a topic the credential may not use.
    #[error("the broker closed the connection ({0}); RabbitMQ does so when a device publishes to a topic its credential may not use")]
    Closed(String),
    /// A PUBACK did not come in time.
    #[error("the broker did not acknowledge a publish within {0:?}")]
    AckTimeout(Duration),
    /// Topic names for publishing have no wildcards and are not empty.
    #[error("{0:?} is not a topic a message can be published to")]
    BadTopic(String),
    /// [`MqttDevice::close`] was called.
    #[error("the MQTT connection was closed")]
    Disconnected,
}

/// How to connect; [`MqttConfig::new`] fills in the defaults.
#[derive(Clone)]
pub struct MqttConfig {
    /// `mqtt://host[:port]`.
    pub url: String,
    /// The MQTT user name: a device credential's key id (or a broker user).
    pub key_id: String,
    /// The MQTT password: the credential's secret.
    pub secret: String,
    /// The MQTT client id (a second connection with the same id ends the first).
    pub client_id: String,
    /// Messages published and not yet acknowledged, at most (1 to 65535).
    pub window: usize,
    /// How long a PUBACK may take.
    pub ack_timeout: Duration,
    /// How long the TCP connect and the CONNACK may take.
    pub connect_timeout: Duration,
    /// MQTT keep-alive.
    pub keep_alive: Duration,
    /// Largest message, in bytes (a batch of readings is a JSON array).
    pub max_packet_size: usize,
}

impl std::fmt::Debug for MqttConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MqttConfig")
            .field("url", &self.url)
            .field("key_id", &self.key_id)
            .field("secret", &"<redacted>")
            .field("client_id", &self.client_id)
            .field("window", &self.window)
            .field("ack_timeout", &self.ack_timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("keep_alive", &self.keep_alive)
            .field("max_packet_size", &self.max_packet_size)
            .finish()
    }
}

impl MqttConfig {
    /// A window of 100, 10 s for a PUBACK and for connecting, 30 s keep-alive, 1 MiB messages.
    pub fn new(url: &str, key_id: &str, secret: &str, client_id: &str) -> Self {
        MqttConfig {
            url: url.to_string(),
            key_id: key_id.to_string(),
            secret: secret.to_string(),
            client_id: client_id.to_string(),
            window: 100,
            ack_timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(10),
            keep_alive: Duration::from_secs(30),
            max_packet_size: 1 << 20,
        }
    }
}

/// `mqtt://host[:port]` (also `tcp://`) as host and port; IPv6 hosts in brackets.
pub fn parse_mqtt_url(url: &str) -> Result<(String, u16), MqttError> {
    let bad = || MqttError::BadUrl(url.to_string());
    let rest = url
        .strip_prefix("mqtt://")
        .or_else(|| url.strip_prefix("tcp://"))
        .ok_or_else(bad)?;
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    if rest.contains(['/', '@', '?', '#']) {
        return Err(bad());
    }
    let (host, port) = if let Some(v6) = rest.strip_prefix('[') {
        let (host, after) = v6.split_once(']').ok_or_else(bad)?;
        match after {
            "" => (host, None),
            _ => (host, Some(after.strip_prefix(':').ok_or_else(bad)?)),
        }
    } else {
        match rest.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (rest, None),
        }
    };
    if host.is_empty() {
        return Err(bad());
    }
    let port = match port {
        None => DEFAULT_MQTT_PORT,
        Some(p) => p.parse::<u16>().ok().filter(|&p| p != 0).ok_or_else(bad)?,
    };
    Ok((host.to_string(), port))
}

type AckSender = oneshot::Sender<Result<(), MqttError>>;

/// Messages between the publisher and the event loop.
#[derive(Default)]
struct Acks {
    /// Handed to the client, packet id not yet known (in publishing order).
    queued: VecDeque<AckSender>,
    /// Written to the network, waiting for the PUBACK of this packet id.
    written: HashMap<u16, AckSender>,
    /// Why the connection ended, once it has.
    ended: Option<MqttError>,
}

impl Acks {
    fn end(&mut self, why: MqttError) {
        for tx in self
            .queued
            .drain(..)
            .chain(self.written.drain().map(|(_, tx)| tx))
        {
            let _ = tx.send(Err(why.clone()));
        }
        self.ended.get_or_insert(why);
    }
}

/// The PUBACK of one publish, to wait for.
#[must_use = "a publish counts only once its PUBACK has arrived"]
#[derive(Debug)]
pub struct PubAck {
    rx: oneshot::Receiver<Result<(), MqttError>>,
    timeout: Duration,
}

impl PubAck {
    /// Until the broker has acknowledged the message, the connection ended, or the timeout.
    pub async fn wait(self) -> Result<(), MqttError> {
        match tokio::time::timeout(self.timeout, self.rx).await {
            Ok(Ok(result)) => result,
            Ok(Err(_)) => Err(MqttError::Disconnected),
            Err(_) => Err(MqttError::AckTimeout(self.timeout)),
        }
    }
}

/// One device's MQTT connection. Cheap to share between tasks (`&self` methods);
/// publishes from one task are written in the order they are made.
pub struct MqttDevice {
    client: AsyncClient,
    acks: Arc<Mutex<Acks>>,
    /// Keeps "hand to the client" and "queue the ack" in the same order.
    order: tokio::sync::Mutex<()>,
    driver: tokio::task::JoinHandle<()>,
    window: usize,
    ack_timeout: Duration,
    client_id: String,
}

impl std::fmt::Debug for MqttDevice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MqttDevice")
            .field("client_id", &self.client_id)
            .field("window", &self.window)
            .finish_non_exhaustive()
    }
}

impl MqttDevice {
    /// Connects with the defaults of [`MqttConfig::new`].
    pub async fn connect(
        url: &str,
        key_id: &str,
        secret: &str,
        client_id: &str,
    ) -> Result<MqttDevice, MqttError> {
        Self::connect_with(&MqttConfig::new(url, key_id, secret, client_id)).await
    }

    /// Connects and waits for the broker's CONNACK: an unreachable broker, a
    /// refused credential or a silent broker is an error here.
    pub async fn connect_with(config: &MqttConfig) -> Result<MqttDevice, MqttError> {
        let (host, port) = parse_mqtt_url(&config.url)?;
        let addr = if host.contains(':') {
            format!("[{host}]:{port}")
        } else {
            format!("{host}:{port}")
        };
        let window = config.window.clamp(1, u16::MAX as usize);
        let mut options = MqttOptions::new(config.client_id.clone(), host, port);
        options
            .set_credentials(config.key_id.clone(), config.secret.clone())
            .set_keep_alive(config.keep_alive.max(Duration::from_secs(5)))
            .set_clean_session(true)
            .set_inflight(window as u16)
            .set_max_packet_size(config.max_packet_size, config.max_packet_size);
        let (client, mut eventloop) = AsyncClient::new(options, window);
        let mut network = eventloop.network_options();
        network.set_connection_timeout(config.connect_timeout.as_secs().max(1));
        eventloop.set_network_options(network);
        let first = tokio::time::timeout(config.connect_timeout, eventloop.poll()).await;
        match first {
            Ok(Ok(Event::Incoming(Packet::ConnAck(_)))) => {}
            Ok(Ok(other)) => {
                return Err(MqttError::Refused(format!(
                    "expected a CONNACK, got {other:?}"
                )))
            }
            Ok(Err(err)) => return Err(connect_error(err, &addr, &config.key_id, config)),
            Err(_) => {
                return Err(MqttError::ConnectTimeout {
                    addr,
                    after: config.connect_timeout,
                })
            }
        }
        let acks = Arc::new(Mutex::new(Acks::default()));
        let driver = tokio::spawn(drive(eventloop, acks.clone()));
        Ok(MqttDevice {
            client,
            acks,
            order: tokio::sync::Mutex::new(()),
            driver,
            window,
            ack_timeout: config.ack_timeout,
            client_id: config.client_id.clone(),
        })
    }

    /// Publishes at QoS 1 and returns at once with the PUBACK to wait for
    /// (waits only while the client's queue is full).
    pub async fn send(&self, topic: &str, payload: Vec<u8>) -> Result<PubAck, MqttError> {
        let (tx, rx) = oneshot::channel();
        let _order = self.order.lock().await;
        {
            let mut acks = lock(&self.acks);
            if let Some(why) = &acks.ended {
                return Err(why.clone());
            }
            acks.queued.push_back(tx);
        }
        if self
            .client
            .publish(topic, QoS::AtLeastOnce, false, payload)
            .await
            .is_err()
        {
            let mut acks = lock(&self.acks);
            return Err(match &acks.ended {
                // The event loop has ended (and failed our ack with the rest).
                Some(why) => why.clone(),
                // Refused by the client before it was queued: ours is the last one queued.
                None => {
                    acks.queued.pop_back();
                    MqttError::BadTopic(topic.to_string())
                }
            });
        }
        Ok(PubAck {
            rx,
            timeout: self.ack_timeout,
        })
    }

    /// Publishes at QoS 1 and waits for the PUBACK.
    pub async fn publish(&self, topic: &str, payload: Vec<u8>) -> Result<(), MqttError> {
        self.send(topic, payload).await?.wait().await
    }

    /// Publishes every payload to `topic` in order, up to the window
    /// unacknowledged at a time; stops at the first failure. Returns how many
    /// were acknowledged.
    pub async fn publish_all<I>(&self, topic: &str, payloads: I) -> Result<u64, MqttError>
    where
        I: IntoIterator<Item = Vec<u8>>,
    {
        let mut waiting = VecDeque::with_capacity(self.window);
        let mut acked = 0u64;
        for payload in payloads {
            if waiting.len() >= self.window {
                if let Some(ack) = waiting.pop_front() {
                    PubAck::wait(ack).await?;
                    acked += 1;
                }
            }
            waiting.push_back(self.send(topic, payload).await?);
        }
        for ack in waiting {
            ack.wait().await?;
            acked += 1;
        }
        Ok(acked)
    }

    /// Messages published and not yet acknowledged, at most.
    pub fn window(&self) -> usize {
        self.window
    }

    /// Why the connection ended, if it has.
    pub fn ended(&self) -> Option<MqttError> {
        lock(&self.acks).ended.clone()
    }

    /// Sends DISCONNECT (messages still waiting fail with [`MqttError::Disconnected`])
    /// and waits briefly for the connection to end.
    pub async fn close(mut self) {
        let _ = self.client.disconnect().await;
        if tokio::time::timeout(Duration::from_secs(5), &mut self.driver)
            .await
            .is_err()
        {
            self.driver.abort();
        }
        lock(&self.acks).end(MqttError::Disconnected);
    }
}

impl Drop for MqttDevice {
    fn drop(&mut self) {
        self.driver.abort();
    }
}

fn lock(acks: &Mutex<Acks>) -> std::sync::MutexGuard<'_, Acks> {
    acks.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn connect_error(err: ConnectionError, addr: &str, key_id: &str, config: &MqttConfig) -> MqttError {
    match err {
        ConnectionError::ConnectionRefused(
            code @ (ConnectReturnCode::BadUserNamePassword | ConnectReturnCode::NotAuthorized),
        ) => MqttError::CredentialRefused {
            key_id: key_id.to_string(),
            reason: return_code(code).to_string(),
        },
        ConnectionError::ConnectionRefused(code) => {
            MqttError::Refused(return_code(code).to_string())
        }
        ConnectionError::Io(err) => MqttError::Unreachable {
            addr: addr.to_string(),
            reason: err.to_string(),
        },
        ConnectionError::NetworkTimeout => MqttError::ConnectTimeout {
            addr: addr.to_string(),
            after: config.connect_timeout,
        },
        // The broker hung up before a CONNACK.
        other => MqttError::Closed(other.to_string()),
    }
}

fn return_code(code: ConnectReturnCode) -> &'static str {
    match code {
        ConnectReturnCode::Success => "accepted",
        ConnectReturnCode::RefusedProtocolVersion => "unacceptable protocol version",
        ConnectReturnCode::BadClientId => "client id rejected",
        ConnectReturnCode::ServiceUnavailable => "server unavailable",
        ConnectReturnCode::BadUserNamePassword => "bad user name or password",
        ConnectReturnCode::NotAuthorized => "not authorised",
    }
}

/// Runs the event loop until the connection ends, matching PUBACKs to
/// publishes. Never reconnects: a device's session ends with its connection.
async fn drive(mut eventloop: EventLoop, acks: Arc<Mutex<Acks>>) {
    loop {
        let event = eventloop.poll().await;
        let mut acks = lock(&acks);
        match event {
            // Requests are written in the order they were queued; a publish
            // whose packet id collides is written later, still in order.
            Ok(Event::Outgoing(Outgoing::Publish(pkid))) => {
                if let Some(tx) = acks.queued.pop_front() {
                    acks.written.insert(pkid, tx);
                }
            }
            Ok(Event::Incoming(Packet::PubAck(ack))) => {
                if let Some(tx) = acks.written.remove(&ack.pkid) {
                    let _ = tx.send(Ok(()));
                }
            }
            Ok(Event::Outgoing(Outgoing::Disconnect)) => {
                acks.end(MqttError::Disconnected);
                return;
            }
            Ok(_) => {}
            Err(ConnectionError::RequestsDone) => {
                acks.end(MqttError::Disconnected);
                return;
            }
            Err(err) => {
                tracing::debug!(error = %err, "MQTT connection ended");
                acks.end(MqttError::Closed(err.to_string()));
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mqtt_urls_parse_to_host_and_port() {
        assert_eq!(
            parse_mqtt_url("mqtt://127.0.0.1:1884"),
            Ok(("127.0.0.1".into(), 1884))
        );
        assert_eq!(
            parse_mqtt_url("mqtt://broker/"),
            Ok(("broker".into(), DEFAULT_MQTT_PORT))
        );
        assert_eq!(parse_mqtt_url("tcp://[::1]:1884"), Ok(("::1".into(), 1884)));
        for bad in [
            "",
            "127.0.0.1:1884",
            "amqp://127.0.0.1",
            "mqtt://",
            "mqtt://:1884",
            "mqtt://host:0",
            "mqtt://host:99999",
            "mqtt://host:port",
            "mqtt://user:pw@host",
            "mqtt://host/path",
            "mqtt://[::1",
        ] {
            assert_eq!(
                parse_mqtt_url(bad),
                Err(MqttError::BadUrl(bad.into())),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_config_hides_its_secret() {
        let config = MqttConfig::new("mqtt://h", "dkabc", "s3cr3t-value", "c");
        assert!(!format!("{config:?}").contains("s3cr3t-value"));
    }
}
