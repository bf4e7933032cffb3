import { createContext, useContext, useEffect, useState, useSyncExternalStore, type ReactNode } from 'react';
import { refreshSession } from './api-client';
import { sessionStore, type Session, type User } from './session';

/** The current session, re-rendering on sign-in, refresh and sign-out. */
export function useSession(): Session | null {
  return useSyncExternalStore(sessionStore.subscribe, sessionStore.get, sessionStore.get);
}

/** The signed-in user; only call below a guard that ensures one. */
export function useUser(): User {
  const session = useSession();
  if (!session) throw new Error('useUser needs a signed-in user');
  return session.user;
}

const BootContext = createContext(false);

/** True once the start-up refresh (restoring a session from the cookie) has finished. */
export function useAuthReady(): boolean {
  return useContext(BootContext);
}

// Renew a minute before expiry (or at half-life for very short tokens).
function renewDelay(session: Session, now: number): number {
  const left = session.expiresAt - now;
  return Math.max(5_000, Math.min(left - 60_000, left / 2));
}

/** Restores the session from the refresh cookie at start-up and keeps the access token fresh. */
export function AuthProvider({ children }: { children: ReactNode }) {
  const [ready, setReady] = useState(false);
  const session = useSession();

  useEffect(() => {
    let cancelled = false;
    const restore = sessionStore.get() ? Promise.resolve(true) : refreshSession();
    restore.finally(() => {
      if (!cancelled) setReady(true);
    });
    return () => {
      cancelled = true;
    };
  }, []);

  useEffect(() => {
    if (!session) return;
    const timer = window.setTimeout(() => void refreshSession(), renewDelay(session, Date.now()));
    return () => window.clearTimeout(timer);
  }, [session]);

  return <BootContext.Provider value={ready}>{children}</BootContext.Provider>;
}
