import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { describe, expect, it } from 'vitest';
import { openStore, type HubStore } from '@/db';
import { createSqliteStore } from '@/db/store/sqlite';
import { CLAIM } from '@/db/store/ops/claim';
import { tempDbFile, tempDir } from '../helpers/tmp';
import type { OpenStore } from './contract';
import { claimsContract } from './claims-contract';
import { endingsContract } from './endings-contract';
import { operatorActionsContract } from './operator-actions-contract';
import { readsContract } from './reads-contract';
import { workersContract } from './workers-contract';
import { operatorContract } from './operator-contract';
import { dashboardContract } from './dashboard-contract';
import { errorGroupsContract } from './error-groups-contract';
import { queueContract } from './queue-contract';
import { securityContract } from './security-contract';
import { workerRetentionContract } from './worker-retention-contract';
import { claimKeyParams } from '@/db/store/leases';

const openSqlite: OpenStore = async ({ clock, onChange }) => {
  const { file, cleanup } = tempDbFile();
  const store = openStore(file, { clock, onChange });
  return { store, cleanup: async () => (await store.close(), cleanup()) };
};
claimsContract('sqlite', openSqlite);
endingsContract('sqlite', openSqlite);
operatorActionsContract('sqlite', openSqlite);
readsContract('sqlite', openSqlite);
workersContract('sqlite', openSqlite);
operatorContract('sqlite', openSqlite);
dashboardContract('sqlite', openSqlite);
queueContract('sqlite', openSqlite);
errorGroupsContract('sqlite', openSqlite);
securityContract('sqlite', openSqlite);
workerRetentionContract('sqlite', async ({ clock, onChange }) => {
  const { file, cleanup } = tempDbFile();
  const store = openStore(file, { clock, onChange });
  const sql = async (statement: string) => {
    const db = new Database(file);
    db.exec(statement);
    db.close();
  };
  return { store, sql, cleanup: async () => (await store.close(), cleanup()) };
});

