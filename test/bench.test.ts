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

const ROOT = path.resolve(__dirname, '..');

it('runs every SQLite section at toy sizes and finds each item completed exactly once', async () => {
  const env: NodeJS.ProcessEnv = { ...process.env, BENCH_ITEMS: '300', BENCH_GROWTH: '1000,2000' };
  delete env.DATABASE_URL;
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'bench/run.ts'], { cwd: ROOT, env, timeout: 240_000 });
  const rows = stdout.split('\n').filter((l) => l.startsWith('| '));
  const drains = rows.filter((l) => /^\| (1 store drain|2 HTTP drain) /.test(l));
  expect(drains).toHaveLength(7); // bare and hub at 1 and 4 processes; bare HTTP, hub batch 1 and 100
  for (const row of drains) expect(row).toContain('exactly-once ok');
  expect(rows.filter((l) => l.includes('3 growth'))).toHaveLength(4);
  expect(rows.some((l) => /peak RSS/.test(l))).toBe(true);
  const written = /results in (\S+)/.exec(stdout)![1]!;
  rmSync(path.join(ROOT, written));
}, 250_000);
