import { describe, expect, it } from 'vitest';
import { ConfigError, httpLimits, httpLimitVariables, readVariables } from '@pytest-platform/config';

const read = (env: Record<string, string>) => httpLimits(readVariables(env, httpLimitVariables));

describe('HTTP limits', () => {
  it('default to 10 s for headers, 30 s for a request, 5 s keep-alive and 1,000 connections', () => {
    expect(read({})).toEqual({ headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 5_000, maxConnections: 1_000 });
    expect(read({ HTTP_HEADERS_TIMEOUT_MS: '500', HTTP_REQUEST_TIMEOUT_MS: '500', HTTP_KEEPALIVE_TIMEOUT_MS: '100', HTTP_MAX_CONNECTIONS: '1' }))
      .toEqual({ headersTimeoutMs: 500, requestTimeoutMs: 500, keepAliveTimeoutMs: 100, maxConnections: 1 });
  });

  it('a bad value stops the service naming the variable, one rule each; headers may not outlast the request', () => {
    const cases: [Record<string, string>, string][] = [
      [{ HTTP_MAX_CONNECTIONS: '0' }, 'invalid HTTP_MAX_CONNECTIONS ("0"): expected at least 1'],
      [{ HTTP_HEADERS_TIMEOUT_MS: 'ten' }, 'invalid HTTP_HEADERS_TIMEOUT_MS ("ten"): expected a whole number'],
      [{ HTTP_KEEPALIVE_TIMEOUT_MS: '0' }, 'invalid HTTP_KEEPALIVE_TIMEOUT_MS ("0"): expected at least 100'],
      [{ HTTP_REQUEST_TIMEOUT_MS: '99' }, 'invalid HTTP_REQUEST_TIMEOUT_MS ("99"): expected at least 100'],
      [{ HTTP_REQUEST_TIMEOUT_MS: '5000' }, 'invalid HTTP_HEADERS_TIMEOUT_MS ("10000"): expected at most HTTP_REQUEST_TIMEOUT_MS (5000): the headers are part of the request'],
    ];
    for (const [env, message] of cases) {
      expect(() => read(env), message).toThrow(ConfigError);
      expect(() => read(env), message).toThrow(message);
    }
  });
});
