import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { MAX_FAILURES_PAGE, parseQuarantineEvent, streamNames, type QuarantineChange, type RunDetail } from '@pytest-platform/schema';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { ApiClient } from '../api-client.js';
import type { Logger } from '../logger.js';
import type { MailConfig } from './mail-config.js';
import type { AlertData, AlertTest } from './email-alert.js';
import { ALERTS_GROUP, alertJobId, mailKeys } from './mail-keys.js';
import { QuarantineChanges } from './quarantine-changes.js';

/** How long a run's decision is remembered (a redelivered event within it decides the same). */
const DECISION_TTL_SECONDS = 7 * 86_400;
const BLOCK_MS = 2_000;
const CLAIM_EVERY_MS = 30_000;
const CLAIM_IDLE_MS = 60_000;

/**
 * Forgets the tests that passed, records the failing ones not yet alerted and returns those, in one
 * step; a run decided before returns its earlier decision.
 * KEYS: alerted hash, decision key. ARGV: run id, ttl, n, n passed node ids, failing node ids.
 */
const DECIDE = `
local prior = redis.call('GET', KEYS[2])
if prior then return prior end
local n = tonumber(ARGV[3])
for i = 4, 3 + n do redis.call('HDEL', KEYS[1], ARGV[i]) end
local fresh = {}
for i = 4 + n, #ARGV do
  if redis.call('HSETNX', KEYS[1], ARGV[i], ARGV[1]) == 1 then fresh[#fresh + 1] = ARGV[i] end
end
local decision = '[]'
if #fresh > 0 then decision = cjson.encode(fresh) end
redis.call('SET', KEYS[2], decision, 'EX', tonumber(ARGV[2]))
return decision
`;

type Entry = [id: string, fields: string[]];

function fieldMap(fields: readonly string[]): Map<string, string> {
  const map = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2) map.set(fields[i] as string, fields[i + 1] as string);
  return map;
}

export interface AlertWatcherDeps {
  config: MailConfig;
  api: ApiClient;
  redis: Redis;
  /** Carries only XREADGROUP BLOCK; closed to stop. */
  blocking: Redis;
  queue: Queue;
  logger: Logger;
  /** `PUBLIC_URL`: the alert links to the run and test pages; unset: no links. */
  publicUrl: string | undefined;
}

/**
 * Reads `<stream>:events` in the `alerts` consumer group and queues one alert per finished run on a
 * watched branch in which tests newly failed. Events are acknowledged after the decision and the
 * job are stored; an event whose handling failed stays pending and is claimed again. Quarantine
 * changes (`quarantine.changed`) are kept per project until the project's next alert names them.
 */
export class AlertWatcher {
  readonly #deps: AlertWatcherDeps;
  readonly #events: string;
  readonly #consumer = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  #closed = false;
  #loop: Promise<void> | null = null;
  #lastClaim = 0;
  readonly #quarantine: QuarantineChanges;

  constructor(deps: AlertWatcherDeps) {
    this.#deps = deps;
    this.#events = streamNames(deps.config.resultsStream).events;
    this.#quarantine = new QuarantineChanges(deps.redis, deps.config.queuePrefix);
  }

  /** Creates the group (at the end of the stream: history is never alerted on) and starts reading. */
  async start(): Promise<void> {
    try {
      await this.#deps.redis.call('XGROUP', 'CREATE', this.#events, ALERTS_GROUP, '$', 'MKSTREAM');
    } catch (error) {
      if (!(error instanceof Error && error.message.startsWith('BUSYGROUP'))) throw error;
    }
    this.#loop = this.#run();
  }

