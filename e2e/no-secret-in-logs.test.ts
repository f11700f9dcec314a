import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { rawRequest, type RawAnswer } from '../test-support/raw-http.js';
import { randomStream } from '../test-support/runs.js';
import { freePort, REDIS_URL, startService, type RunningService } from '../test-support/services.js';
import { waitFor } from '../test-support/wait-for.js';

const TOKEN = 'tok-9f3c2a7e5b1d4c6e8a0f2b4d6c8e0a1b';
const dir = mkdtempSync(join(tmpdir(), 'no-secret-'));
const stream = randomStream('no-secret');
let ingest: RunningService;
let api: RunningService;
let mcp: RunningService;
const ports = { ingest: 0, api: 0, mcp: 0 };

beforeAll(async () => {
  [ports.ingest, ports.api, ports.mcp] = [await freePort(), await freePort(), await freePort()];
  const common = { REDIS_URL, RESULTS_STREAM: stream, DATABASE_URL: join(dir, 'db.sqlite'), HTTP_HEADERS_TIMEOUT_MS: '1000', HTTP_REQUEST_TIMEOUT_MS: '2000' };
  ingest = await startService('ingest', { ...common, INGEST_HEALTH_PORT: String(ports.ingest) });
  api = await startService('api', { ...common, API_PORT: String(ports.api), API_TOKEN: TOKEN });
  mcp = await startService('mcp', { ...common, MCP_PORT: String(ports.mcp), API_URL: `http://127.0.0.1:${ports.api}`, API_TOKEN: TOKEN });
});

afterAll(async () => {
  await Promise.allSettled([ingest?.stop(), api?.stop(), mcp?.stop()]);
  rmSync(dir, { recursive: true, force: true });
});

/** Every way the token could show up in a log line: as text, URL- and base64-encoded (alone and as Basic credentials), and as its bytes (a Buffer serialized as JSON, hex). */
function leakedForms(token: string): Record<string, string> {
  const bytes = Buffer.from(token);
  return {
    text: token,
    urlEncoded: encodeURIComponent(token),
    base64: bytes.toString('base64'),
    basic: Buffer.from(`reader:${token}`).toString('base64'),
    jsonBytes: [...bytes].join(','),
    hex: bytes.toString('hex'),
    head: token.slice(0, 16),
  };
}

/** The credentials a request carries: the token as a bearer, as Basic, in a cookie and a proxy header. */
const credentials = [
  `Authorization: Bearer ${TOKEN}`,
  `Authorization: Basic ${Buffer.from(`reader:${TOKEN}`).toString('base64')}`,
  `Cookie: session=${TOKEN}; other=1`,
  `Proxy-Authorization: Bearer ${TOKEN}`,
];

