import { vi } from 'vitest';

/** A recorded request, as the fake server saw it. */
export type SeenRequest = { method: string; path: string; query: URLSearchParams; headers: Headers; body: unknown };

type Handler = (request: SeenRequest) => Response | Promise<Response>;

/** A JSON answer. */
export const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

/** An API error answer in the contract's shape. */
export const apiError = (status: number, code: string, message: string, field?: string) =>
  json({ error: { code, message, ...(field ? { field } : {}) } }, status);

// JSON bodies are parsed; anything else (a CSV upload) is kept as text.
function parseBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * Stubs `fetch` at the API client boundary: routes are `"METHOD /path"`; an unmatched request
 * fails the test with a 599 so it is never silently answered.
 */
export function fakeServer(routes: Record<string, Handler>) {
  const seen: SeenRequest[] = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input), 'http://localhost');
    const text = typeof init?.body === 'string' ? init.body : undefined;
    const request: SeenRequest = {
      method: init?.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: new Headers(init?.headers),
      body: text ? parseBody(text) : undefined,
    };
    seen.push(request);
    const handler = routes[`${request.method} ${request.path}`];
    return handler ? handler(request) : apiError(599, 'unrouted', `no fake route for ${request.method} ${request.path}`);
  });
  vi.stubGlobal('fetch', fetchMock);
  return {
    seen,
    fetchMock,
    /** Requests for one route. */
    calls: (route: string) => seen.filter((request) => `${request.method} ${request.path}` === route),
  };
}
