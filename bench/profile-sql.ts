/** The hot statements as the store sends them to PostgreSQL, bound to values (bench/profile-pg.ts). */
import { CLAIM } from '@/db/store/ops/claim';
import { COMPLETE_MANY_PG } from '@/db/store/ops/complete';
import { compile } from '@/db/store/ops/sql';

function bind(text: string, params: Record<string, unknown>): { text: string; values: unknown[] } {
  const c = compile(text);
  return { text: c.text, values: c.order.map((name) => params[name]) };
}

export const hotSql = {
  claim: (p: { workerId: string; now: number; pool: string; limit: number }) => bind(CLAIM.pg.active, { ...p, claimKey: null }),
  completeMany: (p: { batch: string; workerId: string; now: number; ids: number[] }) => bind(COMPLETE_MANY_PG, p),
};
