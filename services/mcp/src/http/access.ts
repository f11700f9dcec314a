import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { McpConfig } from '../env.js';

const LOOPBACK = ['127.0.0.1', 'localhost', '[::1]'];

/** Compares two secrets in constant time (hashing first makes the lengths equal). */
function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

/** Why a request may not reach this service, or `null` when it may. */
export type Refusal = { status: 403; code: 'forbidden_host' | 'forbidden_origin'; message: string } | { status: 401; code: 'unauthorized'; message: string };

/**
 * The checks every request but the probes passes: the Host and Origin headers name this service
 * (against DNS rebinding), and, when `API_TOKEN` or `API_READ_TOKEN` is set, a bearer token is one
 * of them (everything here only reads, so both grant the same).
 */
export function accessCheck(config: McpConfig, listeningPort: () => number): (req: IncomingMessage) => Refusal | null {
  const tokens = [config.apiToken, config.apiReadToken].filter((token) => token !== undefined);

  const hostAllowed = (host: string | undefined): boolean => {
    if (!host) return false;
    const lower = host.toLowerCase();
    if (LOOPBACK.some((name) => lower === `${name}:${listeningPort()}`) || config.allowedHosts.includes(lower)) return true;
    return config.allowedHosts.includes(lower.replace(/:\d+$/, ''));
  };

  const originAllowed = (origin: string | undefined): boolean => {
    if (origin === undefined) return true;
    try {
      const url = new URL(origin);
      return (url.protocol === 'http:' || url.protocol === 'https:') && hostAllowed(url.host || url.hostname);
    } catch {
      return false;
    }
  };

  return (req) => {
    if (!hostAllowed(req.headers.host)) {
      return { status: 403, code: 'forbidden_host', message: `Host ${JSON.stringify(req.headers.host ?? '')} is not allowed; add it to MCP_ALLOWED_HOSTS.` };
    }
    if (!originAllowed(req.headers.origin)) return { status: 403, code: 'forbidden_origin', message: `Origin ${JSON.stringify(req.headers.origin)} is not allowed.` };
    if (tokens.length === 0) return null;
    const given = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1]?.trim();
    // Every token is compared, so the timing does not tell which one matched.
    const matches = tokens.map((token) => given !== undefined && safeEqual(given, token));
    return matches.includes(true) ? null : { status: 401, code: 'unauthorized', message: 'Send Authorization: Bearer <API_TOKEN> (or API_READ_TOKEN).' };
  };
}
