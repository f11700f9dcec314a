import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { ConfigError } from './config-error.js';
import type { Values } from './read-variables.js';

/** The variables of {@link HttpLimits}, read by every HTTP service. */
export const httpLimitVariables = ['HTTP_HEADERS_TIMEOUT_MS', 'HTTP_REQUEST_TIMEOUT_MS', 'HTTP_KEEPALIVE_TIMEOUT_MS', 'HTTP_MAX_CONNECTIONS'] as const;

/** How long a client may hold a connection and how many it may hold: what a slow or flooding client gets. */
export interface HttpLimits {
  /** A request's headers must have arrived this long after its first byte (or the connection's start). @defaultValue 10000 (`HTTP_HEADERS_TIMEOUT_MS`) */
  headersTimeoutMs: number;
  /** A whole request, body included, must have arrived within this. @defaultValue 30000 (`HTTP_REQUEST_TIMEOUT_MS`) */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. @defaultValue 5000 (`HTTP_KEEPALIVE_TIMEOUT_MS`) */
  keepAliveTimeoutMs: number;
  /** Connections held at once; further ones are closed as they arrive. @defaultValue 1000 (`HTTP_MAX_CONNECTIONS`) */
  maxConnections: number;
}

/** The limits from their variables; the headers are part of the request, so their timeout may not exceed the request's. */
export function httpLimits(values: Values<(typeof httpLimitVariables)[number]>): HttpLimits {
  if (values.HTTP_HEADERS_TIMEOUT_MS > values.HTTP_REQUEST_TIMEOUT_MS) {
    throw new ConfigError(
      'HTTP_HEADERS_TIMEOUT_MS',
      `expected at most HTTP_REQUEST_TIMEOUT_MS (${values.HTTP_REQUEST_TIMEOUT_MS}): the headers are part of the request`,
      String(values.HTTP_HEADERS_TIMEOUT_MS),
    );
  }
  return {
    headersTimeoutMs: values.HTTP_HEADERS_TIMEOUT_MS,
    requestTimeoutMs: values.HTTP_REQUEST_TIMEOUT_MS,
    keepAliveTimeoutMs: values.HTTP_KEEPALIVE_TIMEOUT_MS,
    maxConnections: values.HTTP_MAX_CONNECTIONS,
  };
}

/** The limits as a startup log line states them. */
export const describeHttpLimits = (limits: HttpLimits) => ({
  headers_timeout_ms: limits.headersTimeoutMs,
  request_timeout_ms: limits.requestTimeoutMs,
  keep_alive_timeout_ms: limits.keepAliveTimeoutMs,
  max_connections: limits.maxConnections,
});

/** What a request Node could not take is answered with, by its parser's error code. */
function clientErrorAnswer(code: string | undefined): { status: number; reason: string; code: string; message: string } {
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return { status: 408, reason: 'Request Timeout', code: 'request_timeout', message: 'the request did not arrive in time (HTTP_HEADERS_TIMEOUT_MS / HTTP_REQUEST_TIMEOUT_MS)' };
  }
  if (code === 'HPE_HEADER_OVERFLOW') return { status: 431, reason: 'Request Header Fields Too Large', code: 'headers_too_large', message: 'the request headers are too large' };
  return { status: 400, reason: 'Bad Request', code: 'bad_request', message: `malformed HTTP request${code ? ` (${code})` : ''}` };
}

/**
 * Applies `limits` to `server` (before it listens) and answers requests Node cannot parse or that
 * arrive too slowly with a JSON error (`{"error":{"code","message"}}`) before closing the
 * connection. `onClientError` hears of each, for the log.
 */
export function guardHttpServer(server: Server, limits: HttpLimits, onClientError: (error: Error & { code?: string }) => void): void {
  server.headersTimeout = limits.headersTimeoutMs;
  server.requestTimeout = limits.requestTimeoutMs;
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  server.maxConnections = limits.maxConnections;
  // How often Node looks for connections past the two timeouts (its default, 30 s, would stretch them).
  // Read when the server starts listening; a constructor option in the typings only.
  (server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval = Math.min(1_000, Math.max(50, Math.floor(limits.headersTimeoutMs / 4)));
  server.on('clientError', (error: Error & { code?: string }, socket: Duplex) => {
    if (error.code !== 'ECONNRESET') onClientError(error);
    // A response already on its way (a bad chunk in a body being answered) is not interrupted by a second one.
    const answering = (socket as { _httpMessage?: { headersSent?: boolean } | null })._httpMessage?.headersSent === true;
    if (!socket.writable || answering || error.code === 'ECONNRESET') {
      socket.destroy();
      return;
    }
    const answer = clientErrorAnswer(error.code);
    const body = JSON.stringify({ error: { code: answer.code, message: answer.message } });
    socket.end(
      `HTTP/1.1 ${answer.status} ${answer.reason}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\n`
      + `cache-control: no-store\r\nconnection: close\r\n\r\n${body}`,
    );
  });
}
