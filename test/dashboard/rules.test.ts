import { describe, expect, it } from 'vitest';
import { DASHBOARD_ACTIONS, ROLES, type DashboardAction, type WorkerRecord } from '@/lib/contracts';
import { API_OPERATIONS, ROLES_OF } from '@/lib/contracts/api';
import { queryKeys } from '@/lib/query/keys';
import { keysFor } from '@/lib/query/live';
import {
  bucketed,
  auditFilterOf,
  auditMatches,
  auditTargetHref,
  can,
  heldBy,
  isFiltered,
  isStale,
  poolHealth,
  safeNext,
  signInHref,
  sortWorkers,
  unpooledLiveWorkers,
  uptimeMs,
  workerTotals,
} from '@/lib/query/rules';

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

describe('sortWorkers (the Workers page order)', () => {
  it('lists by status (active, terminating, lost, terminated), then freshest heartbeat, then id', () => {
    const ws = [
      { worker_id: 'gone', status: 'terminated' as const, last_heartbeat: ago(1) },
      { worker_id: 'b', status: 'active' as const, last_heartbeat: ago(5) },
      { worker_id: 'lost', status: 'lost' as const, last_heartbeat: ago(1) },
      { worker_id: 'drain', status: 'terminating' as const, last_heartbeat: ago(1) },
      { worker_id: 'a', status: 'active' as const, last_heartbeat: ago(5) },
      { worker_id: 'fresh', status: 'active' as const, last_heartbeat: ago(1) },
    ];
    expect(sortWorkers(ws).map((w) => w.worker_id)).toEqual(['fresh', 'a', 'b', 'drain', 'lost', 'gone']);
    expect(ws[0]!.worker_id).toBe('gone'); // a sorted copy; the input is left as it was
  });
});

describe('uptimeMs', () => {
  it('runs to now while the worker runs, to its last heartbeat once it ended', () => {
    expect(uptimeMs({ status: 'active', started_at: ago(90), last_heartbeat: ago(1) }, NOW)).toBe(90_000);
    expect(uptimeMs({ status: 'terminating', started_at: ago(90), last_heartbeat: ago(30) }, NOW)).toBe(90_000);
    expect(uptimeMs({ status: 'lost', started_at: ago(90), last_heartbeat: ago(30) }, NOW)).toBe(60_000);
    expect(uptimeMs({ status: 'terminated', started_at: ago(90), last_heartbeat: ago(90) }, NOW)).toBe(0);
  });
  it('is unknown without a start', () => {
    expect(uptimeMs({ status: 'active', started_at: null, last_heartbeat: ago(1) }, NOW)).toBeNull();
  });
});

describe('heldBy', () => {
  it('groups claimed items by holder, in the order given, and skips unheld ones', () => {
    const held = heldBy([
      { id: '1', claimed_by: 'w1' },
      { id: '2', claimed_by: 'w2' },
      { id: '3', claimed_by: null },
      { id: '4', claimed_by: 'w1' },
    ]);
    expect(held.get('w1')?.map((i) => i.id)).toEqual(['1', '4']);
    expect(held.get('w2')?.map((i) => i.id)).toEqual(['2']);
    expect([...held.keys()]).toEqual(['w1', 'w2']);
  });
});

describe('audit filter', () => {
  const entry = { actor: 'Ops-Alice', action: 'pool.retry' as const, target: 'Emails-EU' };
  const filter = (q: string) => auditFilterOf((name) => new URLSearchParams(q).get(name));
  it('reads the address, blank or absent meaning no filter', () => {
    expect(filter('')).toEqual({ actor: '', action: '', target: '' });
    expect(isFiltered(filter('actor=%20%20'))).toBe(false);
    expect(filter('actor=%20alice%20&action=pool.retry&target=eu')).toEqual({ actor: 'alice', action: 'pool.retry', target: 'eu' });
  });
  it('matches parts of actor and target in any case, and the action exactly', () => {
    expect(auditMatches(entry, filter(''))).toBe(true);
    expect(auditMatches(entry, filter('actor=alice&target=emails'))).toBe(true);
    expect(auditMatches(entry, filter('action=pool.retry'))).toBe(true);
    expect(auditMatches(entry, filter('action=pool'))).toBe(false);
    expect(auditMatches(entry, filter('actor=bob'))).toBe(false);
    expect(auditMatches(entry, filter('target=us'))).toBe(false);
  });
  it('never matches an entry without a target when a target is asked for', () => {
    expect(auditMatches({ ...entry, action: 'reap', target: null }, filter('target=x'))).toBe(false);
    expect(auditMatches({ ...entry, action: 'reap', target: null }, filter('action=reap'))).toBe(true);
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
    for (const k of [queryKeys.poolSummary('p'), queryKeys.poolErrors('p'), queryKeys.poolHolders('p'), queryKeys.poolClaimed('p'), queryKeys.poolItems('p', {})]) {
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
  it('offers a button only to roles every operation it calls admits (one permission table)', () => {
    for (const [action, { calls }] of Object.entries(DASHBOARD_ACTIONS)) {
      for (const id of calls) {
        const op = API_OPERATIONS.find((o) => o.id === id);
        expect(op, `${action} calls ${id}`).toBeDefined();
        const admitted = ROLES_OF[op!.access] ?? ROLES;
        for (const role of ROLES) if (can(role, action as DashboardAction)) expect(admitted, `${role} may ${action} (${id})`).toContain(role);
      }
    }
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

describe('bucketed (the overview\'s day by half hour)', () => {
  it('sums per-minute counts into buckets, oldest first, the last one partial', () => {
    expect(bucketed([1, 2, 3, 4, 5], 2)).toEqual([3, 7, 5]);
    expect(bucketed(Array.from({ length: 1440 }, () => 1), 30)).toEqual(Array.from({ length: 48 }, () => 30));
    expect(bucketed([4, 0, 1], 1)).toEqual([4, 0, 1]);
    expect(bucketed([], 30)).toEqual([]);
  });
});
