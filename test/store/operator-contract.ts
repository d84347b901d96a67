/**
 * The operator part of the store contract (error groups, bulk retry/discard by error, search,
 * holders, throughput). Every engine's test file runs it beside the other store contracts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HubEvent, HubStore } from '@/db';
import type { Json } from '@/lib/contracts';
import type { OpenStore } from './contract';

const T0 = Date.parse('2026-11-29T06:10:30.000Z');

export function operatorContract(engine: string, open: OpenStore) {
  describe(`store contract, operator views: ${engine}`, () => {
    let now = T0;
    let store: HubStore;
    let events: HubEvent[];
    let cleanup: () => Promise<void>;

    beforeEach(async () => {
      now = T0;
      events = [];
      ({ store, cleanup } = await open({ clock: () => now, onChange: (e) => events.push(e) }));
    });
    afterEach(async () => {
      await cleanup();
    });

    /** Pushes one item and fails it `times` times with `error` (max_retries = times: poisoned). */
    async function poison(pool: string, error: string | null, times = 1, data: Json = { error }) {
      const [id] = (await store.push(pool, [{ data, max_retries: times }])).ids;
      for (let i = 0; i < times; i++) {
        const c = await store.claimItem(id!, 'w1');
        if (!c.ok) throw new Error(c.detail);
        await store.fail(id!, { workerId: 'w1', error });
      }
      return id!;
    }

    /** One item in every other state, so a bulk action can be shown to leave them alone. */
    async function bystanders(pool: string) {
      const [pending, claimed, completed] = (await store.push(pool, [{ data: 'p' }, { data: 'c' }, { data: 'd' }])).ids;
      await store.claimItem(claimed!, 'w2');
      await store.claimItem(completed!, 'w2');
      await store.complete(completed!, { workerId: 'w2' });
      return { pending: pending!, claimed: claimed!, completed: completed! };
    }

    describe('errorGroups', () => {
      it('groups poisoned items by exact error text, largest first, with first and last seen', async () => {
        await poison('a', 'boom');
        now += 60_000;
        await poison('a', 'timeout');
        now += 60_000;
        await poison('a', 'boom');
        await poison('a', null);
        await poison('b', 'boom'); // another pool
        await bystanders('a');

        const groups = await store.errorGroups('a', 100);
        expect(groups.map((g) => [g.error, g.count])).toEqual([
          ['boom', 2],
          [null, 1],
          ['timeout', 1],
        ]);
        const boom = groups[0]!;
        expect(boom.first_seen).toBe(new Date(T0).toISOString());
        expect(boom.last_seen).toBe(new Date(T0 + 120_000).toISOString());
        expect((await store.getItem(boom.sample_item_id))?.last_error).toBe('boom');
        expect(await store.errorGroups('a', 1)).toHaveLength(1);
        expect(await store.errorGroups('nothing-here', 100)).toEqual([]);
      });
    });

    describe('retryPool and discardPool with an error group', () => {
      it('retries only the named group and leaves every other item alone', async () => {
        const b1 = await poison('a', 'boom', 2);
        const b2 = await poison('a', 'boom');
        const t = await poison('a', 'timeout');
        const other = await poison('b', 'boom');
        const by = await bystanders('a');

        expect(await store.retryPool('a', 'poisoned', 'boom')).toBe(2);
        for (const id of [b1, b2]) {
          const it = await store.getItem(id);
          expect(it).toMatchObject({ status: 'pending', attempts: 0, claimed_by: null });
        }
        expect((await store.getItem(t))?.status).toBe('poisoned');
        expect((await store.getItem(other))?.status).toBe('poisoned');
        expect((await store.getItem(by.claimed))?.status).toBe('claimed');
        expect((await store.getItem(by.completed))?.status).toBe('completed');
        expect(events).toContainEqual({ type: 'pool', name: 'a' });
      });

      it('null names the items without an error; absent means every poisoned item', async () => {
        const n = await poison('a', null);
        await poison('a', 'boom');
        expect(await store.retryPool('a', 'poisoned', null)).toBe(1);
        expect((await store.getItem(n))?.status).toBe('pending');
        await poison('a', 'x');
        expect(await store.retryPool('a', 'poisoned')).toBe(2);
      });

      it('discards only the named group; pending and claimed items are never touched', async () => {
        await poison('a', 'boom');
        await poison('a', 'boom');
        const t = await poison('a', 'timeout');
        const by = await bystanders('a');

        expect(await store.discardPool('a', 'poisoned', 'boom')).toBe(2);
        expect(await store.errorGroups('a', 100)).toMatchObject([{ error: 'timeout', count: 1 }]);
        expect((await store.getItem(t))?.status).toBe('poisoned');
        expect((await store.getItem(by.pending))?.status).toBe('pending');
        expect((await store.getItem(by.claimed))?.status).toBe('claimed');
        expect(await store.discardPool('a', 'completed')).toBe(1);
        expect(await store.getItem(by.completed)).toBeNull();
        expect(await store.discardPool('a', 'poisoned', 'no such error')).toBe(0);
      });
    });

    describe('listItems search', () => {
      it('matches a case-insensitive substring of the data, with status and paging', async () => {
        await store.push('a', [
          { data: { user: 'Alice', n: 1 } },
          { data: { user: 'bob' } },
          { data: { user: 'alice', n: 2 } },
          { data: 'ALICE' },
        ]);
        const all = await store.listItems('a', { q: 'alice', limit: 50 });
        expect(all.items.map((i) => i.data)).toEqual([{ user: 'Alice', n: 1 }, { user: 'alice', n: 2 }, 'ALICE']);

        const first = await store.listItems('a', { q: 'alice', limit: 2 });
        expect(first.items).toHaveLength(2);
        const second = await store.listItems('a', { q: 'alice', limit: 2, cursor: first.next_cursor! });
        expect(second.items.map((i) => i.data)).toEqual(['ALICE']);
        expect(second.next_cursor).toBeNull();

        expect((await store.listItems('a', { q: 'BOB', limit: 50 })).items).toHaveLength(1);
        expect((await store.listItems('a', { q: 'alice', status: 'claimed', limit: 50 })).items).toEqual([]);
        expect((await store.listItems('a', { q: '%', limit: 50 })).items).toEqual([]);
      });
    });

    describe('poolHolders', () => {
      it('counts claimed items per worker in one pool, with the worker state', async () => {
        await store.registerWorker({ worker_id: 'w1' });
        await store.push('a', [{ data: 1 }, { data: 2 }, { data: 3 }]);
        await store.push('b', [{ data: 4 }]);
        await store.claim('a', 'w1', 2);
        await store.claim('a', 'w2', 1);
        await store.claim('b', 'w2', 1);
        expect(await store.poolHolders('a')).toEqual([
          { worker_id: 'w1', claimed: 2, worker_status: 'active', last_heartbeat: new Date(T0).toISOString() },
          { worker_id: 'w2', claimed: 1, worker_status: 'active', last_heartbeat: new Date(T0).toISOString() },
        ]);
        expect(await store.poolHolders('empty')).toEqual([]);
      });
    });

    describe('throughput', () => {
      it('counts completions and failures per pool per minute, oldest first', async () => {
        await store.push('a', [{ data: 1 }, { data: 2 }, { data: 3 }, { data: 4 }]);
        await store.push('b', [{ data: 5 }]);
        let c = await store.claim('a', 'w1', 2);
        if (!c.ok) throw new Error('claim');
        await store.complete(c.value[0]!.id, { workerId: 'w1' });
        await store.fail(c.value[1]!.id, { workerId: 'w1', error: 'x' });
        now += 60_000;
        c = await store.claim('a', 'w1', 3);
        if (!c.ok) throw new Error('claim');
        const r = await store.completeMany({ worker_id: 'w1', items: c.value.map((i) => ({ id: i.id })) });
        expect(r.completed).toHaveLength(3);
        // a rejected completion counts nothing
        await store.completeMany({ worker_id: 'w1', items: [{ id: c.value[0]!.id }] });

        const t = await store.throughput(3);
        expect(t.minutes).toBe(3);
        expect(t.since).toBe('2026-11-29T06:09:00.000Z');
        expect(t.pools).toEqual([{ pool: 'a', completed: [0, 1, 3], failed: [0, 1, 0], poisoned: [0, 0, 0] }]);

        // counted when it happened: a later retry or delete changes nothing
        await store.deleteItem(c.value[0]!.id);
        expect((await store.throughput(3)).pools[0]!.completed).toEqual([0, 1, 3]);

        now += 10 * 60_000;
        expect((await store.throughput(3)).pools).toEqual([]);
        expect((await store.throughput(12)).pools[0]!.completed.slice(0, 3)).toEqual([1, 3, 0]);
      });

      it('prune drops counters older than a day', async () => {
        await store.push('a', [{ data: 1 }]);
        const c = await store.claim('a', 'w1', 1);
        if (!c.ok) throw new Error('claim');
        await store.complete(c.value[0]!.id, { workerId: 'w1' });
        now += 25 * 60 * 60_000;
        await store.prune(7 * 24 * 3600);
        expect((await store.throughput(1440)).pools).toEqual([]);
      });
    });
  });
}
