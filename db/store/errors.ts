import type { StoreProblemCode } from '@/lib/contracts';

/**
 * The unexpected failures a store may raise that still have a right answer for the caller: the
 * route kit gives each code its status (lib/http/problem.ts) instead of a 500. They are recognized
 * by their `storeProblem` property, not by `instanceof`: Next.js bundles the instrumentation and
 * the route modules apart, so the class a store throws may not be the class a route imports.
 */
export interface StoreProblem {
  code: StoreProblemCode;
}

export class StoreError extends Error {
  constructor(
    readonly storeProblem: StoreProblem,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StoreError';
  }
}

/** The database cannot be reached right now (down, restarting, or no connection free in time). */
export const databaseUnavailable = (cause: unknown) =>
  new StoreError({ code: 'database-unavailable' }, 'the database is unavailable; try again shortly', { cause });

/** The input is valid JSON the database cannot keep (PostgreSQL text holds no U+0000). */
export const unstorableInput = (cause: unknown) =>
  new StoreError({ code: 'unstorable-input' }, 'the request holds text the database cannot store (a NUL character, U+0000)', {
    cause,
  });

/** The store problem an error carries, if it is one. */
export function storeProblemOf(err: unknown): (StoreProblem & { detail: string }) | null {
  if (typeof err !== 'object' || err === null || !('storeProblem' in err)) return null;
  const { storeProblem, message } = err as { storeProblem: StoreProblem; message?: unknown };
  return { code: storeProblem.code, detail: String(message ?? '') };
}

/**
 * What the hub's log may say of an unexpected error. A failed query's error carries the query's
 * parameters — item data, results, metadata, token hashes — and its message repeats them, as
 * PostgreSQL's own message may (`invalid input syntax for type integer: "…"`). The log gets the
 * statement and the database's reason by code (SQLSTATE, the routine, and the table, column or
 * constraint it names), never a value.
 */
export function loggable(err: unknown): unknown {
  if (!(err instanceof Error) || !('query' in err) || !('params' in err)) return err;
  const params = Array.isArray(err.params) ? err.params.length : 0;
  return `query failed: ${String(err.query)} (${params} parameters, not logged): ${reasonOf(err.cause)}`;
}

function reasonOf(cause: unknown): string {
  if (!(cause instanceof Error)) return 'no reason given';
  const c = cause as Error & Partial<Record<'code' | 'routine' | 'table' | 'column' | 'constraint', unknown>>;
  if (typeof c.code === 'string' && /^[0-9A-Z]{5}$/.test(c.code)) {
    const named = (['routine', 'table', 'column', 'constraint'] as const)
      .filter((k) => typeof c[k] === 'string')
      .map((k) => `${k} ${String(c[k])}`);
    return `SQLSTATE ${c.code}${named.length ? ` (${named.join(', ')})` : ''}`;
  }
  // Not the database's answer (a dropped connection, a timeout): no value of ours in it.
  return `${c.name}${typeof c.code === 'string' ? ` [${c.code}]` : ''}: ${c.message}`;
}
