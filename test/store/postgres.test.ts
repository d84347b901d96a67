import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type HubEvent, type HubStore } from '@/db';
import { createPgStore } from '@/db/store/pg';
import { expectOneItemPerKey, pushKeysFromProcesses } from '../helpers/keys';
import { createTestDatabase, onDatabase } from '../pg/database';
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
import journal from '@/db/migrations/pg/meta/_journal.json';
import { postgresMissing, skipWithoutPostgres } from '../pg/availability';

const noPostgres = await postgresMissing();
skipWithoutPostgres(noPostgres);

// One database for this file, emptied before each test; dropped at the end.
let db: Awaited<ReturnType<typeof createTestDatabase>>;
beforeAll(async () => {
  if (noPostgres) return;
  db = await createTestDatabase('store');
});
afterAll(async () => db?.drop());

const empty = () => onDatabase(db.url, (c) => c.query('TRUNCATE items, workers, throughput, tokens, audit, pool_counts, pool_count_deltas, pool_settings RESTART IDENTITY').then(() => undefined));

const openPg: OpenStore = async ({ clock, onChange }) => {
  const store = openStore(db.url, { clock, onChange });
  await store.ping(); // migrated
  await empty();
  return { store, cleanup: () => store.close() };
};
claimsContract('postgres', openPg);
endingsContract('postgres', openPg);
operatorActionsContract('postgres', openPg);
readsContract('postgres', openPg);
workersContract('postgres', openPg);
operatorContract('postgres', openPg);
dashboardContract('postgres', openPg);
queueContract('postgres', openPg);
errorGroupsContract('postgres', openPg);
securityContract('postgres', openPg);
workerRetentionContract('postgres', async (opts) => ({
  ...(await openPg(opts)),
  sql: (statement) => onDatabase(db.url, (c) => c.query(statement).then(() => undefined)),
}));

