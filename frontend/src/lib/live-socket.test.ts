import { describe, expect, it, vi } from 'vitest';
import { admin, signIn, tokenBody } from '@/testing/data';
import { fakeLive } from '@/testing/fake-socket';
import { SESSION_ENDED } from './live-socket';
import { sessionStore } from './session';

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('live socket', () => {
  it('authenticates with the iems.v1 and bearer subprotocols once signed in', async () => {
    const { live, sockets, latest } = fakeLive();
    live.start();
    expect(sockets).toHaveLength(0);
    signIn(admin, 'tok');
    await tick();
    expect(latest().protocols).toEqual(['iems.v1', 'bearer.tok']);
    expect(live.status).toBe('online');
    live.stop();
  });

  it('delivers JSON frames and ignores garbage', async () => {
    signIn(admin);
    const { live, latest } = fakeLive();
    const seen = vi.fn();
    live.onFrame(seen);
    live.start();
    await tick();
    latest().onmessage?.({ data: 'not json' });
    latest().push({ type: 'alert', alert: { id: 'a' } });
    expect(seen).toHaveBeenCalledTimes(1);
    expect(seen.mock.calls[0][0]).toMatchObject({ type: 'alert' });
    live.stop();
  });

  it('renews the token on the open socket when the session is refreshed', async () => {
    signIn(admin, 'first');
    const { live, sockets, latest } = fakeLive();
    live.start();
    await tick();
    sessionStore.fromTokenResponse(tokenBody(admin, 'second'));
    expect(latest().sentOfType('auth.renew')).toEqual([{ type: 'auth.renew', access_token: 'second' }]);
    expect(sockets).toHaveLength(1);
    live.stop();
  });

  it('goes back to sign-in with the reason when the hub ends the session (4401)', async () => {
    vi.useFakeTimers();
    signIn(admin);
    const { live, sockets, latest } = fakeLive();
    live.start();
    await vi.advanceTimersByTimeAsync(0);
    latest().drop(SESSION_ENDED, 'session ended: sign in again');
    expect(sessionStore.get()).toBeNull();
    expect(sessionStore.endedReason()).toBe('session ended: sign in again');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(sockets).toHaveLength(1);
    live.stop();
  });

  it('closes on sign-out and reconnects after a drop', async () => {
    vi.useFakeTimers();
    signIn(admin);
    const { live, sockets, latest } = fakeLive();
    live.start();
    await vi.advanceTimersByTimeAsync(0);
    latest().drop();
    expect(live.status).toBe('offline');
    await vi.advanceTimersByTimeAsync(1_000);
    expect(sockets).toHaveLength(2);
    sessionStore.set(null);
    expect(latest().closed).toBe(true);
    expect(live.status).toBe('offline');
    live.stop();
  });
});
