import type { ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { startRedisServer } from '../test-support/redis-server.js';
import { freePort } from '../test-support/services.js';

export type Appendfsync = 'always' | 'everysec';

/**
 * A redis-server of one scenario's own (never the shared one other tests use): a free port, AOF on
 * in `dir`, so it can be killed, frozen and restarted from its AOF.
 */
export interface PrivateRedis {
  readonly url: string;
  readonly appendfsync: Appendfsync;
  /** The running process's id. */
  readonly pid: number;
  /** Sends `signal` and waits until the process is gone (SIGKILL: a crash; SIGTERM: a clean shutdown that fsyncs the AOF). */
  kill(signal: 'SIGKILL' | 'SIGTERM'): Promise<void>;
  /** Starts it again on the same port and directory: it loads the AOF before it accepts connections. */
  restart(): Promise<void>;
  /** `SIGSTOP`: the process stops answering; its connections stay open and the kernel still accepts new ones. */
  freeze(): void;
  /** `SIGCONT`. */
  thaw(): void;
  /** Stops it (SIGKILL, after a thaw) if it runs. */
  stop(): Promise<void>;
}

export async function startPrivateRedis(dir: string, appendfsync: Appendfsync): Promise<PrivateRedis> {
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const command = [
    'redis-server', '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', dir,
    '--appendonly', 'yes', '--appendfsync', appendfsync, '--enable-debug-command', 'yes',
  ];
  let proc: ChildProcess = await startRedisServer(command, dir);
  const gone = (p: ChildProcess) => p.exitCode !== null || p.signalCode !== null;
  const kill = (signal: NodeJS.Signals) =>
    new Promise<void>((resolve) => {
      if (gone(proc)) return resolve();
      proc.once('exit', () => resolve());
      proc.kill(signal);
    });
  return {
    url: `redis://127.0.0.1:${port}`,
    appendfsync,
    get pid() {
      return proc.pid ?? -1;
    },
    kill,
    async restart() {
      proc = await startRedisServer(command, dir);
    },
    freeze: () => void proc.kill('SIGSTOP'),
    thaw: () => void proc.kill('SIGCONT'),
    async stop() {
      if (gone(proc)) return;
      proc.kill('SIGCONT');
      await kill('SIGKILL');
    },
  };
}
