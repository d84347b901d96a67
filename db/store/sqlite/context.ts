import type Database from 'better-sqlite3';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import type { HubEvent } from '../types';

export type SqliteDb = BetterSQLite3Database<Record<string, never>>;

/** What every SQLite store module works with. */
export interface SqliteCtx {
  db: SqliteDb;
  /** The raw connection under `db`, for the prepared statements of db/store/ops. */
  sqlite: Database.Database;
  /** Runs a function in a transaction; made once per connection (see writeTx). */
  inTransaction: Database.Transaction<(fn: () => unknown) => unknown>;
  /** Statements prepared on this connection by their text (ops/sql.ts `prepared`); `raw` ones return arrays. */
  prepared: { plain: Map<string, Database.Statement>; raw: Map<string, Database.Statement> };
  clock: () => number;
  emit: (event: HubEvent) => void;
  /** Where retention pruning goes on: the pool to start with, and in each pool the last id it looked at. */
  prune: { pool: string | undefined; cursors: Map<string, number> };
  /** Pools whose last claim here took items: the next one goes straight to the claim (ops/claim.ts). */
  busyPools: Set<string>;
}

/** A transaction that takes the write lock at once, so two processes never deadlock upgrading. */
export function writeTx<T>(ctx: SqliteCtx, fn: (tx: SqliteDb) => T): T {
  // better-sqlite3 transactions belong to the connection, so drizzle queries on `db` and the
  // prepared statements inside `fn` all run in it.
  // One wrapper made per connection: building a better-sqlite3 transaction per call costs more
  // than the claim it wraps.
  return ctx.inTransaction.immediate(() => fn(ctx.db)) as T;
}
