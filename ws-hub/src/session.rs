//! One WebSocket session: a send task (queue → socket, pings, close frames) and a
//! receive task (frames → chat, renewals), as in axum's chat example; when one
//! ends, so does the other.

use crate::events::fan_out_chat;
use crate::registry::{Conn, Control};
use crate::revocation::CLOSE_SESSION_ENDED;
use crate::{chat, HubConfig, Shared};
use axum::extract::ws::{CloseFrame, Message, WebSocket};
use futures::stream::{SplitSink, SplitStream};
use futures::{SinkExt, StreamExt};
use iems_shared::error::{ApiError, ErrorCode};
use iems_shared::identity::Claims;
use iems_shared::wire::{decode_client_frame, ChatEvent, ClientFrame, ServerFrame};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::time::{timeout, Instant};
use tokio_util::sync::CancellationToken;

/// Close code when the access token expired without renewal (policy violation).
pub const CLOSE_TOKEN_EXPIRED: u16 = 1008;
/// Close code on shutdown: the browser should reconnect (elsewhere).
pub const CLOSE_GOING_AWAY: u16 = 1001;

/// How long a connection whose write side ended waits for the chat frame it
/// is handling (a busy database): beyond it, the frame is dropped.
const RECV_GRACE: Duration = Duration::from_secs(5);

pub(crate) async fn run(shared: Arc<Shared>, socket: WebSocket, claims: Claims) {
    let (sink, stream) = socket.split();
    let (tx, rx) = mpsc::channel(shared.config.send_queue);
    let control = Control::new();
    let conn = shared
        .registry
        .register(&claims.sub, claims.is_admin(), tx, control.clone());
    tracing::debug!(conn = conn.id, user = %claims.sub, "websocket open");
    let mut send_task = tokio::spawn(send_loop(
        sink,
        rx,
        control.clone(),
        shared.shutdown.clone(),
        shared.config.clone(),
    ));
    let mut recv_task = tokio::spawn(recv_loop(shared.clone(), stream, conn.clone(), claims));
    tokio::select! {
        // The write side is done (peer gone, kicked, or the hub shutting down):
        // the read side stops at its next frame boundary. A chat frame being
        // handled is finished first (stored and published), never cut off in
        // the middle of its database work.
        _ = &mut send_task => {
            control.drop_now();
            if timeout(RECV_GRACE, &mut recv_task).await.is_err() {
                recv_task.abort();
            }
        }
        _ = &mut recv_task => {
            // Let the send task write a pending close frame, then stop it.
            control.drop_now();
            if timeout(Duration::from_secs(2), &mut send_task).await.is_err() {
                send_task.abort();
            }
        }
    }
    shared.registry.unregister(&conn);
    tracing::debug!(conn = conn.id, "websocket closed");
}

async fn send_loop(
    mut sink: SplitSink<WebSocket, Message>,
    mut rx: mpsc::Receiver<Message>,
    control: Arc<Control>,
    shutdown: CancellationToken,
    config: HubConfig,
) {
    let mut ping =
        tokio::time::interval_at(Instant::now() + config.ping_interval, config.ping_interval);
    let close = |code: u16, reason: &'static str| {
        Message::Close(Some(CloseFrame {
            code,
            reason: reason.into(),
        }))
    };
    loop {
        let msg = tokio::select! {
            biased;
            _ = control.token().cancelled() => {
                if let Some((code, reason)) = control.close_frame() {
                    let _ = timeout(Duration::from_secs(1), sink.send(close(code, reason))).await;
                }
                return;
            }
            _ = shutdown.cancelled() => {
                let _ = timeout(Duration::from_secs(1), sink.send(close(CLOSE_GOING_AWAY, "server shutting down"))).await;
                return;
            }
            msg = rx.recv() => match msg {
                Some(msg) => msg,
                None => return,
            },
            _ = ping.tick() => Message::Ping(Default::default()),
        };
        // A peer that does not take our frames within the write timeout is gone or too slow.
        if !matches!(
            timeout(config.write_timeout, sink.send(msg)).await,
            Ok(Ok(()))
        ) {
            return;
        }
    }
}

