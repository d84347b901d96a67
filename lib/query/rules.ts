import {
  DASHBOARD_ACTIONS,
  roleMay,
  type AuditEntry,
  type DashboardAction,
  type PoolSummary,
  type Role,
  type WorkerRecord,
  type WorkerStatus,
  type WorkItem,
} from '@/lib/contracts';

/**
 * Dashboard rules, kept out of the components so they are stated (and tested) once.
 */

/** Statuses the reaper watches: a worker in one of them is expected to heartbeat. */
const WATCHED: readonly WorkerStatus[] = ['active', 'terminating'];

export const heartbeatAgeMs = (w: Pick<WorkerRecord, 'last_heartbeat'>, now: number) =>
  Math.max(0, now - Date.parse(w.last_heartbeat));

/**
 * Stale: the reaper watches it and its heartbeat is older than the hub's stale threshold, so the
 * next reaper run will mark it lost and release its items.
 */
export function isStale(w: Pick<WorkerRecord, 'status' | 'last_heartbeat'>, staleSeconds: number, now: number): boolean {
  return WATCHED.includes(w.status) && heartbeatAgeMs(w, now) > staleSeconds * 1000;
}

/** Active and heartbeating within the threshold: a worker that can be taking work right now. */
const isLive = (w: Pick<WorkerRecord, 'status' | 'last_heartbeat'>, staleSeconds: number, now: number) =>
  w.status === 'active' && !isStale(w, staleSeconds, now);

export interface PoolHealth {
  /** Live workers registered for this pool (`pool_id`). */
  liveWorkers: number;
  /** Pending work and no live worker registered for the pool. */
  noLiveWorker: boolean;
}

/**
 * Whether anyone is taking from a pool. A worker declares the pool it takes from with `pool_id`
 * at registration; that is the only durable link the hub has, so "taking from it" means: an
 * active worker with a fresh heartbeat whose `pool_id` is the pool. Workers registered without a
 * pool are reported separately (they may take from any pool) and do not silence the warning:
 * a false alarm is cheaper than a backlog nobody notices.
 */
export function poolHealth(
  pool: Pick<PoolSummary, 'name' | 'pending'>,
  workers: Pick<WorkerRecord, 'status' | 'last_heartbeat' | 'pool_id'>[],
  staleSeconds: number,
  now: number,
): PoolHealth {
  const liveWorkers = workers.filter((w) => w.pool_id === pool.name && isLive(w, staleSeconds, now)).length;
  return { liveWorkers, noLiveWorker: pool.pending > 0 && liveWorkers === 0 };
}

/** Live workers with no `pool_id`: they may take from any pool. */
export const unpooledLiveWorkers = (
  workers: Pick<WorkerRecord, 'status' | 'last_heartbeat' | 'pool_id'>[],
  staleSeconds: number,
  now: number,
) => workers.filter((w) => w.pool_id === null && isLive(w, staleSeconds, now)).length;

/** How many workers in each status. */
export function workerTotals(workers: Pick<WorkerRecord, 'status'>[]): Record<WorkerStatus, number> {
  const totals: Record<WorkerStatus, number> = { active: 0, terminating: 0, terminated: 0, lost: 0 };
  for (const w of workers) totals[w.status] += 1;
  return totals;
}

/** The Workers page's order of statuses: running ones first, ended ones last. */
const STATUS_ORDER: Record<WorkerStatus, number> = { active: 0, terminating: 1, lost: 2, terminated: 3 };

/**
 * Workers as the Workers page lists them: by status (active, terminating, lost, terminated),
 * then the freshest heartbeat first, then by id so that equal ones keep their places.
 */
export function sortWorkers<T extends Pick<WorkerRecord, 'worker_id' | 'status' | 'last_heartbeat'>>(workers: T[]): T[] {
  return [...workers].sort(
    (a, b) =>
      STATUS_ORDER[a.status] - STATUS_ORDER[b.status] ||
      Date.parse(b.last_heartbeat) - Date.parse(a.last_heartbeat) ||
      (a.worker_id < b.worker_id ? -1 : a.worker_id > b.worker_id ? 1 : 0),
  );
}

/**
 * How long a worker has run: from `started_at` to now while it is active or terminating, to its
 * last heartbeat once it has ended (lost or terminated). `null` when its start is not known.
 */
export function uptimeMs(w: Pick<WorkerRecord, 'status' | 'started_at' | 'last_heartbeat'>, now: number): number | null {
  if (!w.started_at) return null;
  const end = WATCHED.includes(w.status) ? now : Date.parse(w.last_heartbeat);
  return Math.max(0, end - Date.parse(w.started_at));
}

