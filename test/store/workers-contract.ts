/**
 * Workers and liveness in the store contract: register, heartbeat, filters, status changes that
 * release, and the reaper and retention pruning on a moved clock.
 * Every engine's test file runs it beside the other store contracts.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { HubEvent, HubStore } from '@/db';
import { claimOne, freshStore, makeSelection, type Clock, type OpenStore } from './contract';

export function workersContract(engine: string, open: OpenStore) {
  describe(`store contract, workers and liveness: ${engine}`, () => {
    let store: HubStore;
    let clock: Clock;
    let events: HubEvent[];
    beforeEach(async () => {
      let cleanup: () => Promise<void>;
      ({ store, clock, events, cleanup } = await freshStore(open));
      return cleanup;
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
  });
}
