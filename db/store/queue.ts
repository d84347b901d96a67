/**
 * Queue semantics both engines share: when a pushed item is due, its pool's settings, and the
 * retry backoff written once per dialect, side by side, so the two stay one rule.
 */
import type { Backoff, NewItem, PoolSettings, WorkItem } from '@/lib/contracts';
import { MAX_RETRIES_DEFAULT } from '@/lib/contracts';
import { iso } from './values';

/** Due items one claim promotes from `scheduled` to `pending` at most (the next claim takes the rest). */
export const PROMOTE_BATCH = 1000;

/** The statuses in which an item holds its key: all but completed (a deleted item is gone). */
export const KEY_HOLDING = `('scheduled', 'pending', 'claimed', 'poisoned')`;

/** Claim order: higher priority first, then push order (ids ascend with it). */
export const inClaimOrder = (a: Pick<WorkItem, 'id' | 'priority'>, b: Pick<WorkItem, 'id' | 'priority'>) =>
  b.priority - a.priority || Number(a.id) - Number(b.id);

/** When a pushed item becomes claimable (epoch ms), or null for at once. */
export function runAtOf(item: Pick<NewItem, 'run_at' | 'delay_seconds'>, now: number): number | null {
  if (item.run_at !== undefined) return Date.parse(item.run_at);
  if (item.delay_seconds !== undefined && item.delay_seconds > 0) return now + Math.round(item.delay_seconds * 1000);
  return null;
}

/** A pushed item starts `scheduled` when it is not due yet. */
export const pushedStatus = (runAt: number | null, now: number) => (runAt !== null && runAt > now ? 'scheduled' : 'pending');

/** A pool's stored policy: `none` is stored as NULL (an item's own `none` is kept: it overrides its pool's). */
export const storedBackoff = (b: Backoff | null | undefined): Backoff | null => (b && b.type !== 'none' ? b : null);

export interface PoolSettingsRow {
  pool: string;
  maxRetries: number | null;
  backoff: Backoff | null;
  paused: boolean;
  updatedAt: number | null;
}

export function toPoolSettings(pool: string, r: PoolSettingsRow | undefined): PoolSettings {
  return {
    pool,
    max_retries: r?.maxRetries ?? MAX_RETRIES_DEFAULT,
    backoff: r?.backoff ?? { type: 'none' },
    paused: r?.paused ?? false,
    updated_at: iso(r?.updatedAt ?? null),
  };
}

/*
 * The retry backoff, applied by `fail` when it puts an item back (not when it poisons it): the
 * item's own policy, else its pool's. With one, the item goes to `scheduled` until `run_at` = now
 * + the delay; without, to `pending` as before. `attempts` is the attempt that just failed (1 for
 * the first), so an exponential policy waits base, 2×base, 4×base, … up to max, each shortened by
 * a random share of up to `jitter`. Policies are stored as written by the Backoff contract.
 */
const SQLITE_POLICY = `coalesce(backoff, (SELECT s.backoff FROM pool_settings s WHERE s.pool = items.pool))`;
const PG_POLICY = `coalesce(items.backoff, (SELECT s.backoff FROM pool_settings s WHERE s.pool = items.pool))`;

export const backoffSql = {
  sqlite: {
    /** True when the item waits before its next attempt. */
    applies: `coalesce(json_extract(${SQLITE_POLICY}, '$.type'), 'none') <> 'none'`,
    /** The wait, in whole milliseconds. */
    delayMs: `CASE json_extract(${SQLITE_POLICY}, '$.type')
      WHEN 'fixed' THEN CAST(json_extract(${SQLITE_POLICY}, '$.delay_seconds') * 1000 AS INTEGER)
      WHEN 'exponential' THEN CAST(
        min(json_extract(${SQLITE_POLICY}, '$.max_seconds'), json_extract(${SQLITE_POLICY}, '$.base_seconds') * (1 << min(attempts - 1, 40)))
        * 1000 * (1 - json_extract(${SQLITE_POLICY}, '$.jitter') * ((random() & 1048575) / 1048576.0)) AS INTEGER)
      ELSE 0 END`,
  },
  pg: {
    applies: `coalesce(${PG_POLICY} ->> 'type', 'none') <> 'none'`,
    delayMs: `CASE ${PG_POLICY} ->> 'type'
      WHEN 'fixed' THEN round((${PG_POLICY} ->> 'delay_seconds')::float8 * 1000)::bigint
      WHEN 'exponential' THEN floor(
        least((${PG_POLICY} ->> 'max_seconds')::float8, (${PG_POLICY} ->> 'base_seconds')::float8 * power(2, least(items.attempts - 1, 40)))
        * 1000 * (1 - (${PG_POLICY} ->> 'jitter')::float8 * random()))::bigint
      ELSE 0 END`,
  },
} as const;
