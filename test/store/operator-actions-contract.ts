/**
 * Operator actions in the store contract: release a worker (everywhere or in one pool), retry an
 * item or a pool, delete an item; each leaves every other item alone.
 * Every engine's test file runs it beside the other store contracts.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { HubStore } from '@/db';
import { claimOne, freshStore, makeSelection, snapshot, type Clock, type OpenStore } from './contract';

export function operatorActionsContract(engine: string, open: OpenStore) {
  describe(`store contract, operator actions: ${engine}`, () => {
    let store: HubStore;
    let clock: Clock;
    beforeEach(async () => {
      let cleanup: () => Promise<void>;
      ({ store, clock, cleanup } = await freshStore(open));
      return cleanup;
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
  });
}
