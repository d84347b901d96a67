/** Error groups (HubStore.errorGroups), the parts both engines share. */
import { sql, type SQL } from 'drizzle-orm';
import type { ErrorGroup } from '@/lib/contracts';
import { iso } from './values';

/** Full error texts shown per group. */
const EXAMPLES_PER_GROUP = 3;

/**
 * Up to EXAMPLES_PER_GROUP distinct full texts per group of the pool's poisoned items, latest
 * first: one scan of the pool's poisoned items, the same SQL on both engines.
 */
export const examplesQuery = (pool: string): SQL => sql`
  SELECT k, e FROM (
    SELECT coalesce(error_fingerprint, last_error) AS k, last_error AS e,
      row_number() OVER (PARTITION BY coalesce(error_fingerprint, last_error) ORDER BY max(id) DESC) AS rn
    FROM items WHERE pool = ${pool} AND status = 'poisoned' AND last_error IS NOT NULL
    GROUP BY coalesce(error_fingerprint, last_error), last_error) x
  WHERE rn <= ${EXAMPLES_PER_GROUP}
  ORDER BY k, rn`;

/** Examples by group key, in the order the query gives them (latest first). */
export function examplesOf(rows: { k: string | null; e: string }[]): Map<string | null, string[]> {
  const byKey = new Map<string | null, string[]>();
  for (const r of rows) byKey.set(r.k, [...(byKey.get(r.k) ?? []), r.e]);
  return byKey;
}

/** A group row (aggregates of bigint columns may arrive as strings) and its examples. */
export function toErrorGroup(
  g: { key: string | null; n: number | string; first: number | string; last: number | string; sample: number | string; errorType: string | null },
  examples: string[],
): ErrorGroup {
  return {
    fingerprint: g.key,
    error: examples[0] ?? null,
    error_type: g.errorType,
    examples,
    count: Number(g.n),
    first_seen: iso(Number(g.first))!,
    last_seen: iso(Number(g.last))!,
    sample_item_id: String(g.sample),
  };
}