describe('sqlite file', () => {
  it('creates the file and its folders on first open, and keeps data across reopen', async () => {
    const { dir, cleanup } = tempDir();
    const file = path.join(dir, 'nested/deeper/hub.db');
    const first = openStore(file);
    const [id] = (await first.push('q', [{ data: { kept: true } }])).ids;
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

/**
 * Writes to a database migrated only part of the way, as the store of that time did: today's store
 * prepares statements for columns those schemas do not have yet. The count triggers of that
 * schema do the counting, as they did then.
 */
function migrateOnly(file: string, migrationsFolder: string) {
  const db = new Database(file);
  migrate(drizzle(db), { migrationsFolder });
  db.close();
}

function legacyWriter(file: string, clock: () => number) {
  const db = new Database(file);
  const ids = (rows: { id: number }[]) => rows.map((r) => String(r.id)).sort((a, b) => Number(a) - Number(b));
  const claimSet = `status = 'claimed', claimed_by = @worker, lease_id = lower(hex(randomblob(16))), attempts = attempts + 1, claimed_at = @now`;
  return {
    push: (pool: string, items: { data: unknown; max_retries?: number }[]) =>
      items.map((it) =>
        String(
          db
            .prepare(`INSERT INTO items (pool, data, status, max_retries, created_at) VALUES (?, ?, 'pending', ?, ?)`)
            .run(pool, JSON.stringify(it.data), it.max_retries ?? 3, clock()).lastInsertRowid,
        ),
      ),
    claim: (pool: string, worker: string, limit: number) =>
      ids(
        db
          .prepare(`UPDATE items SET ${claimSet} WHERE id IN (SELECT id FROM items WHERE pool = @pool AND status = 'pending' ORDER BY id LIMIT @limit) RETURNING id`)
          .all({ pool, worker, limit, now: clock() }) as { id: number }[],
      ),
    claimItem: (id: string, worker: string) =>
      db.prepare(`UPDATE items SET ${claimSet} WHERE id = @id AND status = 'pending'`).run({ id: Number(id), worker, now: clock() }),
    complete: (id: string, result: unknown = null) =>
      db
        .prepare(`UPDATE items SET status = 'completed', lease_id = NULL, completed_at = ?, result = ? WHERE id = ? AND status = 'claimed'`)
        .run(clock(), JSON.stringify(result), Number(id)),
    fail: (id: string, error: string) => {
      const exhausted = 'attempts >= max_retries';
      db.prepare(
        `UPDATE items SET status = CASE WHEN ${exhausted} THEN 'poisoned' ELSE 'pending' END,
           claimed_by = CASE WHEN ${exhausted} THEN claimed_by ELSE NULL END,
           claimed_at = CASE WHEN ${exhausted} THEN claimed_at ELSE NULL END,
           lease_id = NULL, last_error = @error,
           history = json_insert(history, '$[#]', json_object('attempt', attempts, 'worker_id', claimed_by,
             'claimed_at', claimed_at, 'ended_at', @now, 'outcome', 'failed', 'error', @error))
         WHERE id = @id AND status = 'claimed'`,
      ).run({ id: Number(id), error, now: clock() });
      const pool = (db.prepare(`SELECT pool FROM items WHERE id = ?`).get(Number(id)) as { pool: string }).pool;
      db.prepare(
        `INSERT INTO throughput (pool, minute, completed, failed) VALUES (?, ?, 0, 1)
         ON CONFLICT (minute, pool) DO UPDATE SET failed = failed + 1`,
      ).run(pool, Math.floor(clock() / 60_000) * 60_000);
    },
    counted: (pool: string) => {
      const c = { pending: 0, claimed: 0, completed: 0, poisoned: 0 } as Record<string, number>;
      for (const r of db.prepare(`SELECT status, count(*) AS n FROM items WHERE pool = ? GROUP BY status`).all(pool) as { status: string; n: number }[]) {
        c[r.status] = r.n;
      }
      return c;
    },
    close: () => db.close(),
  };
}

/** Pool summaries as counted from the items themselves. */
async function countedPool(store: HubStore, pool: string) {
  const counted = { scheduled: 0, pending: 0, claimed: 0, completed: 0, poisoned: 0 };
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
    migrateOnly(file, migrationsBefore(dir, '0006_completion_throughput_trigger'));
    const old = legacyWriter(file, clock);
    old.push('p', [{ data: 1 }, { data: 2 }, { data: 3 }, { data: 4 }, { data: 5, max_retries: 1 }, { data: 6 }]);
    const claimedIds = old.claim('p', 'w1', 5);
    const claimed = { value: claimedIds.map((id) => ({ id })) };
    const [done, failed, held] = claimed.value;
    old.complete(done!.id);
    old.fail(failed!.id, 'again');
    old.fail(claimed.value[4]!.id, 'bad');
    expect(old.counted('p')).toEqual({ pending: 2, claimed: 2, completed: 1, poisoned: 1 });
    old.close();

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
    expect(await store.getPool('p')).toEqual({ ...(await countedPool(store, 'p')), name: 'p', oldest_pending_at: expect.any(String), paused: false });
    expect((await store.listPools()).map((p) => p.name)).toEqual(['p']);
    // The two completions since the migration (the trigger's) and the two failures before it.
    expect((await store.throughput(1)).pools).toEqual([{ pool: 'p', completed: [2], failed: [2], poisoned: [0] }]); // poisonings are counted from migration 0014 on
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
    migrateOnly(file, migrationsBefore(dir, '0008_completion_implied_in_history'));
    const old = legacyWriter(file, clock);
    const [twice, once, open] = old.push('p', [{ data: 'twice' }, { data: 'once' }, { data: 'open' }]);
    old.claimItem(twice!, 'w1');
    now += 10;
    old.fail(twice!, 'first');
    for (const id of [twice!, once!]) {
      old.claimItem(id, 'w2');
      now += 10;
      old.complete(id, id);
    }
    old.claimItem(open!, 'w1');
    old.close();
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

describe('sqlite migrations 0009–0010 (one counter page a completion, no completion-time index)', () => {
  it('keep pool counts and throughput exact on a filled database, through every kind of write after', async () => {
    const { dir, cleanup } = tempDir();
    const file = path.join(dir, 'hub.db');
    let now = Date.parse('2026-11-29T08:00:30.000Z');
    const clock = () => now;
    migrateOnly(file, migrationsBefore(dir, '0009_drop_completed_at_index'));
    const old = legacyWriter(file, clock);
    const ids = old.push('p', Array.from({ length: 8 }, (_, i) => ({ data: i, max_retries: 1 })));
    old.push('other', [{ data: 'x' }]);
    const claimed = { value: old.claim('p', 'w1', 6).map((id) => ({ id })) };
    for (const it of claimed.value.slice(0, 3)) old.complete(it.id);
    old.fail(claimed.value[3]!.id, 'poison');
    expect(old.counted('p')).toEqual({ pending: 2, claimed: 2, completed: 3, poisoned: 1 });
    old.close();

    const store = createSqliteStore(file, { clock });
    expect(await store.getPool('p')).toMatchObject({ pending: 2, claimed: 2, completed: 3, poisoned: 1 });
    // Completions after the migration, then every way out of 'completed' and 'poisoned'.
    await store.complete(claimed.value[4]!.id, { workerId: 'w1' });
    await store.complete(claimed.value[5]!.id, { workerId: 'w1' });
    await store.retryItem(claimed.value[0]!.id);
    await store.retryItem(claimed.value[3]!.id);
    await store.deleteItem(claimed.value[1]!.id);
    await store.deleteItem(claimed.value[4]!.id);
    expect(await store.getPool('p')).toEqual({ ...(await countedPool(store, 'p')), name: 'p', oldest_pending_at: expect.any(String), paused: false });
    expect(await store.getPool('p')).toMatchObject({ pending: 4, claimed: 0, completed: 2, poisoned: 0 });
    expect((await store.throughput(1)).pools).toEqual([{ pool: 'p', completed: [5], failed: [1], poisoned: [0] }]); // poisonings are counted from migration 0014 on
    // Pruned completions leave the counts exact; a pool whose items are all gone is not listed.
    now += 3_600_000;
    expect(await store.prune(60)).toBe(2);
    expect(await store.getPool('p')).toMatchObject({ pending: 4, claimed: 0, completed: 0, poisoned: 0 });
    const left = (await store.listItems('p', { limit: 50 })).items.map((i) => i.id);
    for (const id of left) await store.deleteItem(id);
    expect((await store.listPools()).map((p) => p.name)).toEqual(['other']);
    expect(ids).toHaveLength(8);
    await store.close();
    cleanup();
  });

  it('writes four pages in a claim’s commit and four in a completion’s', async () => {
    // What the drain costs: every page a commit changes is written to the WAL again. A
    // completion used to write six (items, two status-index leaves, the completion-time index,
    // pool_counts, throughput).
    const { file, cleanup } = tempDbFile();
    const store = createSqliteStore(file);
    // As in a drain: enough completed and pending items that each status has leaves of its own.
    await store.push('p', Array.from({ length: 3000 }, (_, i) => ({ data: i })));
    for (let i = 0; i < 3; i++) {
      const first = await store.claim('p', 'w1', 100); // the first registers w1
      if (!first.ok) throw new Error('claim');
      for (const it of first.value) await store.complete(it.id, { workerId: 'w1' });
    }
    const other = new Database(file);
    const walFrames = () => (other.pragma('wal_checkpoint(PASSIVE)') as { log: number }[])[0]!.log;
    const framesOf = async (write: () => Promise<unknown>) => {
      other.pragma('wal_checkpoint(TRUNCATE)');
      expect(walFrames()).toBe(0);
      await write();
      return walFrames();
    };
    // Now and then a leaf splits and a commit writes more: the usual count is the one asserted.
    const seen = { claim: new Map<number, number>(), complete: new Map<number, number>() };
    const tally = (m: Map<number, number>, n: number) => m.set(n, (m.get(n) ?? 0) + 1);
    const usual = (m: Map<number, number>) => [...m].sort((a, b) => b[1] - a[1])[0]![0];
    for (let i = 0; i < 40; i++) {
      let item!: { id: string; lease_id: string | null };
      const claimFrames = await framesOf(async () => {
        const c = await store.claim('p', 'w1', 1);
        if (!c.ok) throw new Error('claim');
        item = c.value[0]!;
      });
      tally(seen.claim, claimFrames);
      tally(seen.complete, await framesOf(() => store.complete(item.id, { workerId: 'w1', leaseId: item.lease_id, result: { ok: i } })));
    }
    // Four since the claim order by priority (items_pending_priority, migration 0012): items, the
    // status index's leaf, and the pending index's, whose entry the claim removes.
    expect(usual(seen.claim)).toBe(4);
    expect(usual(seen.complete)).toBe(4);
    other.close();
    await store.close();
    cleanup();
  });

  it('prunes a window of completed items a call, in id order, and comes round to every one', async () => {
    const { file, cleanup } = tempDbFile();
    let now = Date.parse('2026-11-29T08:00:00.000Z');
    const store = createSqliteStore(file, { clock: () => now, pruneWindow: 2 });
    const ids = (await store.push('p', Array.from({ length: 6 }, (_, i) => ({ data: i })))).ids;
    const claimed = await store.claim('p', 'w1', 6);
    if (!claimed.ok) throw new Error('claim');
    const complete = (i: number) => store.complete(ids[i]!, { workerId: 'w1' });
    for (const i of [1, 2, 3, 5]) await complete(i);
    now += 3_600_000;
    await complete(0); // completed recently: kept, though first in id order
    // Windows of two completed items in id order: [0, 1], [2, 3], [5], then round again.
    expect(await store.prune(1800)).toBe(1);
    expect(await store.prune(1800)).toBe(2);
    expect(await store.prune(1800)).toBe(1);
    expect(await store.prune(1800)).toBe(0);
    expect(await store.getItem(ids[0]!)).not.toBeNull();
    expect(await store.getItem(ids[4]!)).toMatchObject({ status: 'claimed' });
    now += 3_600_000;
    await complete(4);
    expect(await store.prune(1800)).toBe(1); // window [0, 4]: 4 is recent, 0 is now old
    expect(await store.getItem(ids[0]!)).toBeNull();
    expect((await store.listItems('p', { limit: 50 })).items.map((i) => i.id)).toEqual([ids[4]]);
    expect(await store.getPool('p')).toMatchObject({ pending: 0, claimed: 0, completed: 1, poisoned: 0 });
    await store.close();
    cleanup();
  });

  it('shares one window among the pools, which take turns', async () => {
    const { file, cleanup } = tempDbFile();
    let now = Date.parse('2026-11-29T08:00:00.000Z');
    const store = createSqliteStore(file, { clock: () => now, pruneWindow: 2 });
    for (const pool of ['a', 'b']) {
      await store.push(pool, [{ data: 1 }, { data: 2 }, { data: 3 }]);
      const c = await store.claim(pool, 'w1', 3);
      if (!c.ok) throw new Error('claim');
      for (const it of c.value) await store.complete(it.id, { workerId: 'w1' });
    }
    now += 3_600_000;
    // a1 a2 | a3 b1 | b2 b3 | nothing left
    const counts = [];
    for (let i = 0; i < 4; i++) counts.push(await store.prune(1800));
    expect(counts).toEqual([2, 2, 2, 0]);
    expect(await store.listPools()).toEqual([]);
    await store.close();
    cleanup();
  });
});

describe('sqlite hot path statements', () => {
  it('claim through the pending index in claim order, with no temporary b-tree for a single item', async () => {
    const { file, cleanup } = tempDbFile();
    await createSqliteStore(file).close();
    const db = new Database(file);
    const { active, admitted } = CLAIM.sqlite;
    const plan = (source: string) =>
      (db.prepare(`EXPLAIN QUERY PLAN ${source}`).all({ pool: 'p', workerId: 'w', limit: 2, now: 0, ...claimKeyParams('k') }) as { detail: string }[]).map((r) => r.detail).join(' | ');
    for (const s of [active.one, admitted.one, active.many, admitted.many]) {
      expect(plan(s)).toMatch(/SEARCH items USING COVERING INDEX items_pending_priority \(pool=\?\)/);
      expect(plan(s)).not.toMatch(/SCAN items|TEMP B-TREE/);
    }
    // `id = (…)`: the oldest pending id is a value, not a list to keep (`LIST SUBQUERY`).
    for (const s of [active.one, admitted.one]) expect(plan(s)).toMatch(/SCALAR SUBQUERY/);
    db.close();
    cleanup();
  });
});
