import { sql, type AnyColumn, type SQL, type SQLWrapper } from 'drizzle-orm';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import type { Pool } from 'pg';
import type { HubEvent } from '../types';

export type PgDb = NodePgDatabase<Record<string, never>>;
/** A transaction: a Drizzle handle on the one connection that holds it. */
export type PgTx = PgDb;
/** The pool, or a transaction: reads and single-statement writes run on either. */
export type PgExec = PgDb;

/** What every PostgreSQL store module works with. */
export interface PgCtx {
  db: PgDb;
  pool: Pool;
  clock: () => number;
  /** Tells this process's listener at once and the other instances through NOTIFY. */
  emit: (event: HubEvent) => void;
  /** Set while an outer transaction runs (an audited action): `db` is it, and writeTx joins it. */
  tx?: PgTx;
}

/**
 * READ COMMITTED, deliberately: every write names the state it expects in its WHERE, and
 * PostgreSQL re-checks that WHERE against the newest committed row version before changing it,
 * so a write never undoes a concurrent one; SERIALIZABLE would add retries without adding safety.
 */
export async function writeTx<T>(ctx: PgCtx, fn: (tx: PgTx) => Promise<T>): Promise<T> {
  if (ctx.tx) return fn(ctx.tx);
  // Not Drizzle's db.transaction(): when BEGIN itself fails (a connection the server dropped),
  // it never hands the connection back, and a restart of the server would drain the pool.
  const client = await ctx.pool.connect();
  let broken = false;
  try {
    await client.query('BEGIN ISOLATION LEVEL READ COMMITTED');
    try {
      const result = await fn(drizzle({ client }) as PgTx);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => (broken = true));
      throw err;
    }
  } catch (err) {
    broken ||= !isStatementError(err);
    throw err;
  } finally {
    // A connection in an unknown state is closed rather than handed to the next request.
    client.release(broken);
  }
}

/** An error PostgreSQL raised for a statement (it has a SQLSTATE), on a connection still usable. */
function isStatementError(err: unknown): boolean {
  for (let e = err; e instanceof Error; e = e.cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && !/^(08|57P)/.test(code)) return true;
  }
  return false;
}

/** A JSON value as jsonb, JSON `null` included (a bare null would become SQL NULL). */
export const jsonb = (value: unknown): SQL => sql`${JSON.stringify(value)}::jsonb`;

/**
 * `column = ANY(ARRAY(subquery))`: the subquery runs once, as an InitPlan. Plain `IN (subquery)`
 * may be planned as a subplan that runs again for every outer row, and a locking subquery with
 * LIMIT then picks (and the UPDATE changes) more rows than the limit.
 */
export const inLocked = (column: AnyColumn, subquery: SQLWrapper): SQL => sql`${column} = ANY(ARRAY(${subquery}))`;
