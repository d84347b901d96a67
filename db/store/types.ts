import type {
  ErrorGroup,
  ItemCountQuery,
  QueueLatency,
  WorkerStats,
  LiveEvent,
  PoolBulkBody,
  PoolHolder,
  Throughput,
  CompleteManyBody,
  HeartbeatBody,
  ItemDetail,
  ListItemsQuery,
  ListWorkersQuery,
  NewItem,
  PoolSettings,
  PoolSettingsPatch,
  PoolSummary,
  Pushed,
  ReapResult,
  RegisterWorkerBody,
  WorkerRecord,
  WorkerStatus,
  WorkItem,
  AuditAction,
  AuditPage,
  AuditQuery,
  Role,
  TokenInfo,
  FailureCode,
  Actor,
} from '@/lib/contracts';

export type { FailureCode, Actor } from '@/lib/contracts';

/**
 * Expected outcomes are values: a write that cannot happen says why with a stable code, and the
 * route maps the code to a status (lib/http/problem.ts `statusOf`). Exceptions are for the unexpected only.
 */
export type Outcome<T, C extends FailureCode> = { ok: true; value: T } | { ok: false; code: C; detail: string };

type EndCode = 'item-not-found' | 'item-not-claimed' | 'not-claim-holder' | 'stale-lease';

/** A batch completion: the ids completed, and each one refused with its outcome code (the route gives the status). */
export interface CompletedManyOutcome {
  completed: string[];
  rejected: { id: string; code: EndCode }[];
}

/** A claim's end, as told by its holder. `leaseId` fences it to one particular claim. */
export interface EndClaim {
  workerId: string;
  /** Absent or null: any claim of `workerId` on the item. */
  leaseId?: string | null | undefined;
}

/** What a worker reports of a failure: the full error text and, optionally, its type. */
export interface FailReport {
  error?: string | null | undefined;
  errorType?: string | null | undefined;
}

/**
 * Narrower choices of a pool's items for a bulk action, ANDed (see db/store/item-filters.ts):
 * `error` (exact `last_error`, null: none) or `fingerprint` (one error group, null: no error),
 * the worker of the last claim, a minimum age by the store's clock, a list of ids.
 */
export interface ItemFilter {
  error?: string | null;
  fingerprint?: string | null;
  workerId?: string;
  olderThanSeconds?: number;
  ids?: string[];
}

/**
 * Which of a pool's items a bulk action takes: every one (undefined), those whose `last_error` is
 * this text (null: none), or those an ItemFilter chooses (`{fingerprint}`: one error group).
 */
export type ErrorFilter = string | null | ItemFilter;

/** An operator action to record in the audit trail. */
export interface NewAuditEntry {
  actor: Actor;
  action: AuditAction;
  target: string | null;
  detail: Record<string, unknown> | null;
  changed: number;
}

/** An issued, unrevoked token found by its hash: what the hub needs to let its holder in. */
export interface TokenHolder {
  id: string;
  name: string;
  role: Role;
  /** A per-worker token: its holder may act only as this worker. */
  workerId: string | null;
}

/** A token to store: the caller makes the secret, shows it once and passes only its hash. */
export interface NewToken {
  name: string;
  role: Role;
  tokenHash: string;
  /** Binds a `worker` token to one worker id. */
  workerId?: string | null;
}

/** A change, as the store reports it to whoever listens (the live event stream). */
export type HubEvent = LiveEvent;

export interface StoreOptions {
  /** Milliseconds since the epoch; tests move it to age heartbeats without sleeping. */
  clock?: () => number;
  /**
   * Told of every change after it is committed. On PostgreSQL also of the changes that other hub
   * instances on the same database make (LISTEN/NOTIFY), a moment after they commit.
   */
  onChange?: (event: HubEvent) => void;
  /** Most connections to keep open (PostgreSQL; SQLite has one). */
  poolSize?: number;
}

