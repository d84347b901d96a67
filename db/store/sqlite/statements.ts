import type Database from 'better-sqlite3';
import type { ClaimKeyParams } from '../leases';
import { backoffSql, KEY_HOLDING, PROMOTE_BATCH } from '../queue';
import { ITEM_COLUMNS, type ItemValues } from './rows';

/**
 * The hot path (push, claim, complete, fail) as statements prepared once per connection.
 * Drizzle builds and prepares a statement on every call, and SQLite compiles the pool-count
 * triggers into every INSERT/UPDATE it prepares: ~1 ms a call, which capped a drain at a few
 * hundred items a second. Prepared once, the same SQL runs in microseconds. Column names follow
 * db/schema/sqlite.ts. The statements that return items return them as arrays of ITEM_COLUMNS
 * (rows.ts), which leaves out `history`: a WorkItem does not show it, and it grows with every
 * attempt.
 */

/*
 * Pool counts are kept by triggers that fire on the columns a write sets (migration 0010): a
 * completion sets `completed_at`; every other write that moves an item between count buckets
 * (fail, reap, release, retry) must set `history`, as each records the attempt it ends; a
 * claim sets neither, and moves none.
 */

/** Appends the claim now ending to `history`; SET expressions see the row before the update. */
const appendAttempt = (outcome: 'failed', error: string, errorType: string) =>
  `json_insert(history, '$[#]', json_object('attempt', attempts, 'worker_id', claimed_by,
    'claimed_at', claimed_at, 'ended_at', @now, 'outcome', '${outcome}', 'error', ${error}, 'error_type', ${errorType}))`;

const EXHAUSTED = 'attempts >= max_retries';

/** Only the current claim holder, and with a lease only that very claim, may end a claim. */
const HOLDER = `id = @id AND status = 'claimed' AND claimed_by = @workerId AND (@leaseId IS NULL OR lease_id = @leaseId)`;

/**
 * A claim made with a claim id (`@claimKey`) gets leases that start with `claimKey/`, which is
 * how a retry of that claim finds what it took (leases.ts); without one, a random lease alone.
 */
const CLAIM_SET = `status = 'claimed', claimed_by = @workerId,
  lease_id = coalesce(@claimKey || '/', '') || lower(hex(randomblob(16))), attempts = attempts + 1, claimed_at = @now`;

/**
 * The items `@workerId` holds in `@pool` from the claim `@claimKey`: leases in [@leaseFrom,
 * @leaseTo). items_status_pool_id narrows it to the pool's claimed items, which are few (no index
 * more: each would be another page written in every claim and completion).
 */
const HELD_UNDER_KEY = `status = 'claimed' AND pool = @pool AND claimed_by = @workerId AND lease_id >= @leaseFrom AND lease_id < @leaseTo`;

/**
 * The fast path claims for an active worker only, and for a claim id only when nothing is held
 * under it yet (a retry of that claim then takes the slow path, which returns what it holds).
 * Neither condition depends on the row: SQLite evaluates each once.
 */
const ACTIVE_WORKER = `AND EXISTS (SELECT 1 FROM workers WHERE worker_id = @workerId AND status = 'active')
  AND (@claimKey IS NULL OR NOT EXISTS (SELECT 1 FROM items WHERE ${HELD_UNDER_KEY}))`;

/** A paused pool hands out nothing; like the worker's test, evaluated once per statement. */
const NOT_PAUSED = `AND NOT EXISTS (SELECT 1 FROM pool_settings WHERE pool = @pool AND paused = 1)`;

type InsertParams = {
  pool: string;
  data: string;
  status: 'scheduled' | 'pending';
  maxRetries: number;
  now: number;
  priority: number;
  runAt: number | null;
  key: string | null;
  backoff: string | null;
};

type ClaimParams = ClaimKeyParams & { pool: string; workerId: string; limit: number; now: number };

/**
 * Claims a pool's first pending items in claim order (highest priority, then push order: the
 * index items_pending_priority): up to @limit (`many`), or exactly the first (`one`, the usual claim). For one, `id = (…)` keeps the subquery's answer in a register; `id IN
 * (…)` builds a temporary b-tree for it, ~40,000 more instructions a claim (callgrind).
 * CAST: SQLite recompiles a statement after a rebinding of any parameter whose value may steer the
 * query plan (sqlite3_prepare_v2 docs), and a bare LIMIT parameter is one: every claim recompiled
 * the UPDATE and its triggers, ~50 µs. Behind the CAST the planner does not look at the value.
 */
