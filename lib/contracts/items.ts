import { z } from 'zod';
import { IsoTimestamp, ItemId, JsonValue, LeaseId, Name } from './common';

/**
 * `scheduled`: waiting for its `run_at` (a delayed push, or a failure under a backoff policy);
 * it becomes `pending` when that time comes, and only `pending` items are claimed.
 */
export const ITEM_STATUSES = ['scheduled', 'pending', 'claimed', 'completed', 'poisoned'] as const;
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
  /** The `error_type` its last failure was reported with, or null. */
  last_error_type: z.string().nullable(),
  /** Higher is claimed first; push order within one priority. */
  priority: z.number().int(),
  /** When a delayed or backed-off item is (or was) due; null for an item never delayed. */
  run_at: z.string().nullable(),
  /** The idempotency key it was pushed with, or null. */
  key: z.string().nullable(),
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
  /** The `error_type` the failure was reported with, or null. */
  error_type: z.string().nullable(),
});
export type HistoryEntry = z.infer<typeof HistoryEntry>;

/** The longest delay (`delay_seconds`, a backoff's delays): 30 days. */
export const DELAY_MAX_SECONDS = 30 * 24 * 3600;
export const PRIORITY_MIN = -1000;
export const PRIORITY_MAX = 1000;

const Seconds = () => z.number().min(0).max(DELAY_MAX_SECONDS, { message: `must be at most ${DELAY_MAX_SECONDS} (30 days)` });

/**
 * How long a failed item waits before it may be claimed again (`fail` puts it in `scheduled`
 * until then). `none` (the default): at once. `fixed`: `delay_seconds` every time. `exponential`:
 * `base_seconds × 2^(attempts − 1)`, at most `max_seconds`, then shortened by a random share of
 * up to `jitter` (0–1) so that items failing together do not come back together.
 */
export const Backoff = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('none') }),
  z.strictObject({ type: z.literal('fixed'), delay_seconds: Seconds() }),
  z
    .strictObject({
      type: z.literal('exponential'),
      base_seconds: Seconds().refine((n) => n > 0, { message: 'must be more than 0' }),
      max_seconds: Seconds().default(3600),
      jitter: z.number().min(0).max(1).default(0.1),
    })
    .refine((b) => b.max_seconds >= b.base_seconds, { message: 'must be at least base_seconds', path: ['max_seconds'] }),
]);
export type Backoff = z.infer<typeof Backoff>;

export const ItemDetail = WorkItem.extend({
  history: z.array(HistoryEntry),
  /** The item's own backoff policy; null: its pool's (see pool settings). */
  backoff: Backoff.nullable(),
});
export type ItemDetail = z.infer<typeof ItemDetail>;

export const MAX_RETRIES_DEFAULT = 3;
export const PUSH_BATCH_MAX = 1000;
export const CLAIM_LIMIT_MAX = 100;
export const COMPLETE_BATCH_MAX = 100;
/** The longest a claim may wait for work (`wait_seconds`). */
export const CLAIM_WAIT_MAX_SECONDS = 30;
export const LIST_LIMIT_MAX = 500;

/** An idempotency key: any 1–128 characters (no control characters). */
export const ItemKey = z
  .string()
  .min(1)
  .max(128, { message: 'must be at most 128 characters' })
  .regex(/^[^\u0000-\u001f\u007f]*$/, { message: 'must not contain control characters' });

/** How one item is pushed, beside its data. All optional; absent, an item behaves as before. */
const PUSH_OPTIONS = {
  /** Default: the pool's setting, else 3. */
  max_retries: z.number().int().min(1).max(1000).optional(),
  priority: z
    .number()
    .int({ message: 'must be an integer' })
    .min(PRIORITY_MIN, { message: `must be at least ${PRIORITY_MIN}` })
    .max(PRIORITY_MAX, { message: `must be at most ${PRIORITY_MAX}` })
    .optional(),
  /** Not claimable before this many seconds from now. */
  delay_seconds: Seconds().optional(),
  /** Not claimable before this moment (RFC 3339 with an offset). */
  run_at: IsoTimestamp.optional(),
  /** A second push with the same key, while the first item is not completed or discarded, returns it. */
  key: ItemKey.optional(),
  /** The item's own retry backoff; default: its pool's. */
  backoff: Backoff.optional(),
};
type PushOptionFields = { [K in keyof typeof PUSH_OPTIONS]?: z.infer<(typeof PUSH_OPTIONS)[K]> };

