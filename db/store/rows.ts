/**
 * Database rows → API objects, for both engines. Both Drizzle schemas name their columns alike
 * (camelCase properties, times in epoch milliseconds); they differ only in how JSON arrives —
 * text on SQLite, already parsed on PostgreSQL — which `decode` hides.
 */
import type { HistoryEntry, ItemDetail, PoolSummary, WorkerRecord, WorkItem } from '@/lib/contracts';
import { iso } from './values';

/** The columns of an item row, whatever the engine. JSON columns are whatever `decode` takes. */
interface ItemRowLike {
  id: number;
  pool: string;
  data: unknown;
  status: string;
  claimedBy: string | null;
  leaseId: string | null;
  attempts: number;
  maxRetries: number;
  createdAt: number;
  claimedAt: number | null;
  completedAt: number | null;
  result: unknown;
  lastError: string | null;
  lastErrorType: string | null;
  priority: number;
  runAt: number | null;
  key: string | null;
  backoff: unknown;
  history: unknown;
}

interface WorkerRowLike {
  workerId: string;
  status: string;
  lastHeartbeat: number;
  host: string | null;
  pid: number | null;
  capabilities: unknown;
  poolId: string | null;
  startedAt: number | null;
  reportedTaskId: string | null;
  metadata: unknown;
  derivedTaskId: number | null;
  claimedCount: number;
}

/** An ended attempt as stored in an item's `history` (times in epoch ms). */
interface StoredAttempt {
  attempt: number;
  worker_id: string | null;
  claimed_at: number | null;
  ended_at: number | null;
  outcome: HistoryEntry['outcome'];
  error: string | null;
  /** Absent in attempts stored before error types were kept. */
  error_type?: string | null;
}

/**
 * The row mappers of an engine whose JSON columns `decode` turns into values (null stays null).
 * Neither engine stores a completed item's completing attempt in `history` (its columns say it
 * all: db/store/ops/shape.ts), so the detail adds it, as it adds a claimed item's running one.
 */
export function rowMappers(decode: (stored: unknown) => unknown) {
  const json = (v: unknown) => (v === null || v === undefined ? null : decode(v));

  // The casts name the shapes the store itself wrote.
  const toWorkItem = (r: Omit<ItemRowLike, 'history' | 'backoff'>): WorkItem => ({
    id: String(r.id),
    pool: r.pool,
    data: json(r.data) as WorkItem['data'],
    status: r.status as WorkItem['status'],
    claimed_by: r.claimedBy,
    lease_id: r.leaseId,
    attempts: r.attempts,
    max_retries: r.maxRetries,
    created_at: iso(r.createdAt)!,
    claimed_at: iso(r.claimedAt),
    completed_at: iso(r.completedAt),
    result: json(r.result) as WorkItem['result'],
    last_error: r.lastError,
    last_error_type: r.lastErrorType,
    priority: r.priority,
    run_at: iso(r.runAt),
    key: r.key,
  });

  /** Ended attempts as stored, plus the running one (outcome null) when the item is claimed, or the completing one. */
  const toItemDetail = (r: ItemRowLike): ItemDetail => {
    const history = ((json(r.history) ?? []) as StoredAttempt[]).map(
      (a): HistoryEntry => ({ ...a, claimed_at: iso(a.claimed_at), ended_at: iso(a.ended_at), error_type: a.error_type ?? null }),
    );
    if (r.status === 'claimed') {
      history.push({ attempt: r.attempts, worker_id: r.claimedBy, claimed_at: iso(r.claimedAt), ended_at: null, outcome: null, error: null, error_type: null });
    }
    if (r.status === 'completed') {
      history.push({ attempt: r.attempts, worker_id: r.claimedBy, claimed_at: iso(r.claimedAt), ended_at: iso(r.completedAt), outcome: 'completed', error: null, error_type: null });
    }
    return { ...toWorkItem(r), history, backoff: json(r.backoff) as ItemDetail['backoff'] };
  };

  const toWorkerRecord = (r: WorkerRowLike): WorkerRecord => ({
    worker_id: r.workerId,
    status: r.status as WorkerRecord['status'],
    last_heartbeat: iso(r.lastHeartbeat)!,
    host: r.host,
    pid: r.pid,
    capabilities: json(r.capabilities) as string[] | null,
    pool_id: r.poolId,
    started_at: iso(r.startedAt),
    current_task_id: r.reportedTaskId ?? (r.derivedTaskId === null ? null : String(r.derivedTaskId)),
    metadata: json(r.metadata) as WorkerRecord['metadata'],
    claimed_count: Number(r.claimedCount),
  });

  return { toWorkItem, toItemDetail, toWorkerRecord };
}

export const emptySummary = (name: string): PoolSummary => ({
  name,
  scheduled: 0,
  pending: 0,
  claimed: 0,
  completed: 0,
  poisoned: 0,
  oldest_pending_at: null,
  paused: false,
});

/**
 * Pool summaries from per-pool, per-status counts and the names of the paused pools, sorted by name in code-unit order (as on
 * either engine, whatever its collation). `oldest_pending_at` is left to the caller.
 */
export function summarizeCounts(counts: { pool: string; status: string; n: number }[], paused: string[] = []): PoolSummary[] {
  const byPool = new Map<string, PoolSummary>();
  for (const c of counts) {
    const s = byPool.get(c.pool) ?? emptySummary(c.pool);
    if (c.status === 'scheduled' || c.status === 'pending' || c.status === 'claimed' || c.status === 'completed' || c.status === 'poisoned') {
      s[c.status] = Number(c.n);
    }
    byPool.set(c.pool, s);
  }
  // A paused pool is listed even when it holds nothing: an operator must be able to resume it.
  for (const name of paused) {
    const s = byPool.get(name) ?? emptySummary(name);
    s.paused = true;
    byPool.set(name, s);
  }
  return [...byPool.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
