import { execFile } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';
import { openStore } from '@/db';
import { expectOneItemPerKey, pushKeysFromProcesses } from '../helpers/keys';
import { tempDbFile } from '../helpers/tmp';

const run = promisify(execFile);
const REPO = path.resolve(import.meta.dirname, '../..');
const PROCESSES = 6;
const ITEMS = 3000;

const db = tempDbFile();
afterAll(() => db.cleanup());

// The seed's SQLite pool handed the same item to two of 8–16 processes (12 of 400 items). Here
// several OS processes drain one file at once: every item must be completed exactly once.
it(`${PROCESSES} processes drain ${ITEMS} items from one SQLite file, each item completed exactly once`, async () => {
  const store = openStore(db.file);
  for (let i = 0; i < ITEMS; i += 1000) {
    await store.push('shared', Array.from({ length: 1000 }, (_, k) => ({ data: i + k })));
  }
  // All start together: one process alone drains the pool faster than the others start.
  const go = `${db.file}.go`;
  const children = Array.from({ length: PROCESSES }, (_, n) =>
    run(process.execPath, [path.join(REPO, 'node_modules/tsx/dist/cli.mjs'), 'test/fixtures/claim-loop.ts', db.file, 'shared', `proc-${n}`, go], {
      cwd: REPO,
      maxBuffer: 16 * 1024 * 1024,
    }),
  );
  await expect.poll(() => Array.from({ length: PROCESSES }, (_, n) => existsSync(`${go}.ready-proc-${n}`)).every(Boolean), { timeout: 60_000 }).toBe(true);
  writeFileSync(go, '');
  const reports = (await Promise.all(children)).map(
    (c) => JSON.parse(c.stdout) as { workerId: string; completed: string[]; conflicts: number },
  );

  const all = reports.flatMap((r) => r.completed);
  expect(new Set(all).size).toBe(all.length); // no item completed twice
  expect(all).toHaveLength(ITEMS); // none lost
  expect(reports.every((r) => r.conflicts === 0)).toBe(true);
  // More than one process really took part.
  expect(reports.filter((r) => r.completed.length > 0).length).toBeGreaterThan(1);

  expect(await store.getPool('shared')).toMatchObject({ pending: 0, claimed: 0, completed: ITEMS, poisoned: 0 });
  const page = await store.listItems('shared', { limit: 500 });
  for (const item of page.items) {
    const detail = await store.getItem(item.id);
    expect(detail!.history.filter((h) => h.outcome === 'completed')).toHaveLength(1);
    expect(detail!.attempts).toBe(1);
  }
  console.info(`multi-process: ${reports.map((r) => `${r.workerId}=${r.completed.length}`).join(' ')}`);
  await store.close();
});

it(`${PROCESSES} processes pushing the same keys into one SQLite file make exactly one item per key`, async () => {
  const file = tempDbFile();
  const store = openStore(file.file); // migrated before the producers start
  try {
    const answers = await pushKeysFromProcesses(PROCESSES, file.file, 'keys', 150);
    await expectOneItemPerKey(answers, store, 'keys', 150);
  } finally {
    await store.close();
    file.cleanup();
  }
});