const oldestPending = (count: 'one' | 'many', andWhere: string) => `UPDATE items SET ${CLAIM_SET}
  WHERE id ${count === 'one' ? '=' : 'IN'} (SELECT id FROM items WHERE pool = @pool AND status = 'pending' ${NOT_PAUSED} ${andWhere}
    ORDER BY priority DESC, id LIMIT ${count === 'one' ? '1' : 'CAST(@limit AS INTEGER)'})
  RETURNING ${ITEM_COLUMNS}`;

export function prepareStatements(sqlite: Database.Database) {
  /** A statement that returns items, as arrays of ITEM_COLUMNS. */
  const returningItems = <P extends object>(sql: string) => sqlite.prepare<P, ItemValues>(sql).raw();
  let findToken: Database.Statement<[string], { id: string; name: string; role: string; workerId: string | null }> | undefined;
  return {
    // An item whose key a live item of the pool holds is not inserted (items_pool_key): the
    // push then returns that item (liveKey).
    insertItem: sqlite.prepare<InsertParams>(
      `INSERT INTO items (pool, data, status, max_retries, created_at, priority, run_at, key, backoff)
       VALUES (@pool, @data, @status, @maxRetries, @now, @priority, @runAt, @key, @backoff) ON CONFLICT DO NOTHING`,
    ),
    liveKey: sqlite.prepare<{ pool: string; key: string }, number>(
      `SELECT id FROM items WHERE pool = @pool AND key = @key AND status IN ${KEY_HOLDING}`,
    ).pluck(),
    poolSettings: sqlite.prepare<[string], { maxRetries: number | null; backoff: string | null; paused: number; updatedAt: number | null }>(
      `SELECT max_retries AS maxRetries, backoff, paused, updated_at AS updatedAt FROM pool_settings WHERE pool = ?`,
    ),
    // Promotion of due scheduled items, which the claim runs first when the read finds any.
    anyDue: sqlite.prepare<{ pool: string; now: number }, number>(
      `SELECT 1 FROM items WHERE status = 'scheduled' AND pool = @pool AND run_at <= @now LIMIT 1`,
    ).pluck(),
    promoteDue: sqlite.prepare<{ pool: string; now: number }, { id: number }>(
      `UPDATE items SET status = 'pending' WHERE id IN (SELECT id FROM items
         WHERE status = 'scheduled' AND pool = @pool AND run_at <= @now ORDER BY run_at LIMIT ${PROMOTE_BATCH}) RETURNING id`,
    ),
    nextDue: sqlite.prepare<[string], number | null>(`SELECT min(run_at) FROM items WHERE status = 'scheduled' AND pool = ?`).pluck(),
    runNow: returningItems<{ id: number; now: number }>(
      `UPDATE items SET status = 'pending', run_at = @now WHERE id = @id AND status = 'scheduled' RETURNING ${ITEM_COLUMNS}`,
    ),
    workerStatus: sqlite.prepare<[string], string>(`SELECT status FROM workers WHERE worker_id = ?`).pluck(),
    autoRegister: sqlite.prepare<{ workerId: string; now: number }>(
      `INSERT INTO workers (worker_id, status, last_heartbeat, started_at) VALUES (@workerId, 'active', @now, @now)`,
    ),
    // The claim. An active worker's claim is one statement (the fast path); anything else
    // (unknown, draining, lost, terminated) claims nothing with it and takes the slow path in
    // items.ts, with claimOldest. The EXISTS does not depend on the row: SQLite evaluates it once.
    claimOldestActive: returningItems<ClaimParams>(oldestPending('many', ACTIVE_WORKER)),
    claimOneActive: returningItems<ClaimParams>(oldestPending('one', ACTIVE_WORKER)),
    claimOldest: returningItems<ClaimParams>(oldestPending('many', '')),
    claimOne: returningItems<ClaimParams>(oldestPending('one', '')),
    heldUnderKey: returningItems<ClaimKeyParams & { pool: string; workerId: string }>(
      `SELECT ${ITEM_COLUMNS} FROM items WHERE ${HELD_UNDER_KEY} ORDER BY id`,
    ),
    // claimItem checks the pool is not paused in the same transaction.
    claimById: returningItems<ClaimKeyParams & { id: number; workerId: string; now: number }>(
      `UPDATE items SET ${CLAIM_SET} WHERE id = @id AND status = 'pending' RETURNING ${ITEM_COLUMNS}`,
    ),
    // The completing attempt is not appended to `history`: attempts, claimed_by, claimed_at and
    // completed_at already say it, and the item detail adds it from them (rows.ts). Growing the
    // row's JSON on every completion cost ~5 µs. A retry, the only way out of 'completed' that
    // keeps the row, stores it first (storeCompletion in context.ts).
    complete: returningItems<{ id: number; workerId: string; leaseId: string | null; result: string | null; now: number }>(
      `UPDATE items SET status = 'completed', lease_id = NULL, completed_at = @now, result = @result
       WHERE ${HOLDER} RETURNING ${ITEM_COLUMNS}`,
    ),
    // A poisoned item keeps who held it last; a pending (or scheduled: backoff) one is free for anyone.
    fail: returningItems<{
      id: number;
      workerId: string;
      leaseId: string | null;
      error: string | null;
      errorType: string | null;
      fingerprint: string | null;
      now: number;
    }>(
      `UPDATE items SET
         status = CASE WHEN ${EXHAUSTED} THEN 'poisoned' WHEN ${backoffSql.sqlite.applies} THEN 'scheduled' ELSE 'pending' END,
         run_at = CASE WHEN ${EXHAUSTED} OR NOT ${backoffSql.sqlite.applies} THEN run_at ELSE @now + ${backoffSql.sqlite.delayMs} END,
         claimed_by = CASE WHEN ${EXHAUSTED} THEN claimed_by ELSE NULL END,
         claimed_at = CASE WHEN ${EXHAUSTED} THEN claimed_at ELSE NULL END,
         lease_id = NULL, last_error = @error, last_error_type = @errorType, error_fingerprint = @fingerprint,
         history = ${appendAttempt('failed', '@error', '@errorType')}
       WHERE ${HOLDER} RETURNING ${ITEM_COLUMNS}`,
    ),
    // Per-minute failures (table `throughput`), run inside the transaction of the fail it counts:
    // one small UPSERT, no extra commit. Completions are counted by a trigger (migration 0006).
    countFailure: sqlite.prepare<{ pool: string; minute: number; failed: number; poisoned: number }>(
      `INSERT INTO throughput (pool, minute, completed, failed, poisoned) VALUES (@pool, @minute, 0, @failed, @poisoned)
       ON CONFLICT (minute, pool) DO UPDATE SET failed = failed + excluded.failed, poisoned = poisoned + excluded.poisoned`,
    ),
    // Retention pruning (liveness.ts): the pools, and a window of a pool's completed items in id
    // order on the status index, deleting those completed before the cutoff.
    countedPools: sqlite.prepare<[], string>(`SELECT DISTINCT pool FROM pool_counts ORDER BY pool`).pluck(),
    completedWindow: sqlite.prepare<{ pool: string; after: number; window: number }, { n: number; last: number | null }>(
      `SELECT count(*) AS n, max(id) AS last FROM (SELECT id FROM items
         WHERE status = 'completed' AND pool = @pool AND id > @after ORDER BY id LIMIT CAST(@window AS INTEGER))`,
    ),
    pruneCompleted: sqlite.prepare<{ pool: string; after: number; last: number; cutoff: number }>(
      `DELETE FROM items WHERE status = 'completed' AND pool = @pool AND id > @after AND id <= @last
         AND completed_at < @cutoff`,
    ),
    // Every request with an issued token looks it up: prepared once, like the hot path it sits on,
    // but on first use, so a store opened on a database migrated only part of the way (the
    // migration tests) does not need tokens.worker_id to open.
    get findToken() {
      return (findToken ??= sqlite.prepare<[string], { id: string; name: string; role: string; workerId: string | null }>(
        `SELECT id, name, role, worker_id AS workerId FROM tokens WHERE token_hash = ? AND revoked_at IS NULL`,
      ));
    },
    itemState: sqlite.prepare<[number], { status: string; claimedBy: string | null; pool: string }>(
      `SELECT status, claimed_by AS claimedBy, pool FROM items WHERE id = ?`,
    ),
  };
}

export type Statements = ReturnType<typeof prepareStatements>;
