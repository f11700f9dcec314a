import { z } from 'zod';
import { FailureStatsSchema } from '../api.js';
import { FailureGroupsSchema } from '../intelligence.js';
import { readErrors } from './error-responses.js';
import { anyProjectScope, count, isoTime, projectScope, tag } from './query-fields.js';
import { defineRoute } from './route.js';

const days = () => count(7, 365, 'Window in whole UTC days, today included: `days=7` counts runs started since 00:00 UTC six days ago.');

export const getFailureStatsRoute = defineRoute({
  method: 'get',
  path: '/failures/stats',
  operationId: 'getFailureStats',
  tag: 'stats',
  summary: 'Tests that failed most often in the window; failure_rate = failures / runs',
  query: z.object({
    ...anyProjectScope(),
    tag: tag(),
    days: days(),
    since: isoTime('Instead of `days`: count runs started at or after this time (a rolling window, e.g. the last 24 hours). Giving both is a 400.'),
    limit: count(20, 500, 'Number of tests.'),
  }),
  response: { status: 200, name: 'FailureStats', schema: FailureStatsSchema },
  errors: readErrors,
});

export const getFailureGroupsRoute = defineRoute({
  method: 'get',
  path: '/failures/groups',
  operationId: 'getFailureGroups',
  tag: 'intelligence',
  summary: 'Failures of the window grouped by signature (normalized message: numbers, ids, paths, quoted values masked; exception type kept)',
  query: z.object({
    ...projectScope(),
    days: days(),
    limit: count(20, 200, 'Number of groups.'),
  }),
  response: { status: 200, name: 'FailureGroups', schema: FailureGroupsSchema },
  errors: readErrors,
});
