import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * The PostgreSQL server the tests use: `HUB_TEST_PG_URL` names its maintenance database
 * (default: the local server's `postgres`, as on these machines and in CI).
 */
export const MAINTENANCE_URL = process.env.HUB_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function onMaintenance(sql: string, server = MAINTENANCE_URL): Promise<void> {
  const client = new pg.Client({ connectionString: server });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A URL of the same server naming another database. */
export function databaseUrl(name: string, server = MAINTENANCE_URL): string {
  const url = new URL(server);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * Creates a fresh, uniquely named database on `server` (a URL of any database there); `drop`
 * removes it, closing whatever still uses it.
 */
export async function createTestDatabase(
  label: string,
  server = MAINTENANCE_URL,
): Promise<{ name: string; url: string; drop: () => Promise<void> }> {
  const name = `hub_test_${label}_${process.pid}_${randomBytes(4).toString('hex')}`;
  await onMaintenance(`CREATE DATABASE ${name}`, server);
  return {
    name,
    url: databaseUrl(name, server),
    drop: () => onMaintenance(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`, server),
  };
}

/** Runs statements on a database and closes the connection. */
export async function onDatabase<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** How many other connections to `client`'s database wait on a lock (a row's, a table's) right now. */
export async function lockWaiters(client: pg.Client): Promise<number> {
  const r = await client.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_stat_activity
      WHERE datname = current_database() AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'`,
  );
  return r.rows[0]!.n;
}
