import { RunComparisonSchema, RunDetailSchema, RunPageSchema } from '@pytest-platform/schema';
import type { RunComparison, RunDetail } from '@pytest-platform/schema';
import type { z } from 'zod';
import { MESSAGE_CHARS, NODEID_CHARS, cutText, markdownSummary, markdownText } from './run-output.js';
import { firstLine } from './text.js';

/** Where the read API is and how to authenticate to it. */
export interface ApiTarget {
  /** `API_URL` @defaultValue `http://127.0.0.1:8080` */
  url: string;
  /** `API_TOKEN`, else `API_READ_TOKEN`: sent as `Authorization: Bearer`. */
  token: string | null;
  /** @defaultValue `10000` */
  timeoutMs?: number;
}

/** The API could not answer the question; `message` is one line a person can act on. */
export class SummaryError extends Error {
  override readonly name = 'SummaryError';
}

const MAX_LISTED = 20;

async function getJson<S extends z.ZodType>(api: ApiTarget, path: string, schema: S, notFound: string): Promise<z.infer<S>> {
  const url = `${api.url.replace(/\/+$/, '')}${path}`;
  let response: Response;
  try {
    response = await fetch(url, {
      headers: api.token ? { authorization: `Bearer ${api.token}` } : {},
      signal: AbortSignal.timeout(api.timeoutMs ?? 10_000),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const reason = cause?.code ?? cause?.message ?? (error as Error).message;
    throw new SummaryError(`cannot reach the API at ${api.url} (${reason}); set API_URL to where it listens`);
  }
  if (response.status === 404) throw new SummaryError(notFound);
  if (response.status === 401 || response.status === 403) {
    throw new SummaryError(`the API at ${api.url} refused the request (${response.status}): set API_TOKEN or API_READ_TOKEN to a token it accepts`);
  }
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const message = (body as { error?: { message?: string } } | null)?.error?.message ?? response.statusText;
    throw new SummaryError(`the API at ${api.url} answered ${response.status} for ${path}: ${message}`);
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new SummaryError(`the API at ${api.url} answered ${path} with an unexpected body: is API_URL the pytest-platform API?`);
  return parsed.data;
}

/** The run of `branch` that started just before `run`, or `null`. */
async function previousRun(api: ApiTarget, run: RunDetail, branch: string): Promise<string | null> {
  const query = new URLSearchParams({ project: run.project, branch, until: run.started_at, limit: '5' });
  const page = await getJson(api, `/results?${query}`, RunPageSchema, `the API at ${api.url} has no /results route`);
  return page.items.find((item) => item.run_id !== run.run_id)?.run_id ?? null;
}

function newFailuresSection(comparison: RunComparison): string {
  const { count, items } = comparison.newly_failing;
  const base = markdownText(comparison.base.run_id);
  if (count === 0) return `\n#### New failures\n\nNone since the branch's previous run ${base}.\n`;
  let markdown = `\n#### New failures: ${count} since the branch's previous run ${base}\n\n| New failure | Message |\n| --- | --- |\n`;
  for (const test of items.slice(0, MAX_LISTED)) markdown += `| ${markdownText(cutText(test.nodeid, NODEID_CHARS))} | ${markdownText(cutText(firstLine(test.message) ?? '', MESSAGE_CHARS))} |\n`;
  if (count > MAX_LISTED) markdown += `\n…and ${count - MAX_LISTED} more new failures.\n`;
  return markdown;
}

/**
 * A run from the API as the Markdown of a CI step summary (the same as the reporters append to
 * `GITHUB_STEP_SUMMARY`), plus the tests that fail in it but did not in the branch's previous run.
 * Throws {@link SummaryError} when the API is unreachable or does not know the run.
 */
export async function summaryMarkdown(api: ApiTarget, runId: string, options: { publicUrl: string | null }): Promise<string> {
  const run = await getJson(api, `/results/${encodeURIComponent(runId)}`, RunDetailSchema, `the API at ${api.url} has no run ${runId}`);
  let markdown = markdownSummary({ ...run, tests: run.failures, failuresTotal: run.failures_total }, options);
  if (run.branch === null) return `${markdown}\n#### New failures\n\nThe run has no branch, so there is no previous run to compare it with.\n`;
  const previous = await previousRun(api, run, run.branch);
  if (previous === null) return `${markdown}\n#### New failures\n\nNo earlier run of branch ${markdownText(run.branch)} to compare with.\n`;
  const query = new URLSearchParams({ base: previous, head: run.run_id });
  markdown += newFailuresSection(await getJson(api, `/compare?${query}`, RunComparisonSchema, `the API at ${api.url} no longer has run ${previous}`));
  return markdown;
}
