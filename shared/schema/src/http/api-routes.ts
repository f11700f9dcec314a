import type { AnyRoute } from './route.js';
import { getBuildRoute, listBuildsRoute } from './builds.js';
import { compareRunsRoute } from './compare.js';
import { getDocsRoute, getOpenApiRoute } from './docs.js';
import { getFailureGroupsRoute, getFailureStatsRoute } from './failures.js';
import { getFlakyTestsRoute } from './flaky.js';
import { getHealthRoute, getLivenessRoute } from './health.js';
import { listProjectsRoute } from './projects.js';
import { deleteQuarantineRoute, getQuarantineRoute, putQuarantineRoute } from './quarantine.js';
import { getResultRoute, listResultFailuresRoute, listResultsRoute, listResultTestsRoute, postResultRoute } from './results.js';
import { getSlowestTestsRoute, getTestHistoryRoute } from './tests.js';
import { getTrendRoute } from './trend.js';
import { listWorkersRoute } from './workers.js';

/** Every route of the API, in the order the OpenAPI document lists them. */
export const apiRoutes: readonly AnyRoute[] = [
  postResultRoute, listResultsRoute, getResultRoute, listResultFailuresRoute, listResultTestsRoute,
  listBuildsRoute, getBuildRoute,
  getTrendRoute, listWorkersRoute, getFailureStatsRoute, getFailureGroupsRoute, getFlakyTestsRoute,
  getTestHistoryRoute, getSlowestTestsRoute, compareRunsRoute,
  getQuarantineRoute, putQuarantineRoute, deleteQuarantineRoute,
  listProjectsRoute, getHealthRoute, getLivenessRoute, getOpenApiRoute, getDocsRoute,
];
