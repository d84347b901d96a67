/**
 * The security part of the store contract (issued tokens, the audit trail). Every engine's test
 * file runs it beside the other store contracts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HubStore } from '@/db';
import { AuditPage, TokenInfo } from '@/lib/contracts';
import { manualClock, type Clock, type OpenStore } from './contract';

const alice = { name: 'alice', role: 'operator' as const };
const hash = (c: string) => c.repeat(64).slice(0, 64);

export function securityContract(engine: string, open: OpenStore) {
  describe(`store contract, tokens and audit: ${engine}`, () => {
    let store: HubStore;
    let clock: Clock;
    let cleanup: () => Promise<void>;

    beforeEach(async () => {
      clock = manualClock();
      ({ store, cleanup } = await open({ clock: clock.now, onChange: () => {} }));
    });
    afterEach(async () => cleanup());

    it('binds a worker token to one worker id, kept and found with it, and audited with it', async () => {
      const info = await store.issueToken({ name: 'for-w9', role: 'worker', tokenHash: hash('bound'), workerId: 'w9' }, alice);
      expect(info.worker_id).toBe('w9');
      expect(await store.findToken(hash('bound'))).toEqual({ id: info.id, name: 'for-w9', role: 'worker', workerId: 'w9' });
      expect((await store.listTokens())[0]!.worker_id).toBe('w9');
      const [entry] = AuditPage.parse(await store.listAudit({ limit: 1 })).entries;
      expect(entry!.detail).toEqual({ name: 'for-w9', role: 'worker', worker_id: 'w9' });
    });

    it('issues a token, finds it by hash only, lists it without secret or hash, and records who issued it', async () => {
      const info = await store.issueToken({ name: 'worker-7', role: 'worker', tokenHash: hash('a') }, alice);
      expect(TokenInfo.strict().parse(info)).toEqual({
        id: expect.stringMatching(/^[0-9a-f]{16}$/),
        name: 'worker-7',
        role: 'worker',
        worker_id: null,
        created_at: new Date(clock.now()).toISOString(),
        last_used_at: null,
        revoked_at: null,
      });
      expect(await store.findToken(hash('a'))).toEqual({ id: info.id, name: 'worker-7', role: 'worker', workerId: null });
      expect(await store.findToken(hash('b'))).toBeNull();
      expect(await store.listTokens()).toEqual([info]);
      const page = AuditPage.parse(await store.listAudit({ limit: 10 }));
      expect(page.entries).toEqual([
        {
          id: expect.any(String),
          at: info.created_at,
          actor: 'alice',
          role: 'operator',
          action: 'token.issue',
          target: info.id,
          detail: { name: 'worker-7', role: 'worker' },
          changed: 1,
        },
      ]);
    });

    it('refuses two tokens with one hash (the secret is what is unique)', async () => {
      await store.issueToken({ name: 'one', role: 'worker', tokenHash: hash('c') }, alice);
      await expect(store.issueToken({ name: 'two', role: 'viewer', tokenHash: hash('c') }, alice)).rejects.toThrow();
      expect((await store.listTokens()).map((t) => t.name)).toEqual(['one']);
      expect((await store.listAudit({ limit: 10 })).entries).toHaveLength(1); // the failed issue left no entry
    });

    it('revokes once: the token no longer lets in, the revoke is recorded, a second revoke changes nothing', async () => {
      const info = await store.issueToken({ name: 'w', role: 'worker', tokenHash: hash('d') }, alice);
      clock.advance(5000);
      const r = await store.revokeToken(info.id, { name: 'bob', role: 'operator' });
      expect(r).toEqual({ ok: true, value: { ...info, revoked_at: new Date(clock.now()).toISOString() } });
      expect(await store.findToken(hash('d'))).toBeNull();
      clock.advance(5000);
      expect(await store.revokeToken(info.id, alice)).toEqual(r);
      expect(await store.revokeToken('0123456789abcdef', alice)).toMatchObject({ ok: false, code: 'token-not-found' });
      const { entries } = await store.listAudit({ limit: 10 });
      expect(entries.map((e) => [e.action, e.actor, e.target])).toEqual([
        ['token.revoke', 'bob', info.id],
        ['token.issue', 'alice', info.id],
      ]);
      expect((await store.listTokens())[0]!.revoked_at).not.toBeNull(); // still listed
    });

    it('writes last use at most once a minute', async () => {
      const info = await store.issueToken({ name: 'w', role: 'worker', tokenHash: hash('e') }, alice);
      const first = clock.now();
      await store.touchToken(info.id);
      clock.advance(30_000);
      await store.touchToken(info.id);
      expect((await store.listTokens())[0]!.last_used_at).toBe(new Date(first).toISOString());
      clock.advance(31_000);
      await store.touchToken(info.id);
      expect((await store.listTokens())[0]!.last_used_at).toBe(new Date(clock.now()).toISOString());
    });

    it('pages the audit trail newest first with a cursor, keeping every field', async () => {
      for (let i = 0; i < 5; i++) {
        await store.recordAudit({
          actor: alice,
          action: 'pool.retry',
          target: `pool-${i}`,
          detail: i === 0 ? null : { status: 'poisoned', error: `boom ${i}`, nested: { n: i } },
          changed: i,
        });
        clock.advance(1000);
      }
      const first = await store.listAudit({ limit: 2 });
      expect(first.entries.map((e) => e.target)).toEqual(['pool-4', 'pool-3']);
      expect(first.entries[0]).toMatchObject({ detail: { status: 'poisoned', error: 'boom 4', nested: { n: 4 } }, changed: 4 });
      expect(first.next_cursor).toMatch(/^[0-9]+$/);
      const second = await store.listAudit({ limit: 2, cursor: first.next_cursor! });
      expect(second.entries.map((e) => e.target)).toEqual(['pool-2', 'pool-1']);
      const last = await store.listAudit({ limit: 2, cursor: second.next_cursor! });
      expect(last.entries.map((e) => e.target)).toEqual(['pool-0']);
      expect(last.entries[0]).toMatchObject({ detail: null, changed: 0, at: '2026-11-29T08:00:00.000Z', action: 'pool.retry' });
      expect(last.next_cursor).toBeNull();
      expect((await store.listAudit({ limit: 5 })).next_cursor).toBeNull();
    });

    it('records each operator action given `by` with its count and filter, and nothing without it or when it did not happen', async () => {
      await store.registerWorker({ worker_id: 'w1' });
      const ids = (await store.push('p', [{ data: 1 }, { data: 2 }, { data: 3, max_retries: 1 }, { data: 4 }])).ids;
      const c = await store.claim('p', 'w1', 3);
      if (!c.ok) throw new Error(c.detail);
      expect(await store.fail(ids[2]!, { workerId: 'w1', error: 'boom' })).toMatchObject({ ok: true, value: { status: 'poisoned' } });
      const bob = { name: 'bob', role: 'operator' as const };

      expect(await store.releaseWorker('w1', 'other', bob)).toEqual({ ok: true, value: 0 });
      expect(await store.releaseWorker('w1', 'p', bob)).toEqual({ ok: true, value: 2 });
      expect(await store.retryPool('p', 'poisoned', 'boom', bob)).toBe(1);
      expect(await store.discardPool('p', 'poisoned', undefined, bob)).toBe(0);
      expect(await store.retryItem(ids[0]!, bob)).toMatchObject({ ok: false, code: 'item-not-retryable' });
      expect(await store.deleteItem(ids[3]!, bob)).toEqual({ ok: true, value: null });
      expect(await store.deleteItem(ids[3]!, bob)).toMatchObject({ ok: false, code: 'item-not-found' });
      expect(await store.setWorkerStatus('w1', 'terminating', bob)).toMatchObject({ ok: true });
      expect(await store.setWorkerStatus('w1', 'active')).toMatchObject({ ok: true }); // the worker itself: not recorded
      expect(await store.setWorkerStatus('nobody', 'lost', bob)).toMatchObject({ ok: false });
      expect(await store.reap(60, bob)).toEqual({ lost: [], released: 0, poisoned: 0 }); // found nothing: not recorded
      expect((await store.claim('p', 'w1', 1)).ok).toBe(true);
      clock.advance(120_000);
      expect(await store.reap(60, bob)).toEqual({ lost: ['w1'], released: 1, poisoned: 0 });
      expect(await store.releaseWorker('w1')).toEqual({ ok: true, value: 0 }); // no `by`: not recorded

      const { entries } = await store.listAudit({ limit: 100 });
      expect(entries.reverse().map((e) => [e.action, e.target, e.detail, e.changed, e.actor, e.role])).toEqual([
        ['pool.release', 'other', { worker_id: 'w1' }, 0, 'bob', 'operator'],
        ['pool.release', 'p', { worker_id: 'w1' }, 2, 'bob', 'operator'],
        ['pool.retry', 'p', { status: 'poisoned', error: 'boom' }, 1, 'bob', 'operator'],
        ['pool.discard', 'p', { status: 'poisoned' }, 0, 'bob', 'operator'],
        ['item.delete', ids[3], null, 1, 'bob', 'operator'],
        ['worker.status', 'w1', { status: 'terminating' }, 1, 'bob', 'operator'],
        ['reap', null, { lost: ['w1'], released: 1, poisoned: 0 }, 1, 'bob', 'operator'],
      ]);
      expect(await store.releaseWorker('w1', undefined, bob)).toEqual({ ok: true, value: 0 });
      expect((await store.listAudit({ limit: 1 })).entries[0]).toMatchObject({ action: 'worker.release', target: 'w1', detail: null, changed: 0 });
      const before = (await store.listAudit({ limit: 100 })).entries.length;
      expect((await store.retryItem(ids[2]!, bob)).ok).toBe(false); // pending again since the pool retry: refused, not recorded
      expect((await store.listAudit({ limit: 100 })).entries).toHaveLength(before);
    });

    it('tells the events of an audited action after it commits, as an unaudited one does', async () => {
      const seen: string[] = [];
      await cleanup();
      ({ store, cleanup } = await open({ clock: clock.now, onChange: (e) => seen.push(e.type) }));
      const [id] = (await store.push('q', [{ data: 1, max_retries: 1 }])).ids;
      await store.claimItem(id!, 'w1');
      await store.fail(id!, { workerId: 'w1' });
      seen.length = 0;
      const r = await store.retryItem(id!, alice);
      expect(r).toMatchObject({ ok: true, value: { status: 'pending', attempts: 0 } });
      expect(seen).toContain('item');
      expect((await store.listAudit({ limit: 1 })).entries[0]).toMatchObject({ action: 'item.retry', target: id, detail: { pool: 'q' }, changed: 1 });
    });
  });
}
