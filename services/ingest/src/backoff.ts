const BASE_MS = 200;
const CAP_MS = 5000;

/** Exponential delay for the `attempt`-th retry (from 1), capped at 5 s. */
export const backoffMs = (attempt: number) => Math.min(CAP_MS, BASE_MS * 2 ** Math.max(0, attempt - 1));

/** Resolves after `ms`, or at once when `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
