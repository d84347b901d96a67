/**
 * Error groups by fingerprint, on every engine: failures whose messages differ only in ids and
 * numbers form one group with a few real examples, bulk retry and discard take a group by its
 * fingerprint, and the reaper's poisoning is one group whatever worker was lost.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HubStore } from '@/db';
import { manualClock, type Clock, type OpenStore } from './contract';

export function errorGroupsContract(engine: string, open: OpenStore) {
  describe(`store contract, error groups: ${engine}`, () => {
    let store: HubStore;
    let clock: Clock;
    let cleanup: () => Promise<void>;
    beforeEach(async () => {
      clock = manualClock();
      ({ store, cleanup } = await open({ clock: clock.now, onChange: () => {} }));
    });
    afterEach(async () => cleanup());

    /** Pushes one item with one attempt and fails it with `error` (so it is poisoned). */
    async function poison(pool: string, error: string | null, errorType?: string) {
      const { ids } = await store.push(pool, [{ data: error, max_retries: 1 }]);
      await store.claimItem(ids[0]!, 'w1');
      const f = await store.fail(ids[0]!, { workerId: 'w1', error, errorType });
      if (!f.ok) throw new Error(f.detail);
      clock.advance(1000);
      return ids[0]!;
    }

    it('groups errors that differ only in ids and numbers, with the latest texts as examples', async () => {
      for (const n of [4821, 77, 9, 1234]) await poison('p', `KeyError: 'customer_${n}'\n  at line ${n}`);
      await poison('p', 'TimeoutError: db did not answer in 30 s');
      await poison('p', 'boom', 'RuntimeError');
      const groups = await store.errorGroups('p', 10);
      expect(groups.map((g) => [g.fingerprint, g.count])).toEqual([
        ["KeyError: 'customer_<n>'", 4],
        ['RuntimeError: boom', 1],
        ['TimeoutError: db did not answer in <n> s', 1],
      ]);
      const keyErrors = groups[0]!;
      expect(keyErrors.examples).toEqual(["KeyError: 'customer_1234'\n  at line 1234", "KeyError: 'customer_9'\n  at line 9", "KeyError: 'customer_77'\n  at line 77"]);
      expect(keyErrors.error).toBe(keyErrors.examples[0]);
      expect(groups[1]).toMatchObject({ error_type: 'RuntimeError', error: 'boom', examples: ['boom'] });
      const item = await store.getItem((await store.listItems('p', { status: 'poisoned', limit: 10 })).items.at(-1)!.id);
      expect(item).toMatchObject({ last_error: 'boom', last_error_type: 'RuntimeError' });
      expect(item!.history.at(-1)).toMatchObject({ outcome: 'failed', error: 'boom', error_type: 'RuntimeError' });
    });

    it('retries and discards one group by its fingerprint, leaving the others', async () => {
      for (const n of [1, 2, 3]) await poison('p', `KeyError: 'customer_${n}'`);
      const other = await poison('p', 'TimeoutError: db did not answer in 30 s');
      const none = await poison('p', null);
      expect(await store.retryPool('p', 'poisoned', { fingerprint: "KeyError: 'customer_<n>'" })).toBe(3);
      expect((await store.getPool('p')).pending).toBe(3);
      expect(await store.discardPool('p', 'poisoned', { fingerprint: null })).toBe(1);
      expect(await store.getItem(none)).toBeNull();
      expect((await store.getItem(other))!.status).toBe('poisoned');
      expect(await store.discardPool('p', 'poisoned', { fingerprint: 'no such group' })).toBe(0);
    });

    it('counts items poisoned per minute, by a failure or by the reaper, beside failures', async () => {
      await store.registerWorker({ worker_id: 'w-r' });
      const { ids } = await store.push('t', [{ data: 1, max_retries: 1 }, { data: 2, max_retries: 2 }, { data: 3, max_retries: 1 }]);
      await store.claimItem(ids[0]!, 'w1');
      await store.fail(ids[0]!, { workerId: 'w1', error: 'bad' }); // poisoned
      await store.claimItem(ids[1]!, 'w1');
      await store.fail(ids[1]!, { workerId: 'w1', error: 'flaky' }); // back to pending
      await store.claimItem(ids[2]!, 'w-r');
      clock.advance(120_000);
      expect((await store.reap(60)).poisoned).toBe(1);
      const t = await store.throughput(3);
      expect(t.pools).toEqual([{ pool: 't', completed: [0, 0, 0], failed: [2, 0, 0], poisoned: [1, 0, 1] }]);
    });

    it("groups the reaper's poisoning of items of any lost worker as one", async () => {
      for (const w of ['w-a', 'w-b']) {
        await store.registerWorker({ worker_id: w });
        const { ids } = await store.push('p', [{ data: w, max_retries: 1 }]);
        await store.claimItem(ids[0]!, w);
      }
      clock.advance(120_000);
      expect((await store.reap(60)).poisoned).toBe(2);
      const [group] = await store.errorGroups('p', 10);
      expect(group).toMatchObject({ fingerprint: 'worker <id> was lost (no heartbeat for <n> s)', count: 2 });
      expect(group!.examples.sort()).toEqual(['worker w-a was lost (no heartbeat for 60 s)', 'worker w-b was lost (no heartbeat for 60 s)']);
    });
  });
}
