import { execFile } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { repoRoot, type RunningService } from '../../../test-support/services.js';
import { startMcpHttp } from './http-server.js';
import { startStack, type Stack } from './stack.js';

const run = promisify(execFile);

/**
 * The official MCP Inspector CLI needs Node >= 22. Both it and a Node 22 binary (the npm package
 * `node@22`) are installed into a cache directory outside the repo, once; set INSPECTOR_DIR to reuse one.
 */
const dir = process.env.INSPECTOR_DIR ?? join(tmpdir(), 'pytest-platform-inspector');
const node22 = join(dir, 'node_modules', 'node', 'bin', 'node');
const inspectorCli = join(dir, 'node_modules', '@modelcontextprotocol', 'inspector', 'cli', 'build', 'cli.js');

async function ensureInspector(): Promise<string | null> {
  if (existsSync(node22) && existsSync(inspectorCli)) return null;
  mkdirSync(dir, { recursive: true });
  try {
    await run('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--prefix', dir, 'node@22', '@modelcontextprotocol/inspector'], { timeout: 150_000 });
  } catch (error) {
    return `cannot install the Inspector into ${dir}: ${(error as Error).message.slice(0, 300)}`;
  }
  return existsSync(node22) && existsSync(inspectorCli) ? null : `installed, but ${node22} or ${inspectorCli} is missing`;
}

async function inspector(target: string[], ...args: string[]): Promise<unknown> {
  const { stdout } = await run(node22, [inspectorCli, '--cli', ...target, ...args], {
    cwd: repoRoot,
    timeout: 30_000,
    maxBuffer: 16 * 1024 * 1024,
    env: { ...process.env, PATH: `${dirname(node22)}:${process.env.PATH ?? ''}` },
  });
  return JSON.parse(stdout);
}

let stack: Stack;
let mcp: { service: RunningService; url: string };
let unavailable: string | null = null;

beforeAll(async () => {
  [unavailable, stack] = await Promise.all([ensureInspector(), startStack()]);
  mcp = await startMcpHttp({ API_URL: stack.apiUrl });
}, 180_000);
afterAll(async () => {
  await mcp?.service.stop();
  await stack?.stop();
});

describe('the official MCP Inspector CLI (Node 22)', () => {
  const stdio = () => ['-e', `API_URL=${stack.apiUrl}`, process.execPath, '--import', 'tsx', '--conditions=@pytest-platform/source', 'services/mcp/src/stdio.ts'];

  test('lists the tools and calls get_summary over stdio', async (ctx) => {
    if (unavailable) ctx.skip(unavailable);
    const listed = (await inspector(stdio(), '--method', 'tools/list')) as { tools: { name: string; outputSchema?: unknown }[] };
    expect(listed.tools.map((t) => t.name)).toHaveLength(14);
    expect(listed.tools.every((t) => t.outputSchema)).toBe(true);
    const called = (await inspector(stdio(), '--method', 'tools/call', '--tool-name', 'get_summary', '--tool-arg', 'project=demo', 'limit=2')) as {
      structuredContent: { runs: unknown[] };
      isError?: boolean;
    };
    expect(called.isError ?? false).toBe(false);
    expect(called.structuredContent.runs).toHaveLength(2);
  });

  test('lists the tools and calls get_summary over Streamable HTTP', async (ctx) => {
    if (unavailable) ctx.skip(unavailable);
    const target = [`${mcp.url}/mcp`, '--transport', 'http'];
    const listed = (await inspector(target, '--method', 'tools/list')) as { tools: { name: string }[] };
    expect(listed.tools.map((t) => t.name).sort()).toContain('get_summary');
    const called = (await inspector(target, '--method', 'tools/call', '--tool-name', 'get_summary', '--tool-arg', 'limit=3')) as {
      structuredContent: { runs: unknown[] };
    };
    expect(called.structuredContent.runs).toHaveLength(3);
  });
});
