/**
 * `npm run bench` keeps working: the whole script at toy sizes (no timing is checked here — speed
 * is the benchmark's business), and every drain it runs must complete each item exactly once.
 * Needs the build, as `npm test` makes it.
 */
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { databaseUrl, onDatabase } from './pg/database';
import { postgresMissing } from './pg/availability';

const ROOT = path.resolve(__dirname, '..');

it('runs every SQLite section at toy sizes and finds each item completed exactly once', async () => {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    BENCH_ITEMS: '300',
    BENCH_GROWTH: '1000,2000',
    BENCH_TRIALS: '2',
    BENCH_LP_SECONDS: '1',
    BENCH_IDLE_SECONDS: '2',
  };
  delete env.DATABASE_URL;
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'bench/run.ts'], { cwd: ROOT, env, timeout: 240_000 });
  const rows = stdout.split('\n').filter((l) => l.startsWith('| '));
  const drains = rows.filter((l) => /^\| (1 store drain|2 HTTP drain) /.test(l));
  expect(drains).toHaveLength(8); // bare and hub at 1 and 4 processes; bare HTTP, hub batch 1, 100, and 100 chained
  for (const row of drains) expect(row).toContain('exactly-once ok');
  // Two trials of each store drain, bare and hub taking turns: the median ratio and its range.
  expect(rows.filter((l) => /hub store \(sqlite\), [14] proc .*× bare, median of 2: \d\.\d\d–\d\.\d\d/.test(l))).toHaveLength(2);
  expect(rows.filter((l) => l.includes('3 growth'))).toHaveLength(4);
  expect(rows.some((l) => /peak RSS/.test(l))).toBe(true);
  // Long-poll: latency of 200 items at 200/s, all of them claimed; idle cost waiting and polling.
  expect(rows.filter((l) => /5 long-poll .*push→claim.*200 of 200 items/.test(l))).toHaveLength(1);
  expect(rows.filter((l) => /5 long-poll .*idle workers.*hub CPU/.test(l))).toHaveLength(2);
  // The peers: BullMQ drained exactly once where Redis runs (skipped, saying so, where it does
  // not); pg-boss skipped without a PostgreSQL server.
  const bullmq = rows.filter((l) => /^\| 6 peers +\| BullMQ/.test(l));
  expect(bullmq).toHaveLength(1);
  expect(bullmq[0]).toMatch(/exactly-once ok|skipped: no Redis/);
  expect(rows.filter((l) => /6 peers .*pg-boss .*skipped/.test(l))).toHaveLength(1);
  const written = /results in (\S+)/.exec(stdout)![1]!;
  rmSync(path.join(ROOT, written));
}, 250_000);

it('runs the PostgreSQL sections and pg-boss in a scratch database of their own, and drops it', async (ctx) => {
  const noPostgres = await postgresMissing();
  if (noPostgres) ctx.skip(`skipped: ${noPostgres}`);
  const server = databaseUrl('postgres');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: server,
    BENCH_ONLY: 'store,growth,peers',
    BENCH_ENGINES: 'postgres',
    BENCH_ITEMS: '50',
    BENCH_TRIALS: '1',
    BENCH_GROWTH: '500',
    BENCH_PG_ITEMS: '50',
    BENCH_PG_GROWTH: '500',
  };
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'bench/run.ts'], { cwd: ROOT, env, timeout: 120_000 });
  const rows = stdout.split('\n').filter((l) => l.startsWith('| '));
  const pgDrains = rows.filter((l) => /^\| 1 store drain .*(node-postgres|postgres\))/.test(l));
  expect(pgDrains).toHaveLength(6); // bare and hub at 1 and 4 processes, and 4 claiming 100 at a time
  for (const row of pgDrains) expect(row).toContain('exactly-once ok');
  const pgBoss = rows.filter((l) => /^\| 6 peers +\| pg-boss/.test(l));
  expect(pgBoss).toHaveLength(1);
  expect(pgBoss[0]).toContain('exactly-once ok');
  expect(rows.some((l) => /^\| 1 store drain .*sqlite/.test(l))).toBe(false); // BENCH_ENGINES=postgres
  expect(rows.filter((l) => /3 growth .*postgres, 500 items/.test(l))).toHaveLength(2);
  const left = await onDatabase(server, (c) => c.query(`SELECT datname FROM pg_database WHERE datname LIKE 'hub_test_bench_%'`));
  expect(left.rows).toEqual([]);
  rmSync(path.join(ROOT, /results in (\S+)/.exec(stdout)![1]!));
}, 130_000);
