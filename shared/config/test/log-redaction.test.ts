import { describe, expect, it } from 'vitest';
import { logRedaction, redactText, serializeError } from '@pytest-platform/config';

const SECRET = 'hunter2-secret-0123456789';

describe('log redaction', () => {
  it('an error keeps its type, message, code and cause, and loses the raw request, headers and URL passwords', () => {
    const error = Object.assign(new Error(`connect to redis://default:${SECRET}@cache:6379 failed`), {
      code: 'HPE_INVALID_CHUNK_SIZE',
      bytesParsed: 92,
      rawPacket: Buffer.from(`POST /results HTTP/1.1\r\nAuthorization: Bearer ${SECRET}\r\n\r\nzz`),
      headers: { authorization: `Bearer ${SECRET}` },
      config: { url: `postgres://app:${SECRET}@db/x`, nested: { Cookie: `s=${SECRET}`, deeper: [`Basic ${Buffer.from(`u:${SECRET}`).toString('base64')}`] } },
      cause: Object.assign(new Error('inner'), { request: { headers: { 'proxy-authorization': SECRET } } }),
    });
    const line = JSON.stringify(serializeError(error));
    expect(line).not.toContain(SECRET);
    expect(line).not.toContain([...Buffer.from(SECRET)].join(','));
    expect(line).not.toContain(Buffer.from(`u:${SECRET}`).toString('base64'));
    expect(serializeError(error)).toMatchObject({
      type: 'Error',
      message: 'connect to redis://default:***@cache:6379 failed',
      code: 'HPE_INVALID_CHUNK_SIZE',
      bytesParsed: 92,
      config: { url: 'postgres://app:***@db/x', nested: { deeper: ['Basic [redacted]'] } },
      cause: { type: 'Error', message: 'inner', request: {} },
    });
    expect(Object.keys(serializeError(error) as object)).not.toContain('rawPacket');
  });

  it("every line's fields pass the same rules at any depth; plain text without secrets is left alone", () => {
    const fields = logRedaction.formatters.log({
      url: `http://reader:${SECRET}@127.0.0.1/results?x=1`,
      req: { headers: { authorization: SECRET }, rawHeaders: ['Authorization', SECRET], method: 'GET' },
      note: `Authorization: Bearer ${SECRET}`,
      err: new Error(`the API refused Bearer ${SECRET}`),
      path: '/results/abc@def',
      count: 3,
    });
    expect(JSON.stringify(fields)).not.toContain('hunter2');
    expect(fields).toMatchObject({ url: 'http://reader:***@127.0.0.1/results?x=1', req: { method: 'GET' }, note: 'Authorization: [redacted]', path: '/results/abc@def', count: 3 });
    expect(redactText('GET /results 200 in 3 ms')).toBe('GET /results 200 in 3 ms');
    expect(logRedaction.serializers.msg(`cannot reach redis://:${SECRET}@h:6379`)).toBe('cannot reach redis://:***@h:6379');
  });
});
