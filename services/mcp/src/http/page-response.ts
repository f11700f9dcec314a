import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiRequestError } from '../api-client.js';
import { renderErrorPage } from '../render/error-page.js';
import { relativeLinks } from '../render/links.js';
import type { RenderedPage } from '../render/page-layout.js';
import { REPORT_CSP } from '../render/report-csp.js';
import { ToolFailure } from '../tool-result.js';
import type { Route } from './route.js';

/** What a page cannot show, and why: a 400 (a bad address) or a 404 (nothing stored under it). */
export class PageError extends Error {
  constructor(
    readonly status: 400 | 404,
    message: string,
  ) {
    super(message);
  }
}

type RouteContext = Parameters<Route['handle']>[2];

/** The headers of every page: the report's CSP, no caching, no sniffing, no page address sent to other sites. */
const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': REPORT_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
};

/** Sends a rendered page (no body for HEAD). */
function sendPage(req: IncomingMessage, res: ServerResponse, status: number, page: RenderedPage, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  res.writeHead(status, { ...PAGE_HEADERS, 'content-length': String(page.bytes), ...headers });
  res.end(req.method === 'HEAD' ? undefined : page.html);
}

/** Sends the error page of `status`. */
export function sendErrorPage(req: IncomingMessage, res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  sendPage(req, res, status, renderErrorPage(status, message, relativeLinks, new Date().toISOString()), headers);
}

/**
 * Renders a page and sends it: a {@link PageError} or an API 400/404 becomes that page, an unknown
 * project a 404, anything else a 502 that names nothing behind this service (the log has the cause).
 */
export async function servePage(req: IncomingMessage, res: ServerResponse, context: RouteContext, make: () => Promise<RenderedPage>): Promise<void> {
  let page: RenderedPage;
  try {
    page = await make();
  } catch (error) {
    if (error instanceof PageError) return sendErrorPage(req, res, error.status, error.message);
    if (error instanceof ToolFailure) return sendErrorPage(req, res, 404, error.message);
    if (error instanceof ApiRequestError && (error.status === 400 || error.status === 404)) {
      return sendErrorPage(req, res, error.status, error.status === 404 ? 'Nothing is stored under this address.' : 'This address asks for something the results cannot answer.');
    }
    context.logger.warn({ err: (error as Error).message, url: context.url.pathname }, 'page failed');
    return sendErrorPage(req, res, 502, 'The results cannot be read right now.');
  }
  sendPage(req, res, 200, page);
}

/**
 * The query of a page address, each value decoded strictly: a malformed `%` escape is a
 * {@link PageError} 400 (the lenient `URLSearchParams` would turn it into U+FFFD).
 */
export function pageQuery(url: URL): URLSearchParams {
  const raw = url.search.slice(1);
  for (const part of raw ? raw.split('&') : []) {
    try {
      decodeURIComponent(part.replace(/\+/g, ' '));
    } catch {
      throw new PageError(400, 'This address has a malformed % escape in its query.');
    }
  }
  return url.searchParams;
}

/** One query value: trimmed, `undefined` when absent or empty, a 400 when longer than `max`. */
export function queryValue(query: URLSearchParams, name: string, max = 255): string | undefined {
  const value = query.get(name)?.trim();
  if (!value) return undefined;
  if (value.length > max) throw new PageError(400, `The ${name} in this address is longer than ${max} characters.`);
  return value;
}

/** A required query value; a 400 naming it when missing. */
export function requiredQueryValue(query: URLSearchParams, name: string, max = 255): string {
  const value = queryValue(query, name, max);
  if (value === undefined) throw new PageError(400, `This page needs ?${name}= in its address.`);
  return value;
}

/** A page number (`?page=3`): 1 when absent, a 400 when not a positive integer. */
export function pageNumber(query: URLSearchParams, name: string): number {
  const value = queryValue(query, name, 9);
  if (value === undefined) return 1;
  if (!/^[1-9]\d*$/.test(value)) throw new PageError(400, `${name} must be a positive whole number.`);
  return Number(value);
}

/** A path segment decoded strictly; a 400 for a malformed `%` escape. */
export function pathValue(segment: string, what: string): string {
  try {
    const value = decodeURIComponent(segment);
    if (value.trim() === '') throw new Error('empty');
    return value;
  } catch {
    throw new PageError(400, `The ${what} in this address is not valid (a malformed % escape).`);
  }
}
