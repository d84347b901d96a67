/** The hot statements' text, as the store sends them, caught from a stand-in pool (bench/profile-pg.ts). */
import type pg from 'pg';
import { completeHeldMany } from '@/db/store/pg/complete-many';
import { claimActive } from '@/db/store/pg/statements';

async function textOf(run: (pool: pg.Pool) => Promise<unknown>): Promise<string> {
  let text = '';
  const fake = { query: async (q: { text: string }) => ((text = q.text), { rows: [] }) } as unknown as pg.Pool;
  await run(fake);
  return text;
}

export async function hotSql() {
  return {
    CLAIM_SQL: await textOf((p) => claimActive(p, { workerId: '', now: 0, pool: '', limit: 1, claimId: null })),
    COMPLETE_MANY_SQL: await textOf((p) => completeHeldMany(p, '', 0, [])),
  };
}
