/**
 * How an operation runs its SQL on each engine. Every write operation (this folder) states its
 * SQL once per dialect, side by side, as text with named parameters (`@name`); these helpers run
 * that text, prepared once per connection, on SQLite and on PostgreSQL.
 *
 * Why text and not Drizzle's builder for the writes: Drizzle builds (and on SQLite, prepares) a
 * statement on every call, ~1 ms with the count triggers compiled in; prepared once, the same
 * SQL runs in microseconds. One rendering per dialect also keeps the rule of each operation in
 * one place. Reads keep Drizzle.
 */
import type Database from 'better-sqlite3';
import pg from 'pg';
import type { SqliteCtx } from '../sqlite/context';
import type { PgExec } from '../pg/context';

/** One statement in both dialects. */
export interface Dialects {
  sqlite: string;
  pg: string;
}

// ---------------------------------------------------------------------------------------------
// SQLite: better-sqlite3 takes `@name` parameters as they are.

/**
 * The statement for `text` on this connection, prepared on first use. `raw`: rows come back as
 * arrays (an object per row costs ~1.2 µs more, naming its properties one at a time).
 */
export function prepared<P extends object, R = unknown>(ctx: SqliteCtx, text: string, raw = false): Database.Statement<P, R> {
  const cache = raw ? ctx.prepared.raw : ctx.prepared.plain;
  let stmt = cache.get(text);
  if (!stmt) {
    stmt = ctx.sqlite.prepare(text);
    if (raw) stmt.raw();
    cache.set(text, stmt);
  }
  return stmt as Database.Statement<P, R>;
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL: `@name` becomes `$n`, once per text, and the query runs as a named prepared
// statement (parsed and planned once per connection).

/** bigint columns (ids, times) as numbers, as the Drizzle schema reads them (mode 'number'). */
const pgTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

interface Compiled {
  name: string;
  text: string;
  order: string[];
}
const compiled = new Map<string, Compiled>();

/** `text` with `@name` parameters as PostgreSQL's `$n`, and the order to pass them in. */
export function compile(text: string): Compiled {
  let c = compiled.get(text);
  if (!c) {
    const order: string[] = [];
    // `@` followed by a letter: not the jsonb operators `@>`, `<@`, `@?`, `@@`.
    const positional = text.replace(/@([A-Za-z_][A-Za-z0-9_]*)/g, (_, name: string) => {
      let i = order.indexOf(name);
      if (i < 0) i = order.push(name) - 1;
      return `$${i + 1}`;
    });
    c = { name: `hub_${compiled.size + 1}`, text: positional, order };
    compiled.set(text, c);
  }
  return c;
}

/** The connection an executor runs on: the pool, or the transaction's client. */
const connectionOf = (db: PgExec): pg.Pool | pg.PoolClient => (db as PgExec & { $client: pg.Pool | pg.PoolClient }).$client;

/** Runs `text` with named `params` on `db` (the pool or a transaction) and returns its rows. */
export async function pgRows<R>(db: PgExec, text: string, params: Record<string, unknown>): Promise<R[]> {
  const c = compile(text);
  const values = c.order.map((name) => {
    if (!(name in params)) throw new Error(`parameter @${name} not given`);
    return params[name];
  });
  try {
    const r = await connectionOf(db).query<R & pg.QueryResultRow>({ name: c.name, text: c.text, values, types: pgTypes });
    return r.rows;
  } catch (err) {
    // As Drizzle wraps a failed query, so that the log names the statement and never the values
    // (errors.ts `loggable`), and translateError finds the driver's code in the cause.
    throw Object.assign(new Error(`Failed query: ${c.text}`, { cause: err }), { query: c.text, params: values });
  }
}
