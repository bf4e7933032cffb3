import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { admin, signIn, tokenBody } from '@/testing/data';
import { apiError, fakeServer, json } from '@/testing/fake-server';
import { api } from './api-client';
import { ApiError } from './api-error';
import { sessionStore } from './session';

const Thing = z.object({ ok: z.boolean() });

describe('api client', () => {
  it('sends the bearer token and parses the answer with the schema', async () => {
    signIn(admin, 'abc');
    const server = fakeServer({ 'GET /api/thing': () => json({ ok: true, extra: 1 }) });
    await expect(api.get('/api/thing', Thing, { params: { q: 'x y', empty: '', none: undefined } })).resolves.toEqual({ ok: true });
    const [request] = server.seen;
    expect(request.headers.get('Authorization')).toBe('Bearer abc');
    expect(request.query.toString()).toBe('q=x+y');
  });

  it('on a 401 refreshes once, then retries with the new token', async () => {
    signIn(admin, 'old');
    const server = fakeServer({
      'GET /api/thing': (request) =>
        request.headers.get('Authorization') === 'Bearer new' ? json({ ok: true }) : apiError(401, 'unauthorized', 'expired'),
      'POST /api/auth/refresh': () => json(tokenBody(admin, 'new')),
    });
    await expect(api.get('/api/thing', Thing)).resolves.toEqual({ ok: true });
    expect(server.calls('POST /api/auth/refresh')).toHaveLength(1);
    expect(server.calls('GET /api/thing')).toHaveLength(2);
    expect(sessionStore.get()?.accessToken).toBe('new');
  });

  it('shares one refresh between concurrent 401s (the refresh token rotates)', async () => {
    signIn(admin, 'old');
    const server = fakeServer({
      'GET /api/thing': (request) =>
        request.headers.get('Authorization') === 'Bearer new' ? json({ ok: true }) : apiError(401, 'unauthorized', 'expired'),
      'POST /api/auth/refresh': () => json(tokenBody(admin, 'new')),
    });
    await Promise.all([api.get('/api/thing', Thing), api.get('/api/thing', Thing), api.get('/api/thing', Thing)]);
    expect(server.calls('POST /api/auth/refresh')).toHaveLength(1);
  });

  it('ends the session when the refresh fails, and does not loop', async () => {
    signIn(admin, 'old');
    const server = fakeServer({
      'GET /api/thing': () => apiError(401, 'unauthorized', 'expired'),
      'POST /api/auth/refresh': () => apiError(401, 'unauthorized', 'no refresh cookie'),
    });
    await expect(api.get('/api/thing', Thing)).rejects.toMatchObject({ status: 401, code: 'unauthorized' });
    expect(server.calls('GET /api/thing')).toHaveLength(1);
    expect(sessionStore.get()).toBeNull();
  });

  it('a session the server ended goes back to sign-in with the reason', async () => {
    signIn(admin, 'revoked');
    fakeServer({
      'GET /api/thing': () => apiError(401, 'unauthorized', 'this session was signed out: sign in again'),
      'POST /api/auth/refresh': () => apiError(401, 'unauthorized', 'the refresh token is invalid, expired or revoked'),
    });
    await expect(api.get('/api/thing', Thing)).rejects.toBeInstanceOf(ApiError);
    expect(sessionStore.get()).toBeNull();
    expect(sessionStore.endedReason()).toBe('this session was signed out: sign in again');
  });

  it('does not refresh for public routes such as login', async () => {
    const server = fakeServer({ 'POST /api/auth/login': () => apiError(401, 'invalid_credentials', 'wrong') });
    await expect(api.post('/api/auth/login', Thing, { body: {}, auth: false })).rejects.toMatchObject({ code: 'invalid_credentials' });
    expect(server.calls('POST /api/auth/refresh')).toHaveLength(0);
  });

  it('does not treat a wrong password on a signed-in route as an expired session', async () => {
    signIn(admin, 'tok');
    const server = fakeServer({ 'POST /api/auth/password': () => apiError(401, 'invalid_credentials', 'wrong password') });
    await expect(api.send('POST', '/api/auth/password', { body: {} })).rejects.toMatchObject({ code: 'invalid_credentials' });
    expect(server.calls('POST /api/auth/refresh')).toHaveLength(0);
    expect(sessionStore.get()?.accessToken).toBe('tok');
  });

  it('turns error bodies into ApiError with code and field', async () => {
    signIn(admin);
    fakeServer({ 'POST /api/users': () => apiError(422, 'validation_failed', 'too short', 'username') });
    const error = await api.post('/api/users', Thing, { body: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 422, code: 'validation_failed', field: 'username', message: 'too short' });
  });

  it('reports an answer that breaks the contract instead of passing it on', async () => {
    signIn(admin);
    fakeServer({ 'GET /api/thing': () => json({ ok: 'yes' }) });
    await expect(api.get('/api/thing', Thing)).rejects.toMatchObject({ code: 'bad_response' });
  });

  it('reports an unreachable server as a network error', async () => {
    signIn(admin);
    fakeServer({ 'GET /api/thing': () => Promise.reject(new TypeError('Failed to fetch')) });
    await expect(api.get('/api/thing', Thing)).rejects.toMatchObject({ code: 'network', status: 0 });
  });
});
