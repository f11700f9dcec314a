import { join } from 'node:path';
import { repoRoot } from '../../../test-support/services.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRunWriter, listFlakyTests } from '@pytest-platform/db';
import { importReportFile } from '@pytest-platform/reporter';
import { dialects, tempStore } from './helpers.js';

const junit = join(repoRoot, 'test-support/fixtures/reports/junit');
const fixtures = [
  { file: 'maven-surefire/mikepenz__surefire-flakyFailure.xml', project: 'surefire', nodeid: 'io.sodadata.dependson.soda.integrations.msteams.MicrosoftTeamsCrudTest::createWebhook' },
  { file: 'gradle/gmazzo__TEST-FlakyTestSuite-test-retry.xml', project: 'gradle', nodeid: 'org.test.sample.FlakyTestSuite::flakyTest()' },
];

describe.each(dialects)('retried tests imported from JUnit reports on %s', (dialect) => {
  let ctx: Awaited<ReturnType<typeof tempStore>>;
  beforeAll(async () => {
    ctx = await tempStore(dialect);
    const writer = createRunWriter(ctx.store);
    for (const f of fixtures) {
      const run = await importReportFile(join(junit, f.file), {
        identity: { project: f.project, branch: 'main', commit: 'abc1234', worker_id: 'ci-1', environment: {} },
      });
      await writer.write([{ type: 'run', data: run }]);
    }
  });
  afterAll(() => ctx.cleanup());

  it.each(fixtures)('$file: the test that passed after retries is flaky by rule (a)', async ({ project, nodeid }) => {
    const flaky = await listFlakyTests(ctx.store.db, { project, branch: 'main', window: 30, limit: 10 });
    expect(flaky.items).toHaveLength(1);
    expect(flaky.items[0]).toMatchObject({ nodeid, kinds: ['retry'], runs: 1, passed: 1, failed: 0, flips: 0, flip_rate: null });
    expect(flaky.items[0]?.evidence.retry).toHaveLength(1);
  });
});
