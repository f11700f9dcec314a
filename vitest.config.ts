import { defineConfig } from 'vitest/config';

const workspaces = [
  'shared/config',
  'shared/redis',
  'shared/schema',
  'shared/db',
  'shared/reporter',
  'services/ingest',
  'services/api',
  'services/mcp',
];

export default defineConfig({
  test: {
    projects: workspaces.map((dir) => ({
      extends: true,
      test: {
        name: `@pytest-platform/${dir.split('/')[1]}`,
        root: dir,
        include: ['test/**/*.test.ts'],
      },
    })).concat({
      extends: true,
      test: { name: 'e2e', root: 'e2e', include: ['**/*.test.ts'] },
    }, {
      extends: true,
      test: { name: 'faults', root: 'faults', include: ['**/*.test.ts'], globalSetup: ['./global-setup.ts'] },
    }),
    // Bounds on a hang, not on speed: a loaded 2-core machine running two test files at a time must pass.
    testTimeout: 90_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
  resolve: { conditions: ['@pytest-platform/source'] },
  ssr: { resolve: { conditions: ['@pytest-platform/source'] } },
});
