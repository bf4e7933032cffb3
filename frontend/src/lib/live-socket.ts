import { refreshSession } from './api-client';
import { sessionStore } from './session';

/** The hub's close code for a session that ended (deleted, demoted or signed out elsewhere). */
export const SESSION_ENDED = 4401;

/** A server frame: always an object with a `type`. */
export type LiveFrame = { type: string } & Record<string, unknown>;
export type LiveStatus = 'offline' | 'connecting' | 'online';

type FrameListener = (frame: LiveFrame) => void;

/** Opens a WebSocket the way the hub expects: subprotocols `iems.v1` and `bearer.<token>`. */
export type SocketFactory = (url: string, protocols: string[]) => WebSocket;

const MAX_BACKOFF_MS = 15_000;

/**
 * One WebSocket per signed-in tab: authenticates in the handshake, renews the token with
 * `auth.renew` when the session is refreshed, reconnects with backoff, and fans frames out.
 */
export class LiveSocket {
  private socket: WebSocket | null = null;
  private token: string | null = null;
  private attempts = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private listeners = new Set<FrameListener>();
  private statusListeners = new Set<() => void>();
  private current: LiveStatus = 'offline';
  private stopSession: (() => void) | null = null;

  constructor(
    private readonly url: () => string,
    private readonly factory: SocketFactory = (url, protocols) => new WebSocket(url, protocols),
  ) {}

  /** Follows the session: connects on sign-in, renews on refresh, closes on sign-out. */
  start(): void {
    const follow = () => {
      const session = sessionStore.get();
      if (!session) return this.close();
      if (!this.socket) return this.connect();
      if (session.accessToken !== this.token) {
        this.token = session.accessToken;
        this.send({ type: 'auth.renew', access_token: session.accessToken });
      }
    };
    this.stopSession = sessionStore.subscribe(follow);
    follow();
  }

  stop(): void {
    this.stopSession?.();
    this.stopSession = null;
    this.close();
  }

  get status(): LiveStatus {
    return this.current;
  }

  onFrame(listener: FrameListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onStatus(listener: () => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  /** Sends a frame if the socket is open; false otherwise (the caller may retry later). */
  send(frame: Record<string, unknown>): boolean {
    if (this.socket?.readyState !== WebSocket.OPEN) return false;
    this.socket.send(JSON.stringify(frame));
    return true;
  }

  private setStatus(status: LiveStatus) {
    if (status === this.current) return;
    this.current = status;
    this.statusListeners.forEach((listener) => listener());
  }

  private connect() {
    const session = sessionStore.get();
    if (!session || this.socket) return;
    this.clearRetry();
    this.token = session.accessToken;
    this.setStatus('connecting');
    const socket = this.factory(this.url(), ['iems.v1', `bearer.${session.accessToken}`]);
    this.socket = socket;
    socket.onopen = () => {
      this.attempts = 0;
      this.setStatus('online');
    };
    socket.onmessage = (event: MessageEvent) => {
      if (typeof event.data !== 'string') return;
      let frame: unknown;
      try {
        frame = JSON.parse(event.data);
      } catch {
        return;
      }
      if (frame && typeof frame === 'object' && typeof (frame as LiveFrame).type === 'string') {
        this.listeners.forEach((listener) => listener(frame as LiveFrame));
      }
    };
    socket.onclose = (event) => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.setStatus('offline');
      if (event.code === SESSION_ENDED) {
        // Deleted, demoted or signed out elsewhere: reconnecting would be refused.
        sessionStore.end(event.reason || 'Your session ended. Sign in again.');
        return;
      }
      this.scheduleReconnect();
    };
  }

  private scheduleReconnect() {
    if (!sessionStore.get() || this.retryTimer) return;
    const delay = Math.min(MAX_BACKOFF_MS, 500 * 2 ** this.attempts) * (0.75 + Math.random() * 0.5);
    this.attempts += 1;
    this.retryTimer = setTimeout(async () => {
      this.retryTimer = null;
      const session = sessionStore.get();
      // A refused handshake is often an expired token: refresh before trying again.
      if (session && session.expiresAt - Date.now() < 30_000) await refreshSession();
      this.connect();
    }, delay);
  }

  private clearRetry() {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  private close() {
    this.clearRetry();
    const socket = this.socket;
    this.socket = null;
    this.token = null;
    this.attempts = 0;
    socket?.close(1000, 'signed out');
    this.setStatus('offline');
  }
}
