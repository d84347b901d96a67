import pg from 'pg';
import { databaseUnavailable, unstorableInput } from '../errors';

/** How long a request waits for a connection (the server down, or all of them busy) before 503. */
const CONNECT_TIMEOUT_MS = 5000;

/**
 * The pool every query and transaction runs on. An idle connection that the server drops (a
 * restart) is removed by the pool and replaced on demand; the listener here only stops that
 * error from being an uncaught one, which would end the process.
 */
export function createPool(connectionString: string, max: number): pg.Pool {
  const pool = new pg.Pool({
    connectionString,
    max,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
    application_name: 'flatmachines-hub',
  });
  pool.on('error', () => {});
  return pool;
}

// Node socket errors, and SQLSTATEs of class 08 (connection exception), 57P01-57P03 (admin or
// crash shutdown, cannot connect now: a restart) and 53300 (too many connections).
const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', '57P01', '57P02', '57P03', '53300']);
// node-postgres says these in words only.
const UNAVAILABLE_MESSAGES = /Connection terminated|timeout exceeded when trying to connect|not queryable|Client was closed|Connection ended/i;
// 22P05: a \u0000 escape in jsonb; 22021: a NUL byte in text.
const UNSTORABLE_CODES = new Set(['22P05', '22021']);

/**
 * Turns a driver error into the store error it stands for, if any. Drizzle wraps errors as
 * "Failed query: …" with the driver's error as the cause, so the whole cause chain is read.
 */
export function translateError(err: unknown): unknown {
  for (let e = err; e instanceof Error; e = e.cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') {
      if (UNAVAILABLE_CODES.has(code) || code.startsWith('08')) return databaseUnavailable(err);
      if (UNSTORABLE_CODES.has(code)) return unstorableInput(err);
    }
    if (UNAVAILABLE_MESSAGES.test(e.message)) return databaseUnavailable(err);
  }
  return err;
}
