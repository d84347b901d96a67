import { describe, expect, it } from 'vitest';
import type { WorkerRecord } from '@/lib/contracts';
import { queryKeys } from '@/lib/query/keys';
import { keysFor } from '@/lib/query/live';
import { auditTargetHref, can, isStale, poolHealth, safeNext, signInHref, unpooledLiveWorkers, workerTotals } from '@/lib/query/rules';

const NOW = Date.parse('2026-11-29T06:00:00.000Z');
const ago = (s: number) => new Date(NOW - s * 1000).toISOString();
const worker = (over: Partial<WorkerRecord>): Pick<WorkerRecord, 'status' | 'last_heartbeat' | 'pool_id'> => ({
  status: 'active',
  last_heartbeat: ago(1),
  pool_id: 'p',
  ...over,
});

describe('isStale', () => {
  it('is past the threshold for a watched status only', () => {
    expect(isStale(worker({ last_heartbeat: ago(61) }), 60, NOW)).toBe(true);
    expect(isStale(worker({ last_heartbeat: ago(59) }), 60, NOW)).toBe(false);
    expect(isStale(worker({ status: 'terminating', last_heartbeat: ago(61) }), 60, NOW)).toBe(true);
    expect(isStale(worker({ status: 'lost', last_heartbeat: ago(600) }), 60, NOW)).toBe(false);
    expect(isStale(worker({ status: 'terminated', last_heartbeat: ago(600) }), 60, NOW)).toBe(false);
  });
});

describe('poolHealth', () => {
  const pool = { name: 'p', pending: 3 };
  it('warns when pending work has no live worker registered for the pool', () => {
    expect(poolHealth(pool, [], 60, NOW)).toEqual({ liveWorkers: 0, noLiveWorker: true });
    expect(poolHealth(pool, [worker({ last_heartbeat: ago(90) })], 60, NOW).noLiveWorker).toBe(true);
    expect(poolHealth(pool, [worker({ status: 'terminating' })], 60, NOW).noLiveWorker).toBe(true);
    expect(poolHealth(pool, [worker({ pool_id: 'other' }), worker({ pool_id: null })], 60, NOW).noLiveWorker).toBe(true);
    expect(poolHealth(pool, [worker({}), worker({})], 60, NOW)).toEqual({ liveWorkers: 2, noLiveWorker: false });
  });
  it('does not warn about a pool with nothing pending', () => {
    expect(poolHealth({ name: 'p', pending: 0 }, [], 60, NOW).noLiveWorker).toBe(false);
  });
  it('counts live workers without a pool separately', () => {
    expect(unpooledLiveWorkers([worker({ pool_id: null }), worker({ pool_id: null, status: 'lost' }), worker({})], 60, NOW)).toBe(1);
  });
});

describe('workerTotals', () => {
  it('counts every status, zero included', () => {
    expect(workerTotals([{ status: 'active' }, { status: 'active' }, { status: 'lost' }])).toEqual({
      active: 2,
      terminating: 0,
      terminated: 0,
      lost: 1,
    });
  });
});

describe('keysFor (live event → queries to refresh)', () => {
  it('refreshes the item, its pool, the overview and the workers on an item change', () => {
    const keys = keysFor({ type: 'item', id: '7', pool: 'p', status: 'claimed' });
    expect(keys).toEqual(expect.arrayContaining([queryKeys.item('7'), queryKeys.pool('p'), queryKeys.pools(), queryKeys.workers()]));
  });
  it('refreshes open item views on a pool change (bulk actions send one pool event)', () => {
    expect(keysFor({ type: 'pool', name: 'p' })).toEqual(expect.arrayContaining([queryKeys.items(), queryKeys.pool('p')]));
  });
  it('nests pool views under the pool key, so one invalidation covers them', () => {
    const prefix = queryKeys.pool('p');
    for (const k of [queryKeys.poolSummary('p'), queryKeys.poolErrors('p'), queryKeys.poolHolders('p'), queryKeys.poolItems('p', {})]) {
      expect(k.slice(0, prefix.length)).toEqual([...prefix]);
    }
  });
});

describe('can (role → what the dashboard offers)', () => {
  it('offers every action to an operator', () => {
    for (const a of ['release', 'drain', 'retry', 'discard', 'tokens', 'audit'] as const) expect(can('operator', a)).toBe(true);
  });
  it('offers viewers and workers reads only; viewers the audit trail too', () => {
    for (const a of ['release', 'drain', 'retry', 'discard', 'tokens'] as const) {
      expect(can('viewer', a)).toBe(false);
      expect(can('worker', a)).toBe(false);
    }
    expect(can('viewer', 'audit')).toBe(true);
    expect(can('worker', 'audit')).toBe(false);
  });
  it('offers nothing while the session is unknown', () => {
    expect(can(undefined, 'release')).toBe(false);
    expect(can(undefined, 'audit')).toBe(false);
  });
});

describe('safeNext (where sign-in returns to)', () => {
  it('keeps a path of this site, query included', () => {
    expect(safeNext('/pools/p?status=poisoned')).toBe('/pools/p?status=poisoned');
    expect(signInHref('/workers?show=stale')).toBe('/signin?next=%2Fworkers%3Fshow%3Dstale');
    expect(signInHref('/')).toBe('/signin');
  });
  it('refuses paths a browser would resolve to another origin (tab, newline, carriage return)', () => {
    for (const bad of ['/\t/evil.example/', '/\n/evil.example/', '/\r/evil.example/', '/%09/evil.example/', '/\t\\evil.example']) {
      const kept = safeNext(decodeURIComponent(bad));
      expect(new URL(kept, 'http://127.0.0.1:3000').origin).toBe('http://127.0.0.1:3000');
    }
    expect(safeNext('/\t/evil.example/')).toBe('/');
  });
  it('refuses other origins and the sign-in page itself', () => {
    for (const bad of [null, '', 'https://evil.example/', '//evil.example/x', '/\\evil.example', 'javascript:alert(1)', '/signin', '/signin?next=/']) {
      expect(safeNext(bad)).toBe('/');
    }
  });
});

describe('auditTargetHref', () => {
  it('links a target to the page that shows it', () => {
    expect(auditTargetHref({ action: 'pool.retry', target: 'a b' })).toBe('/pools/a%20b');
    expect(auditTargetHref({ action: 'item.retry', target: '7' })).toBe('/items/7');
    expect(auditTargetHref({ action: 'worker.release', target: 'w' })).toBe('/workers');
    expect(auditTargetHref({ action: 'item.delete', target: '7' })).toBeNull();
    expect(auditTargetHref({ action: 'reap', target: null })).toBeNull();
  });
});
