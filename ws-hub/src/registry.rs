//! The connections of this instance, by user, and delivery to them.

use axum::extract::ws::{Message, Utf8Bytes};
use iems_shared::wire::ServerFrame;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use tokio::sync::mpsc;
use tokio::sync::mpsc::error::TrySendError;
use tokio_util::sync::CancellationToken;

/// How a connection is told to end, and with which close frame.
pub(crate) struct Control {
    kick: CancellationToken,
    close: Mutex<Option<(u16, &'static str)>>,
    recheck: tokio::sync::Notify,
}

impl Control {
    pub(crate) fn new() -> Arc<Control> {
        Arc::new(Control {
            kick: CancellationToken::new(),
            close: Mutex::new(None),
            recheck: tokio::sync::Notify::new(),
        })
    }

    /// Asks the connection to check again that its session still lives.
    pub(crate) fn recheck(&self) {
        self.recheck.notify_one();
    }

    /// Resolves when [`Control::recheck`] was called.
    pub(crate) async fn recheck_requested(&self) {
        self.recheck.notified().await;
    }

    /// Ends the connection with a close frame (the first reason given wins).
    pub(crate) fn close(&self, code: u16, reason: &'static str) {
        let mut close = self.close.lock().unwrap_or_else(|e| e.into_inner());
        close.get_or_insert((code, reason));
        drop(close);
        self.kick.cancel();
    }

    /// Ends the connection without a close frame (the peer is not reading anyway).
    pub(crate) fn drop_now(&self) {
        self.kick.cancel();
    }

    pub(crate) fn token(&self) -> &CancellationToken {
        &self.kick
    }

    pub(crate) fn close_frame(&self) -> Option<(u16, &'static str)> {
        *self.close.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// One registered connection.
#[derive(Clone)]
pub(crate) struct Conn {
    pub(crate) id: u64,
    pub(crate) user_id: Arc<str>,
    tx: mpsc::Sender<Message>,
    pub(crate) control: Arc<Control>,
}

impl Conn {
    /// Queues a frame without waiting; a full queue means a slow reader, which is dropped
    /// so that memory stays bounded.
    pub(crate) fn push(&self, msg: Message) {
        match self.tx.try_send(msg) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => {
                tracing::warn!(conn = self.id, user = %self.user_id, "send queue full: disconnecting a slow reader");
                self.control.drop_now();
            }
            Err(TrySendError::Closed(_)) => {}
        }
    }

    /// Queues a server frame.
    pub(crate) fn send_frame(&self, frame: &ServerFrame) {
        self.push(Message::Text(encode(frame)));
    }
}

/// A frame as a text message (serialized once, shared by every recipient).
pub(crate) fn encode(frame: &ServerFrame) -> Utf8Bytes {
    // ServerFrame holds only strings, numbers and options: serializing cannot fail.
    Utf8Bytes::from(serde_json::to_string(frame).unwrap_or_default())
}

#[derive(Default)]
struct Maps {
    by_user: HashMap<Arc<str>, Vec<Conn>>,
    admins: HashMap<u64, Conn>,
}

/// The connections of this instance.
#[derive(Default)]
pub(crate) struct Registry {
    maps: RwLock<Maps>,
    next_id: AtomicU64,
    count: AtomicU64,
}

impl Registry {
    pub(crate) fn register(
        &self,
        user_id: &str,
        is_admin: bool,
        tx: mpsc::Sender<Message>,
        control: Arc<Control>,
    ) -> Conn {
        let conn = Conn {
            id: self.next_id.fetch_add(1, Ordering::Relaxed),
            user_id: Arc::from(user_id),
            tx,
            control,
        };
        let mut maps = self.maps.write().unwrap_or_else(|e| e.into_inner());
        maps.by_user
            .entry(conn.user_id.clone())
            .or_default()
            .push(conn.clone());
        if is_admin {
            maps.admins.insert(conn.id, conn.clone());
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        conn
    }

    pub(crate) fn unregister(&self, conn: &Conn) {
        let mut maps = self.maps.write().unwrap_or_else(|e| e.into_inner());
        if let Some(conns) = maps.by_user.get_mut(&conn.user_id) {
            conns.retain(|c| c.id != conn.id);
            if conns.is_empty() {
                maps.by_user.remove(&conn.user_id);
            }
        }
        maps.admins.remove(&conn.id);
        self.count.fetch_sub(1, Ordering::Relaxed);
    }

    /// Asks every connection of `user` to check its session again.
    pub(crate) fn recheck_user(&self, user: &str) {
        let maps = self.maps.read().unwrap_or_else(|e| e.into_inner());
        for conn in maps.by_user.get(user).into_iter().flatten() {
            conn.control.recheck();
        }
    }

    /// Number of open connections.
    pub(crate) fn len(&self) -> usize {
        self.count.load(Ordering::Relaxed) as usize
    }

    /// Sends `frame` to every connection of `user` and of every admin, except those of
    /// `except_user` (someone is not told about their own typing or reading).
    pub(crate) fn deliver(
        &self,
        user: Option<&str>,
        except_user: Option<&str>,
        frame: &ServerFrame,
    ) {
        let targets: Vec<Conn> = {
            let maps = self.maps.read().unwrap_or_else(|e| e.into_inner());
            let mut targets: Vec<Conn> = maps.admins.values().cloned().collect();
            if let Some(conns) = user.and_then(|u| maps.by_user.get(u)) {
                targets.extend(
                    conns
                        .iter()
                        .filter(|c| !maps.admins.contains_key(&c.id))
                        .cloned(),
                );
            }
            targets
        };
        if targets.is_empty() {
            return;
        }
        let text = encode(frame);
        for conn in targets {
            if except_user.is_some_and(|u| *conn.user_id == *u) {
                continue;
            }
            conn.push(Message::Text(text.clone()));
        }
    }
}
