import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadConfig as loadApiConfig } from '@pytest-platform/api';
import { loadConfig as loadIngestConfig } from '@pytest-platform/ingest';
import { loadConfig as loadMcpConfig } from '@pytest-platform/mcp';
import { buildPackages } from '../test-support/build.js';
import { REDIS_URL, freePort, repoRoot, startService } from '../test-support/services.js';

// One configuration module: every service and the CLI read a variable by the same rule, so a
// token the API would refuse is refused everywhere, in the same words; the examples we ship pass.

const SHORT_TOKEN = 'change-me';
const REFUSAL = 'invalid API_TOKEN: expected at least 16 characters (e.g. openssl rand -hex 24)';

type Exit = { code: number | null; stderr: string; stdout: string };

function exit(command: string, args: string[], env: Record<string, string>): Promise<Exit> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd: repoRoot, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
    });
  });
}

const service = (name: string, env: Record<string, string>) =>
  exit(process.execPath, ['--import', 'tsx', '--conditions=@pytest-platform/source', `services/${name}/src/main.ts`], env);

/** `# NAME=value   # comment` lines of `.env.example`, as the environment they describe. */
function envExample(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of readFileSync(join(repoRoot, '.env.example'), 'utf8').split('\n')) {
    const match = /^#\s*([A-Z][A-Z0-9_]*)=(\S*)/.exec(line);
    if (match) env[match[1]!] = match[2]!;
  }
  return env;
}

/** The ConfigMap and the example Secret every Deployment reads with `envFrom`. */
function kubernetesExample(): Record<string, string> {
  const objects = [join(repoRoot, 'deploy/k8s/config.yaml'), join(repoRoot, 'deploy/k8s-examples/secret.example.yaml')]
    .flatMap((file) => parseAllDocuments(readFileSync(file, 'utf8')).map((doc) => doc.toJSON() as { kind: string; data?: Record<string, string>; stringData?: Record<string, string> }));
  return Object.assign({}, ...objects.map((object) => ({ ...object.data, ...object.stringData })));
}

describe('one rule per variable, everywhere', () => {
  it(`API_TOKEN=${SHORT_TOKEN}: the API, the MCP service and the CLI refuse to start with the same message`, async () => {
    buildPackages('shared/reporter');
    const [api, mcp, cli] = await Promise.all([
      service('api', { API_TOKEN: SHORT_TOKEN, API_PORT: '0' }),
      service('mcp', { API_TOKEN: SHORT_TOKEN, MCP_PORT: '0' }),
      exit(process.execPath, ['shared/reporter/bin/pytest-platform.js', 'summary', '--run', 'any'], { API_TOKEN: SHORT_TOKEN }),
    ]);
    expect(api).toMatchObject({ code: 2, stderr: `api: ${REFUSAL}\n` });
    expect(mcp).toMatchObject({ code: 2, stderr: `pytest-platform-mcp: ${REFUSAL}\n` });
    expect(cli).toMatchObject({ code: 2, stderr: `pytest-platform: summary: ${REFUSAL}\n` });
    for (const refused of [api, mcp, cli]) expect(refused.stdout).not.toContain('"msg":"ready"');
  }, 90_000);

  it('a blank token is refused by name, not taken as "no authentication"', async () => {
    const api = await service('api', { API_TOKEN: '   ', API_PORT: '0' });
    expect(api).toMatchObject({ code: 2, stderr: 'api: invalid API_TOKEN: is set but blank; give it a value or unset it\n' });
  }, 60_000);

  it('the Kubernetes example (ConfigMap and Secret) is a configuration every service accepts', () => {
    const env = kubernetesExample();
    expect(env.API_TOKEN?.length).toBeGreaterThanOrEqual(16);
    expect(loadApiConfig(env).apiToken).toBe(env.API_TOKEN);
    expect(loadIngestConfig(env).database.dialect).toBe('postgres');
    expect(loadMcpConfig(env).apiUrl).toBe('http://pytest-platform-api:8080');
  });

  it('the tokens of .env.example start the API and the MCP service', async () => {
    const example = envExample();
    expect(Object.keys(example)).toEqual(expect.arrayContaining(['API_TOKEN', 'API_READ_TOKEN']));
    const tokens = { API_TOKEN: example.API_TOKEN!, API_READ_TOKEN: example.API_READ_TOKEN! };
    const [apiPort, mcpPort] = [await freePort(), await freePort()];
    const api = await startService('api', { ...tokens, REDIS_URL, API_PORT: String(apiPort), DATABASE_URL: ':memory:' });
    const mcp = await startService('mcp', { ...tokens, REDIS_URL, MCP_PORT: String(mcpPort), API_URL: `http://127.0.0.1:${apiPort}` });
    try {
      const refused = await fetch(`http://127.0.0.1:${apiPort}/projects`);
      expect(refused.status).toBe(401);
      const allowed = await fetch(`http://127.0.0.1:${apiPort}/projects`, { headers: { authorization: `Bearer ${tokens.API_READ_TOKEN}` } });
      expect(allowed.status).toBe(200);
    } finally {
      await Promise.all([api.stop(), mcp.stop()]);
    }
  }, 90_000);
});
