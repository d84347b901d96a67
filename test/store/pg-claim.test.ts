/**
 * PostgreSQL's one-statement claim (db/store/ops/claim.ts) holds the worker's row like the
 * transaction it replaced: a writer of that row (the reaper marking the worker lost) and the claim
 * go one after the other, so whatever the claim took is released with the worker, never missed.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openStore } from '@/db';
import { createTestDatabase, lockWaiters, onDatabase } from '../pg/database';
import pg from 'pg';
import { postgresMissing, skipWithoutPostgres } from '../pg/availability';

const noPostgres = await postgresMissing();
skipWithoutPostgres(noPostgres);

let db: Awaited<ReturnType<typeof createTestDatabase>>;
beforeAll(async () => {
  if (noPostgres) return;
  db = await createTestDatabase('claim');
});
afterAll(async () => db?.drop());

it('waits for a transaction holding the worker row, and sees what it committed', async () => {
  const store = openStore(db.url);
  await store.registerWorker({ worker_id: 'w' });
  await store.push('p', [{ data: 1 }]);
  const other = new pg.Client({ connectionString: db.url });
  await other.connect();
  try {
    await other.query('BEGIN');
    await other.query(`UPDATE workers SET status = 'lost' WHERE worker_id = 'w'`);
    let settled = false;
    const claim = store.claim('p', 'w', 1).finally(() => (settled = true));
    // Held back by the row lock: seen waiting on it, however long the claim takes to get there.
    await onDatabase(db.url, (c) => expect.poll(() => lockWaiters(c), { timeout: 30_000 }).toBe(1));
    expect(settled).toBe(false);
    await other.query('COMMIT');
    expect(await claim).toMatchObject({ ok: false, code: 'worker-not-active' });
    expect(await store.getPool('p')).toMatchObject({ pending: 1, claimed: 0 });
  } finally {
    await other.end();
    await store.close();
  }
  expect(await onDatabase(db.url, (c) => c.query(`SELECT status FROM items`)).then((r) => r.rows[0].status)).toBe('pending');
});
