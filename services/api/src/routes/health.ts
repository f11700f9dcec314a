import type Router from '@koa/router';
import { INGEST_GROUP, streamNames, type Health } from '@pytest-platform/schema';
import type { RouteContext } from '../deps.js';

const CHECK_TIMEOUT_MS = 1_500;

function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));
const orNull = <T>(promise: Promise<T>) => promise.catch(() => null);

/** XINFO GROUPS replies with flat field/value lists, one per group. */
function groupInfo(reply: unknown, name: string): Map<string, unknown> | undefined {
  if (!Array.isArray(reply)) return undefined;
  for (const group of reply) {
    if (!Array.isArray(group)) continue;
    const fields = new Map<string, unknown>();
    for (let i = 0; i + 1 < group.length; i += 2) fields.set(String(group[i]), group[i + 1]);
    if (fields.get('name') === name) return fields;
  }
  return undefined;
}

const toCount = (value: unknown): number | null => {
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
  return Number.isSafeInteger(n) && n >= 0 ? n : null;
};

export function registerHealthRoutes(router: Router, { config, deps }: RouteContext): void {
  const streams = streamNames(config.resultsStream);
  const { redis, store } = deps;

  const pingStore = async (): Promise<unknown> =>
    store.dialect === 'sqlite' ? store.sqlite.prepare('SELECT 1').get() : store.pool.query('SELECT 1');

  const ingestState = async (): Promise<Health['ingest']> => {
    const [pending, groups, dead] = await Promise.all([
      orNull(withTimeout(redis.xpending(streams.results, INGEST_GROUP), 'XPENDING')),
      orNull(withTimeout(redis.xinfo('GROUPS', streams.results), 'XINFO GROUPS')),
      orNull(withTimeout(redis.xlen(streams.dead), 'XLEN')),
    ]);
    const group = groupInfo(groups, INGEST_GROUP);
    let lag: number | null = null;
    if (group) {
      lag = toCount(group.get('lag'));
      if (lag === null) {
        // Redis < 7 or a lag Redis cannot tell: entries added minus entries the group read.
        const info = await orNull(withTimeout(redis.xinfo('STREAM', streams.results), 'XINFO STREAM'));
        const added = Array.isArray(info) ? toCount(info[info.indexOf('entries-added') + 1]) : null;
        const read = toCount(group.get('entries-read'));
        lag = added !== null && read !== null ? Math.max(0, added - read) : null;
      }
    }
    return {
      pending: group && Array.isArray(pending) ? toCount(pending[0]) : null,
      lag,
      dead_letters: toCount(dead),
    };
  };

  // Liveness: answers from the process alone, so an outage of Redis or the database never restarts it.
  router.get('/livez', (ctx) => {
    ctx.body = { status: 'ok' };
  });

  router.get('/health', async (ctx) => {
    const [redisCheck, dbCheck] = await Promise.all([
      withTimeout(redis.ping(), 'Redis PING').then(
        () => ({ ok: true }),
        (error: unknown) => ({ ok: false, error: message(error) }),
      ),
      withTimeout(pingStore(), 'database').then(
        () => ({ ok: true, dialect: store.dialect }),
        (error: unknown) => ({ ok: false, dialect: store.dialect, error: message(error) }),
      ),
    ]);
    const ingest = redisCheck.ok ? await ingestState() : { pending: null, lag: null, dead_letters: null };
    const ok = redisCheck.ok && dbCheck.ok;
    ctx.status = ok ? 200 : 503;
    ctx.body = { status: ok ? 'ok' : 'degraded', redis: redisCheck, db: dbCheck, ingest } satisfies Health;
  });
}
