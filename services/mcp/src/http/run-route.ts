import {
  getResultRoute, listResultFailuresRoute, listResultTestsRoute, OutcomeSchema, type ClassifiedFailure, type Outcome, type RunDetail,
} from '@pytest-platform/schema';
import { ApiRequestError, type ApiClient } from '../api-client.js';
import { relativeLinks } from '../render/links.js';
import { renderRunPage, runPageLimits, type FailuresPage, type TestsPage } from '../render/run-page.js';
import { PageError, pageNumber, pageQuery, pathValue, queryValue, servePage } from './page-response.js';
import type { Route } from './route.js';

/** Tests one page reads from the API at most (the API's own cap of `GET /results/{id}/tests`). */
const TESTS_READ_CAP = 10_000;

const classOrder: Record<ClassifiedFailure['classification'], number> = { new: 0, recurring: 1, flaky: 2 };
const newFirst = (items: readonly ClassifiedFailure[]) => [...items].sort((a, b) => classOrder[a.classification] - classOrder[b.classification]);

/** `failures=<page>:<cursor>`: the page number shown, and the API's cursor to it. */
function parseFailuresParam(value: string | undefined): { page: number; cursor: string } | null {
  if (value === undefined) return null;
  const match = /^([1-9]\d{0,8}):(.{1,200})$/.exec(value);
  if (!match) throw new PageError(400, 'failures must be a page link taken from this page.');
  return { page: Number(match[1]), cursor: match[2]! };
}

async function loadFailures(api: ApiClient, run: RunDetail, param: string | undefined): Promise<FailuresPage> {
  const at = parseFailuresParam(param);
  const limit = runPageLimits.failuresPerPage;
  const page = at
    ? await api.call(listResultFailuresRoute, { params: { run_id: run.run_id }, query: { limit, cursor: at.cursor } })
    : { items: run.failures, next_cursor: run.failures_next_cursor, total: run.failures_total };
  const number = at?.page ?? 1;
  const whole = number === 1 && page.next_cursor === null;
  const classes = whole ? { new: 0, recurring: 0, flaky: 0 } : null;
  if (classes) for (const f of page.items) classes[f.classification] += 1;
  return {
    items: newFirst(page.items),
    total: page.total,
    classes,
    page: number,
    param,
    next: page.next_cursor === null ? null : `${number + 1}:${page.next_cursor}`,
  };
}

async function loadTests(api: ApiClient, runId: string, query: URLSearchParams): Promise<TestsPage> {
  const rawOutcome = queryValue(query, 'outcome', 20);
  const parsedOutcome = rawOutcome === undefined ? undefined : OutcomeSchema.safeParse(rawOutcome);
  if (parsedOutcome && !parsedOutcome.success) throw new PageError(400, `outcome must be one of ${OutcomeSchema.options.join(', ')}.`);
  const outcome: Outcome | undefined = parsedOutcome?.data;
  const tag = queryValue(query, 'tag', 255);
  const q = queryValue(query, 'q', 500);
  const page = pageNumber(query, 'page');
  const perPage = runPageLimits.testsPerPage;
  // Without a text filter, only the tests up to this page (and one more, to know a next one exists) are read.
  const limit = q === undefined ? Math.min(TESTS_READ_CAP, page * perPage + 1) : TESTS_READ_CAP;
  const read = (await api.call(listResultTestsRoute, { params: { run_id: runId }, query: { outcome, tag, limit } })).items;
  const needle = q?.toLowerCase();
  const matching = needle === undefined ? read : read.filter((t) => t.nodeid.toLowerCase().includes(needle) || (t.message ?? '').toLowerCase().includes(needle));
  const capped = read.length >= TESTS_READ_CAP;
  return {
    filters: { outcome, tag, q },
    items: matching.slice((page - 1) * perPage, page * perPage),
    page,
    matched: matching.length,
    cap: capped ? TESTS_READ_CAP : null,
  };
}

/**
 * `GET /runs/{run_id}`, the link reporters print after a run: the run's page. `?failures=` pages
 * through its failures (50 a page), `?outcome=&tag=&q=&page=` filter and page its tests.
 */
export const runRoute: Route = {
  methods: ['GET', 'HEAD'],
  page: true,
  path: /^\/runs\/([^/]+)$/,
  handle(req, res, context) {
    return servePage(req, res, context, async () => {
      const { api } = context;
      const runId = pathValue(context.params[0]!, 'run id');
      const query = pageQuery(context.url);
      const failuresParam = queryValue(query, 'failures', 220);
      let run: RunDetail;
      try {
        run = await api.call(getResultRoute, { params: { run_id: runId }, query: { failures_limit: runPageLimits.failuresPerPage } });
      } catch (error) {
        if (error instanceof ApiRequestError && error.status === 404) {
          throw new PageError(404, `No run ${JSON.stringify(runId.slice(0, 128))} is stored. A run appears here once it has been sent and stored.`);
        }
        throw error;
      }
      const [previous, failures, tests] = await Promise.all([
        api.results({ project: run.project, branch: run.branch ?? undefined, until: run.started_at, limit: 1 }),
        loadFailures(api, run, failuresParam),
        loadTests(api, run.run_id, query),
      ]);
      return renderRunPage({ generatedAt: new Date().toISOString(), run, previous: previous.items[0] ?? null, failures, tests }, relativeLinks);
    });
  },
};
