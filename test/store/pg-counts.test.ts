/**
 * PostgreSQL's pool counts (migration 0005, db/store/pg/counts.ts) on a real database: taken
 * from the items when the migration runs, kept exact by two instances writing at once, and
 * folded from deltas into pool_counts without a reader ever seeing a wrong number.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openStore, type HubStore } from '@/db';
import pg from 'pg';
import { createPgStore } from '@/db/store/pg';
import { compactCounts } from '@/db/store/pg/counts';
import { createTestDatabase, lockWaiters, onDatabase } from '../pg/database';
import { postgresMissing, skipWithoutPostgres } from '../pg/availability';

const noPostgres = await postgresMissing();
skipWithoutPostgres(noPostgres);

let db: Awaited<ReturnType<typeof createTestDatabase>>;
beforeAll(async () => {
  if (noPostgres) return;
  db = await createTestDatabase('counts');
});
afterAll(async () => db?.drop());

/** The counts as a full recount of the items says they must be. */
async function recount(url: string): Promise<Record<string, Record<string, number>>> {
  const rows = await onDatabase(url, (c) => c.query<{ pool: string; status: string; n: string }>('SELECT pool, status, count(*) n FROM items GROUP BY 1, 2'));
  const byPool: Record<string, Record<string, number>> = {};
  for (const r of rows.rows) (byPool[r.pool] ??= { pending: 0, claimed: 0, completed: 0, poisoned: 0 })[r.status] = Number(r.n);
  return byPool;
}

/**
 * The advisory lock the stores' own compaction rounds take turns on (COMPACTION_LOCK in
 * db/store/pg/counts.ts). A test holding it decides when rows are folded: a store's round on
 * its once-a-second timer finds it taken and moves nothing.
 */
const COMPACTION_LOCK = 7_245_005_002;

/**
 * A connection that holds the compaction lock until `fold` has run a round of its own on it (the
 * lock is the session's, so its round may take it again) and `release` has been called.
 */
async function holdCompaction(url: string) {
  // One connection, never closed for being idle: closing it would drop the lock.
  const pool = new pg.Pool({ connectionString: url, max: 1, idleTimeoutMillis: 0 });
  // Waits for a round already under way to commit.
  await pool.query('SELECT pg_advisory_lock($1)', [COMPACTION_LOCK]);
  return {
    fold: () => compactCounts(pool),
    release: () => pool.end(),
  };
}

/**
 * Whether a statement of another connection to the database waits on a lock before `work`
 * settles: asked until then, so a slow machine makes the answer late, never wrong.
 */
async function waitsOnLock(url: string, work: Promise<unknown>): Promise<boolean> {
  let settled = false;
  const done = work.then(
    () => (settled = true),
    () => (settled = true),
  );
  return onDatabase(url, async (c) => {
    while (!settled) {
      if ((await lockWaiters(c)) > 0) return true;
      await Promise.race([done, new Promise((res) => setTimeout(res, 20))]);
    }
    return false;
  });
}

async function expectExact(store: HubStore, url: string) {
  const truth = await recount(url);
  const pools = await store.listPools();
  expect(Object.fromEntries(pools.map((p) => [p.name, { pending: p.pending, claimed: p.claimed, completed: p.completed, poisoned: p.poisoned }]))).toEqual(truth);
}

