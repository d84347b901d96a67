import path from 'node:path';
import { defineConfig } from 'vitest/config';

// Tiers by directory, each runnable alone (`npm run test:unit`, `test:store`, `test:api`); every
// test file is in exactly one, so `npm test`, which runs all projects, runs each file once.
//   unit   pure functions: no database, no process, no build
//   store  the store itself, on fresh SQLite files and a real PostgreSQL: no build
//   api    everything else: real hub processes over HTTP, the SDK and CLI, several instances on
//          PostgreSQL, crashes, the benchmark's smoke test (needs `next build` first)
const UNIT = ['test/dashboard/**/*.test.ts'];
const STORE = ['test/store/**/*.test.ts'];

// Heavy or disruptive files (all of the api tier) run after all the others, one at a time
// (groupOrder): the crash test and the two-instance load test would starve their neighbours on a
// 2-core machine, and the restart test stops the machine's PostgreSQL, which every PostgreSQL test
// shares; the benchmark smoke test runs a dozen processes of its own.
const LATER = ['test/crash/kill-hub.test.ts', 'test/pg/instances.test.ts', 'test/pg/restart.test.ts', 'test/bench.test.ts'];

export default defineConfig({
  resolve: { alias: { '@': path.resolve(import.meta.dirname) } },
  test: {
    environment: 'node',
    // API tests start real hub processes; give them room on a 2-core machine.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    projects: [
      { extends: true, test: { name: 'unit', include: UNIT, sequence: { groupOrder: 0 } } },
      { extends: true, test: { name: 'store', include: STORE, sequence: { groupOrder: 0 } } },
      {
        extends: true,
        test: { name: 'api', include: ['test/**/*.test.ts'], exclude: [...UNIT, ...STORE, ...LATER], sequence: { groupOrder: 0 } },
      },
      ...LATER.map((file, i) => ({
        extends: true as const,
        test: { name: `api:${path.basename(file, '.test.ts')}`, include: [file], sequence: { groupOrder: i + 1 } },
      })),
    ],
  },
});
