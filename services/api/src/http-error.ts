import type { ErrorBody, ErrorCode } from '@pytest-platform/schema';

/** The one error type handlers throw; the error middleware turns it into `{"error":{"code","message"}}`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }

  toJSON(): ErrorBody {
    return { error: { code: this.code, message: this.message } };
  }
}
