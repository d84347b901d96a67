/**
 * The queue-semantics part of the store contract: delays, priorities, retry backoff, idempotency
 * keys, pause and pool settings. Every engine's test file runs it beside the other store contracts, with a
 * clock the tests move instead of sleeping.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HubEvent, HubStore } from '@/db';
import type { WorkItem } from '@/lib/contracts';
import { manualClock, type Clock, type OpenStore } from './contract';

const OPERATOR = { name: 'alice', role: 'operator' as const };

export function queueContract(engine: string, open: OpenStore) {
  describe(`store contract, queue semantics: ${engine}`, () => {
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

    const iso = (ms: number) => new Date(ms).toISOString();

    async function claimAll(pool: string, worker = 'w1', limit = 1): Promise<WorkItem[]> {
      const r = await store.claim(pool, worker, limit);
      if (!r.ok) throw new Error(`claim refused: ${r.detail}`);
      return r.value;
    }

    /** Counts as the items themselves say, to hold the trigger-kept summary to. */
    async function counted(pool: string) {
      const c = { scheduled: 0, pending: 0, claimed: 0, completed: 0, poisoned: 0 };
      for (const it of (await store.listItems(pool, { limit: 500 })).items) c[it.status]++;
      return c;
    }

    describe('delayed items', () => {
      it('are scheduled until their time, then claimable; counted apart from pending', async () => {
        const t0 = clock.now();
        const { ids } = await store.push('q', [{ data: 'later', delay_seconds: 60 }, { data: 'now' }]);
        const later = await store.getItem(ids[0]!);
        expect(later).toMatchObject({ status: 'scheduled', run_at: iso(t0 + 60_000) });
        expect(await store.getPool('q')).toMatchObject({ scheduled: 1, pending: 1, oldest_pending_at: iso(t0) });
        expect((await claimAll('q')).map((i) => i.id)).toEqual([ids[1]]);
        expect(await claimAll('q')).toEqual([]);
        expect(await store.nextDue('q')).toBe(60_000);
        clock.advance(59_999);
        expect(await claimAll('q')).toEqual([]);
        clock.advance(1);
        expect(await store.nextDue('q')).toBe(0);
        const [got] = await claimAll('q');
        expect(got).toMatchObject({ id: ids[0], status: 'claimed', run_at: iso(t0 + 60_000) });
        expect(await store.getPool('q')).toMatchObject({ ...(await counted('q')), scheduled: 0 });
        expect(await store.nextDue('q')).toBeNull();
      });

      it('take run_at as given: past means at once, future means scheduled; oldest_pending_at ignores what is not due', async () => {
        const t0 = clock.now();
        const { ids } = await store.push('q', [
          { data: 'past', run_at: iso(t0 - 5_000) },
          { data: 'future', run_at: new Date(t0 + 3_600_000).toISOString().replace('Z', '+00:00') },
        ]);
        expect((await store.getItem(ids[0]!))!.status).toBe('pending');
        expect((await store.getItem(ids[1]!))!.status).toBe('scheduled');
        const [first] = await claimAll('q');
        await store.complete(first!.id, { workerId: 'w1' });
        expect(await store.getPool('q')).toMatchObject({ scheduled: 1, pending: 0, oldest_pending_at: null });
      });

      it('run now makes a scheduled item pending; anything else is refused', async () => {
        const { ids } = await store.push('q', [{ data: 'x', delay_seconds: 3600 }, { data: 'y' }]);
        const run = await store.runItem(ids[0]!, OPERATOR);
        expect(run).toMatchObject({ ok: true, value: { status: 'pending', run_at: iso(clock.now()) } });
        expect(await store.runItem(ids[1]!)).toMatchObject({ ok: false, code: 'item-not-scheduled' });
        expect(await store.runItem('999999')).toMatchObject({ ok: false, code: 'item-not-found' });
        expect((await claimAll('q', 'w1', 2)).map((i) => i.id)).toEqual(ids);
        const audit = await store.listAudit({ limit: 10 });
        expect(audit.entries[0]).toMatchObject({ action: 'item.run', target: ids[0], actor: 'alice' });
      });
    });

    describe('priority', () => {
      it('claims higher priority first, push order within one priority, in single and batch claims', async () => {
        const { ids } = await store.push('q', [
          { data: 'a0', priority: 0 },
          { data: 'b5', priority: 5 },
          { data: 'c0' },
          { data: 'd5', priority: 5 },
          { data: 'e-3', priority: -3 },
          { data: 'f9', priority: 9 },
        ]);
        const [a0, b5, c0, d5, e, f9] = ids;
        expect((await claimAll('q'))[0]!.id).toBe(f9);
        expect((await claimAll('q', 'w1', 3)).map((i) => i.id)).toEqual([b5, d5, a0]);
        expect((await claimAll('q', 'w1', 5)).map((i) => i.id)).toEqual([c0, e]);
        const item = await store.getItem(f9!);
        expect(item!.priority).toBe(9);
      });

      it('a delayed item, once due, is claimed before younger items of its priority (push order)', async () => {
        // The property test found PostgreSQL's claim taking the younger item beside the promotion.
        await store.registerWorker({ worker_id: 'w1' }); // an active worker's claim: the one-statement path
        const { ids } = await store.push('q', [{ data: 'older, delayed', delay_seconds: 30 }, { data: 'younger' }]);
        clock.advance(30_000);
        expect((await claimAll('q'))[0]!.id).toBe(ids[0]);
        expect((await claimAll('q'))[0]!.id).toBe(ids[1]);
      });

      it('a delayed item takes its place by priority once due', async () => {
        const { ids } = await store.push('q', [{ data: 'low' }, { data: 'urgent later', priority: 10, delay_seconds: 5 }]);
        clock.advance(5_000);
        expect((await claimAll('q'))[0]!.id).toBe(ids[1]);
      });
    });

    describe('retry backoff', () => {
      it('none by default: a failed item is claimable again at once', async () => {
        const { ids } = await store.push('q', [{ data: 1 }]);
        await claimAll('q');
        const f = await store.fail(ids[0]!, { workerId: 'w1', error: 'boom' });
        expect(f).toMatchObject({ ok: true, value: { status: 'pending', run_at: null } });
        expect((await claimAll('q'))[0]!.id).toBe(ids[0]);
      });

      it("fixed, from the pool's settings: scheduled for the delay, then claimable", async () => {
        await store.updatePoolSettings('q', { backoff: { type: 'fixed', delay_seconds: 30 } });
        const { ids } = await store.push('q', [{ data: 1, max_retries: 3 }]);
        await claimAll('q');
        const t = clock.now();
        const f = await store.fail(ids[0]!, { workerId: 'w1', error: 'boom' });
        expect(f).toMatchObject({ ok: true, value: { status: 'scheduled', run_at: iso(t + 30_000), claimed_by: null } });
        expect(await store.getPool('q')).toMatchObject({ scheduled: 1, pending: 0, claimed: 0 });
        expect(await store.getPool('q')).toMatchObject(await counted('q'));
        clock.advance(29_999);
        expect(await claimAll('q')).toEqual([]);
        clock.advance(1);
        expect(await claimAll('q')).toMatchObject([{ id: ids[0], attempts: 2 }]);
        expect(await store.getPool('q')).toMatchObject(await counted('q'));
      });

      it("exponential from the item's own policy (over its pool's): doubling up to the cap; the last failure poisons", async () => {
        await store.updatePoolSettings('q', { backoff: { type: 'fixed', delay_seconds: 1 } });
        const { ids } = await store.push('q', [
          { data: 1, max_retries: 5, backoff: { type: 'exponential', base_seconds: 10, max_seconds: 25, jitter: 0 } },
        ]);
        const waits: number[] = [];
        for (let attempt = 1; attempt <= 4; attempt++) {
          expect(await claimAll('q')).toHaveLength(1);
          const t = clock.now();
          const f = await store.fail(ids[0]!, { workerId: 'w1', error: `try ${attempt}` });
          if (!f.ok) throw new Error(f.detail);
          expect(f.value.status).toBe('scheduled');
          waits.push(Date.parse(f.value.run_at!) - t);
          clock.advance(Date.parse(f.value.run_at!) - t);
        }
        expect(waits).toEqual([10_000, 20_000, 25_000, 25_000]);
        await claimAll('q');
        const last = await store.fail(ids[0]!, { workerId: 'w1', error: 'try 5' });
        expect(last).toMatchObject({ ok: true, value: { status: 'poisoned' } });
        expect((await store.getItem(ids[0]!))!.backoff).toEqual({ type: 'exponential', base_seconds: 10, max_seconds: 25, jitter: 0 });
      });

      it('jitter shortens each wait by up to its share, never lengthens it', async () => {
        const backoff = { type: 'exponential' as const, base_seconds: 100, max_seconds: 100, jitter: 0.5 };
        const { ids } = await store.push('q', Array.from({ length: 20 }, (_, i) => ({ data: i, backoff })));
        const waits: number[] = [];
        for (const id of ids) {
          await store.claimItem(id, 'w1');
          const f = await store.fail(id, { workerId: 'w1' });
          if (!f.ok) throw new Error(f.detail);
          waits.push(Date.parse(f.value.run_at!) - clock.now());
        }
        for (const w of waits) {
          expect(w).toBeGreaterThanOrEqual(50_000);
          expect(w).toBeLessThanOrEqual(100_000);
        }
        expect(new Set(waits).size).toBeGreaterThan(1);
      });

      it('an item pushed with backoff none waits for nothing even when its pool has a policy', async () => {
        await store.updatePoolSettings('q', { backoff: { type: 'fixed', delay_seconds: 60 } });
        const { ids } = await store.push('q', [{ data: 1, backoff: { type: 'none' } }]);
        await claimAll('q');
        const f = await store.fail(ids[0]!, { workerId: 'w1' });
        expect(f).toMatchObject({ ok: true, value: { status: 'pending' } });
      });

      it('release and the reaper put items back at once, whatever the policy', async () => {
        await store.updatePoolSettings('q', { backoff: { type: 'fixed', delay_seconds: 60 } });
        const { ids } = await store.push('q', [{ data: 1 }]);
        await claimAll('q');
        expect(await store.releaseWorker('w1')).toEqual({ ok: true, value: 1 });
        expect((await store.getItem(ids[0]!))!.status).toBe('pending');
      });
    });

    describe('idempotency keys', () => {
      it('a second push with a live key returns the first item and changes nothing', async () => {
        const first = await store.push('q', [{ data: 'one', key: 'order-1' }]);
        expect(first.created).toEqual([true]);
        const before = await store.getItem(first.ids[0]!);
        const again = await store.push('q', [{ data: 'two', key: 'order-1', priority: 9 }]);
        expect(again).toEqual({ ids: first.ids, created: [false] });
        expect(await store.getItem(first.ids[0]!)).toEqual(before);
        expect((await store.getPool('q')).pending).toBe(1);
        // Keys are per pool.
        expect((await store.push('other', [{ data: 'x', key: 'order-1' }])).created).toEqual([true]);
      });

      it('a batch reports which were new, repeats inside it included', async () => {
        const { ids: [held] } = await store.push('q', [{ data: 0, key: 'k0' }]);
        const r = await store.push('q', [{ data: 1 }, { data: 2, key: 'k0' }, { data: 3, key: 'k1' }, { data: 4, key: 'k1' }, { data: 5 }]);
        expect(r.created).toEqual([true, false, true, false, true]);
        expect(r.ids[1]).toBe(held);
        expect(r.ids[3]).toBe(r.ids[2]);
        expect(new Set(r.ids).size).toBe(4);
        const items = (await store.listItems('q', { limit: 50 })).items;
        expect(items.map((i) => i.data)).toEqual([0, 1, 3, 5]);
        expect(items.map((i) => i.key)).toEqual(['k0', null, 'k1', null]);
      });

      it('the key is held while scheduled, pending, claimed or poisoned; freed by completion or deletion', async () => {
        const { ids: [a] } = await store.push('q', [{ data: 'a', key: 'k', max_retries: 1 }]);
        await claimAll('q');
        expect((await store.push('q', [{ data: 'b', key: 'k' }])).created).toEqual([false]);
        await store.fail(a!, { workerId: 'w1', error: 'bad' }); // poisoned
        expect((await store.push('q', [{ data: 'b', key: 'k' }])).ids).toEqual([a]);
        await store.deleteItem(a!);
        const { ids: [b], created } = await store.push('q', [{ data: 'b', key: 'k' }]);
        expect(created).toEqual([true]);
        await claimAll('q');
        await store.complete(b!, { workerId: 'w1' });
        const { ids: [c], created: again } = await store.push('q', [{ data: 'c', key: 'k' }]);
        expect(again).toEqual([true]);
        // Retrying the completed item puts it back without its key: `c` holds it now.
        expect(await store.retryItem(b!)).toMatchObject({ ok: true, value: { status: 'pending', key: null } });
        expect((await store.retryPool('q', 'completed')) >= 0).toBe(true);
        expect((await store.push('q', [{ data: 'd', key: 'k' }])).ids).toEqual([c]);
      });
    });

    describe('pause and pool settings', () => {
      it('a paused pool hands out nothing, everything else works; resume hands out again', async () => {
        const { ids } = await store.push('q', [{ data: 1 }, { data: 2 }]);
        await claimAll('q');
        events.length = 0;
        const paused = await store.updatePoolSettings('q', { paused: true }, OPERATOR);
        expect(paused).toMatchObject({ pool: 'q', paused: true, updated_at: iso(clock.now()) });
        expect(events).toContainEqual({ type: 'pool', name: 'q' });
        expect(await claimAll('q')).toEqual([]);
        expect(await claimAll('q', 'w2', 10)).toEqual([]);
        expect(await store.claimItem(ids[1]!, 'w1')).toMatchObject({ ok: false, code: 'pool-paused' });
        expect((await store.complete(ids[0]!, { workerId: 'w1' })).ok).toBe(true);
        expect((await store.push('q', [{ data: 3 }])).created).toEqual([true]);
        expect(await store.getPool('q')).toMatchObject({ paused: true, pending: 2, completed: 1 });
        expect((await store.getPool('r')).paused).toBe(false);
        await store.updatePoolSettings('q', { paused: false }, OPERATOR);
        expect((await claimAll('q', 'w1', 10)).map((i) => i.id)).toHaveLength(2);
        const actions = (await store.listAudit({ limit: 10 })).entries.map((e) => [e.action, e.target]);
        expect(actions).toEqual([
          ['pool.resume', 'q'],
          ['pool.pause', 'q'],
        ]);
      });

      it('a paused pool with no items is still listed', async () => {
        await store.updatePoolSettings('empty', { paused: true });
        expect(await store.listPools()).toEqual([
          { name: 'empty', scheduled: 0, pending: 0, claimed: 0, completed: 0, poisoned: 0, oldest_pending_at: null, paused: true },
        ]);
      });

      it('settings: defaults, partial changes, null back to the default; max_retries applies to later pushes', async () => {
        expect(await store.getPoolSettings('q')).toEqual({ pool: 'q', max_retries: 3, backoff: { type: 'none' }, paused: false, updated_at: null });
        await store.updatePoolSettings('q', { max_retries: 7 });
        const backoff = { type: 'exponential' as const, base_seconds: 2, max_seconds: 60, jitter: 0.1 };
        const s = await store.updatePoolSettings('q', { backoff }, OPERATOR);
        expect(s).toMatchObject({ max_retries: 7, backoff, paused: false });
        const { ids } = await store.push('q', [{ data: 1 }, { data: 2, max_retries: 2 }]);
        expect((await store.getItem(ids[0]!))!.max_retries).toBe(7);
        expect((await store.getItem(ids[1]!))!.max_retries).toBe(2);
        expect(await store.updatePoolSettings('q', { max_retries: null, backoff: null })).toMatchObject({ max_retries: 3, backoff: { type: 'none' } });
        const entry = (await store.listAudit({ limit: 1 })).entries[0];
        expect(entry).toMatchObject({ action: 'pool.settings', target: 'q', detail: { backoff } });
      });
    });
  });
}
