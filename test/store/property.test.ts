/**
 * Property test: random sequences of calls (push with priorities, delays and keys, claim,
 * complete and fail by the right or wrong worker with the current, a stale or no lease, release,
 * retry, delete, run now, pause and resume, a pool backoff policy, the clock moving on) run
 * against the store and against a few lines of model of API.md's contract. The store must give
 * the model's answer to every call and end in the model's state. Bounded: 50 sequences of up to
 * 30 calls per engine.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type HubStore } from '@/db';
import { createTestDatabase, onDatabase } from '../pg/database';
import { postgresMissing, skipWithoutPostgres } from '../pg/availability';
import { tempDbFile } from '../helpers/tmp';

const noPostgres = await postgresMissing();

const POOL = 'prop';
const WORKERS = ['w1', 'w2'] as const;

interface ModelItem {
  status: 'scheduled' | 'pending' | 'claimed' | 'completed' | 'poisoned';
  priority: number;
  runAt: number | null;
  key: string | null;
  claimedBy: string | null;
  lease: string | null;
  attempts: number;
  maxRetries: number;
  /** Every lease this item was ever claimed with: the stale ones a late caller might still hold. */
  leases: string[];
}

/** The one backoff a pool may get here: 30 s, as long as one clock tick. */
const BACKOFF_MS = 30_000;
const T0 = Date.parse('2026-12-04T08:00:00.000Z');

interface NewModelItem {
  maxRetries: number;
  priority: number;
  /** Ticks (30 s each) until due; 0: at once. */
  delayTicks: number;
  key: string | null;
}

type Cmd =
  | { op: 'push'; items: NewModelItem[] }
  | { op: 'tick' }
  | { op: 'pause' | 'resume' }
  | { op: 'backoff'; on: boolean }
  | { op: 'run'; item: number }
  | { op: 'claim'; worker: number; limit: number }
  | { op: 'complete' | 'fail'; item: number; worker: number; lease: 'current' | 'stale' | 'none' }
  | { op: 'release'; worker: number }
  | { op: 'retry' | 'delete'; item: number };

const worker = fc.integer({ min: 0, max: WORKERS.length - 1 });
const item = fc.nat({ max: 1000 });
const cmd: fc.Arbitrary<Cmd> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('push' as const),
      items: fc.array(
        fc.record({
          maxRetries: fc.integer({ min: 1, max: 3 }),
          priority: fc.integer({ min: 0, max: 2 }),
          delayTicks: fc.constantFrom(0, 0, 0, 1, 2),
          key: fc.constantFrom(null, null, 'k1', 'k2'),
        }),
        { minLength: 1, maxLength: 3 },
      ),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('tick' as const) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constantFrom('pause' as const, 'resume' as const) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('backoff' as const), on: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('run' as const), item }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('claim' as const), worker, limit: fc.integer({ min: 1, max: 3 }) }) },
  {
    weight: 4,
    arbitrary: fc.record({ op: fc.constantFrom('complete' as const, 'fail' as const), item, worker, lease: fc.constantFrom('current' as const, 'stale' as const, 'none' as const) }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('release' as const), worker }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constantFrom('retry' as const, 'delete' as const), item }) },
);

/** Why ending a claim must fail, in the order API.md's errors are judged; null when it succeeds. */
function endRefusal(m: ModelItem | undefined, workerId: string, lease: string | undefined): string | null {
  if (!m) return 'item-not-found';
  if (m.status !== 'claimed') return 'item-not-claimed';
  if (m.claimedBy !== workerId) return 'not-claim-holder';
  if (lease !== undefined && lease !== m.lease) return 'stale-lease';
  return null;
}

/** The statuses in which an item holds its key. */
const HOLDS_KEY = new Set<ModelItem['status']>(['scheduled', 'pending', 'claimed', 'poisoned']);

