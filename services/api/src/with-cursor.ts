import { InvalidCursorError } from '@pytest-platform/db';
import { HttpError } from './http-error.js';

/** Runs a paged read; a `cursor` this API did not hand out is a 400 `invalid_query` naming it. */
export async function withCursor<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof InvalidCursorError) throw new HttpError(400, 'invalid_query', `cursor: ${error.message}`);
    throw error;
  }
}
