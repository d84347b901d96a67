import { z } from 'zod';
import { ItemId, JsonValue, LeaseId, Name } from './common';

export const ITEM_STATUSES = ['pending', 'claimed', 'completed', 'poisoned'] as const;
export const ItemStatus = z.enum(ITEM_STATUSES);
export type ItemStatus = z.infer<typeof ItemStatus>;

export const WorkItem = z.object({
  id: z.string(),
  pool: z.string(),
  data: JsonValue.nullable(),
  status: ItemStatus,
  claimed_by: z.string().nullable(),
  lease_id: z.string().nullable(),
  attempts: z.number().int(),
  max_retries: z.number().int(),
  created_at: z.string(),
  claimed_at: z.string().nullable(),
  completed_at: z.string().nullable(),
  result: JsonValue.nullable(),
  last_error: z.string().nullable(),
});
export type WorkItem = z.infer<typeof WorkItem>;

export const ATTEMPT_OUTCOMES = ['completed', 'failed', 'released'] as const;
export const HistoryEntry = z.object({
  attempt: z.number().int(),
  worker_id: z.string().nullable(),
  claimed_at: z.string().nullable(),
  ended_at: z.string().nullable(),
  /** `null` while the attempt is still running. */
  outcome: z.enum(ATTEMPT_OUTCOMES).nullable(),
  error: z.string().nullable(),
});
export type HistoryEntry = z.infer<typeof HistoryEntry>;

export const ItemDetail = WorkItem.extend({ history: z.array(HistoryEntry) });
export type ItemDetail = z.infer<typeof ItemDetail>;

export const MAX_RETRIES_DEFAULT = 3;
export const PUSH_BATCH_MAX = 1000;
export const CLAIM_LIMIT_MAX = 100;
export const COMPLETE_BATCH_MAX = 100;
/** The longest a claim may wait for work (`wait_seconds`). */
export const CLAIM_WAIT_MAX_SECONDS = 30;
export const LIST_LIMIT_MAX = 500;

export const NewItem = z.strictObject({
  data: JsonValue,
  max_retries: z.number().int().min(1).max(1000).optional(),
});
export type NewItem = z.infer<typeof NewItem>;

/**
 * `{data, max_retries?}` for one item, or `{items: [{data, max_retries?}, ...]}` for a batch of
 * up to 1000. One object schema (not a union) so an error names the field that is wrong.
 */
export const PushBody = z
  .strictObject({
    data: JsonValue.optional(),
    max_retries: NewItem.shape.max_retries,
    items: z.array(NewItem).min(1).max(PUSH_BATCH_MAX).optional(),
  })
  .superRefine((b, ctx) => {
    if (b.items === undefined && b.data === undefined) {
      ctx.addIssue({ code: 'custom', path: ['data'], message: 'is required (or send a batch as items: [...])' });
    }
    if (b.items !== undefined && (b.data !== undefined || b.max_retries !== undefined)) {
      ctx.addIssue({ code: 'custom', path: ['items'], message: 'a batch takes data and max_retries per item, not beside items' });
    }
  });
export type PushBody = z.infer<typeof PushBody>;
export const PushedOne = z.object({ id: z.string() });
export const PushedMany = z.object({ ids: z.array(z.string()) });

/**
 * A claim's own id, made by the worker (a UUID, say) and sent again when it retries the claim:
 * a retry whose first answer was lost returns the items the worker still holds from it.
 */
export const ClaimId = z.string().regex(/^[A-Za-z0-9._:-]{1,64}$/, { message: 'must be 1–64 characters of A-Z a-z 0-9 . _ : -' });

export const ClaimBody = z.strictObject({
  worker_id: Name,
  limit: z.number().int().min(1).max(CLAIM_LIMIT_MAX).default(1),
  claim_id: ClaimId.nullish(),
  /** With nothing to claim, wait up to this long for work to appear (long-poll); 0: answer at once. */
  wait_seconds: z.number().min(0).max(CLAIM_WAIT_MAX_SECONDS).default(0),
});
export type ClaimBody = z.infer<typeof ClaimBody>;
export const ClaimedItems = z.object({ items: z.array(WorkItem) });

export const ClaimOneBody = z.strictObject({ worker_id: Name });

export const CompleteBody = z.strictObject({
  worker_id: Name,
  lease_id: LeaseId.nullish(),
  result: JsonValue.optional(),
});
export type CompleteBody = z.infer<typeof CompleteBody>;

export const CompleteManyBody = z.strictObject({
  worker_id: Name,
  items: z
    .array(z.strictObject({ id: ItemId, lease_id: LeaseId.nullish(), result: JsonValue.optional() }))
    .min(1)
    .max(COMPLETE_BATCH_MAX),
});
export type CompleteManyBody = z.infer<typeof CompleteManyBody>;
export const CompletedMany = z.object({
  completed: z.array(z.string()),
  rejected: z.array(z.object({ id: z.string(), status: z.union([z.literal(404), z.literal(409)]), code: z.string() })),
});
export type CompletedMany = z.infer<typeof CompletedMany>;

export const FailBody = z.strictObject({
  worker_id: Name,
  lease_id: LeaseId.nullish(),
  error: z.string().max(65_536).nullish(),
});
export type FailBody = z.infer<typeof FailBody>;

export const ReleasePoolBody = z.strictObject({ worker_id: Name });

/** Which of a pool's items a bulk retry or discard acts on. */
export const PoolBulkBody = z.strictObject({
  /** The poisoned items (default) or the completed ones. */
  status: z.enum(['poisoned', 'completed']).default('poisoned'),
  /**
   * Only items whose `last_error` is exactly this text (`null`: items without one), as grouped by
   * `GET /pools/{pool}/errors`. Absent: every item in `status`.
   */
  error: z.string().max(65_536).nullable().optional(),
});
export type PoolBulkBody = z.infer<typeof PoolBulkBody>;
export const RetryPoolBody = PoolBulkBody;
export const Retried = z.object({ retried: z.number().int() });

export const ListItemsQuery = z.object({
  status: ItemStatus.optional(),
  /** Case-insensitive substring of the item's `data` as JSON text; blank means no search. */
  q: z
    .string()
    .max(200)
    .transform((s) => s.trim() || undefined)
    .optional(),
  limit: z.coerce.number().int().min(1).max(LIST_LIMIT_MAX).default(50),
  cursor: z.string().regex(/^[0-9]{1,18}$/, { message: 'must be a next_cursor returned by this route' }).optional(),
});
export type ListItemsQuery = z.infer<typeof ListItemsQuery>;
export const ItemPage = z.object({ items: z.array(WorkItem), next_cursor: z.string().nullable() });

export const PoolSummary = z.object({
  name: z.string(),
  pending: z.number().int(),
  claimed: z.number().int(),
  completed: z.number().int(),
  poisoned: z.number().int(),
  oldest_pending_at: z.string().nullable(),
});
export type PoolSummary = z.infer<typeof PoolSummary>;
export const PoolList = z.object({ pools: z.array(PoolSummary) });

export const PoolName = Name;
export const ReapResult = z.object({
  lost: z.array(z.string()),
  /** Items put back to `pending`. */
  released: z.number().int(),
  /** Items whose attempts were used up, so the loss of their worker poisoned them. */
  poisoned: z.number().int(),
});
export type ReapResult = z.infer<typeof ReapResult>;
