/**
 * The claim part of the store contract: push order, what a claim marks, who may claim, claim by id,
 * and claim ids that make a retried claim safe.
 * Every engine's test file runs it beside the other store contracts.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { HubStore } from '@/db';
import { claimOne, freshStore, type Clock, type OpenStore } from './contract';

export function claimsContract(engine: string, open: OpenStore) {
  describe(`store contract, claims: ${engine}`, () => {
    let store: HubStore;
    let clock: Clock;
    beforeEach(async () => {
      let cleanup: () => Promise<void>;
      ({ store, clock, cleanup } = await freshStore(open));
      return cleanup;
    });

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

      it('keeps every rule while a pool is being drained: due items first, pause, a lost worker, a claim id', async () => {
        // Claims that follow a claim which took items (on SQLite: the busy pool's one statement).
        const ids = (await store.push('busy', [{ data: 'a' }, { data: 'b' }, { data: 'c' }, { data: 'd' }])).ids;
        const [late] = (await store.push('busy', [{ data: 'late', priority: 5, delay_seconds: 10 }])).ids;
        const data = (r: Awaited<ReturnType<HubStore['claim']>>) => (r.ok ? r.value.map((it) => it.data) : r.code);
        expect(data(await store.claim('busy', 'w1', 1))).toEqual(['a']);
        clock.advance(11_000); // `late` falls due, and outranks b, c and d
        expect(data(await store.claim('busy', 'w1', 1))).toEqual(['late']);
        expect(data(await store.claim('busy', 'w1', 1))).toEqual(['b']);
        await store.updatePoolSettings('busy', { paused: true }, { name: 'op', role: 'operator' });
        expect(data(await store.claim('busy', 'w1', 1))).toEqual([]);
        await store.updatePoolSettings('busy', { paused: false }, { name: 'op', role: 'operator' });
        expect(data(await store.claim('busy', 'w1', 1))).toEqual(['c']);
        await store.setWorkerStatus('w1', 'lost'); // what it held goes back: a, late, b, c
        expect(data(await store.claim('busy', 'w1', 1))).toBe('worker-not-active');
        await store.registerWorker({ worker_id: 'w1' });
        const first = await store.claim('busy', 'w1', 1, 'try-1');
        const again = await store.claim('busy', 'w1', 1, 'try-1'); // its answer was lost: the same item
        expect(first.ok && first.value.map((it) => it.id)).toEqual([late]);
        expect(again.ok && again.value.map((it) => it.id)).toEqual([late]);
        expect(data(await store.claim('busy', 'w1', 4))).toEqual(['a', 'b', 'c', 'd']);
        expect(ids).toHaveLength(4);
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
  });
}
