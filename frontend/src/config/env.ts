import { z } from 'zod';

// Parsed once at start-up: a misconfigured build fails loudly instead of half-working.
const EnvSchema = z.object({
  /** Base URL of the HTTP API; empty means the same origin as the page. */
  API_URL: z.string().default(''),
  /** WebSocket URL; empty means `/ws` on the page's origin. */
  WS_URL: z.string().default(''),
});

export type Env = z.infer<typeof EnvSchema>;

export function parseEnv(raw: Record<string, unknown>): Env {
  const picked = Object.fromEntries(
    Object.entries(raw)
      .filter(([key]) => key.startsWith('VITE_'))
      .map(([key, value]) => [key.slice('VITE_'.length), value]),
  );
  const parsed = EnvSchema.safeParse(picked);
  if (!parsed.success) {
    throw new Error(`Invalid environment: ${z.prettifyError(parsed.error)}`);
  }
  return parsed.data;
}

export const env = parseEnv(import.meta.env);

/** The WebSocket address for the current page. */
export function wsUrl(): string {
  if (env.WS_URL) return env.WS_URL;
  const scheme = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${window.location.host}/ws`;
}
