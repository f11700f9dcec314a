/** A report that cannot be imported; `reason` is one line a person can act on. */
export class ImportError extends Error {
  readonly reason: string;
  /** The line of the report the reason is about, when known. */
  readonly line: number | null;

  constructor(reason: string, options: { line?: number } = {}) {
    super(reason);
    this.name = 'ImportError';
    this.reason = reason;
    this.line = options.line ?? null;
  }
}
