/**
 * The dashboard's second round on every engine: item filters (error group, worker, age, order)
 * with a cursor that works both ways, counts, bulk retry and discard of a selection or of all
 * matching a filter, per-worker counts and held items, and queue latency.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HubEvent, HubStore } from '@/db';
import type { ListItemsQuery } from '@/lib/contracts';
import { manualClock, type Clock, type OpenStore } from './contract';

const MIN = 60_000;

export function dashboardContract(engine: string, open: OpenStore) {
  describe(`store contract, dashboard filters and stats: ${engine}`, () => {
    let store: HubStore;
    let clock: Clock;
    let events: HubEvent[];
    let cleanup: () => Promise<void>;

    beforeEach(async () => {
      clock = manualClock();
      events = [];
      ({ store, cleanup } = await open({ clock: clock.now, onChange: (e) => events.push(e) }));
    });
    afterEach(async () => {
      await cleanup();
    });

    /** Claims the next item as `worker` and fails it; poisoned since max_retries is 1. */
    async function poison(pool: string, worker: string, error: string) {
      const r = await store.claim(pool, worker, 1);
      if (!r.ok || r.value.length !== 1) throw new Error('nothing claimed');
      expect((await store.fail(r.value[0]!.id, { workerId: worker, error })).ok).toBe(true);
      return r.value[0]!.id;
    }

    /**
     * Six poisoned items in pool `p`, pushed a minute apart: two error groups, two workers;
     * plus a completed and a pending item, and a poisoned one in pool `other`.
     */
    async function fixture() {
      const ids: string[] = [];
      const groups = ['KeyError: customer_1', 'Timeout after 30s', 'KeyError: customer_22', 'Timeout after 31s', 'KeyError: customer_333', 'Timeout after 5s'];
      for (let i = 0; i < 6; i++) {
        const [id] = (await store.push('p', [{ data: { n: i }, max_retries: 1 }])).ids;
        ids.push(id!);
        clock.advance(MIN);
        expect(await poison('p', i % 2 === 0 ? 'w-a' : 'w-b', groups[i]!)).toBe(id);
      }
      const [done] = (await store.push('p', [{ data: 'done' }])).ids;
      const c = await store.claim('p', 'w-a', 1);
      expect(c.ok && c.value[0]!.id).toBe(done);
      expect((await store.complete(done!, { workerId: 'w-a' })).ok).toBe(true);
      const [pending] = (await store.push('p', [{ data: 'waiting' }])).ids;
      await store.push('other', [{ data: 'x', max_retries: 1 }]);
      const otherId = await poison('other', 'w-a', 'KeyError: customer_9');
      const fps = (await store.errorGroups('p', 10)).map((g) => g.fingerprint!).sort();
      expect(fps).toHaveLength(2);
      const keyErrors = fps.find((f) => f.includes('KeyError'))!;
      const timeouts = fps.find((f) => f.includes('Timeout'))!;
      return { ids, done: done!, pending: pending!, otherId, keyErrors, timeouts };
    }

    const list = async (q: Partial<ListItemsQuery>) => (await store.listItems('p', { limit: 50, ...q })).items.map((i) => i.id);

    it('filters by error group, worker and age, ANDed, and counts what it would list', async () => {
      const f = await fixture();
      expect(await list({ status: 'poisoned', fingerprint: f.keyErrors })).toEqual([f.ids[0], f.ids[2], f.ids[4]]);
      expect(await list({ status: 'poisoned', worker_id: 'w-b' })).toEqual([f.ids[1], f.ids[3], f.ids[5]]);
      // Item i was pushed i minutes after the first; the clock is 6 minutes past it.
      expect(await list({ older_than_seconds: 4 * 60 + 30 })).toEqual([f.ids[0], f.ids[1]]);
      expect(await list({ worker_id: 'w-a', fingerprint: f.timeouts })).toEqual([]);
      expect(await list({ worker_id: 'w-a' })).toEqual([f.ids[0], f.ids[2], f.ids[4], f.done]);
      expect(await store.countItems('p', { status: 'poisoned', fingerprint: f.keyErrors })).toBe(3);
      expect(await store.countItems('p', { worker_id: 'w-b' })).toBe(3);
      expect(await store.countItems('p', {})).toBe(8);
      expect(await store.countItems('p', { q: 'waiting' })).toBe(1);
      expect(await store.countItems('nowhere', {})).toBe(0);
    });

    it('lists newest first with a cursor that pages both ways without gaps or repeats', async () => {
      const f = await fixture();
      const all = [...f.ids, f.done, f.pending];
      for (const order of ['asc', 'desc'] as const) {
        const seen: string[] = [];
        let cursor: string | undefined;
        for (let page = 0; page < 10; page++) {
          const r = await store.listItems('p', { limit: 3, order, ...(cursor && { cursor }) });
          seen.push(...r.items.map((i) => i.id));
          if (!r.next_cursor) break;
          cursor = r.next_cursor;
        }
        expect(seen).toEqual(order === 'asc' ? all : [...all].reverse());
      }
      const newest = await store.listItems('p', { limit: 2, order: 'desc', status: 'poisoned' });
      expect(newest.items.map((i) => i.id)).toEqual([f.ids[5], f.ids[4]]);
      expect(newest.next_cursor).toBe(f.ids[4]);
    });

    it('retries a selection of ids, only those in the pool and status, and audits the filter', async () => {
      const f = await fixture();
      const by = { name: 'alice', role: 'operator' as const };
      // A pending id, another pool's id and an id that is not ours are left alone and not counted.
      const n = await store.retryPool('p', 'poisoned', { ids: [f.ids[0]!, f.ids[3]!, f.pending, f.otherId, 'abc', '999999'] }, by);
      expect(n).toBe(2);
      expect((await store.getItem(f.ids[0]!))!.status).toBe('pending');
      expect((await store.getItem(f.ids[3]!))!.status).toBe('pending');
      expect((await store.getItem(f.ids[1]!))!.status).toBe('poisoned');
      expect((await store.getItem(f.otherId))!.status).toBe('poisoned');
      expect((await store.getItem(f.pending))!.attempts).toBe(0);
      const [entry] = (await store.listAudit({ limit: 1 })).entries;
      expect(entry).toMatchObject({ action: 'pool.retry', target: 'p', changed: 2, detail: { status: 'poisoned', ids: [f.ids[0], f.ids[3], f.pending, f.otherId, 'abc', '999999'] } });
      expect(events.filter((e) => e.type === 'pool')).toContainEqual({ type: 'pool', name: 'p' });
    });

    it('discards all matching a filter (group + worker + age), and nothing else', async () => {
      const f = await fixture();
      const by = { name: 'alice', role: 'operator' as const };
      // KeyErrors of w-a pushed at least 3 minutes ago: ids[0] (6 min) and ids[2] (4 min), not ids[4] (2 min).
      const n = await store.discardPool('p', 'poisoned', { fingerprint: f.keyErrors, workerId: 'w-a', olderThanSeconds: 3 * 60 }, by);
      expect(n).toBe(2);
      expect(await store.getItem(f.ids[0]!)).toBeNull();
      expect(await store.getItem(f.ids[2]!)).toBeNull();
      for (const kept of [f.ids[1], f.ids[3], f.ids[4], f.ids[5], f.done, f.pending, f.otherId]) expect(await store.getItem(kept!)).not.toBeNull();
      const [entry] = (await store.listAudit({ limit: 1 })).entries;
      expect(entry).toMatchObject({
        action: 'pool.discard',
        changed: 2,
        detail: { status: 'poisoned', fingerprint: f.keyErrors, worker_id: 'w-a', older_than_seconds: 180 },
      });
      // The completed item, by ids, with status completed.
      expect(await store.discardPool('p', 'completed', { ids: [f.done] }, by)).toBe(1);
      expect(await store.getItem(f.done)).toBeNull();
    });

    it('counts per worker what it completed and its failed attempts; lists every item a worker holds', async () => {
      await store.push('p', [{ data: 1 }, { data: 2 }, { data: 3 }, { data: 4 }, { data: 5 }]);
      const a = await store.claim('p', 'w-a', 2);
      const b = await store.claim('p', 'w-b', 3);
      if (!a.ok || !b.ok) throw new Error('claim refused');
      await store.complete(a.value[0]!.id, { workerId: 'w-a' });
      await store.fail(a.value[1]!.id, { workerId: 'w-a', error: 'boom' }); // back to pending, attempt 1 failed
      await store.complete(b.value[0]!.id, { workerId: 'w-b' });
      // w-b fails the one w-a failed too, then completes it: one failure each, two completions for w-b.
      const again = await store.claimItem(a.value[1]!.id, 'w-b');
      expect(again.ok).toBe(true);
      await store.fail(a.value[1]!.id, { workerId: 'w-b', error: 'boom again' });
      expect((await store.claimItem(a.value[1]!.id, 'w-b')).ok).toBe(true);
      await store.complete(a.value[1]!.id, { workerId: 'w-b' });
      expect(await store.workerStats()).toEqual([
        { worker_id: 'w-a', completed: 1, failed: 1 },
        { worker_id: 'w-b', completed: 2, failed: 1 },
      ]);
      // w-b still holds two items, both listed, oldest claim first.
      const held = await store.workerItems('w-b');
      expect(held.map((i) => i.id)).toEqual([b.value[1]!.id, b.value[2]!.id]);
      expect(held.every((i) => i.status === 'claimed' && i.claimed_by === 'w-b' && i.lease_id !== null)).toBe(true);
      expect(await store.workerItems('w-a')).toEqual([]);
      expect(await store.workerItems('nobody')).toEqual([]);
    });

    it('measures queue latency from push (or run_at) to first claim, p50 and p95 per pool, in the window', async () => {
      // Ten items pushed together, claimed one a second later each: waits 1..10 s.
      const ids = (await store.push('lat', Array.from({ length: 10 }, (_, i) => ({ data: i })))).ids;
      for (let i = 0; i < 10; i++) {
        clock.advance(1000);
        const r = await store.claim('lat', 'w', 1);
        expect(r.ok && r.value[0]!.id).toBe(ids[i]);
        if (i % 3 === 0) await store.complete(ids[i]!, { workerId: 'w' });
      }
      // A delayed item waits from its run_at: due in 60 s, claimed 2 s after.
      await store.push('late', [{ data: 'd', delay_seconds: 60 }]);
      clock.advance(62_000);
      expect((await store.claim('late', 'w', 1)).ok).toBe(true);
      // A claim after a failure is not a first claim: not measured (nor is the first, overwritten).
      await store.push('late', [{ data: 'again' }]);
      const r = await store.claim('late', 'w', 1);
      if (!r.ok) throw new Error('claim refused');
      await store.fail(r.value[0]!.id, { workerId: 'w', error: 'x' });
      clock.advance(30_000);
      expect((await store.claim('late', 'w', 1)).ok).toBe(true);

      const l = await store.queueLatency(60);
      expect(l.minutes).toBe(60);
      expect(l.since).toBe(new Date(clock.now() - 3600_000).toISOString());
      expect(l.pools).toEqual([
        { pool: 'lat', claims: 10, p50_seconds: 5, p95_seconds: 10 },
        { pool: 'late', claims: 1, p50_seconds: 2, p95_seconds: 2 },
      ]);
      // An hour later the window holds none of them.
      clock.advance(3600_000);
      expect((await store.queueLatency(60)).pools).toEqual([]);
      expect((await store.queueLatency(120)).pools.map((p) => p.pool)).toEqual(['lat', 'late']);
    });
  });
}
