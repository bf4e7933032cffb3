import type { z } from 'zod';
import { env } from '@/config/env';
import { ApiError, errorFromResponse } from './api-error';
import { sessionStore, TokenResponseSchema } from './session';

type Params = Record<string, string | number | boolean | null | undefined>;

type RequestOptions = {
  params?: Params;
  body?: unknown;
  /** A body sent as is instead of JSON, e.g. a CSV upload. */
  text?: { content: string; type: string };
  headers?: Record<string, string>;
  /** Set false for the public auth routes: no token, no refresh on 401. */
  auth?: boolean;
};

/** Builds `API_URL + path?query`, skipping empty parameters. */
export function buildUrl(path: string, params?: Params): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params ?? {})) {
    if (value !== undefined && value !== null && value !== '') query.set(key, String(value));
  }
  const qs = query.toString();
  return `${env.API_URL}${path}${qs ? `?${qs}` : ''}`;
}

let refreshing: Promise<boolean> | null = null;

/**
 * Trades the HttpOnly refresh cookie for a new access token. Concurrent callers share one
 * request, because the server rotates the refresh token and a second use would revoke it.
 */
export function refreshSession(): Promise<boolean> {
  refreshing ??= (async () => {
    try {
      const response = await fetch(buildUrl('/api/auth/refresh'), {
        method: 'POST',
        credentials: 'include',
        headers: { Accept: 'application/json' },
      });
      if (!response.ok) {
        sessionStore.set(null);
        return false;
      }
      sessionStore.fromTokenResponse(TokenResponseSchema.parse(await response.json()));
      return true;
    } catch {
      return false;
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

async function send(method: string, path: string, options: RequestOptions, accept: string): Promise<Response> {
  const auth = options.auth ?? true;
  const attempt = () => {
    const headers: Record<string, string> = { Accept: accept, ...options.headers };
    const token = sessionStore.get()?.accessToken;
    if (auth && token) headers.Authorization = `Bearer ${token}`;
    if (options.text) headers['Content-Type'] = options.text.type;
    else if (options.body !== undefined) headers['Content-Type'] = 'application/json';
    return fetch(buildUrl(path, options.params), {
      method,
      headers,
      credentials: 'include',
      body: options.text ? options.text.content : options.body === undefined ? undefined : JSON.stringify(options.body),
    });
  };
  let response: Response;
  try {
    response = await attempt();
    // One refresh, one retry; a second 401 means the session is really over. A wrong password
    // (`invalid_credentials`, e.g. when changing it) is an answer, not an expired session.
    if (response.status === 401 && auth && (await errorFromResponse(response.clone())).code !== 'invalid_credentials') {
      if (await refreshSession()) {
        response = await attempt();
      }
      if (response.status === 401) {
        // The server ended the session (signed out elsewhere, account deleted, role changed):
        // back to the sign-in page, which says why.
        const ended = await errorFromResponse(response.clone());
        sessionStore.end(ended.message || 'Your session ended. Sign in again.');
      }
    }
  } catch {
    throw new ApiError(0, 'network', 'Cannot reach the server.');
  }
  if (!response.ok) throw await errorFromResponse(response);
  return response;
}

async function requestJson<S extends z.ZodType>(
  method: string,
  path: string,
  schema: S,
  options: RequestOptions = {},
): Promise<z.infer<S>> {
  const response = await send(method, path, options, 'application/json');
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    throw new ApiError(response.status, 'bad_response', `The answer from ${path} is not JSON.`);
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    throw new ApiError(response.status, 'bad_response', `Unexpected answer from ${path}.`);
  }
  return parsed.data;
}

/** The one HTTP client: bearer token, JSON in and out, schema-checked answers, 401 → refresh once. */
export const api = {
  get: <S extends z.ZodType>(path: string, schema: S, options?: RequestOptions) =>
    requestJson('GET', path, schema, options),
  post: <S extends z.ZodType>(path: string, schema: S, options?: RequestOptions) =>
    requestJson('POST', path, schema, options),
  put: <S extends z.ZodType>(path: string, schema: S, options?: RequestOptions) =>
    requestJson('PUT', path, schema, options),
  patch: <S extends z.ZodType>(path: string, schema: S, options?: RequestOptions) =>
    requestJson('PATCH', path, schema, options),
  /** For answers without a body we care about (204, or one we ignore). */
  async send(method: string, path: string, options?: RequestOptions): Promise<void> {
    await send(method, path, options ?? {}, 'application/json');
  },
  /** For downloads such as CSV. */
  async blob(path: string, accept: string, options?: RequestOptions): Promise<Blob> {
    const response = await send('GET', path, options ?? {}, accept);
    return response.blob();
  },
};
