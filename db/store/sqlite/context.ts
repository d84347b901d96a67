import type Database from 'better-sqlite3';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { sql, type SQL } from 'drizzle-orm';
import { items } from '@/db/schema/sqlite';
import type { HubEvent } from '../types';
import type { Statements } from './statements';

export type SqliteDb = BetterSQLite3Database<Record<string, never>>;

/** What every SQLite store module works with. */
export interface SqliteCtx {
  db: SqliteDb;
  /** The raw connection under `db`, for the prepared hot path. */
  sqlite: Database.Database;
  /** Runs a function in a transaction; made once per connection (see writeTx). */
  inTransaction: Database.Transaction<(fn: () => unknown) => unknown>;
  stmts: Statements;
  clock: () => number;
  emit: (event: HubEvent) => void;
  /** Where retention pruning goes on: the pool to start with, and in each pool the last id it looked at. */
  prune: { pool: string | undefined; cursors: Map<string, number> };
}

/** A transaction that takes the write lock at once, so two processes never deadlock upgrading. */
export function writeTx<T>(ctx: SqliteCtx, fn: (tx: SqliteDb) => T): T {
  // better-sqlite3 transactions belong to the connection, so drizzle queries on `db` and the
  // prepared statements inside `fn` all run in it.
  // One wrapper made per connection: building a better-sqlite3 transaction per call costs more
  // than the claim it wraps.
  return ctx.inTransaction.immediate(() => fn(ctx.db)) as T;
}

/**
 * The SET expression that appends the claim now ending to an item's history. Evaluated against
 * the row as it was before the UPDATE, so it sees the ending claim's worker and times.
 */
export function appendAttempt(now: number, outcome: 'completed' | 'failed' | 'released', error: SQL | string | null): SQL {
  return sql`json_insert(${items.history}, '$[#]', json_object('attempt', ${items.attempts}, 'worker_id', ${items.claimedBy}, 'claimed_at', ${items.claimedAt}, 'ended_at', ${now}, 'outcome', ${outcome}, 'error', ${error}))`;
}

/** True in SQL when the item has used up its attempts. */
export const exhausted = sql`${items.attempts} >= ${items.maxRetries}`;

/**
 * The SET expression for `history` of a write that takes an item out of 'completed' and keeps it
 * (a retry): the completing attempt, until now implied by the item's columns (see `complete` in
 * statements.ts), is stored before those columns are cleared. Other items keep their history.
 */
export const storeCompletion = sql`CASE WHEN ${items.status} = 'completed' THEN json_insert(${items.history}, '$[#]', json_object('attempt', ${items.attempts}, 'worker_id', ${items.claimedBy}, 'claimed_at', ${items.claimedAt}, 'ended_at', ${items.completedAt}, 'outcome', 'completed', 'error', NULL)) ELSE ${items.history} END`;
