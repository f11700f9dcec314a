// `npm start`: Redis (found or started), then ingest, api and mcp as child processes.
// Ctrl-C stops all of it, the redis-server it started last.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ensureRedis } from './lib/local-redis.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const say = (line) => process.stderr.write(`[pytest-platform] ${line}\n`);
const services = ['ingest', 'api', 'mcp'];
/** Node flags per service: their memory bounds (bench/README.md, "Memory"), as docker-compose.yml passes them. */
const nodeFlags = JSON.parse(readFileSync(`${root}deploy/node-flags.json`, 'utf8'));

let redis;
try {
  redis = await ensureRedis({ dataDir: `${root}data/redis`, log: say });
} catch (error) {
  say(error.message);
  process.exit(1);
}

const apiHost = process.env.API_HOST ?? '127.0.0.1';
const apiPort = process.env.API_PORT ?? '8080';
const localApi = `http://${apiHost === '0.0.0.0' ? '127.0.0.1' : apiHost}:${apiPort}`;
// The MCP service reads the API this stack runs unless told otherwise.
const env = { ...process.env, REDIS_URL: redis.url, API_URL: process.env.API_URL ?? process.env.MASTER_URL ?? localApi };
const children = new Map();
let stopping = false;

function prefixLines(name, stream, target) {
  let buffer = '';
  stream.on('data', (chunk) => {
    buffer += chunk;
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    for (const line of lines) target.write(`[${name}] ${line}\n`);
  });
}

async function stopAll(code) {
  if (stopping) return;
  stopping = true;
  say('stopping…');
  await Promise.all(
    [...children.values()].map(
      (child) =>
        new Promise((done) => {
          if (child.exitCode !== null || child.signalCode !== null) return done();
          const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
          child.once('exit', () => {
            clearTimeout(timer);
            done();
          });
          child.kill('SIGTERM');
        }),
    ),
  );
  await redis.stop();
  process.exit(code);
}

const ready = new Set();
for (const name of services) {
  const main = `${root}services/${name}/dist/main.js`;
  if (!existsSync(main)) {
    say(`${main} is missing: run \`npm ci\` (it builds), then \`npm start\` again`);
    await stopAll(1);
  }
  const child = spawn(process.execPath, [...nodeFlags[name], main], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.set(name, child);
  prefixLines(name, child.stdout, process.stdout);
  prefixLines(name, child.stderr, process.stderr);
  // The MCP service logs on stderr (stdout is the protocol channel under stdio); look at both.
  const watchReady = (chunk) => {
    if (!ready.has(name) && chunk.toString().includes('"msg":"ready"')) {
      ready.add(name);
      if (ready.size === services.length) announce();
    }
  };
  child.stdout.on('data', watchReady);
  child.stderr.on('data', watchReady);
  child.once('exit', (code, signal) => {
    if (stopping) return;
    say(`${name} exited (${signal ?? `code ${code}`}); stopping the stack`);
    void stopAll(code || 1);
  });
}

function announce() {
  const mcpHost = process.env.MCP_HOST ?? '127.0.0.1';
  const mcpPort = process.env.MCP_PORT ?? '8081';
  const database = process.env.DATABASE_URL?.replace(/\/\/[^@/]*@/, '//***@') ?? './data/pytest-platform.sqlite';
  say('up and running:');
  say(`  API      http://${apiHost}:${apiPort}  (OpenAPI /openapi.json, Swagger UI /docs, health /health)`);
  say(`  MCP      http://${mcpHost}:${mcpPort}/mcp  (reports: /reports/<project>.html; reads ${env.API_URL})`);
  say(`  Redis    ${redis.url.replace(/\/\/[^@/]*@/, '//***@')}${redis.started ? ' (started here, AOF in ./data/redis)' : ''}`);
  say(`  Database ${database}`);
  say('Ctrl-C stops everything.');
}

process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));