async fn recv_loop(
    shared: Arc<Shared>,
    mut stream: SplitStream<WebSocket>,
    conn: Conn,
    mut claims: Claims,
) {
    let expiry = tokio::time::sleep_until(expiry_instant(claims.exp));
    tokio::pin!(expiry);
    let mut bucket = Bucket::new(shared.config.chat_rate_per_sec, shared.config.chat_burst);
    loop {
        let next = tokio::select! {
            _ = &mut expiry => {
                conn.control.close(CLOSE_TOKEN_EXPIRED, "token expired");
                return;
            }
            _ = conn.control.token().cancelled() => return,
            _ = conn.control.recheck_requested() => {
                match crate::revocation::check_live(&shared.pool, &claims).await {
                    Err(e) if e.status() == 401 => {
                        conn.control.close(CLOSE_SESSION_ENDED, "session ended: sign in again");
                        return;
                    }
                    // Allowed, or the database could not answer: the socket stays.
                    _ => continue,
                }
            }
            next = timeout(shared.config.idle_timeout, stream.next()) => next,
        };
        let text = match next {
            Ok(Some(Ok(Message::Text(text)))) => text,
            Ok(Some(Ok(Message::Binary(_)))) => {
                conn.send_frame(&error_frame(ApiError::new(
                    ErrorCode::InvalidJson,
                    "frames are JSON text",
                )));
                continue;
            }
            Ok(Some(Ok(Message::Ping(_) | Message::Pong(_)))) => continue,
            // Closed, broken, or silent for longer than the idle timeout (no pong either).
            _ => return,
        };
        let frame = match decode_client_frame(&text) {
            Ok(f) => f,
            Err(e) => {
                conn.send_frame(&error_frame(e));
                continue;
            }
        };
        if let ClientFrame::AuthRenew { access_token } = frame {
            match renew(&shared, &claims, &access_token).await {
                Ok(renewed) => {
                    expiry.as_mut().reset(expiry_instant(renewed.exp));
                    claims = renewed;
                }
                Err(e) => conn.send_frame(&error_frame(e)),
            }
            continue;
        }
        if !bucket.take() {
            conn.send_frame(&error_frame(ApiError::new(
                ErrorCode::RateLimited,
                "too many chat frames; slow down",
            )));
            continue;
        }
        if let Err(e) = handle_chat(&shared, &claims, frame).await {
            conn.send_frame(&error_frame(e));
        }
    }
}

async fn handle_chat(shared: &Shared, claims: &Claims, frame: ClientFrame) -> Result<(), ApiError> {
    let event = match frame {
        ClientFrame::ChatSend {
            conversation_id,
            body,
            client_msg_id,
        } => {
            let message = chat::store(
                &shared.pool,
                shared.backend,
                claims,
                &conversation_id,
                &body,
                &client_msg_id,
            )
            .await?;
            ChatEvent::Message { message }
        }
        ClientFrame::ChatTyping {
            conversation_id,
            typing,
        } => {
            chat::authorize(&shared.pool, claims, &conversation_id).await?;
            ChatEvent::Typing {
                conversation_id,
                user_id: claims.sub.clone(),
                typing,
            }
        }
        ClientFrame::ChatRead {
            conversation_id,
            up_to_id,
        } => {
            chat::mark_read(
                &shared.pool,
                shared.backend,
                claims,
                &conversation_id,
                &up_to_id,
            )
            .await?;
            ChatEvent::Read {
                conversation_id,
                user_id: claims.sub.clone(),
                up_to_id,
            }
        }
        ClientFrame::AuthRenew { .. } => return Ok(()),
    };
    fan_out_chat(shared, event).await;
    Ok(())
}

/// A renewed token must be valid, for the same user and role, and of a live session.
async fn renew(shared: &Shared, current: &Claims, token: &str) -> Result<Claims, ApiError> {
    let renewed = shared
        .verifier
        .verify(token)
        .map_err(|_| ApiError::unauthorized("invalid or expired access token"))?;
    if renewed.sub != current.sub || renewed.role != current.role {
        return Err(ApiError::new(
            ErrorCode::Forbidden,
            "a renewed token must be for the same user and role",
        ));
    }
    crate::revocation::check_live(&shared.pool, &renewed).await?;
    Ok(renewed)
}

fn error_frame(error: ApiError) -> ServerFrame {
    ServerFrame::Error { error }
}

fn expiry_instant(exp: i64) -> Instant {
    let left = exp - chrono::Utc::now().timestamp();
    Instant::now() + Duration::from_secs(left.max(0) as u64)
}

/// Token bucket for chat frames: `rate` per second, bursts up to `burst`.
struct Bucket {
    tokens: f64,
    rate: f64,
    burst: f64,
    last: Instant,
}

impl Bucket {
    fn new(rate: f64, burst: u32) -> Self {
        let burst = f64::from(burst.max(1));
        Bucket {
            tokens: burst,
            rate,
            burst,
            last: Instant::now(),
        }
    }

    fn take(&mut self) -> bool {
        let now = Instant::now();
        let elapsed = now.duration_since(self.last).as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.rate).min(self.burst);
        self.last = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}
