import pg from 'pg';
import { beforeEach } from 'vitest';
import { MAINTENANCE_URL } from './database';

/** The server as it may be shown: without a password. */
function shown(url: string): string {
  const u = new URL(url);
  u.password = '';
  return u.toString();
}

let probed: Promise<string | null> | undefined;

/**
 * Why the PostgreSQL tests cannot run here, or null when the server answers (asked once per test
 * file). With `HUB_TEST_PG_URL` unset the tests use the local server where one runs (these machines,
 * CI); when none answers, this says why on stderr, and the file's PostgreSQL tests are skipped with
 * the reason noted on each (`skipWithoutPostgres`), never passed. A server that `HUB_TEST_PG_URL`
 * names must answer: a configured server that is down fails the file instead.
 */
export function postgresMissing(): Promise<string | null> {
  probed ??= probe();
  return probed;
}

async function probe(): Promise<string | null> {
  const client = new pg.Client({ connectionString: MAINTENANCE_URL, connectionTimeoutMillis: 10_000 });
  let why: string | null = null;
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (err) {
    // A refused connection to a name with two addresses is an AggregateError with no message.
    const e = err as Error & { code?: string };
    why = e.message || e.code || String(err);
  } finally {
    await client.end().catch(() => {});
  }
  if (why === null) return null;
  const reason = `PostgreSQL at ${shown(MAINTENANCE_URL)} does not answer (${why})`;
  if (process.env.HUB_TEST_PG_URL) throw new Error(`${reason}; HUB_TEST_PG_URL names it, so its tests cannot be skipped`);
  console.warn(
    `\n*** SKIPPING this file's PostgreSQL tests: ${reason}.\n` +
      '*** Start it (as root: pg_ctlcluster 15 main start) or name another server with HUB_TEST_PG_URL.\n',
  );
  return reason;
}

/**
 * Skips every test of the calling file (or describe block) when `missing` holds a reason, noting
 * it on each skipped test. Hooks still run: a `beforeAll` that needs the server must return
 * early when PostgreSQL is missing.
 */
export function skipWithoutPostgres(missing: string | null): void {
  if (missing) beforeEach((ctx) => ctx.skip(`skipped: ${missing}`));
}
