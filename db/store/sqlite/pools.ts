import { and, eq } from 'drizzle-orm';
import type { PoolSettings, PoolSettingsPatch } from '@/lib/contracts';
import { poolSettings } from '@/db/schema/sqlite';
import { storedBackoff, toPoolSettings } from '../queue';
import { prepared } from '../ops/sql';
import { writeTx, type SqliteCtx } from './context';

const POOL_SETTINGS = `SELECT max_retries AS maxRetries, backoff, paused, updated_at AS updatedAt FROM pool_settings WHERE pool = ?`;

export function getPoolSettings(ctx: SqliteCtx, pool: string): PoolSettings {
  const r = prepared<[string], { maxRetries: number | null; backoff: string | null; paused: number; updatedAt: number | null }>(ctx, POOL_SETTINGS).get(pool);
  return toPoolSettings(pool, r && { pool, ...r, backoff: r.backoff === null ? null : JSON.parse(r.backoff), paused: r.paused === 1 });
}

/**
 * Changes the fields the patch gives (null: back to the default) and keeps the others; one UPSERT.
 * Told as a pool event: dashboards refresh, and a resumed pool's waiting claims look again.
 */
export function updatePoolSettings(ctx: SqliteCtx, pool: string, patch: PoolSettingsPatch): PoolSettings {
  const now = ctx.clock();
  const set: Partial<typeof poolSettings.$inferInsert> = { updatedAt: now };
  if (patch.max_retries !== undefined) set.maxRetries = patch.max_retries;
  if (patch.backoff !== undefined) {
    const b = storedBackoff(patch.backoff);
    set.backoff = b && JSON.stringify(b);
  }
  if (patch.paused !== undefined) set.paused = patch.paused ? 1 : 0;
  const settings = writeTx(ctx, (tx) => {
    tx.insert(poolSettings).values({ pool, ...set }).onConflictDoUpdate({ target: poolSettings.pool, set }).run();
    return getPoolSettings(ctx, pool);
  });
  ctx.emit({ type: 'pool', name: pool });
  return settings;
}

/** The pools an operator paused (of all, or just `pool`), by name. */
export function pausedPools(ctx: SqliteCtx, pool?: string): string[] {
  return ctx.db
    .select({ pool: poolSettings.pool })
    .from(poolSettings)
    .where(and(eq(poolSettings.paused, 1), pool === undefined ? undefined : eq(poolSettings.pool, pool)))
    .orderBy(poolSettings.pool)
    .all()
    .map((r) => r.pool);
}