/** Runs one sequence on a fresh store and on the model, comparing every answer and the end state. */
async function check(store: HubStore, cmds: Cmd[], clock: { now: number }) {
  clock.now = T0;
  for (const w of WORKERS) await store.registerWorker({ worker_id: w });
  const model = new Map<string, ModelItem>();
  let paused = false;
  let backoff = false;
  const everId: string[] = []; // every id ever pushed (deleted ones too), so calls may name them
  const pick = (n: number) => (everId.length === 0 ? '999999' : everId[n % (everId.length + 1)] ?? '999999');

  for (const c of cmds) {
    switch (c.op) {
      case 'push': {
        const pushed = await store.push(
          POOL,
          c.items.map((it) => ({
            data: null,
            max_retries: it.maxRetries,
            priority: it.priority,
            ...(it.delayTicks ? { delay_seconds: (it.delayTicks * BACKOFF_MS) / 1000 } : {}),
            ...(it.key ? { key: it.key } : {}),
          })),
        );
        expect(pushed.ids).toHaveLength(c.items.length);
        c.items.forEach((it, i) => {
          const id = pushed.ids[i]!;
          const holder = it.key === null ? undefined : [...model.entries()].find(([, m]) => m.key === it.key && HOLDS_KEY.has(m.status));
          if (holder) {
            expect([id, pushed.created[i]]).toEqual([holder[0], false]);
            return;
          }
          expect(pushed.created[i]).toBe(true);
          expect(model.has(id) || everId.includes(id)).toBe(false);
          const runAt = it.delayTicks ? clock.now + it.delayTicks * BACKOFF_MS : null;
          model.set(id, {
            status: runAt === null ? 'pending' : 'scheduled',
            priority: it.priority,
            runAt,
            key: it.key,
            claimedBy: null,
            lease: null,
            attempts: 0,
            maxRetries: it.maxRetries,
            leases: [],
          });
          everId.push(id);
        });
        break;
      }
      case 'tick':
        clock.now += BACKOFF_MS;
        break;
      case 'pause':
      case 'resume':
        paused = c.op === 'pause';
        expect((await store.updatePoolSettings(POOL, { paused })).paused).toBe(paused);
        break;
      case 'backoff':
        backoff = c.on;
        await store.updatePoolSettings(POOL, { backoff: c.on ? { type: 'fixed', delay_seconds: BACKOFF_MS / 1000 } : null });
        break;
      case 'run': {
        const id = pick(c.item);
        const m = model.get(id);
        const r = await store.runItem(id);
        if (!m) expect(r).toMatchObject({ ok: false, code: 'item-not-found' });
        else if (m.status !== 'scheduled') expect(r).toMatchObject({ ok: false, code: 'item-not-scheduled' });
        else {
          expect(r).toMatchObject({ ok: true, value: { status: 'pending' } });
          Object.assign(m, { status: 'pending', runAt: clock.now });
        }
        break;
      }
      case 'claim': {
        const w = WORKERS[c.worker]!;
        // Due scheduled items become pending first; then highest priority, oldest first (ids are
        // a sequence, so push order is numeric order); a paused pool hands out nothing.
        for (const m of model.values()) if (m.status === 'scheduled' && m.runAt! <= clock.now) m.status = 'pending';
        const expected = paused
          ? []
          : [...model.entries()]
            .filter(([, m]) => m.status === 'pending')
            .sort(([a, ma], [b, mb]) => mb.priority - ma.priority || Number(a) - Number(b))
            .map(([id]) => id)
            .slice(0, c.limit);
        const r = await store.claim(POOL, w, c.limit);
        if (!r.ok) throw new Error(r.detail);
        expect(r.value.map((i) => i.id)).toEqual(expected);
        for (const got of r.value) {
          const m = model.get(got.id)!;
          Object.assign(m, { status: 'claimed', claimedBy: w, lease: got.lease_id, attempts: m.attempts + 1 });
          expect(got.lease_id).toBeTruthy();
          expect(m.leases).not.toContain(got.lease_id); // fresh for every claim
          m.leases.push(got.lease_id!);
          expect(got).toMatchObject({ status: 'claimed', claimed_by: w, attempts: m.attempts });
        }
        break;
      }
      case 'complete':
      case 'fail': {
        const id = pick(c.item);
        const m = model.get(id);
        const w = WORKERS[c.worker]!;
        const stale = m?.leases.find((l) => l !== m.lease) ?? 'f'.repeat(32);
        const lease = c.lease === 'none' ? undefined : c.lease === 'current' ? (m?.lease ?? 'f'.repeat(32)) : stale;
        const refusal = endRefusal(m, w, lease);
        const r = c.op === 'complete' ? await store.complete(id, { workerId: w, leaseId: lease }) : await store.fail(id, { workerId: w, leaseId: lease, error: 'e' });
        if (refusal) {
          expect(r).toMatchObject({ ok: false, code: refusal });
          break;
        }
        expect(r.ok).toBe(true);
        if (c.op === 'complete') Object.assign(m!, { status: 'completed', lease: null });
        else if (m!.attempts >= m!.maxRetries) Object.assign(m!, { status: 'poisoned', lease: null });
        else if (backoff) Object.assign(m!, { status: 'scheduled', lease: null, claimedBy: null, runAt: clock.now + BACKOFF_MS });
        else Object.assign(m!, { status: 'pending', lease: null, claimedBy: null });
        if (r.ok) expect(r.value).toMatchObject({ status: m!.status, attempts: m!.attempts, claimed_by: m!.claimedBy, lease_id: null });
        break;
      }
      case 'release': {
        const w = WORKERS[c.worker]!;
        const held = [...model.values()].filter((m) => m.status === 'claimed' && m.claimedBy === w);
        expect(await store.releaseWorker(w)).toEqual({ ok: true, value: held.length });
        for (const m of held) Object.assign(m, { status: 'pending', claimedBy: null, lease: null });
        break;
      }
      case 'retry': {
        const id = pick(c.item);
        const m = model.get(id);
        const r = await store.retryItem(id);
        if (!m) expect(r).toMatchObject({ ok: false, code: 'item-not-found' });
        else if (m.status !== 'poisoned' && m.status !== 'completed') expect(r).toMatchObject({ ok: false, code: 'item-not-retryable' });
        else {
          expect(r).toMatchObject({ ok: true, value: { status: 'pending', attempts: 0, claimed_by: null } });
          // A retried completed item gives up its key (a newer item may hold it).
          Object.assign(m, { status: 'pending', attempts: 0, claimedBy: null, lease: null, key: m.status === 'completed' ? null : m.key });
        }
        break;
      }
      case 'delete': {
        const id = pick(c.item);
        const r = await store.deleteItem(id);
        expect(r.ok).toBe(model.has(id));
        if (!r.ok) expect(r.code).toBe('item-not-found');
        model.delete(id);
        break;
      }
    }
  }

  // The end state: every item as the model has it, deleted ones gone, and the pool's counts.
  for (const id of everId) {
    const got = await store.getItem(id);
    const m = model.get(id);
    if (!m) {
      expect(got).toBeNull();
      continue;
    }
    expect(got).toMatchObject({
      status: m.status,
      attempts: m.attempts,
      claimed_by: m.claimedBy,
      lease_id: m.lease,
      max_retries: m.maxRetries,
      priority: m.priority,
      key: m.key,
      run_at: m.runAt === null ? null : new Date(m.runAt).toISOString(),
    });
  }
  const count = (s: ModelItem['status']) => [...model.values()].filter((m) => m.status === s).length;
  expect(await store.getPool(POOL)).toMatchObject({
    scheduled: count('scheduled'),
    pending: count('pending'),
    claimed: count('claimed'),
    completed: count('completed'),
    poisoned: count('poisoned'),
    paused,
  });
}

