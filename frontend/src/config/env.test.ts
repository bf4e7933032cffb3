import { describe, expect, it } from 'vitest';
import { parseEnv } from './env';

describe('env', () => {
  it('defaults to the same origin', () => {
    expect(parseEnv({ MODE: 'test' })).toEqual({ API_URL: '', WS_URL: '' });
  });

  it('reads VITE_ variables', () => {
    expect(parseEnv({ VITE_API_URL: 'http://127.0.0.1:3000', VITE_WS_URL: 'ws://h/ws' })).toEqual({
      API_URL: 'http://127.0.0.1:3000',
      WS_URL: 'ws://h/ws',
    });
  });

  it('fails loudly on a wrong type', () => {
    expect(() => parseEnv({ VITE_API_URL: 42 })).toThrow(/Invalid environment/);
  });
});
