import type { HistoryEntry, ItemDetail, WorkerRecord, WorkItem } from '@/lib/contracts';
import type { items, workers } from '@/db/schema/pg';
import { iso } from '../ids';

type ItemRow = typeof items.$inferSelect;
type WorkerRow = typeof workers.$inferSelect;

// jsonb arrives parsed; the casts name the shapes the store itself wrote.
export function toWorkItem(r: ItemRow): WorkItem {
  return {
    id: String(r.id),
    pool: r.pool,
    data: r.data as WorkItem['data'],
    status: r.status as WorkItem['status'],
    claimed_by: r.claimedBy,
    lease_id: r.leaseId,
    attempts: r.attempts,
    max_retries: r.maxRetries,
    created_at: iso(r.createdAt)!,
    claimed_at: iso(r.claimedAt),
    completed_at: iso(r.completedAt),
    result: (r.result ?? null) as WorkItem['result'],
    last_error: r.lastError,
  };
}

interface StoredAttempt {
  attempt: number;
  worker_id: string | null;
  claimed_at: number | null;
  ended_at: number | null;
  outcome: HistoryEntry['outcome'];
  error: string | null;
}

/** Ended attempts as stored, plus the running one (outcome null) when the item is claimed. */
export function toItemDetail(r: ItemRow): ItemDetail {
  const ended = (r.history as StoredAttempt[]).map(
    (a): HistoryEntry => ({ ...a, claimed_at: iso(a.claimed_at), ended_at: iso(a.ended_at) }),
  );
  if (r.status === 'claimed') {
    ended.push({
      attempt: r.attempts,
      worker_id: r.claimedBy,
      claimed_at: iso(r.claimedAt),
      ended_at: null,
      outcome: null,
      error: null,
    });
  }
  return { ...toWorkItem(r), history: ended };
}

export function toWorkerRecord(r: WorkerRow & { derivedTaskId: number | null; claimedCount: number }): WorkerRecord {
  return {
    worker_id: r.workerId,
    status: r.status as WorkerRecord['status'],
    last_heartbeat: iso(r.lastHeartbeat)!,
    host: r.host,
    pid: r.pid,
    capabilities: r.capabilities ?? null,
    pool_id: r.poolId,
    started_at: iso(r.startedAt),
    current_task_id: r.reportedTaskId ?? (r.derivedTaskId === null ? null : String(r.derivedTaskId)),
    metadata: (r.metadata ?? null) as WorkerRecord['metadata'],
    claimed_count: r.claimedCount,
  };
}
