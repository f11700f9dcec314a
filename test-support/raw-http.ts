import { connect, type Socket } from 'node:net';

/** What a server did with a connection: the bytes it answered and whether it closed the connection itself. */
export interface RawAnswer {
  /** Everything the server sent, as text. */
  response: string;
  /** The status of the first response line, or `null` when none came. */
  status: number | null;
  /** `true` when the server ended or reset the connection; `false` when the client gave up waiting (`hangMs`). */
  closedByServer: boolean;
  /** The socket error (e.g. `ECONNRESET`), if any. */
  error: string | undefined;
}

/** Collects what the server sends on `socket` until it closes it, or until `hangMs` passed (a bound on a hang). */
export function answerOf(socket: Socket, hangMs: number): Promise<RawAnswer> {
  return new Promise((resolve) => {
    let response = '';
    let error: string | undefined;
    let closedByServer = true;
    const timer = setTimeout(() => {
      closedByServer = false;
      socket.destroy();
    }, hangMs);
    socket.on('data', (chunk: Buffer) => (response += chunk.toString('latin1')));
    socket.on('error', (caught: NodeJS.ErrnoException) => (error = caught.code ?? caught.message));
    socket.on('close', () => {
      clearTimeout(timer);
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(response);
      resolve({ response, status: status ? Number(status[1]) : null, closedByServer, error });
    });
  });
}

/** Opens a TCP connection to 127.0.0.1:`port`; resolves once connected. */
export function openSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/**
 * Sends `parts` as they are (a malformed request, garbage), `gapMs` apart, and resolves with the
 * server's answer once it closes the connection, or after `hangMs`.
 */
export async function rawRequest(port: number, parts: readonly (string | Buffer)[], options: { gapMs?: number; hangMs?: number } = {}): Promise<RawAnswer> {
  const socket = await openSocket(port);
  const answer = answerOf(socket, options.hangMs ?? 10_000);
  for (const [index, part] of parts.entries()) {
    if (index > 0 && options.gapMs) await new Promise((resolve) => setTimeout(resolve, options.gapMs));
    if (socket.destroyed) break;
    socket.write(part);
  }
  return answer;
}
