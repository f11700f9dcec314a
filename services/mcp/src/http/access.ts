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
 * What an `Authorization` header presents as the token: a bearer token, or (where `basic` allows
 * it) the password of HTTP Basic. A browser sends `user:password` as typed, and a user name may
 * hold a colon of its own, so each part after a colon is a candidate.
 */
function presented(header: string | undefined, basic: boolean): string[] {
  const bearer = /^Bearer\s+(.+)$/i.exec(header ?? '')?.[1]?.trim();
  if (bearer !== undefined) return [bearer];
  const encoded = basic ? /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '')?.[1] : undefined;
  if (encoded === undefined) return [];
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  return [...decoded.matchAll(/:/g)].map((colon) => decoded.slice(colon.index + 1));
}

/**
 * The checks every request but the probes passes: the Host and Origin headers name this service
 * (against DNS rebinding), and, when `API_TOKEN` or `API_READ_TOKEN` is set, the request carries
 * one of them (everything here only reads, so both grant the same): as a bearer token, or, for the
 * pages (`basic`), as the password of HTTP Basic with any user name, so a browser can open a link
 * from an e-mail. A token never travels in a URL.
 */
export function accessCheck(config: McpConfig, listeningPort: () => number): (req: IncomingMessage, options?: { basic?: boolean }) => Refusal | null {
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

  return (req, options = {}) => {
    if (!hostAllowed(req.headers.host)) {
      return { status: 403, code: 'forbidden_host', message: `Host ${JSON.stringify(req.headers.host ?? '')} is not allowed; add it to MCP_ALLOWED_HOSTS.` };
    }
    if (!originAllowed(req.headers.origin)) return { status: 403, code: 'forbidden_origin', message: `Origin ${JSON.stringify(req.headers.origin)} is not allowed.` };
    if (tokens.length === 0) return null;
    const given = presented(req.headers.authorization, options.basic ?? false);
    // Every token is compared, so the timing does not tell which one matched.
    const matches = tokens.flatMap((token) => given.map((candidate) => safeEqual(candidate, token)));
    if (matches.includes(true)) return null;
    const how = options.basic ? 'Sign in with the token as the password (any user name), or send' : 'Send';
    return { status: 401, code: 'unauthorized', message: `${how} Authorization: Bearer <API_TOKEN> (or API_READ_TOKEN).` };
  };
}