/** Claimed items by the worker that holds them, each worker's in the order given. */
export function heldBy<T extends Pick<WorkItem, 'claimed_by'>>(items: T[]): Map<string, T[]> {
  const held = new Map<string, T[]>();
  for (const it of items) {
    if (it.claimed_by === null) continue;
    const list = held.get(it.claimed_by);
    if (list) list.push(it);
    else held.set(it.claimed_by, [it]);
  }
  return held;
}

// --- who may do what in the dashboard (the table is lib/contracts/security.ts DASHBOARD_ACTIONS) ---

/** Whether `role` may use `action`; with no session known yet, nothing is offered. */
export const can = (role: Role | undefined, action: DashboardAction): boolean =>
  role !== undefined && roleMay(role, DASHBOARD_ACTIONS[action].need);

/** A stand-in origin: `next` is resolved against it, and only what stays on it is kept. */
const HERE = 'http://hub.invalid';

/**
 * Where to go after signing in: a path of this site only. `next` is resolved as the browser
 * would resolve it (which drops tabs and newlines, so `/\t/evil.example/` is `//evil.example/`)
 * and kept only when it stays on this origin; anything else (another origin, `//host`, `/\host`,
 * the sign-in page itself) falls back to the overview, so the sign-in link cannot be used to
 * bounce an operator to a look-alike site.
 */
export function safeNext(next: string | null | undefined): string {
  if (!next || !next.startsWith('/')) return '/';
  let url: URL;
  try {
    url = new URL(next, HERE);
  } catch {
    return '/';
  }
  if (url.origin !== HERE) return '/';
  const path = url.pathname + url.search + url.hash;
  // Re-resolved once more: the kept form must itself stay here (no `//host` survives).
  if (path.startsWith('//') || new URL(path, HERE).origin !== HERE) return '/';
  if (url.pathname === '/signin' || url.pathname.startsWith('/signin/')) return '/';
  return path;
}
export const signInHref = (from: string) => (safeNext(from) === '/' ? '/signin' : `/signin?next=${encodeURIComponent(safeNext(from))}`);

/** The Audit page's filters, from its address: `?actor=&action=&target=` (blank is no filter). */
export interface AuditFilter {
  /** Part of the actor's name, any case. */
  actor: string;
  /** One action, exactly. */
  action: string;
  /** Part of the target (worker id, pool, item id, token id), any case. */
  target: string;
}

export const auditFilterOf = (get: (name: string) => string | null): AuditFilter => ({
  actor: (get('actor') ?? '').trim(),
  action: (get('action') ?? '').trim(),
  target: (get('target') ?? '').trim(),
});

export const isFiltered = (f: AuditFilter) => Boolean(f.actor || f.action || f.target);

const contains = (value: string | null, part: string) => !part || (value ?? '').toLowerCase().includes(part.toLowerCase());

/** Whether an audit entry passes the filter. */
export const auditMatches = (e: Pick<AuditEntry, 'actor' | 'action' | 'target'>, f: AuditFilter): boolean =>
  contains(e.actor, f.actor) && (!f.action || e.action === f.action) && (!f.target || (e.target !== null && contains(e.target, f.target)));

/** The dashboard page an audit entry's target is shown on, if any. */
export function auditTargetHref(e: Pick<AuditEntry, 'action' | 'target'>): string | null {
  if (!e.target) return null;
  const t = encodeURIComponent(e.target);
  if (e.action.startsWith('worker.')) return `/workers`;
  if (e.action.startsWith('pool.')) return `/pools/${t}`;
  if (e.action.startsWith('item.')) return e.action === 'item.delete' ? null : `/items/${t}`;
  if (e.action.startsWith('token.')) return '/tokens';
  return null;
}

// --- throughput windows ------------------------------------------------------------------------

/** The overview's throughput windows: the last hour by minute, the last day by half hour. */
export const THROUGHPUT_WINDOWS = {
  hour: { minutes: 60, bucket: 1, label: 'hour', unit: 'minute' },
  day: { minutes: 1440, bucket: 30, label: 'day', unit: 'half hour' },
} as const;
export type ThroughputWindow = keyof typeof THROUGHPUT_WINDOWS;

/** Per-minute counts summed into buckets of `size` minutes, oldest first (the last may be partial). */
export function bucketed(perMinute: readonly number[], size: number): number[] {
  if (size <= 1) return [...perMinute];
  const out: number[] = [];
  for (let i = 0; i < perMinute.length; i += size) out.push(perMinute.slice(i, i + size).reduce((a, b) => a + b, 0));
  return out;
}
