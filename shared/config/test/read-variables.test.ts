import { describe, expect, it } from 'vitest';
import { ConfigError, MIN_TOKEN_LENGTH, readVariables, variables, type VariableName } from '../src/index.js';

const all = Object.keys(variables) as VariableName[];

describe('readVariables', () => {
  it('gives every default when nothing is set', () => {
    const values = readVariables({}, all);
    expect(values).toMatchObject({
      REDIS_URL: 'redis://127.0.0.1:6379', RESULTS_STREAM: 'pytest-platform:results', DATABASE_URL: './data/pytest-platform.sqlite',
      API_PORT: 8080, API_TOKEN: undefined, INGEST_HEALTH_HOST: '127.0.0.1', DIGEST_CRON: '0 8 * * 1-5', ALERT_BRANCHES: ['main'],
    });
  });

  it('reads each kind of value', () => {
    expect(readVariables({
      API_PORT: '0', WORKER_ONLINE_MINUTES: '2.5', API_URL: 'http://api:8080//', MCP_ALLOWED_HOSTS: ' Example.com:8081, ,x ',
      DIGEST_ENABLED: 'Yes', ALERTS_ENABLED: 'off', DIGEST_TO: 'a@example.com, b@example.com', API_TOKEN: 'x'.repeat(MIN_TOKEN_LENGTH),
    }, ['API_PORT', 'WORKER_ONLINE_MINUTES', 'API_URL', 'MCP_ALLOWED_HOSTS', 'DIGEST_ENABLED', 'ALERTS_ENABLED', 'DIGEST_TO', 'API_TOKEN'])).toEqual({
      API_PORT: 0, WORKER_ONLINE_MINUTES: 2.5, API_URL: 'http://api:8080', MCP_ALLOWED_HOSTS: ['example.com:8081', 'x'],
      DIGEST_ENABLED: true, ALERTS_ENABLED: false, DIGEST_TO: ['a@example.com', 'b@example.com'], API_TOKEN: 'x'.repeat(MIN_TOKEN_LENGTH),
    });
  });

  it.each([
    ['API_PORT', '65536', /^invalid API_PORT \("65536"\): expected at most 65535$/],
    ['INGEST_BATCH_SIZE', '2.5', /^invalid INGEST_BATCH_SIZE \("2.5"\): expected a whole number$/],
    ['LOG_LEVEL', 'loud', /^invalid LOG_LEVEL \("loud"\): expected one of fatal, /],
    ['DIGEST_ENABLED', 'maybe', /^invalid DIGEST_ENABLED \("maybe"\): expected one of 1, true, yes, on, 0, false, no, off$/],
    ['DIGEST_CRON', '61 8 * * *', /^invalid DIGEST_CRON \("61 8 \* \* \*"\): expected a cron pattern/],
    ['DIGEST_CRON', '0 8 * *', /^invalid DIGEST_CRON \("0 8 \* \*"\): expected a cron pattern/],
    ['DATABASE_URL', 'mysql://db/pp', /^invalid DATABASE_URL: unsupported scheme/],
    ['RESULTS_STREAM', 'a b', /^invalid RESULTS_STREAM \("a b"\): expected a stream name without spaces$/],
  ] as const)('refuses %s=%s naming the variable', (name, value, message) => {
    expect(() => readVariables({ [name]: value }, [name])).toThrow(ConfigError);
    expect(() => readVariables({ [name]: value }, [name])).toThrow(message);
  });

  it('refuses a blank value instead of treating it as unset', () => {
    expect(() => readVariables({ API_TOKEN: '   ' }, ['API_TOKEN'])).toThrow('invalid API_TOKEN: is set but blank; give it a value or unset it');
    expect(() => readVariables({ LOG_LEVEL: '' }, ['LOG_LEVEL'])).toThrow(/^invalid LOG_LEVEL \(""\): is set but blank/);
  });

  it('refuses a short token without echoing it', () => {
    const read = () => readVariables({ API_TOKEN: 'change-me' }, ['API_TOKEN']);
    expect(read).toThrow(`invalid API_TOKEN: expected at least ${MIN_TOKEN_LENGTH} characters (e.g. openssl rand -hex 24)`);
    expect(read).not.toThrow(/change-me/);
    expect(() => readVariables({ REDIS_URL: 'http://user:secret@host' }, ['REDIS_URL'])).not.toThrow(/secret/);
  });
});
