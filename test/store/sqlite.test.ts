import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openStore, type HubStore } from '@/db';
import { createSqliteStore } from '@/db/store/sqlite';
import { tempDbFile, tempDir } from '../helpers/tmp';
import { storeContract, type OpenStore } from './contract';
import { operatorContract } from './operator-contract';
import { securityContract } from './security-contract';

const openSqlite: OpenStore = async ({ clock, onChange }) => {
  const { file, cleanup } = tempDbFile();
  const store = openStore(file, { clock, onChange });
  return { store, cleanup: async () => (await store.close(), cleanup()) };
};
storeContract('sqlite', openSqlite);
operatorContract('sqlite', openSqlite);
securityContract('sqlite', openSqlite);

describe('sqlite file', () => {
  it('creates the file and its folders on first open, and keeps data across reopen', async () => {
    const { dir, cleanup } = tempDir();
    const file = path.join(dir, 'nested/deeper/hub.db');
    const first = openStore(file);
    const [id] = await first.push('q', [{ data: { kept: true } }]);
    await first.close();
    expect(existsSync(file)).toBe(true);
    const second = openStore(`sqlite:${file}`);
    expect((await second.getItem(id!))!.data).toEqual({ kept: true });
    await second.close();
    cleanup();
  });

  it('leaves a postgres URL to the PostgreSQL engine', async () => {
    const store = openStore('postgresql://postgres@127.0.0.1:1/none');
    expect(store.engine).toBe('postgres');
    await store.close();
  });
});

/** A copy of the SQLite migrations that stops before the one tagged `before`. */
function migrationsBefore(dir: string, before: string): string {
  const folder = path.join(dir, 'migrations');
  cpSync(path.join(process.cwd(), 'db/migrations/sqlite'), folder, { recursive: true });
  const journalFile = path.join(folder, 'meta/_journal.json');
  const journal = JSON.parse(readFileSync(journalFile, 'utf8')) as { entries: { tag: string }[] };
  const at = journal.entries.findIndex((e) => e.tag === before);
  expect(at).toBeGreaterThan(0);
  journal.entries = journal.entries.slice(0, at);
  writeFileSync(journalFile, JSON.stringify(journal));
  return folder;
}

/** Pool summaries as counted from the items themselves. */
async function countedPool(store: HubStore, pool: string) {
  const counted = { pending: 0, claimed: 0, completed: 0, poisoned: 0 };
  for (const it of (await store.listItems(pool, { limit: 500 })).items) counted[it.status]++;
  return counted;
}

describe('sqlite migrations of an existing database', () => {
  it('keeps pool counts and throughput exact across 0006 (completion trigger) and 0007 (open bucket)', async () => {
    const { dir, cleanup } = tempDir();
    const file = path.join(dir, 'hub.db');
    const now = Date.parse('2026-11-29T08:00:00.000Z');
    const clock = () => now;
    // Items in every state, written by the store as it was before both migrations.
    const old = createSqliteStore(file, { clock, migrationsFolder: migrationsBefore(dir, '0006_completion_throughput_trigger') });
    await old.push('p', [{ data: 1 }, { data: 2 }, { data: 3 }, { data: 4 }, { data: 5, max_retries: 1 }, { data: 6 }]);
    const claimed = await old.claim('p', 'w1', 5);
    if (!claimed.ok) throw new Error('claim');
    const [done, failed, held] = claimed.value;
    await old.complete(done!.id, { workerId: 'w1' });
    await old.fail(failed!.id, { workerId: 'w1', error: 'again' });
    await old.fail(claimed.value[4]!.id, { workerId: 'w1', error: 'bad' });
    expect(await old.getPool('p')).toMatchObject({ pending: 2, claimed: 2, completed: 1, poisoned: 1 });
    await old.close();

    const store = openStore(file, { clock });
    expect(await store.getPool('p')).toMatchObject(await countedPool(store, 'p'));
    expect(await store.getPool('p')).toMatchObject({ pending: 2, claimed: 2, completed: 1, poisoned: 1 });
    // Every kind of write after the migration keeps them exact, and completions keep counting.
    await store.complete(held!.id, { workerId: 'w1' });
    await store.releaseWorker('w1');
    const again = await store.claim('p', 'w2', 2);
    if (!again.ok) throw new Error('claim');
    await store.complete(again.value[0]!.id, { workerId: 'w2' });
    await store.deleteItem(done!.id);
    expect(await store.getPool('p')).toEqual({ ...(await countedPool(store, 'p')), name: 'p', oldest_pending_at: expect.any(String) });
    expect((await store.listPools()).map((p) => p.name)).toEqual(['p']);
    // The two completions since the migration (the trigger's) and the two failures before it.
    expect((await store.throughput(1)).pools).toEqual([{ pool: 'p', completed: [2], failed: [2] }]);
    await store.close();
    cleanup();
  });
});

describe('sqlite migration 0008 (completion implied in history)', () => {
  it('drops the stored completing attempt of completed items once, and the detail shows it once', async () => {
    const { dir, cleanup } = tempDir();
    const file = path.join(dir, 'hub.db');
    let now = Date.parse('2026-11-29T08:00:00.000Z');
    const clock = () => now;
    const old = createSqliteStore(file, { clock, migrationsFolder: migrationsBefore(dir, '0008_completion_implied_in_history') });
    const [twice, once, open] = await old.push('p', [{ data: 'twice' }, { data: 'once' }, { data: 'open' }]);
    await old.claimItem(twice!, 'w1');
    now += 10;
    await old.fail(twice!, { workerId: 'w1', error: 'first' });
    for (const id of [twice!, once!]) {
      await old.claimItem(id, 'w2');
      now += 10;
      await old.complete(id, { workerId: 'w2', result: id });
    }
    await old.claimItem(open!, 'w1');
    await old.close();
    // Store the completing attempts as the code before 0008 did (numbers bound as REAL, as then).
    const raw = new Database(file);
    raw
      .prepare(
        `UPDATE items SET history = json_insert(history, '$[#]', json_object('attempt', attempts, 'worker_id', claimed_by,
           'claimed_at', claimed_at, 'ended_at', CAST(completed_at AS REAL), 'outcome', 'completed', 'error', NULL))
         WHERE status = 'completed'`,
      )
      .run();
    raw.close();

    const store = openStore(file, { clock });
    const detail = await store.getItem(twice!);
    expect(detail!.history.map((h) => [h.attempt, h.worker_id, h.outcome, h.error])).toEqual([
      [1, 'w1', 'failed', 'first'],
      [2, 'w2', 'completed', null],
    ]);
    expect(detail!.history[1]!.ended_at).toBe(detail!.completed_at);
    expect((await store.getItem(once!))!.history.map((h) => h.outcome)).toEqual(['completed']);
    expect((await store.getItem(open!))!.history.map((h) => h.outcome)).toEqual([null]);
    await store.close();
    // Stored: only the failed attempt; the completions are implied by the columns.
    const after = new Database(file, { readonly: true });
    const stored = after.prepare(`SELECT id, json_array_length(history) n FROM items ORDER BY id`).all();
    after.close();
    expect(stored).toEqual([
      { id: Number(twice), n: 1 },
      { id: Number(once), n: 0 },
      { id: Number(open), n: 0 },
    ]);
    cleanup();
  });
});