/** A worker as the hub knows it. */
export interface WorkerReads {
  getWorker(workerId: string): Promise<WorkerRecord | null>;
  /** Workers matching every given filter, by id. */
  listWorkers(filter: ListWorkersQuery): Promise<WorkerRecord[]>;
}

/** A worker's lifecycle, and an operator's release of what it holds (db/store/ops/workers.ts, release.ts). */
export interface WorkerWrites {
  /** Registers or replaces a worker (status `active`, heartbeat now). Its claims are kept. */
  registerWorker(input: RegisterWorkerBody): Promise<WorkerRecord>;
  /** Heartbeat now, shallow-merges metadata. The status is not changed: a `lost` worker stays lost. */
  heartbeat(workerId: string, input: HeartbeatBody): Promise<Outcome<WorkerRecord, 'worker-not-found'>>;
  /**
   * Sets a worker's status. Moving to `terminated` or `lost` releases whatever it still holds,
   * so no item stays claimed by a worker that no one will ever reap.
   */
  setWorkerStatus(workerId: string, status: WorkerStatus, by?: Actor): Promise<Outcome<WorkerRecord, 'worker-not-found'>>;
  /**
   * Puts every item the worker holds (in one pool, or all) back to `pending`, attempts kept;
   * returns how many. worker-not-found for a worker the hub does not know (and so holds nothing).
   */
  releaseWorker(workerId: string, pool?: string, by?: Actor): Promise<Outcome<number, 'worker-not-found'>>;
}

/** Items and their history. */
export interface ItemReads {
  getItem(itemId: string): Promise<ItemDetail | null>;
  /**
   * A page of a pool's items in id (push) order, oldest first or, with `order: 'desc'`, newest
   * first; the cursor is the last id of the page and works either way. Filters (ANDed): `status`,
   * `q` (items whose `data`, as JSON text, contains it case-insensitively: a scan of the pool's
   * rows in that status, fine for an operator's search, not meant for workers), `fingerprint`
   * (one error group), `worker_id` (the last claim's worker), `older_than_seconds` (pushed at
   * least that long ago by the store's clock). May return fewer than `limit` with a cursor.
   */
  listItems(pool: string, query: ListItemsQuery): Promise<{ items: WorkItem[]; next_cursor: string | null }>;
  /** How many of a pool's items `listItems` would list with these filters (all pages). A scan of the matching rows. */
  countItems(pool: string, query: ItemCountQuery): Promise<number>;
  /** Every item the worker holds (status `claimed`, `claimed_by` it), oldest claim first. */
  workerItems(workerId: string): Promise<WorkItem[]>;
  /** Milliseconds until the pool's next scheduled item is due (0: due now); null when none is scheduled. */
  nextDue(pool: string): Promise<number | null>;
}

