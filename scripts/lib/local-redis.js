// Finds a reachable Redis, or starts a local redis-server for the stack or the test suite.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createConnection } from 'node:net';
import { resolve } from 'node:path';

/** Resolves true when something at host:port answers PING with PONG within `timeoutMs`. */
export function pingRedis(host, port, timeoutMs = 1000) {
  return new Promise((done) => {
    const socket = createConnection({ host, port });
    let answer = '';
    const finish = (ok) => {
      socket.destroy();
      done(ok);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once('error', () => finish(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      answer += chunk.toString();
      if (answer.includes('\r\n')) finish(answer.startsWith('+PONG'));
    });
  });
}

const hasRedisServer = () => spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;

const INSTALL_HINT = [
  'pytest-platform needs Redis 7 and found none on 127.0.0.1:6379, nor a redis-server to start.',
  'Install one, then run the command again:',
  '  Debian/Ubuntu: sudo apt-get install redis-server',
  '  macOS:         brew install redis',
  '  Docker:        docker run -d -p 6379:6379 redis:7',
  'or point REDIS_URL at a Redis you already have.',
].join('\n');

/**
 * Starts `redis-server` on 127.0.0.1:`port` and waits until it answers.
 * `dataDir` set: AOF on (appendfsync everysec) under that dir; unset: nothing kept on disk.
 * @param {{ port?: number, dataDir?: string, log?: (line: string) => void }} [options]
 */
export async function startRedisServer({ port = 6379, dataDir, log = () => {} } = {}) {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', ''];
  if (dataDir) {
    mkdirSync(dataDir, { recursive: true });
    args.push('--dir', resolve(dataDir), '--appendonly', 'yes', '--appendfsync', 'everysec');
  } else {
    args.push('--appendonly', 'no');
  }
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c) => (output += c));
  child.stderr.on('data', (c) => (output += c));
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}:\n${output}`);
    if (await pingRedis('127.0.0.1', port, 300)) {
      log(`started redis-server on 127.0.0.1:${port}${dataDir ? ` (AOF in ${dataDir})` : ''}`);
      return {
        url: `redis://127.0.0.1:${port}`,
        stop: () =>
          new Promise((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`redis-server did not answer on port ${port} within 10 s:\n${output}`);
}

/**
 * The Redis to use: REDIS_URL when set; else 127.0.0.1:6379 when it answers; else a redis-server
 * started here. Returns `{ url, stop }` (`stop` is a no-op unless we started it).
 * @param {{ dataDir?: string, log?: (line: string) => void }} [options]
 */
export async function ensureRedis({ dataDir, log = () => {} } = {}) {
  if (process.env.REDIS_URL) return { url: process.env.REDIS_URL, started: false, stop: async () => {} };
  if (await pingRedis('127.0.0.1', 6379)) return { url: 'redis://127.0.0.1:6379', started: false, stop: async () => {} };
  if (!hasRedisServer()) {
    const error = new Error(INSTALL_HINT);
    error.hint = true;
    throw error;
  }
  const server = await startRedisServer({ port: 6379, dataDir, log });
  return { ...server, started: true };
}
