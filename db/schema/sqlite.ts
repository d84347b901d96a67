import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/**
 * SQLite tables. Times are integer milliseconds since the epoch (UTC): they compare and index as
 * numbers, and the store turns them into ISO strings at its boundary.
 */
export const workers = sqliteTable(
  'workers',
  {
    workerId: text('worker_id').primaryKey(),
    status: text('status').notNull(),
    lastHeartbeat: integer('last_heartbeat').notNull(),
    host: text('host'),
    pid: integer('pid'),
    /** JSON array of strings, or NULL. */
    capabilities: text('capabilities'),
    poolId: text('pool_id'),
    startedAt: integer('started_at'),
    /** What the worker itself last reported as its task; NULL lets the hub derive it. */
    reportedTaskId: text('reported_task_id'),
    /** JSON, or NULL. */
    metadata: text('metadata'),
  },
  (t) => [index('workers_status_heartbeat').on(t.status, t.lastHeartbeat)],
);

export const items = sqliteTable(
  'items',
  {
    /** A sequence: push order is claim order (strict FIFO within a pool). */
    id: integer('id').primaryKey({ autoIncrement: true }),
    pool: text('pool').notNull(),
    /** JSON text. */
    data: text('data').notNull(),
    status: text('status').notNull(),
    claimedBy: text('claimed_by'),
    leaseId: text('lease_id'),
    attempts: integer('attempts').notNull().default(0),
    maxRetries: integer('max_retries').notNull(),
    createdAt: integer('created_at').notNull(),
    claimedAt: integer('claimed_at'),
    completedAt: integer('completed_at'),
    /** JSON text, or NULL. */
    result: text('result'),
    lastError: text('last_error'),
    /** JSON array of ended attempts: {attempt, worker_id, claimed_at, ended_at, outcome, error}. */
    history: text('history').notNull().default('[]'),
    /** The `error_type` of the last failure, or NULL. */
    lastErrorType: text('last_error_type'),
    /** The last failure's fingerprint (db/store/fingerprint.ts): what error groups group on. */
    errorFingerprint: text('error_fingerprint'),
    /** Higher is claimed first. */
    priority: integer('priority').notNull().default(0),
    /** When a `scheduled` item becomes `pending` (a delayed push, a backoff); NULL if never delayed. */
    runAt: integer('run_at'),
    /** Idempotency key: unique in its pool among items not completed (items_pool_key). */
    key: text('key'),
    /** JSON backoff policy of its own (lib/contracts Backoff), or NULL: its pool's. */
    backoff: text('backoff'),
  },
  (t) => [
    // One index serves the hot path and everything beside it: claim (oldest pending of a pool),
    // item listing, a worker's claims (status 'claimed' entries are few, so release, the reaper
    // and a worker's current item scan just those) and retention pruning (completed items of a
    // pool in id order, a window at a time: liveness.ts). Every index more is another page
    // written in each claim or completion (migration 0009 dropped the one on completed_at).
    index('items_status_pool_id').on(t.status, t.pool, t.id),
    // Claim order: a pool's pending items, highest priority first, push order within one. Only
    // pending rows are in it, so it is written when an item enters or leaves 'pending'.
    index('items_pending_priority').on(t.pool, sql`${t.priority} DESC`, t.id).where(sql`${t.status} = 'pending'`),
    // Scheduled items by when they are due (the claim promotes those due; empty unless delays are used).
    index('items_scheduled_run_at').on(t.pool, t.runAt).where(sql`${t.status} = 'scheduled'`),
    // Idempotent push: one live item per key and pool.
    uniqueIndex('items_pool_key')
      .on(t.pool, t.key)
      .where(sql`${t.key} IS NOT NULL AND ${t.status} IN ('scheduled', 'pending', 'claimed', 'poisoned')`),
  ],
);

/** Per-pool settings an operator changed; a pool without a row has the defaults. */
export const poolSettings = sqliteTable('pool_settings', {
  pool: text('pool').primaryKey(),
  /** NULL: the hub's default (3). */
  maxRetries: integer('max_retries'),
  /** JSON backoff policy, or NULL: none. */
  backoff: text('backoff'),
  paused: integer('paused').notNull().default(0),
  updatedAt: integer('updated_at'),
});

/**
 * Items per pool and status, kept by triggers on `items` (migrations 0002, 0007), so a pool
 * summary reads a few rows instead of counting a million-item index on every dashboard refresh.
 * `status` is 'open' (pending and claimed together: a claim writes no counter), 'completed' or
 * 'poisoned'; readers count the few claimed items from the status index.
 */
export const poolCounts = sqliteTable(
  'pool_counts',
  {
    pool: text('pool').notNull(),
    status: text('status').notNull(),
    n: integer('n').notNull(),
  },
  (t) => [primaryKey({ columns: [t.pool, t.status] })],
);

/**
 * Completions and failures per pool per minute, for the dashboard's throughput chart.
 *
 * Why a counter table: completed items can be derived from `items.completed_at`, but failures
 * live only inside each item's JSON history, and a retried item loses its `completed_at`; deriving
 * "failed per minute" would scan and parse every recently touched item on each read. Instead each
 * completion and failure adds one UPSERT of a tiny row within its own write (a trigger for
 * completions, migrations 0006 and 0010; the fail's transaction for failures): same commit, no extra
 * fsync, and the reader sums at most minutes × pools rows. Rows older than a day are pruned with
 * completed items.
 */
export const throughput = sqliteTable(
  'throughput',
  {
    pool: text('pool').notNull(),
    /** Start of the minute, in milliseconds since the epoch. */
    minute: integer('minute').notNull(),
    completed: integer('completed').notNull().default(0),
    failed: integer('failed').notNull().default(0),
    /** Items poisoned (by a failure or the reaper). */
    poisoned: integer('poisoned').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.minute, t.pool] })],
);

/**
 * Tokens an operator issued. Only the SHA-256 of the secret is kept: a copy of the database does
 * not let anyone in. `last_used_at` is written at most once a minute per token.
 */
export const tokens = sqliteTable(
  'tokens',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    role: text('role').notNull(),
    /** Hex SHA-256 of the secret. */
    tokenHash: text('token_hash').notNull(),
    /** Set: the token may act only as this worker (a per-worker token, role `worker`). */
    workerId: text('worker_id'),
    createdAt: integer('created_at').notNull(),
    lastUsedAt: integer('last_used_at'),
    revokedAt: integer('revoked_at'),
  },
  (t) => [uniqueIndex('tokens_token_hash').on(t.tokenHash)],
);

/** One row per operator action, newest last (the id is the page cursor). */
export const audit = sqliteTable('audit', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  at: integer('at').notNull(),
  actor: text('actor').notNull(),
  role: text('role').notNull(),
  action: text('action').notNull(),
  target: text('target'),
  /** JSON object, or NULL. */
  detail: text('detail'),
  changed: integer('changed').notNull(),
});
