import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import type { Db } from './database.js';
import type { Dialect } from './dialect.js';
import type { MigrationProgress } from './migration-progress.js';
import { up as initial } from './migrations/0001-initial.js';
import { up as testIntelligence } from './migrations/0002-test-intelligence.js';
import { up as failureRollups } from './migrations/0003-failure-rollups.js';
import { up as buildsAndTags } from './migrations/0004-builds-and-tags.js';
import { up as runFailuresIndex } from './migrations/0005-run-failures-index.js';
import { up as quarantineAndDurations } from './migrations/0006-quarantine-and-durations.js';
import { up as runDigests } from './migrations/0007-run-digests.js';
import { up as workerWindowIndex } from './migrations/0008-worker-window-index.js';

export type { Dialect, MigrationProgress };

const silent: MigrationProgress = () => {};

type DialectMigration = (db: Kysely<unknown>, dialect: Dialect, progress: MigrationProgress) => Promise<void>;
const migrations: Record<string, DialectMigration> = {
  '0001-initial': initial, '0002-test-intelligence': testIntelligence,
  '0003-failure-rollups': failureRollups, '0004-builds-and-tags': buildsAndTags,
  '0005-run-failures-index': runFailuresIndex, '0006-quarantine-and-durations': quarantineAndDurations,
  '0007-run-digests': runDigests, '0008-worker-window-index': workerWindowIndex,
};

class DialectMigrationProvider implements MigrationProvider {
  constructor(private readonly dialect: Dialect, private readonly progress: MigrationProgress) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    return Object.fromEntries(
      Object.entries(migrations).map(([name, m]) => [name, {
        up: (db: Kysely<unknown>) => {
          this.progress(`applying database migration ${name}`, { migration: name });
          return m(db, this.dialect, this.progress);
        },
      }]),
    );
  }
}

/**
 * Applies every migration not yet applied; concurrent callers are serialized by Kysely's migration
 * lock. `progress` hears of each migration applied and of a long backfill's progress.
 */
export async function migrateToLatest(db: Db, dialect: Dialect, progress: MigrationProgress = silent): Promise<void> {
  const migrator = new Migrator({ db, provider: new DialectMigrationProvider(dialect, progress) });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error) {
    throw new Error(`database migration ${failed?.migrationName ?? ''} failed: ${(error as Error).message ?? String(error)}`, { cause: error });
  }
}
