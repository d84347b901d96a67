/**
 * Reads in the store contract: pool summaries (kept equal to the items after every kind of write),
 * the oldest pending item's time, and paging through a pool.
 * Every engine's test file runs it beside the other store contracts.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { HubStore } from '@/db';
import { claimOne, freshStore, makeSelection, type Clock, type OpenStore } from './contract';

export function readsContract(engine: string, open: OpenStore) {
  describe(`store contract, reads: ${engine}`, () => {
    let store: HubStore;
    let clock: Clock;
    beforeEach(async () => {
      let cleanup: () => Promise<void>;
      ({ store, clock, cleanup } = await freshStore(open));
      return cleanup;
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
  });
}