/** Every kind of malformed request, each carrying `auth`, to a service at `port` whose write route is `post` and whose malformed addresses are `badPaths`. */
function malformed(port: number, auth: string, post: string, badPaths: readonly string[]): [string, (string | Buffer)[], { gapMs?: number }?][] {
  const host = `Host: 127.0.0.1:${port}`;
  // `Connection: close`: a request that is answered ends its connection at once.
  const head = (method: string, path: string, extra = '') => `${method} ${path} HTTP/1.1\r\n${host}\r\nConnection: close\r\n${auth}\r\n${extra}`;
  const body = `{"run_id": "${TOKEN}", "project": `;
  return [
    ['bad chunked encoding', [`${head('POST', post, 'Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n')}\r\nzz\r\n${TOKEN}\r\n0\r\n\r\n`]],
    ['bad chunk after a good one', [`${head('POST', post, 'Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n')}\r\n5\r\n{"a":\r\n`, `zz${TOKEN}\r\n0\r\n\r\n`], { gapMs: 200 }],
    ['bad JSON', [`${head('POST', post, `Content-Type: application/json\r\nAccept: application/json, text/event-stream\r\nContent-Length: ${Buffer.byteLength(body)}\r\n`)}\r\n${body}`]],
    ['oversize body', [`${head('POST', post, 'Content-Type: application/json\r\nContent-Length: 70000000\r\n')}\r\n{"run_id": "${TOKEN}"`]],
    ['bad Content-Length', [`${head('POST', post, `Content-Length: 12${TOKEN}\r\n`)}\r\n`]],
    ['two Content-Lengths', [`${head('POST', post, 'Content-Length: 1\r\nContent-Length: 2\r\n')}\r\nab`]],
    ['header overflow', [`${head('GET', '/livez', `X-Pad: ${'p'.repeat(20_000)}\r\n`)}\r\n`]],
    ['HTTP/0.9 garbage', [`GET /\r\n${auth}\r\n${TOKEN}\u0000\u00ff\r\n\r\n`]],
    ['binary garbage', [Buffer.concat([Buffer.from([0x16, 0x03, 0x01, 0x00]), Buffer.from(`${TOKEN}\r\n${auth}\r\n\r\n`)])]],
    ['a bad method', [`${head(`BR${TOKEN.slice(0, 4)}`, '/livez')}\r\n`]],
    ['a method that is not a token', [`${head('G(T', '/livez')}\r\n`]],
    ['credentials in an absolute-form URL', [`${head('GET', `http://reader:${TOKEN}@127.0.0.1:${port}${badPaths[0]}`)}\r\n`]],
    ['the token in an unknown query parameter', [`${head('GET', `/results?__proto__=${TOKEN}`)}\r\n`]],
    ['headers that never end', [head('GET', '/livez', 'X-Slow: ')]],
    ...badPaths.map((path): [string, string[]] => [`malformed % in ${path}`, [`${head('GET', path)}\r\n`]]),
  ];
}

describe('no secret in any log line, whatever the error', () => {
  test('every kind of malformed request, sent with the token to the API, the MCP service and the ingest health port, gets a 4xx; no output holds the token in any form', async () => {
    const targets = [
      { name: 'api', port: ports.api, post: '/results', badPaths: ['/results/%E0%A4%A', '/results?project=%E0%A4%A', '/results/%', '/trend?project=%zz'] },
      { name: 'mcp', port: ports.mcp, post: '/mcp', badPaths: ['/reports/%.html', '/runs/%E0%A4%A', '/projects/%zz', '/reports/x.html?branch=%E0%A4%A'] },
      { name: 'ingest', port: ports.ingest, post: '/health', badPaths: ['/health?%zz'] },
    ];
    const answers: { what: string; answer: RawAnswer }[] = [];
    for (const target of targets) {
      for (const auth of credentials) {
        // Ingest's probe port keeps Node's own timeouts: a request that never ends would only wait for the hang bound there.
        const requests = malformed(target.port, auth, target.post, target.badPaths).filter(([what]) => target.name !== 'ingest' || what !== 'headers that never end');
        answers.push(...(await Promise.all(requests.map(async ([what, parts, options]) => ({
          what: `${target.name}: ${what} (${auth.split(':')[0]})`,
          answer: await rawRequest(target.port, parts, { ...options, hangMs: 15_000 }),
        })))));
      }
    }
    const tally = new Map<string, number>();
    for (const { answer } of answers) tally.set(String(answer.status ?? answer.error), (tally.get(String(answer.status ?? answer.error)) ?? 0) + 1);
    console.info(`${answers.length} malformed requests, answered ${JSON.stringify(Object.fromEntries(tally))}`);
    for (const { what, answer } of answers) {
      // Ingest's probe port answers its own way (Node's bare 400); API and MCP answer every one with a 4xx.
      if (what.startsWith('ingest')) continue;
      expect(answer.status, `${what}: ${answer.response.slice(0, 200)}`).toBeGreaterThanOrEqual(400);
      expect(answer.status, what).toBeLessThan(500);
      expect(answer.closedByServer, what).toBe(true);
    }
    // The refusals were logged (with their errors, which carry the raw request): a log that said nothing would prove nothing.
    const refusals = (service: RunningService) => service.output().split('\n').filter((line) => line.includes('refused a request'));
    await waitFor('the refusals logged', () => refusals(api).length >= 30 && refusals(mcp).length >= 30);
    expect(refusals(api).some((line) => line.includes('HPE_INVALID_CHUNK_SIZE'))).toBe(true);
    expect(refusals(mcp).some((line) => line.includes('HPE_HEADER_OVERFLOW'))).toBe(true);
    expect(refusals(api).some((line) => line.includes('ERR_HTTP_REQUEST_TIMEOUT'))).toBe(true);

    const forms = leakedForms(TOKEN);
    for (const service of [ingest, api, mcp]) {
      const output = service.output();
      const bytes = Buffer.from(output);
      for (const [form, value] of Object.entries(forms)) {
        expect(output.includes(value), `${form} of the token in ${output.slice(0, 200)}`).toBe(false);
        expect(bytes.includes(Buffer.from(value)), `${form} as bytes`).toBe(false);
      }
    }
  });
});
