/** How long one dependency check may take before it counts as down. */
const CHECK_TIMEOUT_MS = 1_500;

/** `promise`, or a rejection naming `what` once it took longer than {@link CHECK_TIMEOUT_MS}. */
export function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export const errorMessage = (error: unknown): string => (error instanceof Error ? error.message : String(error));
