import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeRun, randomStream } from '../../../test-support/runs.js';
import { freePort, REDIS_URL, repoRoot, startService } from '../../../test-support/services.js';

const dir = mkdtempSync(join(tmpdir(), 'api-process-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function runMain(env: Record<string, string>): Promise<{ code: number | null; stderr: string; stdout: string }> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', '--conditions=@pytest-platform/source', 'services/api/src/main.ts'], {
      cwd: repoRoot,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DATABASE_URL: join(dir, 'bad.sqlite'), ...env },
    });
    let stderr = '';
    let stdout = '';
    proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    proc.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    proc.on('exit', (code) => resolve({ code, stderr, stdout }));
  });
}

describe('src/main.ts', () => {
  it('exits 2 naming the variable when one is invalid, with one line on stderr', async () => {
    const cases = [
      ['API_PORT', 'eighty'],
      ['API_PORT', '70000'],
      ['WORKER_ONLINE_MINUTES', '-5'],
      ['LOG_LEVEL', 'loud'],
      ['REDIS_URL', 'http://127.0.0.1:6379'],
      ['DATABASE_URL', 'mysql://db/x'],
      // Longer than the default HTTP_REQUEST_TIMEOUT_MS (30000): the headers are part of the request.
      ['HTTP_HEADERS_TIMEOUT_MS', '60000'],
    ] as const;
    const results = await Promise.all(cases.map(([name, value]) => runMain({ [name]: value })));
    results.forEach(({ code, stderr, stdout }, i) => {
      const [name, value] = cases[i]!;
      const what = `${name}=${value}`;
      expect(code, what).toBe(2);
      expect(stderr.trim().split('\n'), what).toHaveLength(1);
      expect(stderr, what).toContain(`invalid ${name}`);
      expect(stdout, what).not.toContain('"msg":"ready"');
    });
  });

  it('starts, logs ready with its URL, serves, logs each request without the token, and exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const token = 'process-test-token-42';
    const stream = randomStream('api-process');
    const service = await startService('api', {
      API_PORT: String(port), REDIS_URL, RESULTS_STREAM: stream, DATABASE_URL: join(dir, 'api.sqlite'), API_TOKEN: token,
    });
    try {
      expect(service.output()).toContain(`"url":"http://127.0.0.1:${port}"`);
      const run = makeRun();
      const posted = await fetch(`http://127.0.0.1:${port}/results`, {
        method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(run),
      });
      expect(posted.status).toBe(202);
      expect(await posted.json()).toEqual({ run_id: run.run_id, stream_id: expect.any(String) });
      const health = await fetch(`http://127.0.0.1:${port}/health`);
      expect(health.status).toBe(200);
    } finally {
      const code = await service.stop('SIGTERM');
      expect(code).toBe(0);
      const { createRedisClient } = await import('@pytest-platform/redis');
      const redis = createRedisClient(REDIS_URL);
      await redis.del(stream);
      await redis.quit();
    }
    const output = service.output();
    expect(output).toMatch(/"method":"POST","path":"\/results","status":202/);
    expect(output).toMatch(/"method":"GET","path":"\/health","status":200/);
    expect(output).toContain('"msg":"closed"');
    expect(output).not.toContain(token);
  });
});