/** The queue: push, claim, end a claim, and the operator's item actions (one module each in db/store/ops). */
export interface ItemWrites {
  /**
   * Appends items to a pool in order; returns their ids in the same order. An item with a `key`
   * that a live (not completed, not deleted) item of the pool holds is not added: its id is that
   * item's, with `created` false. Items due later (`run_at`, `delay_seconds`) start `scheduled`.
   */
  push(pool: string, items: NewItem[]): Promise<Pushed>;
  /**
   * Claims up to `limit` of a pool's pending items for a worker, highest priority first and in
   * push order within one, in one statement; first makes the pool's due scheduled items pending.
   * A paused pool hands out nothing (`[]`).
   * May return fewer than `limit` (or none). A worker id never seen before is registered; a
   * `terminating` worker gets nothing (it is draining); a `lost` or `terminated` one is refused.
   * With a `claimId` (leases.ts), a retry of a claim that took items returns the items the worker
   * still holds from it instead of claiming more.
   */
  claim(pool: string, workerId: string, limit: number, claimId?: string | null): Promise<Outcome<WorkItem[], 'worker-not-active'>>;
  /** Claims one chosen item if it is pending and its pool is not paused. */
  claimItem(
    itemId: string,
    workerId: string,
  ): Promise<Outcome<WorkItem, 'item-not-found' | 'item-not-pending' | 'worker-not-active' | 'pool-paused'>>;
  /** A scheduled item made pending now (an operator's "run now"). */
  runItem(itemId: string, by?: Actor): Promise<Outcome<WorkItem, 'item-not-found' | 'item-not-scheduled'>>;
  complete(
    itemId: string,
    claim: EndClaim & { result?: unknown },
  ): Promise<Outcome<WorkItem, 'item-not-found' | 'item-not-claimed' | 'not-claim-holder' | 'stale-lease'>>;
  /** Each item is judged as by `complete`; a rejected one does not stop the others. */
  completeMany(input: CompleteManyBody): Promise<CompletedManyOutcome>;
  /**
   * Back to `pending`, or `poisoned` once `attempts >= max_retries`; under a backoff policy (the
   * item's, else its pool's) to `scheduled` until the policy's delay has passed.
   */
  fail(
    itemId: string,
    claim: EndClaim & FailReport,
  ): Promise<Outcome<WorkItem, 'item-not-found' | 'item-not-claimed' | 'not-claim-holder' | 'stale-lease'>>;
  /** A poisoned or completed item back to `pending` with attempts 0. */
  retryItem(itemId: string, by?: Actor): Promise<Outcome<WorkItem, 'item-not-found' | 'item-not-retryable'>>;
  /**
   * Every item of the pool in `status` back to `pending` with attempts 0 (as `retryItem`);
   * returns how many. With `error` given, only items whose `last_error` equals it exactly
   * (`null`: items with no `last_error`); with `{fingerprint}`, one group of `errorGroups`.
   */
  retryPool(pool: string, status: PoolBulkBody['status'], error?: ErrorFilter, by?: Actor): Promise<number>;
  /**
   * Deletes every item of the pool in `status`, or only those whose `last_error` equals `error`
   * as in `retryPool`; returns how many. Claimed and pending items are never touched.
   */
  discardPool(pool: string, status: PoolBulkBody['status'], error?: ErrorFilter, by?: Actor): Promise<number>;
  deleteItem(itemId: string, by?: Actor): Promise<Outcome<null, 'item-not-found'>>;
}

/** Pools: their counts, settings and the operator's views of them. */
export interface PoolReads {
  listPools(): Promise<PoolSummary[]>;
  /** A pool never seen has all counts 0. */
  getPool(pool: string): Promise<PoolSummary>;
  /** A pool's settings; the defaults for a pool never configured. */
  getPoolSettings(pool: string): Promise<PoolSettings>;
  /**
   * The pool's poisoned items grouped by the fingerprint of their last error (db/store/
   * fingerprint.ts; items failed before fingerprints were kept group by their exact `last_error`):
   * count, up to three distinct full texts, and when the first and last of them were poisoned (the end of their last attempt; creation time if they have no
   * history). Largest groups first (ties: most recent first); at most `limit` groups.
   */
  errorGroups(pool: string, limit: number): Promise<ErrorGroup[]>;
  /** Who holds the pool's claimed items and how many each, most first; with their worker's state. */
  poolHolders(pool: string): Promise<PoolHolder[]>;
  /**
   * Completions (`complete`, each item of `completeMany`) and failures (`fail` calls, whether the
   * item went back to pending or was poisoned) per pool per minute, over the last `minutes`
   * whole minutes including the current one. Counted when they happen: retrying or deleting the
   * item later does not change them. Kept for a day.
   */
  throughput(minutes: number): Promise<Throughput>;
  /**
   * Per worker id found in the kept items: items completed by its claim (status `completed`) and
   * failed attempts in items' histories, by worker id. Read from the items on each call, so
   * claim and complete pay nothing for it: a scan of the completed items and of the histories of
   * items that failed at least once.
   */
  workerStats(): Promise<WorkerStats[]>;
  /**
   * Push-to-first-claim wait per pool over the last `minutes`: items on their first attempt
   * (`attempts` 1, no earlier attempt in their history) whose claim falls in the window, from
   * `run_at` for a delayed push, else from `created_at`. Per pool it looks at the newest
   * LATENCY_SAMPLE items of each status claimed, completed and poisoned (claim order is close to
   * push order, so those hold the latest claims): a bounded read, a sample under heavy load.
   */
  queueLatency(minutes: number): Promise<QueueLatency>;
}

