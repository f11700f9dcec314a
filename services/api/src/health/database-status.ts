import type { Store } from '@pytest-platform/db';
import type { Health } from '@pytest-platform/schema';
import { errorMessage, withTimeout } from './with-timeout.js';

/** Whether the database answers a `select 1`, through the same Kysely instance the routes read with. */
export function databaseStatus(store: Store): Promise<Health['db']> {
  const ping = store.db.selectNoFrom((eb) => eb.lit(1).as('ok')).execute();
  return withTimeout(ping, 'database').then(
    () => ({ ok: true, dialect: store.dialect }),
    (error: unknown) => ({ ok: false, dialect: store.dialect, error: errorMessage(error) }),
  );
}
