/**
 * The unexpected failures a store may raise that still have a right answer for the caller: the
 * route kit maps them to problem responses instead of a 500. They are recognized by their
 * `storeProblem` property, not by `instanceof`: Next.js bundles the instrumentation and the route
 * modules apart, so the class a store throws may not be the class a route imports.
 */
export interface StoreProblem {
  status: 400 | 503;
  code: 'database-unavailable' | 'unstorable-input';
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
  new StoreError({ status: 503, code: 'database-unavailable' }, 'the database is unavailable; try again shortly', { cause });

/** The input is valid JSON the database cannot keep (PostgreSQL text holds no U+0000). */
export const unstorableInput = (cause: unknown) =>
  new StoreError({ status: 400, code: 'unstorable-input' }, 'the request holds text the database cannot store (a NUL character, U+0000)', {
    cause,
  });

/** The store problem an error carries, if it is one. */
export function storeProblemOf(err: unknown): (StoreProblem & { detail: string }) | null {
  if (typeof err !== 'object' || err === null || !('storeProblem' in err)) return null;
  const { storeProblem, message } = err as { storeProblem: StoreProblem; message?: unknown };
  return { ...storeProblem, detail: String(message ?? '') };
}
