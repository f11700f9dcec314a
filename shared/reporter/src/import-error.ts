/** A report that cannot be imported; `reason` is one line a person can act on. */
export class ImportError extends Error {
  readonly reason: string;

  constructor(reason: string) {
    super(reason);
    this.name = 'ImportError';
    this.reason = reason;
  }
}
