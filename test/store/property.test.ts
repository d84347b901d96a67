/**
 * Property test: random sequences of calls (push, claim, complete and fail by the right or wrong
 * worker with the current, a stale or no lease, release, retry, delete) run against the store and
 * against a few lines of model of API.md's contract. The store must give the model's answer to
 * every call and end in the model's state. Bounded: 50 sequences of up to 30 calls per engine.
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
  status: 'pending' | 'claimed' | 'completed' | 'poisoned';
  claimedBy: string | null;
  lease: string | null;
  attempts: number;
  maxRetries: number;
  /** Every lease this item was ever claimed with: the stale ones a late caller might still hold. */
  leases: string[];
}

type Cmd =
  | { op: 'push'; maxRetries: number[] }
  | { op: 'claim'; worker: number; limit: number }
  | { op: 'complete' | 'fail'; item: number; worker: number; lease: 'current' | 'stale' | 'none' }
  | { op: 'release'; worker: number }
  | { op: 'retry' | 'delete'; item: number };

const worker = fc.integer({ min: 0, max: WORKERS.length - 1 });
const item = fc.nat({ max: 1000 });
const cmd: fc.Arbitrary<Cmd> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant('push' as const), maxRetries: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 3 }) }) },
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

/** Runs one sequence on a fresh store and on the model, comparing every answer and the end state. */
async function check(store: HubStore, cmds: Cmd[]) {
  for (const w of WORKERS) await store.registerWorker({ worker_id: w });
  const model = new Map<string, ModelItem>();
  const everId: string[] = []; // every id ever pushed (deleted ones too), so calls may name them
  const pick = (n: number) => (everId.length === 0 ? '999999' : everId[n % (everId.length + 1)] ?? '999999');

  for (const c of cmds) {
    switch (c.op) {
      case 'push': {
        const ids = (await store.push(POOL, c.maxRetries.map((max_retries) => ({ data: null, max_retries })))).ids;
        expect(ids).toHaveLength(c.maxRetries.length);
        ids.forEach((id, i) => {
          expect(model.has(id) || everId.includes(id)).toBe(false);
          model.set(id, { status: 'pending', claimedBy: null, lease: null, attempts: 0, maxRetries: c.maxRetries[i]!, leases: [] });
          everId.push(id);
        });
        break;
      }
      case 'claim': {
        const w = WORKERS[c.worker]!;
        // Oldest pending first: ids are a sequence, so push order is numeric order.
        const expected = [...model.entries()].filter(([, m]) => m.status === 'pending').map(([id]) => id).sort((a, b) => Number(a) - Number(b)).slice(0, c.limit);
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
        else Object.assign(m!, { status: 'pending', lease: null, claimedBy: null });
        if (r.ok) expect(r.value).toMatchObject({ status: m!.status, attempts: m!.attempts, claimed_by: m!.claimedBy, lease_id: null });
        break;
      }
      case 'release': {
        const w = WORKERS[c.worker]!;
        const held = [...model.values()].filter((m) => m.status === 'claimed' && m.claimedBy === w);
        expect(await store.releaseWorker(w)).toBe(held.length);
        for (const m of held) Object.assign(m, { status: 'pending', claimedBy: null, lease: null });
        break;
      }
      case 'retry': {
        const id = pick(c.item);
        const m = model.get(id);
        const r = await store.retryItem(id);
        if (!m) expect(r).toMatchObject({ ok: false, code: 'item-not-found' });
        else if (m.status === 'pending' || m.status === 'claimed') expect(r).toMatchObject({ ok: false, code: 'item-not-retryable' });
        else {
          expect(r).toMatchObject({ ok: true, value: { status: 'pending', attempts: 0, claimed_by: null } });
          Object.assign(m, { status: 'pending', attempts: 0, claimedBy: null, lease: null });
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
    expect(got).toMatchObject({ status: m.status, attempts: m.attempts, claimed_by: m.claimedBy, lease_id: m.lease, max_retries: m.maxRetries });
  }
  const count = (s: ModelItem['status']) => [...model.values()].filter((m) => m.status === s).length;
  expect(await store.getPool(POOL)).toMatchObject({ pending: count('pending'), claimed: count('claimed'), completed: count('completed'), poisoned: count('poisoned') });
}

const sequences = fc.array(cmd, { minLength: 1, maxLength: 30 });
const RUNS = { numRuns: 50 };

describe('the store agrees with a model of the contract on random call sequences', () => {
  it('sqlite', async () => {
    await fc.assert(
      fc.asyncProperty(sequences, async (cmds) => {
        const { file, cleanup } = tempDbFile();
        const store = openStore(file);
        try {
          await check(store, cmds);
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
    beforeAll(async () => {
      if (noPostgres) return;
      db = await createTestDatabase('property');
      store = openStore(db.url);
      await store.ping();
    });
    afterAll(async () => {
      await store?.close();
      await db?.drop();
    });

    it('postgres', async () => {
      await fc.assert(
        fc.asyncProperty(sequences, async (cmds) => {
          await onDatabase(db.url, (c) => c.query('TRUNCATE items, workers, throughput, pool_counts, pool_count_deltas RESTART IDENTITY'));
          await check(store, cmds);
        }),
        RUNS,
      );
    }, 120_000);
  });
});
