/**
 * The store contract: one suite that every engine's HubStore must pass. An engine's test file
 * calls `storeContract(name, open)`, where `open` gives a fresh, empty store with a clock the
 * test can move.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HubEvent, HubStore } from '@/db';
import type { WorkItem } from '@/lib/contracts';

export interface Clock {
  now: () => number;
  advance: (ms: number) => void;
}

export function manualClock(start = Date.parse('2026-11-29T08:00:00.000Z')): Clock {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms) };
}

export type OpenStore = (opts: { clock: () => number; onChange: (e: HubEvent) => void }) => Promise<{
  store: HubStore;
  cleanup: () => Promise<void>;
}>;

async function claimOne(store: HubStore, pool: string, worker: string): Promise<WorkItem> {
  const r = await store.claim(pool, worker, 1);
  if (!r.ok) throw new Error(`claim refused: ${r.detail}`);
  expect(r.value).toHaveLength(1);
  return r.value[0]!;
}

/**
 * Items in every state across two pools and two workers, so a test can act on one and assert
 * that all the others were left alone.
 */
async function makeSelection(store: HubStore) {
  await store.registerWorker({ worker_id: 'w-a' });
  await store.registerWorker({ worker_id: 'w-b' });
  const sel: Record<string, string> = {};
  for (const pool of ['alpha', 'beta']) {
    const [pending, claimedA, claimedB, completed, poisoned] = (await store.push(pool, [
      { data: `${pool}-pending` },
      { data: `${pool}-claimedA` },
      { data: `${pool}-claimedB` },
      { data: `${pool}-completed` },
      { data: `${pool}-poisoned`, max_retries: 1 },
    ])).ids;
    // Claim in push order: pending stays last by claiming it first and failing it back.
    const p = await claimOne(store, pool, 'w-a');
    expect(p.id).toBe(pending);
    await store.fail(p.id, { workerId: 'w-a', error: 'first try failed' });
    const r = await store.claimItem(claimedA!, 'w-a');
    expect(r.ok).toBe(true);
    expect((await store.claimItem(claimedB!, 'w-b')).ok).toBe(true);
    expect((await store.claimItem(completed!, 'w-b')).ok).toBe(true);
    expect((await store.complete(completed!, { workerId: 'w-b', result: 'done' })).ok).toBe(true);
    expect((await store.claimItem(poisoned!, 'w-a')).ok).toBe(true);
    expect((await store.fail(poisoned!, { workerId: 'w-a', error: 'bad input' })).ok).toBe(true);
    Object.assign(sel, {
      [`${pool}.pending`]: pending!,
      [`${pool}.claimedA`]: claimedA!,
      [`${pool}.claimedB`]: claimedB!,
      [`${pool}.completed`]: completed!,
      [`${pool}.poisoned`]: poisoned!,
    });
  }
  return sel;
}

async function snapshot(store: HubStore, ids: string[]) {
  return Promise.all(ids.map((id) => store.getItem(id)));
}