it('counts the items a database already holds when the migration runs', async () => {
  // Migrate a database only up to 0004, fill it as a hub of that version would have, then open it.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pg-migrations-'));
  try {
    cpSync(path.join(process.cwd(), 'db/migrations/pg'), dir, { recursive: true });
    const journalFile = path.join(dir, 'meta/_journal.json');
    const journal = JSON.parse(readFileSync(journalFile, 'utf8')) as { entries: { tag: string }[] };
    const upTo = journal.entries.findIndex((e) => e.tag.startsWith('0005_'));
    writeFileSync(journalFile, JSON.stringify({ ...journal, entries: journal.entries.slice(0, upTo) }));
    const old = createPgStore(db.url, { migrationsFolder: dir });
    await old.ping();
    await old.close();
    await onDatabase(db.url, (c) =>
      c.query(`INSERT INTO items (pool, data, status, max_retries, created_at)
        SELECT CASE WHEN i % 2 = 0 THEN 'even' ELSE 'odd' END, '{}'::jsonb,
               (ARRAY['pending', 'claimed', 'completed', 'poisoned'])[1 + i % 4], 3, 0
        FROM generate_series(1, 103) i`),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const store = openStore(db.url);
  await store.ping();
  await expectExact(store, db.url);
  expect(await store.getPool('odd')).toMatchObject({ pending: 0, claimed: 26, completed: 0, poisoned: 26 });
  await store.close();
});

it('stays exact with two instances claiming, completing, failing and pruning at once, through compactions', async () => {
  await onDatabase(db.url, (c) => c.query('TRUNCATE items, workers, pool_counts, pool_count_deltas RESTART IDENTITY'));
  const [a, b] = [openStore(db.url), openStore(db.url)];
  await a.push('p', Array.from({ length: 300 }, (_, i) => ({ data: i, max_retries: 1 })));
  const taken: Record<string, number> = { wa: 0, wb: 0 };
  const work = async (store: HubStore, worker: string) => {
    for (let i = 0; ; i++) {
      const r = await store.claim('p', worker, 3);
      // A refused claim is a failure of this test, not the end of the work.
      expect(r, `claim by ${worker}`).toMatchObject({ ok: true });
      if (!r.ok || r.value.length === 0) return;
      taken[worker]! += r.value.length;
      for (const it of r.value) {
        if (i % 3 === 0) await store.fail(it.id, { workerId: worker, leaseId: it.lease_id, error: 'x' }); // max_retries 1: poisoned
        else await store.complete(it.id, { workerId: worker, leaseId: it.lease_id });
      }
      const p = await store.getPool('p');
      expect(p.pending + p.claimed + p.completed + p.poisoned).toBe(300); // never a torn read
    }
  };
  await Promise.all([work(a, 'wa'), work(b, 'wb')]);
  // Both instances claimed (the counts were written from two at once), and every item once.
  expect(taken.wa, 'items claimed through instance A').toBeGreaterThan(0);
  expect(taken.wb, 'items claimed through instance B').toBeGreaterThan(0);
  expect(taken.wa! + taken.wb!).toBe(300);
  // Both drained the pool between them: every item ended, none left pending or claimed.
  const drained = await a.getPool('p');
  expect(drained).toMatchObject({ pending: 0, claimed: 0 });
  expect(drained.completed + drained.poisoned).toBe(300);
  await expectExact(a, db.url);
  // A compaction round, run now rather than waited for (and after any round of the stores).
  const compaction = await holdCompaction(db.url);
  await compaction.fold();
  await compaction.release();
  const left = await onDatabase(db.url, (c) => c.query<{ n: string }>('SELECT count(*) n FROM pool_count_deltas'));
  expect(Number(left.rows[0]!.n)).toBe(0);
  await a.retryPool('p', 'poisoned', undefined, { name: 'test', role: 'operator' });
  await b.prune(0);
  await expectExact(b, db.url);
  expect(await b.getPool('p')).toMatchObject({ completed: 0 });
  await Promise.all([a.close(), b.close()]);
});

it('lets completions in one pool commit side by side, and folds their throughput rows into one per minute', async () => {
  // Every completion in the middle of one minute, whenever the test runs.
  const now = Math.floor(Date.now() / 60_000) * 60_000 + 30_000;
  const store = openStore(db.url, { clock: () => now });
  await store.ping(); // migrated
  await onDatabase(db.url, (c) => c.query('TRUNCATE items, workers, throughput, pool_counts, pool_count_deltas RESTART IDENTITY'));
  // The stores' timers fold nothing until this test does.
  const compaction = await holdCompaction(db.url);
  await store.push('t', Array.from({ length: 4 }, (_, i) => ({ data: i })));
  const r = await store.claim('t', 'w', 4);
  if (!r.ok) throw new Error(r.detail);
  expect(r.value).toHaveLength(4);
  const [first, ...rest] = r.value;
  // A completion held open in a transaction of its own, as a slow commit (an fsync) holds it.
  const open = new (await import('pg')).default.Client({ connectionString: db.url });
  await open.connect();
  try {
    await open.query('BEGIN');
    await open.query(
      `UPDATE items SET status = 'completed', lease_id = NULL, completed_at = $2,
         history = history || jsonb_build_array(jsonb_build_object('attempt', attempts, 'worker_id', claimed_by,
           'claimed_at', claimed_at, 'ended_at', $2::bigint, 'outcome', 'completed'::text, 'error', NULL::text))
       WHERE id = $1`,
      [first!.id, now],
    );
    // Another completion of the same pool in the same minute does not wait for it: with one
    // counter row per pool and minute it would (that row stays locked until the commit).
    const other = store.completeMany({ worker_id: 'w', items: rest.slice(0, 2).map((it) => ({ id: it.id, lease_id: it.lease_id })) });
    expect(await waitsOnLock(db.url, other)).toBe(false);
    expect(await other).toEqual({ completed: rest.slice(0, 2).map((it) => it.id), rejected: [] });
    await open.query('COMMIT');
  } finally {
    await open.end();
  }
  const last = await store.complete(rest[2]!.id, { workerId: 'w', leaseId: rest[2]!.lease_id });
  expect(last.ok).toBe(true);
  const rows = () => onDatabase(db.url, (c) => c.query<{ n: string }>(`SELECT count(*) n FROM throughput WHERE pool = 't'`)).then((x) => Number(x.rows[0]!.n));
  expect(await rows()).toBe(3); // one row per statement that ended claims
  expect((await store.throughput(1)).pools).toEqual([{ pool: 't', completed: [4], failed: [0], poisoned: [0] }]);
  await compaction.fold();
  await compaction.release();
  expect(await rows()).toBe(1);
  expect((await store.throughput(1)).pools).toEqual([{ pool: 't', completed: [4], failed: [0], poisoned: [0] }]);
  await store.close();
});
