import type { Context } from 'koa';
import { HttpError } from './http-error.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads the request body as JSON: `application/json` (or `+json`) only, at most `maxBytes`
 * (checked against Content-Length before reading, and while reading).
 */
export async function readJsonBody(ctx: Context, maxBytes: number): Promise<unknown> {
  if (!ctx.is('application/json', '+json')) {
    throw new HttpError(415, 'unsupported_media_type', `Content-Type must be application/json, got ${JSON.stringify(ctx.get('Content-Type') || null)}`);
  }
  const encoding = ctx.get('Content-Encoding').toLowerCase();
  if (encoding && encoding !== 'identity') {
    throw new HttpError(415, 'unsupported_media_type', `Content-Encoding ${JSON.stringify(encoding)} is not supported; send the body uncompressed`);
  }
  const tooLarge = () => new HttpError(413, 'payload_too_large', `body larger than ${maxBytes} bytes (limits.entryBytes)`);
  const declared = ctx.request.length;
  if (declared !== undefined && declared > maxBytes) throw tooLarge();

  const body = await new Promise<Buffer>((resolve, reject) => {
    const req = ctx.req;
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        cleanup();
        // Answer 413 at once and discard what the client still sends: closing the connection
        // under a client that is still writing resets it, and a reset can lose the response before
        // the client reads it. A client that keeps sending is cut off a few seconds later.
        req.on('data', () => {});
        req.resume();
        const cutOff = setTimeout(() => req.destroy(), 5_000);
        cutOff.unref();
        req.once('close', () => clearTimeout(cutOff));
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks, size));
    };
    // The client went away or broke its chunked encoding: its fault, answered (if it still listens) as such.
    const onError = () => {
      cleanup();
      reject(new HttpError(400, 'invalid_json', 'the body ended early: the connection closed or its chunked encoding is malformed'));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    throw new HttpError(400, 'invalid_json', 'body is not valid UTF-8');
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new HttpError(400, 'invalid_json', `body is not valid JSON: ${(error as Error).message}`);
  }
}