export function storeContract(engine: string, open: OpenStore) {
  describe(`store contract: ${engine}`, () => {
    let store: HubStore;
    let clock: Clock;
    let events: HubEvent[];
    let cleanup: () => Promise<void>;

    beforeEach(async () => {
      clock = manualClock();
      events = [];
      ({ store, cleanup } = await open({ clock: clock.now, onChange: (e) => events.push(e) }));
    });
    afterEach(async () => cleanup());

    describe('push and claim', () => {
      it('claims in strict push order, also for items pushed in the same millisecond', async () => {
        const ids = [
          ...((await store.push('q', [{ data: 1 }, { data: 2 }, { data: 3 }])).ids),
          ...((await store.push('q', [{ data: 4 }])).ids),
          ...((await store.push('q', [{ data: 5 }, { data: 6 }])).ids),
        ];
        const first = await store.claim('q', 'w1', 4);
        const second = await store.claim('q', 'w1', 4);
        expect(first.ok && second.ok).toBe(true);
        if (!first.ok || !second.ok) return;
        expect([...first.value, ...second.value].map((i) => i.id)).toEqual(ids);
        expect(second.value.map((i) => i.data)).toEqual([5, 6]);
      });

      it('marks claimed items with worker, attempt, time and a fresh lease each', async () => {
        await store.push('q', [{ data: { x: 1 } }, { data: null }]);
        clock.advance(1000);
        const r = await store.claim('q', 'w1', 5);
        if (!r.ok) throw new Error(r.detail);
        expect(r.value).toHaveLength(2);
        for (const it of r.value) {
          expect(it).toMatchObject({ status: 'claimed', claimed_by: 'w1', attempts: 1, max_retries: 3, pool: 'q' });
          expect(it.claimed_at).toBe(new Date(clock.now()).toISOString());
          expect(it.lease_id).toMatch(/^[0-9a-f]{32}$/);
        }
        expect(r.value[0]!.lease_id).not.toBe(r.value[1]!.lease_id);
        expect(r.value[1]!.data).toBeNull();
      });

      it('returns an empty list when nothing is pending, and other pools are untouched', async () => {
        await store.push('other', [{ data: 1 }]);
        const r = await store.claim('q', 'w1', 10);
        expect(r).toEqual({ ok: true, value: [] });
        expect((await store.getPool('other')).pending).toBe(1);
      });

      it('registers an unknown claimer, gives a draining one nothing, refuses a lost one', async () => {
        await store.push('q', [{ data: 1 }, { data: 2 }]);
        await claimOne(store, 'q', 'newcomer');
        expect(await store.getWorker('newcomer')).toMatchObject({ status: 'active', claimed_count: 1 });

        await store.registerWorker({ worker_id: 'drainer' });
        await store.setWorkerStatus('drainer', 'terminating');
        expect(await store.claim('q', 'drainer', 1)).toEqual({ ok: true, value: [] });

        await store.registerWorker({ worker_id: 'ghost' });
        await store.setWorkerStatus('ghost', 'lost');
        expect(await store.claim('q', 'ghost', 1)).toMatchObject({ ok: false, code: 'worker-not-active' });
        expect((await store.getPool('q')).pending).toBe(1);

        await store.registerWorker({ worker_id: 'ghost' });
        await claimOne(store, 'q', 'ghost');
      });

      it('claims one chosen item only while it is pending', async () => {
        const [a, b] = (await store.push('q', [{ data: 'a' }, { data: 'b' }])).ids;
        const r = await store.claimItem(b!, 'w1');
        expect(r).toMatchObject({ ok: true, value: { id: b, status: 'claimed', attempts: 1 } });
        expect(await store.claimItem(b!, 'w2')).toMatchObject({ ok: false, code: 'item-not-pending' });
        expect(await store.claimItem('999999', 'w1')).toMatchObject({ ok: false, code: 'item-not-found' });
        expect(await store.claimItem('not-an-id', 'w1')).toMatchObject({ ok: false, code: 'item-not-found' });
        expect((await claimOne(store, 'q', 'w2')).id).toBe(a);
      });

      it('applies max_retries per item, default 3', async () => {
        const [a, b] = (await store.push('q', [{ data: 1 }, { data: 2, max_retries: 7 }])).ids;
        expect((await store.getItem(a!))!.max_retries).toBe(3);
        expect((await store.getItem(b!))!.max_retries).toBe(7);
      });
    });

    describe('claim ids make a retried claim safe', () => {
      it('returns what the first try took, held under its id, and claims afresh once none is held', async () => {
        await store.push('q', [{ data: 1 }, { data: 2 }, { data: 3 }, { data: 4 }, { data: 5 }]);
        const first = await store.claim('q', 'w1', 2, 'claim-a');
        expect(first.ok && first.value.map((i) => i.data)).toEqual([1, 2]);
        for (const it of first.ok ? first.value : []) expect(it.lease_id).toMatch(/^claim-a\//);
        // The answer was lost; the retry gets the very same claims, leases included.
        const retry = await store.claim('q', 'w1', 2, 'claim-a');
        expect(retry).toEqual(first);
        expect((await store.getPool('q')).claimed).toBe(2);
        // Another id (or none) claims more; another worker's retry of this id finds nothing of w1's.
        expect((await store.claim('q', 'w1', 1, 'claim-b')).ok && 'more').toBe('more');
        const other = await store.claim('q', 'w2', 1, 'claim-a');
        expect(other.ok && other.value.map((i) => i.data)).toEqual([4]);
        // Completed items are no longer held: a late retry holds what is left of the claim.
        const [a, b] = first.ok ? first.value : [];
        expect((await store.complete(a!.id, { workerId: 'w1', leaseId: a!.lease_id })).ok).toBe(true);
        const late = await store.claim('q', 'w1', 2, 'claim-a');
        expect(late.ok && late.value.map((i) => i.id)).toEqual([b!.id]);
        expect((await store.complete(b!.id, { workerId: 'w1', leaseId: b!.lease_id })).ok).toBe(true);
        const fresh = await store.claim('q', 'w1', 2, 'claim-a');
        expect(fresh.ok && fresh.value.map((i) => i.data)).toEqual([5]);
        expect((await store.getPool('q')).pending).toBe(0);
      });

      it('holds for a one-item claim, a pool apart, and a draining worker', async () => {
        await store.push('q', [{ data: 1 }, { data: 2 }]);
        await store.push('r', [{ data: 'r1' }]);
        const one = await store.claim('q', 'w1', 1, 'k1');
        expect(await store.claim('q', 'w1', 1, 'k1')).toEqual(one);
        // The same id in another pool is another claim.
        const inR = await store.claim('r', 'w1', 1, 'k1');
        expect(inR.ok && inR.value.map((i) => i.data)).toEqual(['r1']);
        await store.setWorkerStatus('w1', 'terminating');
        expect(await store.claim('q', 'w1', 1, 'k1')).toEqual(one);
        expect(await store.claim('q', 'w1', 1, 'k2')).toEqual({ ok: true, value: [] });
      });
    });

    describe('complete and fail are fenced', () => {
      it('completes with the result kept and the attempt in history', async () => {
        const [id] = (await store.push('q', [{ data: 'job' }])).ids;
        clock.advance(10);
        const it0 = await claimOne(store, 'q', 'w1');
        clock.advance(250);
        const done = await store.complete(id!, { workerId: 'w1', leaseId: it0.lease_id!, result: { answer: 42 } });
        expect(done).toMatchObject({ ok: true, value: { status: 'completed', result: { answer: 42 }, lease_id: null } });
        const detail = await store.getItem(id!);
        expect(detail!.completed_at).toBe(new Date(clock.now()).toISOString());
        expect(detail!.history).toEqual([
          { attempt: 1, worker_id: 'w1', claimed_at: it0.claimed_at, ended_at: detail!.completed_at, outcome: 'completed', error: null, error_type: null },
        ]);
      });

      it('refuses a completion from anyone but the current claim holder, changing nothing', async () => {
        const [id] = (await store.push('q', [{ data: 'job' }])).ids;
        const held = await claimOne(store, 'q', 'w1');
        const before = await store.getItem(id!);
        expect(await store.complete(id!, { workerId: 'w2' })).toMatchObject({ ok: false, code: 'not-claim-holder' });
        expect(await store.fail(id!, { workerId: 'w2', error: 'x' })).toMatchObject({ ok: false, code: 'not-claim-holder' });
        expect(await store.complete(id!, { workerId: 'w1', leaseId: 'f'.repeat(32) })).toMatchObject({ ok: false, code: 'stale-lease' });
        expect(await store.complete('424242', { workerId: 'w1' })).toMatchObject({ ok: false, code: 'item-not-found' });
        expect(await store.getItem(id!)).toEqual(before);
        // A null lease is no lease: any claim of that worker.
        expect(await store.fail(id!, { workerId: 'w2', leaseId: null })).toMatchObject({ ok: false, code: 'not-claim-holder' });
        expect((await store.complete(id!, { workerId: 'w1', leaseId: held.lease_id! })).ok).toBe(true);
        expect(await store.complete(id!, { workerId: 'w1', leaseId: held.lease_id! })).toMatchObject({ ok: false, code: 'item-not-claimed' });
      });

      it('refuses a late completion after release, and the stale lease after a re-claim by the same worker', async () => {
        const [id] = (await store.push('q', [{ data: 'job' }])).ids;
        const first = await claimOne(store, 'q', 'w1');
        expect(await store.releaseWorker('w1')).toEqual({ ok: true, value: 1 });
        const released = await store.getItem(id!);
        expect(released).toMatchObject({ status: 'pending', attempts: 1, claimed_by: null, lease_id: null });
        expect(await store.complete(id!, { workerId: 'w1', leaseId: first.lease_id!, result: 'late' })).toMatchObject({
          ok: false,
          code: 'item-not-claimed',
        });
        expect(await store.getItem(id!)).toEqual(released);

        const second = await claimOne(store, 'q', 'w1');
        expect(second.attempts).toBe(2);
        const before = await store.getItem(id!);
        expect(await store.complete(id!, { workerId: 'w1', leaseId: first.lease_id!, result: 'late' })).toMatchObject({
          ok: false,
          code: 'stale-lease',
        });
        expect(await store.getItem(id!)).toEqual(before);
        expect(await store.complete(id!, { workerId: 'w1', leaseId: second.lease_id!, result: 'ok' })).toMatchObject({
          ok: true,
          value: { result: 'ok' },
        });
      });

      it('fails back to pending until attempts reach max_retries, then poisons (seed semantics)', async () => {
        const [id] = (await store.push('q', [{ data: 'flaky', max_retries: 2 }])).ids;
        const a1 = await claimOne(store, 'q', 'w1');
        expect(await store.fail(id!, { workerId: 'w1', leaseId: a1.lease_id!, error: 'boom 1' })).toMatchObject({
          ok: true,
          value: { status: 'pending', attempts: 1, claimed_by: null, last_error: 'boom 1' },
        });
        const a2 = await claimOne(store, 'q', 'w2');
        expect(a2.attempts).toBe(2);
        expect(await store.fail(id!, { workerId: 'w2', error: 'boom 2' })).toMatchObject({
          ok: true,
          value: { status: 'poisoned', attempts: 2, last_error: 'boom 2' },
        });
        expect(await store.claim('q', 'w1', 1)).toEqual({ ok: true, value: [] });
        const detail = await store.getItem(id!);
        expect(detail!.history.map((h) => [h.attempt, h.worker_id, h.outcome, h.error])).toEqual([
          [1, 'w1', 'failed', 'boom 1'],
          [2, 'w2', 'failed', 'boom 2'],
        ]);
        expect(await store.getPool('q')).toMatchObject({ pending: 0, poisoned: 1 });
      });

      it('completes a batch, judging each item as the single call does', async () => {
        const [a, b, c] = (await store.push('q', [{ data: 1 }, { data: 2 }, { data: 3 }])).ids;
        const r = await store.claim('q', 'w1', 2);
        if (!r.ok) throw new Error(r.detail);
        await claimOne(store, 'q', 'w2');
        const out = await store.completeMany({
          worker_id: 'w1',
          items: [
            { id: a!, lease_id: r.value[0]!.lease_id!, result: 'A' },
            { id: b!, lease_id: 'wrong' },
            { id: c! },
            { id: '777777' },
          ],
        });
        expect(out).toEqual({
          completed: [a],
          rejected: [
            { id: b, code: 'stale-lease' },
            { id: c, code: 'not-claim-holder' },
            { id: '777777', code: 'item-not-found' },
          ],
        });
        expect((await store.getItem(b!))!.status).toBe('claimed');
      });

      it('completes an item named twice in one batch once, and rejects the repeat as no longer claimed', async () => {
        const [a, b] = (await store.push('q', [{ data: 1 }, { data: 2 }])).ids;
        const r = await store.claim('q', 'w1', 2);
        if (!r.ok) throw new Error(r.detail);
        const lease = (id: string) => r.value.find((it) => it.id === id)!.lease_id!;
        const out = await store.completeMany({
          worker_id: 'w1',
          items: [
            { id: a!, lease_id: lease(a!), result: 'first' },
            { id: b!, lease_id: lease(b!) },
            { id: a!, lease_id: lease(a!), result: 'second' },
          ],
        });
        expect(out).toEqual({ completed: [a, b], rejected: [{ id: a, code: 'item-not-claimed' }] });
        const done = await store.getItem(a!);
        expect(done).toMatchObject({ status: 'completed', result: 'first' });
        expect(done!.history).toHaveLength(1);
        // No result given: none stored.
        expect((await store.getItem(b!))!.result).toBeNull();
        expect(await store.getPool('q')).toMatchObject({ pending: 0, claimed: 0, completed: 2 });
      });
    });

    describe('operator actions', () => {
      it('releases one worker everywhere, attempts kept, leaving everything else alone', async () => {
        const sel = await makeSelection(store);
        const others = Object.entries(sel).filter(([k]) => !k.endsWith('claimedA')).map(([, id]) => id);
        const before = await snapshot(store, others);
        expect(await store.releaseWorker('w-a')).toEqual({ ok: true, value: 2 });
        for (const key of ['alpha.claimedA', 'beta.claimedA']) {
          const it0 = await store.getItem(sel[key]!);
          expect(it0).toMatchObject({ status: 'pending', attempts: 1, claimed_by: null });
          expect(it0!.history.at(-1)).toMatchObject({ outcome: 'released', worker_id: 'w-a' });
        }
        expect(await snapshot(store, others)).toEqual(before);
      });

      it('releases a worker in one pool only (the seed release_by_worker)', async () => {
        const sel = await makeSelection(store);
        expect(await store.releaseWorker('w-b', 'beta')).toEqual({ ok: true, value: 1 });
        expect((await store.getItem(sel['beta.claimedB']!))!.status).toBe('pending');
        expect((await store.getItem(sel['alpha.claimedB']!))!.status).toBe('claimed');
        expect(await store.releaseWorker('nobody', 'beta')).toMatchObject({ ok: false, code: 'worker-not-found' });
      });

      it('retries a poisoned or completed item with attempts reset, and refuses live ones', async () => {
        const sel = await makeSelection(store);
        const r = await store.retryItem(sel['alpha.poisoned']!);
        expect(r).toMatchObject({ ok: true, value: { status: 'pending', attempts: 0, claimed_by: null, lease_id: null } });
        expect(await store.retryItem(sel['alpha.completed']!)).toMatchObject({ ok: true, value: { status: 'pending', result: null } });
        expect(await store.retryItem(sel['alpha.pending']!)).toMatchObject({ ok: false, code: 'item-not-retryable' });
        expect(await store.retryItem(sel['alpha.claimedA']!)).toMatchObject({ ok: false, code: 'item-not-retryable' });
        expect(await store.retryItem('123456')).toMatchObject({ ok: false, code: 'item-not-found' });
        expect((await store.getItem(sel['beta.poisoned']!))!.status).toBe('poisoned');
      });

      it('keeps every attempt in history when a completed item is retried and completed again', async () => {
        const [id] = (await store.push('q', [{ data: 'twice' }])).ids;
        const first = await claimOne(store, 'q', 'w1');
        clock.advance(5);
        await store.complete(id!, { workerId: 'w1', result: 1 });
        const firstEnd = new Date(clock.now()).toISOString();
        clock.advance(5);
        expect(await store.retryItem(id!)).toMatchObject({ ok: true, value: { status: 'pending', attempts: 0 } });
        const afterRetry = await store.getItem(id!);
        expect(afterRetry!.history).toEqual([
          { attempt: 1, worker_id: 'w1', claimed_at: first.claimed_at, ended_at: firstEnd, outcome: 'completed', error: null, error_type: null },
        ]);
        const second = await claimOne(store, 'q', 'w2');
        clock.advance(5);
        await store.complete(id!, { workerId: 'w2', result: 2 });
        clock.advance(5);
        expect(await store.retryPool('q', 'completed')).toBe(1);
        const third = await claimOne(store, 'q', 'w1');
        clock.advance(5);
        await store.complete(id!, { workerId: 'w1', result: 3 });
        const detail = await store.getItem(id!);
        expect(detail!.history.map((h) => [h.attempt, h.worker_id, h.claimed_at, h.outcome])).toEqual([
          [1, 'w1', first.claimed_at, 'completed'],
          [1, 'w2', second.claimed_at, 'completed'],
          [1, 'w1', third.claimed_at, 'completed'],
        ]);
        expect(detail!.history[2]!.ended_at).toBe(detail!.completed_at);
      });

      it('retries every poisoned item of one pool', async () => {
        const sel = await makeSelection(store);
        const [extra] = (await store.push('alpha', [{ data: 'x', max_retries: 1 }])).ids;
        await store.claimItem(extra!, 'w-a');
        await store.fail(extra!, { workerId: 'w-a', error: 'bad input' });
        const before = await snapshot(store, [sel['beta.poisoned']!, sel['alpha.completed']!, sel['alpha.claimedA']!]);
        expect(await store.retryPool('alpha', 'poisoned')).toBe(2);
        expect(await store.getPool('alpha')).toMatchObject({ poisoned: 0, pending: 3, claimed: 2, completed: 1 });
        expect(await snapshot(store, [sel['beta.poisoned']!, sel['alpha.completed']!, sel['alpha.claimedA']!])).toEqual(before);
      });

      it('deletes an item; a late completion then finds nothing', async () => {
        const sel = await makeSelection(store);
        expect(await store.deleteItem(sel['alpha.claimedA']!)).toEqual({ ok: true, value: null });
        expect(await store.getItem(sel['alpha.claimedA']!)).toBeNull();
        expect(await store.deleteItem(sel['alpha.claimedA']!)).toMatchObject({ ok: false, code: 'item-not-found' });
        expect(await store.complete(sel['alpha.claimedA']!, { workerId: 'w-a' })).toMatchObject({ ok: false, code: 'item-not-found' });
        expect((await store.getPool('alpha')).claimed).toBe(1);
      });
    });

    describe('reads', () => {
      it('summarizes pools, sorted by name, and an unknown pool as zeros', async () => {
        await makeSelection(store);
        const pools = await store.listPools();
        expect(pools.map((p) => p.name)).toEqual(['alpha', 'beta']);
        expect(pools[0]).toMatchObject({ pending: 1, claimed: 2, completed: 1, poisoned: 1 });
        expect(pools[0]!.oldest_pending_at).toBe(new Date(clock.now()).toISOString());
        expect(await store.getPool('nothing-here')).toEqual({
          name: 'nothing-here',
          scheduled: 0,
          pending: 0,
          claimed: 0,
          completed: 0,
          poisoned: 0,
          oldest_pending_at: null,
          paused: false,
        });
      });

      it('keeps pool counts equal to the items after every kind of write', async () => {
        const sel = await makeSelection(store);
        await store.releaseWorker('w-a', 'alpha');
        await store.retryItem(sel['beta.poisoned']!);
        await store.deleteItem(sel['beta.completed']!);
        await store.retryPool('alpha', 'poisoned');
        clock.advance(61_000);
        await store.reap(60);
        for (const pool of ['alpha', 'beta']) {
          const all = (await store.listItems(pool, { limit: 500 })).items;
          const expected = { scheduled: 0, pending: 0, claimed: 0, completed: 0, poisoned: 0 };
          for (const it0 of all) expected[it0.status]++;
          expect(await store.getPool(pool)).toMatchObject(expected);
        }
        for (const id of Object.values(sel)) await store.deleteItem(id);
        expect(await store.listPools()).toEqual([]);
      });

      it('reports the oldest pending item’s push time', async () => {
        await store.push('q', [{ data: 1 }]);
        const firstAt = new Date(clock.now()).toISOString();
        clock.advance(5000);
        await store.push('q', [{ data: 2 }]);
        expect((await store.getPool('q')).oldest_pending_at).toBe(firstAt);
        await claimOne(store, 'q', 'w1');
        expect((await store.getPool('q')).oldest_pending_at).toBe(new Date(clock.now()).toISOString());
      });

      it('pages through a pool oldest first, filtered by status', async () => {
        const ids = (await store.push('q', Array.from({ length: 7 }, (_, i) => ({ data: i })))).ids;
        await store.claim('q', 'w1', 2);
        const seen: string[] = [];
        let cursor: string | undefined;
        for (;;) {
          const page = await store.listItems('q', { limit: 3, ...(cursor ? { cursor } : {}) });
          seen.push(...page.items.map((i) => i.id));
          if (!page.next_cursor) break;
          cursor = page.next_cursor;
        }
        expect(seen).toEqual(ids);
        const pending = await store.listItems('q', { status: 'pending', limit: 50 });
        expect(pending.items.map((i) => i.id)).toEqual(ids.slice(2));
        expect(pending.next_cursor).toBeNull();
        expect((await store.listItems('q', { status: 'claimed', limit: 1 })).next_cursor).toBe(ids[0]);
      });
    });

    describe('workers', () => {
      it('registers, re-registers as active (replacing), and heartbeats with a shallow metadata merge', async () => {
        const w = await store.registerWorker({
          worker_id: 'w1',
          host: 'box',
          pid: 42,
          capabilities: ['gpu'],
          pool_id: 'q',
          metadata: { a: 1, nested: { x: 1 } },
        });
        expect(w).toMatchObject({ worker_id: 'w1', status: 'active', host: 'box', pid: 42, capabilities: ['gpu'], pool_id: 'q' });
        clock.advance(1000);
        const hb = await store.heartbeat('w1', { metadata: { b: 2, nested: { y: 2 } } });
        expect(hb).toMatchObject({ ok: true, value: { metadata: { a: 1, b: 2, nested: { y: 2 } } } });
        expect(hb.ok && hb.value.last_heartbeat).toBe(new Date(clock.now()).toISOString());
        expect(await store.heartbeat('nobody', {})).toMatchObject({ ok: false, code: 'worker-not-found' });

        await store.setWorkerStatus('w1', 'lost');
        const again = await store.registerWorker({ worker_id: 'w1' });
        expect(again).toMatchObject({ status: 'active', host: null, capabilities: null, metadata: null });
        const made = await store.registerWorker({});
        expect(made.worker_id).toMatch(/^[A-Za-z0-9._:-]{1,128}$/);
      });

      it('leaves metadata as it is on an empty merge: null stays null, an object stays itself (seed)', async () => {
        await store.registerWorker({ worker_id: 'bare' });
        expect(await store.heartbeat('bare', { metadata: {} })).toMatchObject({ ok: true, value: { metadata: null } });
        await store.registerWorker({ worker_id: 'rich', metadata: { a: 1 } });
        expect(await store.heartbeat('rich', { metadata: {} })).toMatchObject({ ok: true, value: { metadata: { a: 1 } } });
        expect(await store.heartbeat('bare', { metadata: { b: 2 } })).toMatchObject({ ok: true, value: { metadata: { b: 2 } } });
      });

      it('filters by status list, exact capability, pool and staleness (seed semantics)', async () => {
        await store.registerWorker({ worker_id: 'old', capabilities: ['gpu'], pool_id: 'p1' });
        clock.advance(120_000);
        await store.registerWorker({ worker_id: 'new', capabilities: ['gpu2'], pool_id: 'p2' });
        await store.registerWorker({ worker_id: 'done', capabilities: ['gpu'] });
        await store.setWorkerStatus('done', 'terminated');
        const ids = async (f: Parameters<HubStore['listWorkers']>[0]) => (await store.listWorkers(f)).map((w) => w.worker_id);
        expect(await ids({})).toEqual(['done', 'new', 'old']);
        expect(await ids({ status: ['active'] })).toEqual(['new', 'old']);
        expect(await ids({ status: ['active', 'terminated'] })).toEqual(['done', 'new', 'old']);
        expect(await ids({ capability: 'gpu' })).toEqual(['done', 'old']);
        expect(await ids({ pool_id: 'p2' })).toEqual(['new']);
        expect(await ids({ stale_threshold_seconds: 60 })).toEqual(['old']);
        expect(await ids({ stale_threshold_seconds: 60, status: ['terminated'] })).toEqual([]);
      });

      it('derives current_task_id from the held claim unless the worker reports its own', async () => {
        await store.push('q', [{ data: 1 }]);
        const it0 = await claimOne(store, 'q', 'w1');
        expect(await store.getWorker('w1')).toMatchObject({ current_task_id: it0.id, claimed_count: 1 });
        await store.complete(it0.id, { workerId: 'w1' });
        expect(await store.getWorker('w1')).toMatchObject({ current_task_id: null, claimed_count: 0 });
        await store.heartbeat('w1', { current_task_id: 'my-own-task' });
        expect((await store.getWorker('w1'))!.current_task_id).toBe('my-own-task');
      });

      it('releases what a worker holds when it is marked terminated or lost', async () => {
        const sel = await makeSelection(store);
        const r = await store.setWorkerStatus('w-b', 'terminated');
        expect(r).toMatchObject({ ok: true, value: { status: 'terminated', claimed_count: 0 } });
        expect((await store.getItem(sel['alpha.claimedB']!))!.status).toBe('pending');
        expect((await store.getItem(sel['alpha.claimedA']!))!.status).toBe('claimed');
        expect(await store.setWorkerStatus('nobody', 'lost')).toMatchObject({ ok: false, code: 'worker-not-found' });
      });
    });

    describe('liveness', () => {
      it('reaps stale workers: lost, items released with attempts kept, exhausted ones poisoned', async () => {
        await store.push('q', [{ data: 'ok' }, { data: 'killer', max_retries: 1 }]);
        await store.registerWorker({ worker_id: 'stale' });
        await store.registerWorker({ worker_id: 'fresh' });
        const a = await claimOne(store, 'q', 'stale');
        const b = await claimOne(store, 'q', 'stale');
        await store.push('r', [{ data: 'other' }]);
        const c = await claimOne(store, 'r', 'fresh');
        clock.advance(61_000);
        await store.heartbeat('fresh', {});
        events.length = 0;

        expect(await store.reap(60)).toEqual({ lost: ['stale'], released: 1, poisoned: 1 });
        expect(await store.getItem(a.id)).toMatchObject({ status: 'pending', attempts: 1, claimed_by: null });
        const poisoned = await store.getItem(b.id);
        expect(poisoned).toMatchObject({ status: 'poisoned', attempts: 1 });
        expect(poisoned!.last_error).toMatch(/stale.*lost/);
        expect(poisoned!.history.at(-1)).toMatchObject({ outcome: 'released', worker_id: 'stale' });
        expect((await store.getItem(c.id))!.status).toBe('claimed');
        expect((await store.getWorker('stale'))!.status).toBe('lost');
        expect(events).toContainEqual({ type: 'worker', worker_id: 'stale', status: 'lost' });

        expect(await store.reap(60)).toEqual({ lost: [], released: 0, poisoned: 0 });
      });

      it('also reaps a stale terminating worker, never a terminated one', async () => {
        await store.registerWorker({ worker_id: 'draining' });
        await store.setWorkerStatus('draining', 'terminating');
        await store.registerWorker({ worker_id: 'gone' });
        await store.setWorkerStatus('gone', 'terminated');
        clock.advance(61_000);
        expect((await store.reap(60)).lost).toEqual(['draining']);
      });

      it('prunes completed items past retention and nothing else', async () => {
        const sel = await makeSelection(store);
        clock.advance(3_600_000);
        const [recent] = (await store.push('alpha', [{ data: 'recent' }])).ids;
        await store.claimItem(recent!, 'w-a');
        await store.complete(recent!, { workerId: 'w-a' });
        expect(await store.prune(1800)).toBe(2);
        expect(await store.getItem(sel['alpha.completed']!)).toBeNull();
        expect(await store.getItem(recent!)).not.toBeNull();
        expect(await store.getItem(sel['alpha.poisoned']!)).not.toBeNull();
        expect(await store.prune(1800)).toBe(0);
      });
    });

    it('tells listeners of each change after it is made', async () => {
      const [id] = (await store.push('q', [{ data: 1 }])).ids;
      await claimOne(store, 'q', 'w1');
      await store.complete(id!, { workerId: 'w1' });
      expect(events).toContainEqual({ type: 'pool', name: 'q' });
      expect(events).toContainEqual({ type: 'item', id, pool: 'q', status: 'claimed' });
      expect(events).toContainEqual({ type: 'item', id, pool: 'q', status: 'completed' });
    });
  });
}
