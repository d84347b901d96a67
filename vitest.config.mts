import path from 'node:path';
import { defineConfig } from 'vitest/config';

// Heavy or disruptive files run after all the others, one at a time (groupOrder): the crash test
// and the two-instance load test would starve their neighbours on a 2-core machine, and the
// restart test stops the machine's PostgreSQL, which every PostgreSQL test shares; the benchmark
// smoke test runs a dozen processes of its own.
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
      { extends: true, test: { name: 'main', include: ['test/**/*.test.ts'], exclude: LATER, sequence: { groupOrder: 0 } } },
      ...LATER.map((file, i) => ({
        extends: true as const,
        test: { name: path.basename(file, '.test.ts'), include: [file], sequence: { groupOrder: i + 1 } },
      })),
    ],
  },
});