function oneDelay(b: { delay_seconds?: number | undefined; run_at?: string | undefined }, ctx: z.RefinementCtx, at: (string | number)[]) {
  if (b.delay_seconds !== undefined && b.run_at !== undefined) {
    ctx.addIssue({ code: 'custom', path: [...at, 'run_at'], message: 'give run_at or delay_seconds, not both' });
  }
}

export const NewItem = z.strictObject({ data: JsonValue, ...PUSH_OPTIONS }).superRefine((b, ctx) => oneDelay(b, ctx, []));
export type NewItem = z.infer<typeof NewItem>;
export type PushOptions = Omit<NewItem, 'data'>;

/**
 * `{data, ...options}` for one item, or `{items: [{data, ...options}, ...]}` for a batch of up to
 * 1000. One object schema (not a union) so an error names the field that is wrong.
 */
export const PushBody = z
  .strictObject({
    data: JsonValue.optional(),
    ...PUSH_OPTIONS,
    items: z.array(NewItem).min(1).max(PUSH_BATCH_MAX).optional(),
  })
  .superRefine((b, ctx) => {
    if (b.items === undefined && b.data === undefined) {
      ctx.addIssue({ code: 'custom', path: ['data'], message: 'is required (or send a batch as items: [...])' });
    }
    const beside = (Object.keys(PUSH_OPTIONS) as (keyof PushOptionFields)[]).filter((k) => b[k] !== undefined);
    if (b.items !== undefined && (b.data !== undefined || beside.length > 0)) {
      ctx.addIssue({ code: 'custom', path: ['items'], message: 'a batch takes data and its options per item, not beside items' });
    }
    oneDelay(b, ctx, []);
  });
export type PushBody = z.infer<typeof PushBody>;
/** `created`: false when the push found an item with the same `key` and returned it instead. */
export const PushedOne = z.object({ id: z.string(), created: z.boolean() });
/** `created[i]` tells whether `ids[i]` was made by this push (false: an existing item with that key). */
export const PushedMany = z.object({ ids: z.array(z.string()), created: z.array(z.boolean()) });
export type Pushed = z.infer<typeof PushedMany>;

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

/**
 * The claim a batch completion makes next, for the same worker, once the batch is completed:
 * a worker that drains a pool in batches sends one request a batch instead of two. The same
 * fields and rules as `POST /pools/{pool}/claim`, the pool named here, without waiting.
 */
export const NextClaim = z.strictObject({
  pool: Name,
  limit: z.number().int().min(1).max(CLAIM_LIMIT_MAX).default(1),
  claim_id: ClaimId.nullish(),
});
export type NextClaim = z.infer<typeof NextClaim>;

export const CompleteManyBody = z.strictObject({
  worker_id: Name,
  items: z
    .array(z.strictObject({ id: ItemId, lease_id: LeaseId.nullish(), result: JsonValue.optional() }))
    .min(1)
    .max(COMPLETE_BATCH_MAX),
  next: NextClaim.optional(),
});
export type CompleteManyBody = z.infer<typeof CompleteManyBody>;
export const CompletedMany = z.object({
  completed: z.array(z.string()),
  rejected: z.array(z.object({ id: z.string(), status: z.union([z.literal(404), z.literal(409)]), code: z.string() })),
  /**
   * With `next` in the request: the items it claimed, or none and why the claim was refused (a
   * worker no longer active: 409 `worker-not-active`). The completions stand either way.
   */
  next: z
    .object({
      items: z.array(WorkItem),
      refused: z.object({ status: z.number().int(), code: z.string(), detail: z.string() }).optional(),
    })
    .optional(),
});
export type CompletedMany = z.infer<typeof CompletedMany>;

export const FailBody = z.strictObject({
  worker_id: Name,
  lease_id: LeaseId.nullish(),
  /** The full error text (a stack trace, the end of stderr): kept on the item and in its history. */
  error: z.string().max(65_536).nullish(),
  /** The error's class or kind (`TimeoutError`, `HTTP 503`); grouped on with the masked message. */
  error_type: z.string().trim().min(1).max(200).nullish(),
});
export type FailBody = z.infer<typeof FailBody>;

export const ReleasePoolBody = z.strictObject({ worker_id: Name });

/** The longest `older_than_seconds` a filter takes: ten years (as `stale_threshold_seconds`). */
export const OLDER_THAN_MAX_SECONDS = 315_360_000;
/** Most item ids one bulk action may name. */
export const BULK_IDS_MAX = 1000;
const OlderThan = () => z.number().min(0).max(OLDER_THAN_MAX_SECONDS, { message: `must be at most ${OLDER_THAN_MAX_SECONDS} (ten years)` });