const sequences = fc.array(cmd, { minLength: 1, maxLength: 30 });
const RUNS = { numRuns: 50 };

describe('the store agrees with a model of the contract on random call sequences', () => {
  it('sqlite', async () => {
    await fc.assert(
      fc.asyncProperty(sequences, async (cmds) => {
        const { file, cleanup } = tempDbFile();
        const clock = { now: T0 };
        const store = openStore(file, { clock: () => clock.now });
        try {
          await check(store, cmds, clock);
        } finally {
          await store.close();
          cleanup();
        }
      }),
      RUNS,
    );
  }, 120_000);

  describe('postgres', () => {
    skipWithoutPostgres(noPostgres);
    let db: Awaited<ReturnType<typeof createTestDatabase>>;
    let store: HubStore;
    const clock = { now: T0 };
    beforeAll(async () => {
      if (noPostgres) return;
      db = await createTestDatabase('property');
      store = openStore(db.url, { clock: () => clock.now });
      await store.ping();
    });
    afterAll(async () => {
      await store?.close();
      await db?.drop();
    });

    it('postgres', async () => {
      await fc.assert(
        fc.asyncProperty(sequences, async (cmds) => {
          await onDatabase(db.url, (c) => c.query('TRUNCATE items, workers, throughput, pool_counts, pool_count_deltas, pool_settings RESTART IDENTITY'));
          await check(store, cmds, clock);
        }),
        RUNS,
      );
    }, 120_000);
  });
});
