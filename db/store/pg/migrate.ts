import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import type { Pool } from 'pg';

/** Any fixed number, the same in every instance: the advisory lock that serializes migrations. */
const MIGRATION_LOCK = 7_245_005_001;

/**
 * Applies pending migrations. Instances starting together take turns on a session advisory lock:
 * the first applies them, the others then find nothing to do. The lock ends with its session,
 * so an instance that dies mid-migration does not block the others.
 */
export async function migrateLocked(pool: Pool, migrationsFolder: string): Promise<void> {
  const client = await pool.connect();
  let failed = false;
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await migrate(drizzle({ client }), { migrationsFolder });
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } catch (err) {
    failed = true;
    throw err;
  } finally {
    // On failure the connection is closed, which also drops the lock if it is still held.
    client.release(failed);
  }
}
