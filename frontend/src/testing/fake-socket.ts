import { LiveSocket } from '@/lib/live-socket';

/** A WebSocket stand-in: records what the app sends and lets a test push server frames. */
export class FakeWebSocket {
  static readonly OPEN = 1;
  readyState = 0;
  sent: Record<string, unknown>[] = [];
  closed = false;
  onopen: (() => void) | null = null;
  onmessage: ((event: { data: string }) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;

  constructor(
    readonly url: string,
    readonly protocols: string[],
  ) {}

  open() {
    this.readyState = 1;
    this.onopen?.();
  }

  send(data: string) {
    this.sent.push(JSON.parse(data) as Record<string, unknown>);
  }

  close() {
    this.closed = true;
    this.readyState = 3;
  }

  /** The "server" closes the socket (1006: the connection dropped). */
  drop(code = 1006, reason = '') {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }

  /** Delivers a frame from the "server". */
  push(frame: Record<string, unknown>) {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }

  sentOfType(type: string) {
    return this.sent.filter((frame) => frame.type === type);
  }
}

/** A LiveSocket whose sockets are fakes; `sockets` lists every one opened, newest last. */
export function fakeLive() {
  const sockets: FakeWebSocket[] = [];
  const live = new LiveSocket(
    () => 'ws://test/ws',
    (url, protocols) => {
      const socket = new FakeWebSocket(url, protocols);
      sockets.push(socket);
      // Opens on the next tick, as a real socket would.
      queueMicrotask(() => socket.open());
      return socket as unknown as WebSocket;
    },
  );
  return { live, sockets, latest: () => sockets[sockets.length - 1] };
}
