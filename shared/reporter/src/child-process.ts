import { spawn } from 'node:child_process';
import os from 'node:os';

/**
 * Runs a command with the terminal passed through, forwarding SIGINT and SIGTERM to it; resolves
 * with its exit code (`128 + signal` when a signal ended it, 127 when it could not start).
 */
export function runChild(command: readonly string[], onError: (message: string) => void): Promise<{ code: number; signal: NodeJS.Signals | null }> {
  const [program, ...args] = command as [string, ...string[]];
  return new Promise((resolve) => {
    const child = spawn(program, args, { stdio: 'inherit' });
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    const done = (code: number, signal: NodeJS.Signals | null) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      resolve({ code, signal });
    };
    child.on('error', (error) => {
      onError(`cannot run ${program}: ${error.message}`);
      done(127, null);
    });
    child.on('exit', (code, signal) => done(code ?? 128 + (signal ? os.constants.signals[signal] : 0), signal));
  });
}
