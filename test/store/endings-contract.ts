/**
 * The end of a claim in the store contract: complete and fail fenced by holder and lease, a batch
 * completion judged item by item, and the events told after each change.
 * Every engine's test file runs it beside the other store contracts.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { HubEvent, HubStore } from '@/db';
import { claimOne, freshStore, type Clock, type OpenStore } from './contract';

export function endingsContract(engine: string, open: OpenStore) {
  describe(`store contract, endings: ${engine}`, () => {
    let store: HubStore;
    let clock: Clock;
    let events: HubEvent[];
    beforeEach(async () => {
      let cleanup: () => Promise<void>;
      ({ store, clock, events, cleanup } = await freshStore(open));
      return cleanup;
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
