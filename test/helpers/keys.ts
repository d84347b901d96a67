/** Concurrent pushes of the same idempotency keys from several OS processes (test/fixtures/push-keys.ts). */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'vitest';
import type { HubStore } from '@/db';

const run = promisify(execFile);
const REPO = path.resolve(import.meta.dirname, '../..');

export type KeyAnswer = { key: string; id: string; created: boolean };

/** Runs `processes` producers pushing keys k0..k(keys-1) at once; returns every answer they got. */
export async function pushKeysFromProcesses(processes: number, database: string, pool: string, keys: number): Promise<KeyAnswer[]> {
  const children = Array.from({ length: processes }, () =>
    run(process.execPath, [path.join(REPO, 'node_modules/tsx/dist/cli.mjs'), 'test/fixtures/push-keys.ts', database, pool, String(keys)], {
      cwd: REPO,
      maxBuffer: 16 * 1024 * 1024,
    }),
  );
  return (await Promise.all(children)).flatMap((c) => JSON.parse(c.stdout) as KeyAnswer[]);
}

/** Exactly one item per key, made by one push, and every push of a key answered with that item's id. */
export async function expectOneItemPerKey(answers: KeyAnswer[], store: HubStore, pool: string, keys: number) {
  const idOf = new Map<string, string>();
  for (const a of answers) {
    if (!idOf.has(a.key)) idOf.set(a.key, a.id);
    expect(a.id, `key ${a.key}`).toBe(idOf.get(a.key));
  }
  expect(idOf.size).toBe(keys);
  expect(answers.filter((a) => a.created)).toHaveLength(keys);
  const items = (await store.listItems(pool, { limit: 500 })).items;
  expect(items).toHaveLength(keys);
  expect(new Set(items.map((i) => i.key)).size).toBe(keys);
}