/** A pool's settings. */
export interface PoolWrites {
  /** Changes the given settings (null: back to the default); pausing or resuming alone is audited as such. */
  updatePoolSettings(pool: string, patch: PoolSettingsPatch, by?: Actor): Promise<PoolSettings>;
}

/** Lost workers, and retention of what finished. */
export interface Liveness {
  /**
   * Marks `active`/`terminating` workers whose heartbeat is older than `staleSeconds` as `lost`
   * and releases their items — poisoning those whose attempts are used up. Safe to run from
   * several processes at once: each worker is lost, and each item released, exactly once.
   */
  reap(staleSeconds: number, by?: Actor): Promise<ReapResult>;
  /** Deletes completed items that completed more than `retentionSeconds` ago; returns how many. */
  prune(retentionSeconds: number): Promise<number>;
  /**
   * Deletes `terminated` workers whose last heartbeat is more than `retentionSeconds` old (a
   * worker stops heartbeating when it ends, so that is about when it ended); returns their ids.
   * A worker that still holds a claimed item is kept, and so is every `lost` one (operators need
   * to see those). A pruned worker that comes back registers afresh.
   */
  pruneWorkers(retentionSeconds: number): Promise<string[]>;
}

/** Issued tokens and the audit trail. */
export interface TokensAndAudit {
  /**
   * Stores a token by the SHA-256 hex of its secret (the caller makes the secret and shows it
   * once) and records `token.issue` by `actor` in the same transaction.
   */
  issueToken(input: NewToken, actor: Actor): Promise<TokenInfo>;
  /** Every issued token, revoked ones included, oldest first. Never a secret or a hash. */
  listTokens(): Promise<TokenInfo[]>;
  /**
   * Revokes a token and records `token.revoke` in the same transaction. Revoking a revoked token
   * changes nothing and records nothing (still ok).
   */
  revokeToken(id: string, actor: Actor): Promise<Outcome<TokenInfo, 'token-not-found'>>;
  /** The unrevoked token with this hash, or null. Looked up by hash, so timing says nothing of the secret. */
  findToken(tokenHash: string): Promise<TokenHolder | null>;
  /** Sets `last_used_at` to now unless it was set less than a minute ago (one guarded UPDATE). */
  touchToken(id: string): Promise<void>;
  /** Appends one entry to the audit trail, at the store's clock. */
  recordAudit(entry: NewAuditEntry): Promise<void>;
  /** A page of the audit trail, newest first; `cursor` is a `next_cursor` of an earlier page. */
  listAudit(query: AuditQuery): Promise<AuditPage>;
}

/**
 * Everything the hub does with its database, by resource, reads apart from writes. One
 * implementation per engine; the routes see only this. Every write is guarded by the state it
 * expects, so concurrent callers, several processes on one SQLite file, or several hub instances
 * on one PostgreSQL, never undo each other.
 *
 * Operator actions take an optional `by`: given, the action is recorded in the audit trail
 * (actor, what, target, filter, how many changed) in the action's own transaction, and its
 * events are told after that commit. Not given (a worker's own status change, the reaper's
 * timer), nothing is recorded.
 */
export interface HubStore extends WorkerReads, WorkerWrites, ItemReads, ItemWrites, PoolReads, PoolWrites, Liveness, TokensAndAudit {
  readonly engine: 'sqlite' | 'postgres';
  /** Resolves once the database answers. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
