import { spawn, type ChildProcess } from 'node:child_process';

/**
 * Starts `command` (a `redis-server` command line) in `cwd` and resolves once it accepts
 * connections; rejects with its output when it exits first or is not ready within 10 s.
 */
export async function startRedisServer(command: readonly string[], cwd: string): Promise<ChildProcess> {
  const proc = spawn(command[0]!, command.slice(1), { cwd });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${output}`)), 10_000);
    proc.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with ${code}:\n${output}`));
    });
  });
  return proc;
}
