import { sessionStore, type User } from '@/lib/session';

export const admin: User = {
  id: '00000000-0000-4000-8000-000000000001',
  username: 'admin',
  full_name: 'Ada Admin',
  address: null,
  role: 'admin',
  created_at: '2026-01-01T00:00:00Z',
};

export const client: User = {
  id: '00000000-0000-4000-8000-000000000002',
  username: 'carla',
  full_name: 'Carla Client',
  address: 'Strada Lunga 1',
  role: 'client',
  created_at: '2026-01-02T00:00:00Z',
};

export const device = {
  id: '00000000-0000-4000-8000-0000000000d1',
  name: 'Kitchen meter',
  address: 'Strada Lunga 1',
  max_hourly_kwh: 1.5,
  owner_id: client.id,
  created_at: '2026-01-03T00:00:00Z',
};

/** The login/refresh answer for `user`. */
export const tokenBody = (user: User, token = 'token-1') => ({
  access_token: token,
  token_type: 'Bearer',
  expires_in: 900,
  user,
});

/** Starts a test already signed in as `user`. */
export function signIn(user: User, token = 'token-1') {
  sessionStore.fromTokenResponse(tokenBody(user, token));
}

/** Hourly buckets of 2026-03-01 (UTC) from midnight, one per value. */
export const hourBuckets = (values: number[], day = Date.UTC(2026, 2, 1)) =>
  values.map((kwh, i) => ({ start: new Date(day + i * 3_600_000).toISOString(), kwh }));

/**
 * A `GET /api/consumption/{id}/period` (or, with `scope: 'client'`, `/total`) answer in the contract's shape
 * (docs/insight.md): a day by hour unless overridden; `kwh_total` is the buckets' sum.
 */
export function periodAnswer(overrides: Record<string, unknown> & { buckets?: { start: string; kwh: number; cost?: number | null }[] } = {}) {
  const buckets = overrides.buckets ?? hourBuckets([0.5, 2.25]);
  return {
    scope: 'device',
    device_id: device.id,
    period: 'day',
    date: '2026-03-01',
    tz: 'UTC',
    bucket: 'hour',
    from: '2026-03-01T00:00:00Z',
    to: '2026-03-02T00:00:00Z',
    kwh_total: buckets.reduce((sum, bucket) => sum + bucket.kwh, 0),
    currency: null,
    cost_total: null,
    comparisons: [],
    ...overrides,
    buckets,
  };
}
