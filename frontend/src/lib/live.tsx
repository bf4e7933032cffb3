import { createContext, useCallback, useContext, useEffect, useRef, useState, useSyncExternalStore, type ReactNode } from 'react';
import { wsUrl } from '@/config/env';
import { LiveSocket, type LiveFrame, type LiveStatus } from './live-socket';

const LiveContext = createContext<LiveSocket | null>(null);

/** Owns the tab's WebSocket for as long as the app is mounted. */
export function LiveProvider({ children, socket }: { children: ReactNode; socket?: LiveSocket }) {
  const [live] = useState(() => socket ?? new LiveSocket(wsUrl));
  useEffect(() => {
    live.start();
    return () => live.stop();
  }, [live]);
  return <LiveContext.Provider value={live}>{children}</LiveContext.Provider>;
}

function useLive(): LiveSocket {
  const live = useContext(LiveContext);
  if (!live) throw new Error('useLive needs a LiveProvider');
  return live;
}

/** Calls `handler` for every server frame whose `type` is one of `types`. */
export function useLiveFrames(types: string[], handler: (frame: LiveFrame) => void): void {
  const live = useLive();
  const latest = useRef(handler);
  useEffect(() => {
    latest.current = handler;
  });
  const key = types.join(',');
  useEffect(() => {
    const wanted = new Set(key.split(','));
    return live.onFrame((frame) => {
      if (wanted.has(frame.type)) latest.current(frame);
    });
  }, [live, key]);
}

/** Sends a client frame; false when the socket is not open. */
export function useLiveSend(): (frame: Record<string, unknown>) => boolean {
  const live = useLive();
  return useCallback((frame) => live.send(frame), [live]);
}

/** Whether live updates are flowing. */
export function useLiveStatus(): LiveStatus {
  const live = useLive();
  return useSyncExternalStore(
    (notify) => live.onStatus(notify),
    () => live.status,
    () => live.status,
  );
}

/** Calls `handler` whenever the socket's status changes (e.g. to resend after a reconnect). */
export function useLiveStatusChange(handler: (status: LiveStatus) => void): void {
  const live = useLive();
  const latest = useRef(handler);
  useEffect(() => {
    latest.current = handler;
  });
  useEffect(() => live.onStatus(() => latest.current(live.status)), [live]);
}
