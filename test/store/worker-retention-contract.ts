/**
 * Pruning terminated workers after a retention (`HUB_WORKER_RETENTION_SECONDS`), on every engine,
 * with a clock the tests move instead of sleeping.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HubEvent, HubStore } from '@/db';
import { manualClock, type Clock, type OpenStore } from './contract';

/**
 * An engine's store plus a way to write a row as no store call would (a race's outcome, for a
 * guard to be tested against).
 */
export type OpenWithSql = (...args: Parameters<OpenStore>) => Promise<Awaited<ReturnType<OpenStore>> & { sql: (statement: string) => Promise<void> }>;

const DAY = 86_400;

export function workerRetentionContract(engine: string, open: OpenWithSql) {
  describe(`store contract, worker retention: ${engine}`, () => {
    let store: HubStore;
    let clock: Clock;
    let events: HubEvent[];
    let sql: (statement: string) => Promise<void>;
    let cleanup: () => Promise<void>;

    beforeEach(async () => {
      clock = manualClock();
      events = [];
      ({ store, cleanup, sql } = await open({ clock: clock.now, onChange: (e) => events.push(e) }));
    });
    afterEach(async () => {
      await cleanup();
    });

    const ids = async () => (await store.listWorkers({})).map((w) => w.worker_id);

    it('prunes terminated workers once their last heartbeat is older than the retention, and no others', async () => {
      for (const id of ['done', 'lost', 'quiet', 'late', 'busy']) await store.registerWorker({ worker_id: id });
      // `done` worked an item to the end: the item keeps its claimed_by after the worker is gone.
      const [item] = (await store.push('p', [{ data: 1 }])).ids;
      expect((await store.claim('p', 'done', 1)).ok).toBe(true);
      expect((await store.complete(item!, { workerId: 'done' })).ok).toBe(true);
      await store.setWorkerStatus('done', 'terminated');
      await store.setWorkerStatus('lost', 'lost');
      await store.setWorkerStatus('late', 'terminated');
      await store.setWorkerStatus('busy', 'terminated');
      clock.advance(3600_000);
      // A terminated worker that still heartbeats is kept a retention from its last heartbeat.
      expect((await store.heartbeat('late', {})).ok).toBe(true);

      clock.advance(DAY * 1000 - 3600_000);
      expect(await store.pruneWorkers(DAY)).toEqual([]); // exactly a retention old: kept
      clock.advance(1);
      events.length = 0;
      expect((await store.pruneWorkers(DAY)).sort()).toEqual(['busy', 'done']);
      expect(await ids()).toEqual(['late', 'lost', 'quiet']);
      expect(events).toEqual(
        expect.arrayContaining([
          { type: 'worker', worker_id: 'busy', status: 'terminated' },
          { type: 'worker', worker_id: 'done', status: 'terminated' },
        ]),
      );
      expect(events).toHaveLength(2);
      expect(await store.getItem(item!)).toMatchObject({ status: 'completed', claimed_by: 'done' });

      clock.advance(3600_000);
      expect(await store.pruneWorkers(DAY)).toEqual(['late']);
      // Lost workers stay for operators to see, and an active one is the reaper's, not the pruner's.
      clock.advance(30 * DAY * 1000);
      expect(await store.pruneWorkers(DAY)).toEqual([]);
      expect(await ids()).toEqual(['lost', 'quiet']);

      // A pruned worker that comes back registers afresh.
      expect(await store.registerWorker({ worker_id: 'done' })).toMatchObject({ worker_id: 'done', status: 'active', claimed_count: 0 });
    });

    it('never prunes a terminated worker that still holds an item', async () => {
      await store.registerWorker({ worker_id: 'holder' });
      const [item] = (await store.push('p', [{ data: 1 }])).ids;
      expect((await store.claim('p', 'holder', 1)).ok).toBe(true);
      // Marking it terminated through the store releases the item; a race can still leave one
      // held (a status written beside a claim), which the guard must respect.
      await sql(`UPDATE workers SET status = 'terminated' WHERE worker_id = 'holder'`);
      clock.advance(2 * DAY * 1000);
      expect(await store.pruneWorkers(DAY)).toEqual([]);
      expect(await store.getWorker('holder')).toMatchObject({ status: 'terminated', claimed_count: 1 });
      expect((await store.complete(item!, { workerId: 'holder' })).ok).toBe(true);
      expect(await store.pruneWorkers(DAY)).toEqual(['holder']);
      expect(await store.getWorker('holder')).toBeNull();
    });
  });
}
