import { mkdtempSync, rmSync } from 'node:fs';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { answerOf, openSocket, rawRequest, type RawAnswer } from '../test-support/raw-http.js';
import { randomStream } from '../test-support/runs.js';
import { freePort, REDIS_URL, startService, type RunningService } from '../test-support/services.js';
import { waitFor } from '../test-support/wait-for.js';

const LIMITS = { HTTP_HEADERS_TIMEOUT_MS: '5000', HTTP_REQUEST_TIMEOUT_MS: '6000', HTTP_KEEPALIVE_TIMEOUT_MS: '1000', HTTP_MAX_CONNECTIONS: '4' };
/** Bounds on a hang, far above the limits: a server that never closes fails here, however slow the machine. */
const HANG_MS = 30_000;

const dir = mkdtempSync(join(tmpdir(), 'http-limits-'));
const services: Record<'api' | 'mcp', { service: RunningService; port: number }> = {} as never;

beforeAll(async () => {
  const [apiPort, mcpPort] = [await freePort(), await freePort()];
  const common = { REDIS_URL, RESULTS_STREAM: randomStream('http-limits'), DATABASE_URL: join(dir, 'db.sqlite'), ...LIMITS };
  services.api = { service: await startService('api', { ...common, API_PORT: String(apiPort) }), port: apiPort };
  services.mcp = { service: await startService('mcp', { ...common, MCP_PORT: String(mcpPort), API_URL: `http://127.0.0.1:${apiPort}` }), port: mcpPort };
});

afterAll(async () => {
  await Promise.allSettled([services.api?.service.stop(), services.mcp?.service.stop()]);
  rmSync(dir, { recursive: true, force: true });
});

/** Sends `text` one byte every `everyMs` and keeps going (`filler` after it) until the server closes the connection. */
async function trickle(port: number, text: string, filler: string, everyMs = 100): Promise<RawAnswer & { sent: number }> {
  const socket = await openSocket(port);
  const answer = answerOf(socket, HANG_MS);
  let sent = 0;
  const timer = setInterval(() => {
    if (socket.destroyed || !socket.writable) return;
    socket.write(sent < text.length ? text[sent]! : filler);
    sent += 1;
  }, everyMs);
  const result = await answer;
  clearInterval(timer);
  return { ...result, sent };
}

describe.each(['api', 'mcp'] as const)('HTTP limits of the %s service, as real sockets', (name) => {
  test('the ready line states the limits in force', () => {
    const ready = services[name].service.output().split('\n').find((line) => line.includes('"msg":"ready"'))!;
    expect(JSON.parse(ready).limits).toMatchObject({ headers_timeout_ms: 5000, request_timeout_ms: 6000, keep_alive_timeout_ms: 1000, max_connections: 4 });
  });

  test('a client that sends its headers a byte at a time and never ends them is answered 408 and cut off by the server', async () => {
    const result = await trickle(services[name].port, `GET /livez HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: `, 'a');
    expect(result.closedByServer).toBe(true);
    expect(result.status).toBe(408);
    expect(result.response).toContain('"code":"request_timeout"');
    // It was still sending when it was cut off: the server did not wait for it to finish.
    expect(result.sent).toBeGreaterThan(20);
  });

  test('a client that sends its body a byte at a time is cut off once the request timeout passes', async () => {
    const path = name === 'api' ? '/results' : '/mcp';
    const result = await trickle(services[name].port, `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\nContent-Length: 100000\r\n\r\n`, ' ', 50);
    expect(result.closedByServer).toBe(true);
    expect(result.sent).toBeGreaterThan(100);
  });

  test('an idle keep-alive connection is closed by the server after a served request', async () => {
    const result = await rawRequest(services[name].port, [`GET /livez HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`], { hangMs: HANG_MS });
    expect(result.status).toBe(200);
    expect(result.closedByServer).toBe(true);
  });

  test('with HTTP_MAX_CONNECTIONS held, the next connection is closed at once; once one is let go, a new one is served', async () => {
    const port = services[name].port;
    const held: Socket[] = [];
    const heldAnswers: Promise<RawAnswer>[] = [];
    for (let i = 0; i < 4; i++) {
      const socket = await openSocket(port);
      heldAnswers.push(answerOf(socket, HANG_MS));
      // A request begun and not finished: the connection is the server's to keep until its headers timeout.
      socket.write('GET /livez HTTP/1.1\r\n');
      held.push(socket);
    }
    // Node accepts queued connections in order: this one comes after the four it holds.
    const extra = await rawRequest(port, ['GET /livez HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'], { hangMs: HANG_MS });
    expect(extra.closedByServer).toBe(true);
    expect(extra.status).toBeNull();
    expect(held.every((socket) => !socket.destroyed)).toBe(true);

    held[0]!.destroy();
    await heldAnswers[0];
    const served = await waitFor('a connection to be served again', async () => {
      const again = await rawRequest(port, ['GET /livez HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n'], { hangMs: HANG_MS });
      return again.status === 200 ? again : null;
    }, HANG_MS, 100);
    expect(served.response).toContain('"status":"ok"');
    for (const socket of held) socket.destroy();
    await Promise.all(heldAnswers);
  });
});
