import { sql } from 'drizzle-orm';
import { bigint, boolean, index, integer, jsonb, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core';

/**
 * PostgreSQL tables, column for column the SQLite ones (db/schema/sqlite.ts).
 *
 * Times are bigint milliseconds since the epoch (UTC), not timestamptz: the store takes its clock
 * as an argument (tests move it to age heartbeats), so every time is written from that clock, never
 * from now(); milliseconds are exact and identical to SQLite's, and compare and index as numbers.
 * JSON values are jsonb: history is appended to and metadata merged inside one UPDATE, and
 * capabilities are matched with `?`.
 */
export const workers = pgTable(
  'workers',
  {
    workerId: text('worker_id').primaryKey(),
    status: text('status').notNull(),
    lastHeartbeat: bigint('last_heartbeat', { mode: 'number' }).notNull(),
    host: text('host'),
    pid: integer('pid'),
    /** JSON array of strings, or NULL. */
    capabilities: jsonb('capabilities').$type<string[]>(),
    poolId: text('pool_id'),
    startedAt: bigint('started_at', { mode: 'number' }),
    /** What the worker itself last reported as its task; NULL lets the hub derive it. */
    reportedTaskId: text('reported_task_id'),
    metadata: jsonb('metadata'),
  },
  (t) => [
    // The reaper: live workers by heartbeat age.
    index('workers_live_heartbeat')
      .on(t.lastHeartbeat)
      .where(sql`${t.status} IN ('active', 'terminating')`),
  ],
);

export const items = pgTable(
  'items',
  {
    /** An identity sequence: push order is claim order (strict FIFO within a pool). */
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    pool: text('pool').notNull(),
    data: jsonb('data').notNull(),
    status: text('status').notNull(),
    claimedBy: text('claimed_by'),
    leaseId: text('lease_id'),
    attempts: integer('attempts').notNull().default(0),
    maxRetries: integer('max_retries').notNull(),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
    claimedAt: bigint('claimed_at', { mode: 'number' }),
    completedAt: bigint('completed_at', { mode: 'number' }),
    result: jsonb('result'),
    lastError: text('last_error'),
    /** Ended attempts: [{attempt, worker_id, claimed_at, ended_at, outcome, error}]. */
    history: jsonb('history').notNull().default(sql`'[]'::jsonb`),
    /** The `error_type` of the last failure, or NULL. */
    lastErrorType: text('last_error_type'),
    /** The last failure's fingerprint (db/store/fingerprint.ts): what error groups group on. */
    errorFingerprint: text('error_fingerprint'),
    /** Higher is claimed first. */
    priority: integer('priority').notNull().default(0),
    /** When a `scheduled` item becomes `pending` (a delayed push, a backoff); NULL if never delayed. */
    runAt: bigint('run_at', { mode: 'number' }),
    /** Idempotency key: unique in its pool among items not completed (items_pool_key). */
    key: text('key'),
    /** Backoff policy of its own (lib/contracts Backoff), or NULL: its pool's. */
    backoff: jsonb('backoff'),
  },
  (t) => [
    // Per-pool counts and item listing walk this one.
    index('items_pool_status_id').on(t.pool, t.status, t.id),
    // Claim order: a pool's pending items, highest priority first, push order within one; only
    // those (the index stays small however many completed items the retention keeps).
    index('items_pending_priority').on(t.pool, t.priority.desc(), t.id).where(sql`${t.status} = 'pending'`),
    // Scheduled items by when they are due (the claim promotes those due; empty unless delays are used).
    index('items_scheduled_run_at').on(t.pool, t.runAt).where(sql`${t.status} = 'scheduled'`),
    // Idempotent push: one live item per key and pool.
    uniqueIndex('items_pool_key')
      .on(t.pool, t.key)
      .where(sql`${t.key} IS NOT NULL AND ${t.status} IN ('scheduled', 'pending', 'claimed', 'poisoned')`),
    // Release by worker, the reaper and a worker's current item: claimed items only, so a
    // completion or a failure (which keep or clear `claimed_by`) writes no entry here.
    index('items_claimed_by').on(t.claimedBy).where(sql`${t.status} = 'claimed'`),
    // Retention pruning of completed items.
    index('items_completed_at').on(t.completedAt).where(sql`${t.status} = 'completed'`),
  ],
);

/**
 * Items per pool and status, so a pool summary reads a few rows instead of counting a
 * million-item index (it took ~110 ms at a million items). No writer updates these rows: one
 * counter row per pool would serialize every claim and completion of that pool across all
 * instances. Instead statement triggers on `items` append each statement's net change to
 * `pool_count_deltas` (insert-only, migration 0005), a compaction folds the deltas into
 * `pool_counts` about once a second (db/store/pg/counts.ts), and readers sum both.
 */
export const poolCounts = pgTable(
  'pool_counts',
  {
    pool: text('pool').notNull(),
    status: text('status').notNull(),
    n: bigint('n', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.pool, t.status] })],
);

export const poolCountDeltas = pgTable('pool_count_deltas', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  pool: text('pool').notNull(),
  status: text('status').notNull(),
  n: bigint('n', { mode: 'number' }).notNull(),
});

/**
 * Completions and failures per pool per minute (the dashboard's throughput chart), as in
 * db/schema/sqlite.ts, but insert-only: a statement trigger on `items` appends each statement's
 * completions and failures per pool and minute as a row of their own (migration 0008), in that
 * statement's transaction and without another round trip. One counter row per pool and minute,
 * updated in place, would be locked by every completion of that pool until its commit, so
 * writers on all instances would commit one after another. Readers sum the rows of a minute;
 * the compaction of pool counts (db/store/pg/counts.ts) also folds each minute's rows into one.
 */
export const throughput = pgTable(
  'throughput',
  {
    pool: text('pool').notNull(),
    /** Start of the minute, in milliseconds since the epoch. */
    minute: bigint('minute', { mode: 'number' }).notNull(),
    completed: integer('completed').notNull().default(0),
    failed: integer('failed').notNull().default(0),
    /** Items poisoned (by a failure or the reaper). */
    poisoned: integer('poisoned').notNull().default(0),
  },
  (t) => [index('throughput_minute_pool').on(t.minute, t.pool)],
);

/** Per-pool settings an operator changed, as in db/schema/sqlite.ts. */
export const poolSettings = pgTable('pool_settings', {
  pool: text('pool').primaryKey(),
  maxRetries: integer('max_retries'),
  backoff: jsonb('backoff'),
  paused: boolean('paused').notNull().default(false),
  updatedAt: bigint('updated_at', { mode: 'number' }),
});

/** Issued tokens, as in db/schema/sqlite.ts: only the SHA-256 of the secret is kept. */
export const tokens = pgTable(
  'tokens',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    role: text('role').notNull(),
    tokenHash: text('token_hash').notNull(),
    /** Set: the token may act only as this worker (a per-worker token, role `worker`). */
    workerId: text('worker_id'),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
    lastUsedAt: bigint('last_used_at', { mode: 'number' }),
    revokedAt: bigint('revoked_at', { mode: 'number' }),
  },
  (t) => [uniqueIndex('tokens_token_hash').on(t.tokenHash)],
);

/** One row per operator action, as in db/schema/sqlite.ts. */
export const audit = pgTable('audit', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  at: bigint('at', { mode: 'number' }).notNull(),
  actor: text('actor').notNull(),
  role: text('role').notNull(),
  action: text('action').notNull(),
  target: text('target'),
  detail: jsonb('detail'),
  changed: integer('changed').notNull(),
});