  async close(): Promise<void> {
    if (this.#closed) return this.#loop ?? undefined;
    this.#closed = true;
    this.#deps.blocking.disconnect();
    await this.#loop;
  }

  async #run(): Promise<void> {
    const { logger } = this.#deps;
    while (!this.#closed) {
      try {
        if (Date.now() - this.#lastClaim > CLAIM_EVERY_MS) {
          this.#lastClaim = Date.now();
          const [, claimed] = (await this.#deps.redis.call(
            'XAUTOCLAIM', this.#events, ALERTS_GROUP, this.#consumer, String(CLAIM_IDLE_MS), '0-0', 'COUNT', '100',
          )) as [string, Entry[]];
          await this.#handleAll(claimed);
        }
        const reply = (await this.#deps.blocking.call(
          'XREADGROUP', 'GROUP', ALERTS_GROUP, this.#consumer, 'COUNT', '50', 'BLOCK', String(BLOCK_MS), 'STREAMS', this.#events, '>',
        )) as [string, Entry[]][] | null;
        await this.#handleAll(reply?.[0]?.[1] ?? []);
      } catch (error) {
        if (this.#closed) break;
        logger.warn({ err: error }, 'alerts: reading run events failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    }
  }

  async #handleAll(entries: readonly Entry[]): Promise<void> {
    for (const [id, fields] of entries) {
      if (!fields) continue;
      try {
        await this.#handle(fieldMap(fields), id);
        await this.#deps.redis.xack(this.#events, ALERTS_GROUP, id);
      } catch (error) {
        this.#deps.logger.warn({ err: error, event: id }, 'alerts: could not judge a run; it stays pending and is retried');
      }
    }
  }

  async #handle(event: Map<string, string>, id: string): Promise<void> {
    const { config, api, redis, queue, logger, publicUrl } = this.#deps;
    const change = parseQuarantineEvent(event);
    if (change) return this.#quarantine.record(id, change);
    if (event.get('type') !== 'run.stored' || event.get('finished') !== '1') return;
    const branch = event.get('branch') ?? '';
    const runId = event.get('run_id') ?? '';
    if (!branch || !config.alertBranches.includes(branch) || !runId) return;
    // The first page of the API's largest size: a run failing thousands of tests alerts on its first
    // failures; tests alerted before and failing beyond them are not taken for recovered (they did not pass).
    const run = await api.run(runId, { failuresLimit: MAX_FAILURES_PAGE });
    if (!run) {
      logger.warn({ run_id: runId }, 'alerts: the API does not know an announced run');
      return;
    }
    const keys = mailKeys(config.queuePrefix);
    const stateKey = keys.alerted(run.project, branch);
    const failing = new Map(run.failures.map((f) => [f.nodeid, f]));
    const alerted = await redis.hkeys(stateKey);
    const candidates = alerted.filter((nodeid) => !failing.has(nodeid));
    const passed = candidates.length > 0 ? (await api.runTests(runId, { outcome: 'passed', nodeids: candidates })).map((t) => t.nodeid) : [];
    const decision = (await redis.eval(
      DECIDE, 2, stateKey, keys.decision(runId), runId, String(DECISION_TTL_SECONDS), String(passed.length), ...passed, ...failing.keys(),
    )) as string;
    const fresh = JSON.parse(decision) as string[];
    logger.info({ run_id: runId, project: run.project, branch, failing: failing.size, recovered: passed.length, new: fresh.length }, 'alerts: run judged');
    if (fresh.length === 0) return;
    const tests: AlertTest[] = fresh.map((nodeid) => {
      const f = failing.get(nodeid);
      return { nodeid, outcome: f?.outcome ?? 'failed', message: f?.message ?? null };
    });
    const quarantine = await this.#quarantine.pending(run.project);
    await queue.add('alert', alertData(run, branch, tests, publicUrl, quarantine.changes), { jobId: alertJobId(runId) });
    await this.#quarantine.drop(run.project, quarantine.read);
  }
}

function alertData(run: RunDetail, branch: string, tests: AlertTest[], publicUrl: string | undefined, quarantine: QuarantineChange[]): AlertData {
  const ciUrl = run.environment?.ci_url;
  return {
    project: run.project,
    branch,
    commit: run.commit ?? null,
    worker_id: run.worker_id,
    run_id: run.run_id,
    started_at: run.started_at,
    ci_url: typeof ciUrl === 'string' && /^https?:\/\//.test(ciUrl) ? ciUrl : null,
    tests,
    publicUrl: publicUrl ?? null,
    quarantine,
  };
}
