import { and, eq } from 'drizzle-orm';
import type { PoolSettings, PoolSettingsPatch } from '@/lib/contracts';
import { poolSettings } from '@/db/schema/pg';
import { storedBackoff, toPoolSettings, type PoolSettingsRow } from '../queue';
import type { PgCtx, PgExec } from './context';

export async function getPoolSettings(db: PgExec, pool: string): Promise<PoolSettings> {
  const [row] = await db.select().from(poolSettings).where(eq(poolSettings.pool, pool));
  return toPoolSettings(pool, row as PoolSettingsRow | undefined);
}

/**
 * Changes the fields the patch gives (null: back to the default) and keeps the others; one UPSERT.
 * Told as a pool event: dashboards refresh, and a resumed pool's waiting claims (on every
 * instance) look again.
 */
export async function updatePoolSettings(ctx: PgCtx, pool: string, patch: PoolSettingsPatch): Promise<PoolSettings> {
  const set: Partial<typeof poolSettings.$inferInsert> = { updatedAt: ctx.clock() };
  if (patch.max_retries !== undefined) set.maxRetries = patch.max_retries;
  if (patch.backoff !== undefined) set.backoff = storedBackoff(patch.backoff);
  if (patch.paused !== undefined) set.paused = patch.paused;
  const [row] = await ctx.db
    .insert(poolSettings)
    .values({ pool, ...set })
    .onConflictDoUpdate({ target: poolSettings.pool, set })
    .returning();
  ctx.emit({ type: 'pool', name: pool });
  return toPoolSettings(pool, row as PoolSettingsRow);
}

/** The pools an operator paused (of all, or just `pool`), by name. */
export async function pausedPools(db: PgExec, pool?: string): Promise<string[]> {
  const rows = await db
    .select({ pool: poolSettings.pool })
    .from(poolSettings)
    .where(and(eq(poolSettings.paused, true), pool === undefined ? undefined : eq(poolSettings.pool, pool)))
    .orderBy(poolSettings.pool);
  return rows.map((r) => r.pool);
}