describe('postgres specifics', () => {
  const opened: HubStore[] = [];
  const open = (onChange?: (e: HubEvent) => void) => {
    const store = openStore(db.url, onChange ? { onChange } : {});
    opened.push(store);
    return store;
  };
  afterAll(async () => {
    await Promise.all(opened.map((s) => s.close()));
  });

  it('migrates once when several instances open a fresh database together', async () => {
    const fresh = await createTestDatabase('migrate');
    try {
      const stores = Array.from({ length: 4 }, () => openStore(fresh.url));
      await Promise.all(stores.map((s) => s.ping()));
      const applied = await onDatabase(fresh.url, (c) => c.query('SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations'));
      expect(applied.rows[0].n).toBe(journal.entries.length); // each migration applied once
      await Promise.all(stores.map((s) => s.close()));
    } finally {
      await fresh.drop();
    }
  });

  it('takes heartbeat times and the reaper threshold from the database clock, not a host clock 90 s ahead', async () => {
    const a = createPgStore(db.url);
    const b = createPgStore(db.url, { hostClock: () => Date.now() + 90_000 });
    opened.push(a, b);
    await a.registerWorker({ worker_id: 'skew-a' });
    await a.push('skew', [{ data: 1 }]);
    expect((await a.claim('skew', 'skew-a', 1)).ok).toBe(true);
    await a.heartbeat('skew-a', {});
    // B's host thinks it is 90 s later; with a 60 s threshold it would call A's worker lost.
    expect((await b.reap(60)).lost).not.toContain('skew-a');
    expect((await b.getWorker('skew-a'))?.status).toBe('active');
    // B's own heartbeat is stamped by the database too: A's reaper sees it as fresh, not from the future.
    await b.registerWorker({ worker_id: 'skew-b' });
    const stamped = Date.parse((await a.getWorker('skew-b'))!.last_heartbeat);
    expect(Math.abs(stamped - Date.now())).toBeLessThan(5_000);
  });

  it("tells one instance's listeners of another instance's changes, and its own once", async () => {
    const seenByA: HubEvent[] = [];
    const a = open((e) => seenByA.push(e));
    const b = open();
    await Promise.all([a.ping(), b.ping()]);
    // A's LISTEN connection comes up in the background: B keeps pushing until A hears one.
    const deadline = Date.now() + 20_000;
    let ids: string[] = [];
    while (!seenByA.some((e) => e.type === 'pool' && e.name === 'from-b')) {
      if (Date.now() > deadline) throw new Error('instance A never heard of the push on instance B');
      ids = (await b.push('from-b', [{ data: 'x' }])).ids;
      await new Promise((r) => setTimeout(r, 100));
    }
    const claimed = await b.claim('from-b', 'w-b', 1);
    expect(claimed.ok).toBe(true);
    const claimedId = claimed.ok ? claimed.value[0]!.id : '';
    // This test's pools only: the database is the file's, and a store of an earlier test may still
    // be telling its own changes (an unrelated claim once let the wait below end early).
    const ours = () => seenByA.filter((e) => (e.type === 'pool' ? e.name : e.type === 'item' ? e.pool : '').startsWith('from-'));
    const claims = () => ours().filter((e) => e.type === 'item' && e.status === 'claimed');
    await expect.poll(() => claims().length, { timeout: 10_000 }).toBe(1);
    expect(claims()).toEqual([{ type: 'item', id: claimedId, pool: 'from-b', status: 'claimed' }]);
    expect(ids).toHaveLength(1);

    const before = ours().length;
    await a.push('from-a', [{ data: 'y' }]);
    await new Promise((r) => setTimeout(r, 300));
    expect(ours().slice(before)).toEqual([{ type: 'pool', name: 'from-a' }]);
  });

  it('tells another instance of every item of big batches, each once and in order, in NOTIFYs that fit', async () => {
    const seenByA: HubEvent[] = [];
    const seenByB: HubEvent[] = [];
    const a = open((e) => seenByA.push(e));
    const b = open((e) => seenByB.push(e));
    await Promise.all([a.ping(), b.ping()]);
    const pool = `p-${'x'.repeat(120)}`; // a long name: groups of ids must still fit a payload
    const deadline = Date.now() + 20_000;
    while (!seenByA.some((e) => e.type === 'pool' && e.name === pool)) {
      if (Date.now() > deadline) throw new Error('instance A never heard of the push on instance B');
      await b.push(pool, [{ data: 'probe' }]);
      await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 300)); // the probes' events still on their way
    const [fromA, fromB] = [seenByA.length, seenByB.length];
    await b.push(pool, Array.from({ length: 400 }, (_, i) => ({ data: i })));
    // Five claims of up to 100 in one tick: the events of 401 items published together.
    const claims = await Promise.all(Array.from({ length: 5 }, (_, i) => b.claim(pool, `w-${i}`, 100)));
    const claimed = claims.flatMap((c) => (c.ok ? c.value : []));
    expect(claimed.length).toBeGreaterThanOrEqual(400);
    const done = await Promise.all(
      [0, 1, 2, 3, 4].map((i) =>
        b.completeMany({ worker_id: `w-${i}`, items: claimed.filter((it) => it.claimed_by === `w-${i}`).map((it) => ({ id: it.id, lease_id: it.lease_id })) }),
      ),
    );
    const completed = done.flatMap((d) => d.completed).sort();
    const heard = (status: string) =>
      seenByA
        .filter((e) => e.type === 'item' && e.status === status && e.pool === pool)
        .map((e) => (e as { id: string }).id)
        .sort();
    await expect.poll(() => heard('completed').length, { timeout: 10_000 }).toBe(completed.length);
    expect(heard('completed')).toEqual(completed);
    expect(heard('claimed')).toEqual(claimed.map((it) => it.id).sort());
    // In the order B told its own listeners (waiting claims are woken by that order).
    await expect.poll(() => seenByA.length - fromA, { timeout: 10_000 }).toBe(seenByB.length - fromB);
    expect(seenByA.slice(fromA)).toEqual(seenByB.slice(fromB));
  });

  it('loses each stale worker and releases each of its items exactly once when every instance reaps at once', async () => {
    let now = Date.now();
    const clock = () => now;
    const stores = Array.from({ length: 4 }, () => openStore(db.url, { clock }));
    opened.push(...stores);
    await empty();
    const pool = 'reap-race';
    await stores[0]!.push(pool, Array.from({ length: 200 }, (_, i) => ({ data: i })));
    for (let w = 0; w < 20; w++) {
      const r = await stores[w % 4]!.claim(pool, `racer-${w}`, 10);
      expect(r.ok && r.value.length).toBe(10);
    }
    now += 120_000;
    const results = await Promise.all(stores.flatMap((s) => [s.reap(60), s.reap(60)]));
    const lost = results.flatMap((r) => r.lost).sort();
    expect(lost).toEqual(Array.from({ length: 20 }, (_, w) => `racer-${w}`).sort());
    expect(results.reduce((n, r) => n + r.released, 0)).toBe(200);
    const page = await stores[0]!.listItems(pool, { limit: 500 });
    for (const it of page.items) expect(it).toMatchObject({ status: 'pending', attempts: 1 });
    const detail = await stores[0]!.getItem(page.items[0]!.id);
    expect(detail!.history.filter((h) => h.outcome === 'released')).toHaveLength(1);
  });

  it('makes exactly one item per key when several processes push the same keys at once', async () => {
    const store = open();
    const answers = await pushKeysFromProcesses(4, db.url, 'pg-keys', 120);
    await expectOneItemPerKey(answers, store, 'pg-keys', 120);
  });

  it('never hands one item to two claimers racing on several instances', async () => {
    const stores = Array.from({ length: 3 }, () => openStore(db.url));
    opened.push(...stores);
    const pool = 'claim-race';
    await stores[0]!.push(pool, Array.from({ length: 300 }, (_, i) => ({ data: i })));
    const got: string[] = [];
    await Promise.all(
      Array.from({ length: 12 }, async (_, w) => {
        for (;;) {
          const r = await stores[w % 3]!.claim(pool, `claimer-${w}`, 7);
          if (!r.ok) throw new Error(r.detail);
          if (r.value.length === 0 && (await stores[0]!.getPool(pool)).pending === 0) return;
          got.push(...r.value.map((i) => i.id));
        }
      }),
    );
    expect(got).toHaveLength(300);
    expect(new Set(got).size).toBe(300);
  });

  it('stores JSON as given and answers unstorable text with a store error, changing nothing', async () => {
    const s = open();
    const data = { nested: [1, 2.5, 'x', null, true], big: 12345678901234, unicode: 'ünï €' };
    const [id] = (await s.push('json', [{ data }, { data: null }])).ids;
    expect((await s.getItem(id!))!.data).toEqual(data);
    await expect(s.push('json', [{ data: 'nul \u0000 inside' }])).rejects.toMatchObject({
      storeProblem: { code: 'unstorable-input' },
    });
    expect((await s.getPool('json')).pending).toBe(2);
  });

  it('fails calls with database-unavailable while the server cannot be reached', async () => {
    const s = openStore('postgres://postgres@127.0.0.1:1/nowhere');
    opened.push(s);
    await expect(s.ping()).rejects.toMatchObject({ storeProblem: { code: 'database-unavailable' } });
    await expect(s.getPool('q')).rejects.toMatchObject({ storeProblem: { code: 'database-unavailable' } });
  });
});