/**
 * Which of a pool's items a bulk retry or discard acts on: every item in `status`, narrowed by
 * each filter given (they are ANDed).
 */
export const PoolBulkBody = z.strictObject({
  /** The poisoned items (default) or the completed ones. */
  status: z.enum(['poisoned', 'completed']).default('poisoned'),
  /** Only items whose `last_error` is exactly this text (`null`: items without one). */
  error: z.string().max(65_536).nullable().optional(),
  /**
   * Only items of this error group: the `fingerprint` of `GET /pools/{pool}/errors` (`null`: items
   * with no error at all). Not together with `error`.
   */
  fingerprint: z.string().max(1000).nullable().optional(),
  /** Only items whose last claim was this worker's (`claimed_by`). */
  worker_id: Name.optional(),
  /** Only items pushed at least this many seconds ago. */
  older_than_seconds: OlderThan().optional(),
  /** Only these items (a selection); ids of other pools or statuses are left alone and not counted. */
  ids: z.array(ItemId).min(1).max(BULK_IDS_MAX).optional(),
}).refine((b) => b.error === undefined || b.fingerprint === undefined, { message: 'give error or fingerprint, not both', path: ['fingerprint'] });
export type PoolBulkBody = z.infer<typeof PoolBulkBody>;
export const RetryPoolBody = PoolBulkBody;
export const Retried = z.object({ retried: z.number().int() });

/** The filters a listing and a count share (query form); they are ANDed. */
const ITEM_FILTERS = {
  status: ItemStatus.optional(),
  /** Case-insensitive substring of the item's `data` as JSON text; blank means no search. */
  q: z
    .string()
    .max(200)
    .transform((s) => s.trim() || undefined)
    .optional(),
  /** Only items of this error group (a non-null `fingerprint` of `GET /pools/{pool}/errors`). */
  fingerprint: z.string().min(1).max(1000).optional(),
  /** Only items whose last claim was this worker's (`claimed_by`). */
  worker_id: Name.optional(),
  /** Only items pushed at least this many seconds ago. */
  older_than_seconds: z.coerce.number().pipe(OlderThan()).optional(),
};

export const ItemCountQuery = z.object(ITEM_FILTERS);
export type ItemCountQuery = z.infer<typeof ItemCountQuery>;
export const ItemCount = z.object({ count: z.number().int() });

export const ListItemsQuery = z.object({
  ...ITEM_FILTERS,
  /** `asc`: oldest first (push order, the default); `desc`: newest first. */
  order: z.enum(['asc', 'desc']).optional(),
  limit: z.coerce.number().int().min(1).max(LIST_LIMIT_MAX).default(50),
  cursor: z.string().regex(/^[0-9]{1,18}$/, { message: 'must be a next_cursor returned by this route' }).optional(),
});
export type ListItemsQuery = z.infer<typeof ListItemsQuery>;
export const ItemPage = z.object({ items: z.array(WorkItem), next_cursor: z.string().nullable() });

export const PoolSummary = z.object({
  name: z.string(),
  /** Waiting for their `run_at`: not claimable yet, not counted in `pending`. */
  scheduled: z.number().int(),
  pending: z.number().int(),
  claimed: z.number().int(),
  completed: z.number().int(),
  poisoned: z.number().int(),
  oldest_pending_at: z.string().nullable(),
  /** A paused pool hands out nothing; everything else works. */
  paused: z.boolean(),
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

/** A pool's settings as stored and shown: what applies when an item does not say. */
export const PoolSettings = z.object({
  pool: z.string(),
  /** For items pushed without `max_retries` (the hub's default: 3). */
  max_retries: z.number().int(),
  /** For items pushed without their own `backoff`. */
  backoff: Backoff,
  paused: z.boolean(),
  /** Last changed; null if never. */
  updated_at: z.string().nullable(),
});
export type PoolSettings = z.infer<typeof PoolSettings>;

/** A change of settings: only the fields given change; `null` puts one back to the hub's default. */
export const PoolSettingsPatch = z.strictObject({
  max_retries: z.number().int().min(1).max(1000).nullable().optional(),
  backoff: Backoff.nullable().optional(),
  paused: z.boolean().optional(),
});
export type PoolSettingsPatch = z.infer<typeof PoolSettingsPatch>;
