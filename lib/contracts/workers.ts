import { z } from 'zod';
import { IsoTimestamp, JsonValue, Name } from './common';

export const WORKER_STATUSES = ['active', 'terminating', 'terminated', 'lost'] as const;
export const WorkerStatus = z.enum(WORKER_STATUSES);
export type WorkerStatus = z.infer<typeof WorkerStatus>;

export const WorkerRecord = z.object({
  worker_id: z.string(),
  status: WorkerStatus,
  last_heartbeat: z.string(),
  host: z.string().nullable(),
  pid: z.number().int().nullable(),
  capabilities: z.array(z.string()).nullable(),
  pool_id: z.string().nullable(),
  started_at: z.string().nullable(),
  /** The worker's own report from a heartbeat, else the item it most recently claimed and holds. */
  current_task_id: z.string().nullable(),
  metadata: JsonValue.nullable(),
  /** How many items the worker holds (status `claimed`) right now, across all pools. */
  claimed_count: z.number().int(),
});
export type WorkerRecord = z.infer<typeof WorkerRecord>;

export const RegisterWorkerBody = z.strictObject({
  /** Absent or null: the hub makes one. */
  worker_id: Name.nullish(),
  host: z.string().max(255).nullish(),
  pid: z.number().int().min(0).max(2 ** 31).nullish(),
  capabilities: z.array(z.string().min(1).max(128)).max(100).nullish(),
  pool_id: Name.nullish(),
  started_at: IsoTimestamp.nullish(),
  metadata: JsonValue.optional(),
});
export type RegisterWorkerBody = z.infer<typeof RegisterWorkerBody>;

export const HeartbeatBody = z.strictObject({
  /** Shallow-merged into the stored metadata when both are objects; otherwise replaces it. */
  metadata: JsonValue.optional(),
  /** The worker's own idea of its current task; `null` clears the report. */
  current_task_id: z.string().max(128).nullable().optional(),
});
export type HeartbeatBody = z.infer<typeof HeartbeatBody>;

export const PatchWorkerBody = z.strictObject({ status: WorkerStatus });
export type PatchWorkerBody = z.infer<typeof PatchWorkerBody>;

/**
 * Sent by a worker with `PATCH /workers/{id}` when it changes its own status (the SDK's and the
 * Python client's worker loops, marking themselves `terminated` on exit), naming its own id. Only
 * an open hub heeds it, where every caller is the anonymous operator and the audit trail cannot
 * tell a worker from an operator anyway: the change is then not recorded as an operator action.
 * A hub with tokens ignores it and goes by the token's role.
 */
export const WORKER_SELF_HEADER = 'x-hub-worker-self';

/** Ten years, in seconds: the largest heartbeat age a worker filter takes. */
export const MAX_STALE_THRESHOLD_SECONDS = 10 * 365 * 24 * 3600;

export const ListWorkersQuery = z.object({
  /** One status or several, comma-separated; empty means no filter. */
  status: z
    .string()
    .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
    .pipe(z.array(WorkerStatus))
    .transform((list) => (list.length ? list : undefined))
    .optional(),
  capability: z.string().min(1).max(128).optional(),
  pool_id: Name.optional(),
  /** At most ten years: any larger age is no filter at all, and a date that far back is not one. */
  stale_threshold_seconds: z.coerce.number().min(0).max(MAX_STALE_THRESHOLD_SECONDS).optional(),
});
export type ListWorkersQuery = z.infer<typeof ListWorkersQuery>;

export const WorkerList = z.object({ workers: z.array(WorkerRecord) });
export const Released = z.object({ released: z.number().int() });
