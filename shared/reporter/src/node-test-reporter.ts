import path from 'node:path';
import type { Outcome } from '@pytest-platform/schema';
import { RunCollector } from './run-collector.js';
import { formatShard } from './run-identity.js';

/** The fields of a `node:test` reporter event this reporter reads. */
interface NodeTestEventData {
  name: string;
  nesting: number;
  file?: string;
  line?: number;
  skip?: boolean | string;
  todo?: boolean | string;
  details?: {
    duration_ms?: number;
    type?: 'suite' | 'test';
    error?: { message?: string; stack?: string; failureType?: string; cause?: unknown };
  };
}

type NodeTestEvent = { type: string; data?: unknown };

const reasonOf = (flag: boolean | string | undefined, fallback: string) => (typeof flag === 'string' && flag ? flag : fallback);

function describeError(error: NonNullable<NodeTestEventData['details']>['error']): { message: string | null; longrepr: string | null } {
  if (!error) return { message: null, longrepr: null };
  const cause = error.cause instanceof Error ? error.cause : null;
  const message = cause?.message ?? error.message ?? null;
  return { message, longrepr: cause?.stack ?? error.stack ?? message };
}

/** `--test-shard=k/n` of the `node --test` process this reporter runs in. */
function testShard(execArgv: readonly string[]): string | null {
  const index = execArgv.findIndex((arg) => arg === '--test-shard' || arg.startsWith('--test-shard='));
  if (index === -1) return null;
  const value = execArgv[index]?.includes('=') ? execArgv[index]?.slice('--test-shard='.length) : execArgv[index + 1];
  const match = /^(\d+)\/(\d+)$/.exec(value ?? '');
  return match ? formatShard(Number(match[1]), Number(match[2])) : null;
}

/**
 * A `node:test` reporter (`--test-reporter=@pytest-platform/reporter/node-test`). It writes
 * nothing itself, so pair it with another reporter for the console. Node ids are
 * `<file>::<describe>::…::<test>`. Node 20's runner has no retries: attempts are always 1.
 * `--test-shard` is the run's shard.
 */
// eslint-disable-next-line require-yield -- node:test requires a generator; this reporter only listens
export default async function* nodeTestReporter(source: AsyncIterable<NodeTestEvent>): AsyncGenerator<string> {
  const cwd = process.cwd();
  const collector = new RunCollector({
    cwd, framework: 'node:test', frameworkVersion: process.versions.node, overrides: { shard: testShard(process.execArgv) ?? undefined },
  });
  collector.start();
  const stacks = new Map<string, string[]>();
  for await (const event of source) {
    if (event.type !== 'test:start' && event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const data = event.data as NodeTestEventData;
    const file = data.file ? path.relative(cwd, data.file).split(path.sep).join('/') : '';
    const stack = stacks.get(file) ?? [];
    stacks.set(file, stack);
    if (event.type === 'test:start') {
      stack.length = data.nesting;
      stack[data.nesting] = data.name;
      continue;
    }
    if (data.details?.type === 'suite') continue;
    let outcome: Outcome;
    let message: string | null = null;
    let longrepr: string | null = null;
    if (data.skip !== undefined && data.skip !== false) {
      outcome = 'skipped';
      message = reasonOf(data.skip, 'skipped');
    } else if (data.todo !== undefined && data.todo !== false) {
      // A todo test may run and fail without failing the run: it is neither pass nor failure.
      outcome = 'skipped';
      message = `todo: ${reasonOf(data.todo, data.name)}`;
    } else if (event.type === 'test:pass') {
      outcome = 'passed';
    } else {
      const failureType = data.details?.error?.failureType;
      outcome = failureType === 'hookFailed' ? 'error' : failureType === 'cancelledByParent' ? 'skipped' : 'failed';
      ({ message, longrepr } = describeError(data.details?.error));
      if (failureType === 'cancelledByParent') longrepr = null;
    }
    const suites = stack.slice(0, data.nesting).filter((name) => name !== undefined && name !== data.file);
    collector.add({
      nodeid: [file, ...suites, data.name].filter(Boolean).join('::'),
      outcome,
      duration: (data.details?.duration_ms ?? 0) / 1000,
      message,
      longrepr,
      attempts: 1,
      file: file || null,
      line: data.line ?? null,
    });
  }
  await collector.finish();
}
