import type { Throughput } from '@/lib/contracts';

const MINUTE_MS = 60_000;
/** How long per-minute counters are kept. */
export const THROUGHPUT_KEEP_MS = 24 * 60 * MINUTE_MS;

/**
 * SQLite only: the `throughput` row of a pool at this minute (none is real, and it sorts after
 * every one) holds the pool's running total of completions, which its pool counts are read with
 * (migration 0010).
 */
export const COMPLETED_TOTAL_MINUTE = Number.MAX_SAFE_INTEGER;

/** Start of the minute that `ms` falls in. */
export const minuteOf = (ms: number) => Math.floor(ms / MINUTE_MS) * MINUTE_MS;

/** The first minute of a window of `minutes` whole minutes ending with the current one. */
export const windowStart = (now: number, minutes: number) => minuteOf(now) - (minutes - 1) * MINUTE_MS;

/**
 * Turns counter rows (any engine) into the response: one array slot per minute, oldest first,
 * zeros where nothing happened. Rows outside the window are ignored.
 */
export function toThroughput(
  rows: { pool: string; minute: number; completed: number; failed: number; poisoned: number }[],
  now: number,
  minutes: number,
): Throughput {
  const since = windowStart(now, minutes);
  const byPool = new Map<string, { completed: number[]; failed: number[]; poisoned: number[] }>();
  for (const r of rows) {
    const slot = Math.round((r.minute - since) / MINUTE_MS);
    if (slot < 0 || slot >= minutes) continue;
    let p = byPool.get(r.pool);
    if (!p) {
      const zeros = () => new Array<number>(minutes).fill(0);
      p = { completed: zeros(), failed: zeros(), poisoned: zeros() };
      byPool.set(r.pool, p);
    }
    p.completed[slot]! += r.completed;
    p.failed[slot]! += r.failed;
    p.poisoned[slot]! += r.poisoned;
  }
  const pools = [...byPool.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([pool, p]) => ({ pool, ...p }));
  return { since: new Date(since).toISOString(), minutes, pools };
}
